import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractBaseSubject, unicodeCasemapKey } from '../../mime/index.js';
import { encodeThreads, orderedSubject, referencesThreads, type ThreadMessage, type ThreadNode } from './thread-algorithms.js';

/** A message numbered by its position (1-based); `sent` defaults to its number (in minutes). */
function msgs(specs: Array<{ id?: string; refs?: string[]; subject?: string; sent?: number }>): ThreadMessage[] {
  return specs.map((s, i) => {
    const subj = extractBaseSubject(s.subject ?? `subject ${i + 1}`);
    return {
      id: i + 1,
      seq: i + 1,
      sent: (s.sent ?? i + 1) * 60_000,
      subject: unicodeCasemapKey(subj.base),
      replyOrForward: subj.replyOrForward,
      messageId: s.id ?? null,
      references: s.refs ?? [],
    };
  });
}

const refs = (specs: Parameters<typeof msgs>[0]): string => encodeThreads(referencesThreads(msgs(specs)));
const ordered = (specs: Parameters<typeof msgs>[0]): string => encodeThreads(orderedSubject(msgs(specs)));

test('encodeThreads: the RFC 5256 §4 example "(2)(3 6 (4 23)(44 7 96))"', () => {
  const n = (id: number, children: ThreadNode[] = []): ThreadNode => {
    const x: ThreadNode = { msg: { id } as ThreadMessage, parent: null, children };
    for (const c of children) c.parent = x;
    return x;
  };
  const forest = [n(2), n(3, [n(6, [n(4, [n(23)]), n(44, [n(7, [n(96)])])])])];
  assert.equal(encodeThreads(forest), '(2)(3 6 (4 23)(44 7 96))');
  assert.equal(encodeThreads([]), '');
  const dummy: ThreadNode = { msg: null, parent: null, children: [n(2), n(3)] };
  assert.equal(encodeThreads([n(1), dummy]), '(1)((2)(3))');
});

test('REFERENCES: a reply chain is one thread', () => {
  assert.equal(refs([{ id: 'a@x' }, { id: 'b@x', refs: ['a@x'] }, { id: 'c@x', refs: ['a@x', 'b@x'] }]), '(1 2 3)');
});

test('REFERENCES: siblings nest, sorted by sent date', () => {
  assert.equal(
    refs([{ id: 'a@x' }, { id: 'b@x', refs: ['a@x'] }, { id: 'c@x', refs: ['a@x'] }, { id: 'd@x', refs: ['a@x', 'b@x'] }]),
    '(1 (2 4)(3))',
  );
  // children in sent-date order, not arrival order
  assert.equal(refs([{ id: 'a@x' }, { id: 'b@x', refs: ['a@x'], sent: 9 }, { id: 'c@x', refs: ['a@x'], sent: 5 }]), '(1 (3)(2))');
  // equal sent dates: sequence number decides
  assert.equal(refs([{ id: 'a@x' }, { id: 'b@x', refs: ['a@x'], sent: 5 }, { id: 'c@x', refs: ['a@x'], sent: 5 }]), '(1 (2)(3))');
});

test('REFERENCES: a message referenced later becomes the parent (forward references)', () => {
  assert.equal(refs([{ id: 'b@x', refs: ['a@x'] }, { id: 'a@x' }]), '(2 1)');
});

test('REFERENCES: dummies are pruned (step 3)', () => {
  // one child of a missing parent: promoted to the top level
  assert.equal(refs([{ id: 'b@x', refs: ['gone@x'] }]), '(1)');
  // two children of a missing top-level parent stay under a dummy
  assert.equal(refs([{ id: 'b@x', refs: ['gone@x'] }, { id: 'c@x', refs: ['gone@x'] }]), '((1)(2))');
  // a missing message inside a thread: its children join its siblings
  assert.equal(refs([{ id: 'a@x' }, { id: 'c@x', refs: ['a@x', 'gone@x'] }, { id: 'd@x', refs: ['a@x', 'gone@x'] }]), '(1 (2)(3))');
  // chains of dummies collapse
  assert.equal(refs([{ id: 'c@x', refs: ['g1@x', 'g2@x', 'g3@x'] }]), '(1)');
});

test('REFERENCES: In-Reply-To style single reference and no references', () => {
  assert.equal(refs([{ id: 'a@x' }, { id: 'b@x' }, { id: 'c@x', refs: ['a@x'] }]), '(1 3)(2)');
});

test('REFERENCES: loops are never created (step 1.A/1.B)', () => {
  assert.equal(refs([{ id: 'a@x', refs: ['b@x'] }, { id: 'b@x', refs: ['a@x'] }]), '(2 1)');
  assert.equal(refs([{ id: 'a@x', refs: ['a@x'] }]), '(1)');
  assert.equal(refs([{ id: 'a@x', refs: ['x@x', 'y@x', 'x@x'] }, { id: 'b@x' }]), '(1)(2)');
});

test('REFERENCES: duplicate Message-IDs: only the first message keeps it', () => {
  assert.equal(refs([{ id: 'a@x' }, { id: 'a@x' }, { id: 'c@x', refs: ['a@x'] }]), '(1 3)(2)');
});

test('REFERENCES: missing Message-IDs get unique ones', () => {
  assert.equal(refs([{}, {}, { refs: ['a@x'] }]), '(1)(2)(3)');
});

test('REFERENCES: step 1.B replaces a parent set from a truncated References line', () => {
  // message 3 says b's parent is a; message 4's own References say b's parent is x... but b
  // itself (message 2) names its parent last, which wins.
  assert.equal(
    refs([{ id: 'a@x' }, { id: 'x@x' }, { id: 'c@x', refs: ['a@x', 'b@x'] }, { id: 'b@x', refs: ['x@x'] }]),
    '(1)(2 4 3)',
  );
});

test('REFERENCES: top-level threads with the same base subject merge (step 5)', () => {
  // a reply joins the original as its child
  assert.equal(refs([{ id: 'a@x', subject: 'hello' }, { id: 'b@x', subject: 'Re: hello' }]), '(1 2)');
  assert.equal(refs([{ id: 'b@x', subject: 'Re: hello' }, { id: 'a@x', subject: 'hello' }]), '(2 1)');
  // two non-replies: both under a new dummy
  assert.equal(refs([{ id: 'a@x', subject: 'hello' }, { id: 'b@x', subject: 'HELLO' }]), '((1)(2))');
  // two replies: a dummy too
  assert.equal(refs([{ id: 'a@x', subject: 'Re: hello' }, { id: 'b@x', subject: 'Fwd: hello' }]), '((1)(2))');
  // empty subjects never merge
  assert.equal(refs([{ id: 'a@x', subject: '' }, { id: 'b@x', subject: 'Re:' }]), '(1)(2)');
  // a dummy thread absorbs a message with its subject
  assert.equal(
    refs([
      { id: 'b@x', refs: ['gone@x'], subject: 'Re: topic' },
      { id: 'c@x', refs: ['gone@x'], subject: 'Re: topic' },
      { id: 'd@x', subject: 'topic' },
    ]),
    '((1)(2)(3))',
  );
  // unrelated subjects stay apart, ordered by sent date
  assert.equal(refs([{ id: 'a@x', subject: 'one', sent: 5 }, { id: 'b@x', subject: 'two', sent: 1 }]), '(2)(1)');
});

test('REFERENCES: a top-level dummy sorts by its earliest child (steps 4 and 6)', () => {
  assert.equal(
    refs([
      { id: 'a@x', subject: 'a', sent: 5 },
      { id: 'b@x', refs: ['gone@x'], subject: 'b', sent: 9 },
      { id: 'c@x', refs: ['gone@x'], subject: 'c', sent: 1 },
    ]),
    '((3)(2))(1)',
  );
});

test('ORDEREDSUBJECT: threads by base subject, first message is the parent', () => {
  assert.equal(
    ordered([
      { subject: 'b', sent: 3 },
      { subject: 'a', sent: 2 },
      { subject: 'Re: a', sent: 1 },
      { subject: 'c', sent: 4 },
      { subject: 'A', sent: 5 },
      { subject: '[list] b (fwd)', sent: 6 },
    ]),
    '(3 (2)(5))(1 6)(4)',
  );
  assert.equal(ordered([]), '');
  // equal dates: sequence number decides the parent
  assert.equal(ordered([{ subject: 'x', sent: 1 }, { subject: 'x', sent: 1 }]), '(1 2)');
});

const refsAlg = (specs: Parameters<typeof msgs>[0]): string => encodeThreads(referencesThreads(msgs(specs), true));

test('REFS: threads ordered by their newest message, not their first', () => {
  // Thread (1 3) has the newest message (3), so it comes after thread (2).
  const specs = [{ id: 'a@x' }, { id: 'b@x' }, { id: 'c@x', refs: ['a@x'] }];
  assert.equal(refs(specs), '(1 3)(2)');
  assert.equal(refsAlg(specs), '(2)(1 3)');
  // A late reply deep in a thread moves the whole thread; a sent-date tie goes by sequence number.
  assert.equal(
    refsAlg([{ id: 'a@x', sent: 1 }, { id: 'b@x', sent: 2 }, { id: 'c@x', refs: ['b@x'], sent: 3 }, { id: 'd@x', refs: ['a@x'], sent: 3 }]),
    '(2 3)(1 4)',
  );
});

test('REFS: no subject merging (step 5 skipped); children still by sent date', () => {
  const specs = [
    { id: 'a@x', subject: 'Plans' },
    { id: 'b@x', subject: 'Re: Plans' },
    { id: 'c@x', subject: 'Other' },
    { id: 'd@x', refs: ['c@x'], subject: 'Re: Other', sent: 9 },
    { id: 'e@x', refs: ['c@x'], subject: 'Re: Other', sent: 5 },
  ];
  assert.equal(refs(specs), '(1 2)(3 (5)(4))');
  assert.equal(refsAlg(specs), '(1)(2)(3 (5)(4))');
  // A dummy root (missing parent with two replies) sorts by its newest child.
  assert.equal(refsAlg([{ id: 'b@x', refs: ['gone@x'], sent: 8 }, { id: 'c@x', refs: ['gone@x'], sent: 2 }, { id: 'd@x', sent: 5 }]), '(3)((2)(1))');
});
