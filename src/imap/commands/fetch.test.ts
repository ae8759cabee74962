import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchAttribute, SequenceSet } from '../protocol/ast.js';
import type { CommandOf } from '../session/command-table.js';
import { parseMessage, sectionBytes, type SectionSpec } from '../../mime/index.js';
import { fetchCommand } from './fetch.js';
import { locateSection } from './fetch-items.js';
import { FakeStore, harness, type FakeSessionOptions, type Harness } from './fake-session.test-support.js';

const SIMPLE = [
  'From: Alice <alice@example.com>',
  'To: bob@example.com',
  'Subject: Hello',
  'Date: Mon, 7 Feb 1994 21:52:25 -0800',
  '',
  'Hello body text',
  'line two',
  '',
].join('\r\n');

const MULTI = [
  'From: Alice <alice@example.com>',
  'To: bob@example.com',
  'Subject: multi',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  'preamble',
  '--XX',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=C3=A9 au lait',
  '--XX',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  'AAECAwQ=',
  '--XX',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'From: carol@example.com',
  '',
  'inner body',
  '--XX',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--XX--',
  '',
].join('\r\n');

const all: SequenceSet = { kind: 'set', ranges: [{ start: 1, end: '*' }] };
const seq = (n: number): SequenceSet => ({ kind: 'set', ranges: [{ start: n, end: n }] });

function fetch(set: SequenceSet, attributes: FetchAttribute[], uid = false, extra: Partial<CommandOf<'FETCH'>> = {}): CommandOf<'FETCH'> {
  return { name: 'FETCH', uid, set, attributes, ...extra };
}

function setup(opts: FakeSessionOptions = {}, flags: string[][] = [[], []]): Harness {
  return harness(
    new FakeStore([
      { raw: SIMPLE, flags: flags[0], internalDate: Date.UTC(1994, 1, 8, 5, 52, 25) },
      { raw: MULTI, flags: flags[1] },
    ]),
    opts,
  );
}

test('FLAGS, UID, RFC822.SIZE, INTERNALDATE read no content', async () => {
  const h = setup({}, [['\\Seen'], []]);
  const r = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'FLAGS' }, { kind: 'RFC822.SIZE' }, { kind: 'INTERNALDATE' }]), 'a');
  assert.equal(r.status, 'OK');
  assert.equal(
    h.output(),
    `* 1 FETCH (FLAGS (\\Seen) RFC822.SIZE ${Buffer.byteLength(SIMPLE)} INTERNALDATE " 8-Feb-1994 05:52:25 +0000")\r\n` +
      `* 2 FETCH (FLAGS () RFC822.SIZE ${Buffer.byteLength(MULTI)} INTERNALDATE "15-Jan-2024 12:00:00 +0000")\r\n`,
  );
  assert.equal(h.store.reads.length, 0);
  assert.equal(h.store.metaReads.length, 0);
});

test('UID FETCH puts UID first, once', async () => {
  const h = setup();
  await fetchCommand.handler(h.session, fetch({ kind: 'set', ranges: [{ start: 20, end: 20 }] }, [{ kind: 'FLAGS' }, { kind: 'UID' }], true), 'a');
  assert.equal(h.output(), '* 2 FETCH (UID 20 FLAGS ())\r\n');
});

test('rev1 sessions see \\Recent in FLAGS', async () => {
  const h = setup({ recent: [10, 11] });
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'FLAGS' }]), 'a');
  assert.equal(h.output(), '* 1 FETCH (FLAGS (\\Recent))\r\n');
});

test('ENVELOPE and BODYSTRUCTURE come from the cached structure only', async () => {
  const h = setup();
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'ENVELOPE' }, { kind: 'BODY' }]), 'a');
  assert.equal(
    h.output(),
    '* 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "Hello" (("Alice" NIL "alice" "example.com")) ' +
      '(("Alice" NIL "alice" "example.com")) (("Alice" NIL "alice" "example.com")) ((NIL NIL "bob" "example.com")) NIL NIL NIL NIL) ' +
      'BODY ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 27 2))\r\n',
  );
  assert.equal(h.store.reads.length, 0);
  assert.equal(h.store.metaReads.length, 1);
});

test('missing structure is parsed from the message', async () => {
  const h = harness(new FakeStore([{ raw: SIMPLE, noMeta: true }]));
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'BODY' }]), 'a');
  assert.equal(h.output(), '* 1 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 27 2))\r\n');
});

test('BODY.PEEK[HEADER.FIELDS] echoes upper-cased names and reads only the header', async () => {
  const h = setup();
  await fetchCommand.handler(
    h.session,
    fetch(seq(1), [{ kind: 'BODY[]', peek: true, section: { part: [], text: 'HEADER.FIELDS', fields: ['subject', 'From'] } }]),
    'a',
  );
  const data = 'From: Alice <alice@example.com>\r\nSubject: Hello\r\n\r\n';
  assert.equal(h.output(), `* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {${data.length}}\r\n${data})\r\n`);
  const bodyStart = SIMPLE.indexOf('\r\n\r\n') + 4;
  assert.deepEqual(h.store.reads, [['blob10', 0, bodyStart]]);
  assert.equal(h.store.flagCalls.length, 0);
});

test('partial fetches: origin echoed, range read, beyond the end gives ""', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(
    h.session,
    fetch(seq(1), [{ kind: 'BODY[]', peek: false, section: { part: [] }, partial: { offset: 6, length: 5 } }]),
    'a',
  );
  assert.equal(h.output(), '* 1 FETCH (BODY[]<6> {5}\r\nAlice)\r\n');
  assert.deepEqual(h.store.reads, [['blob10', 6, 11]]);
  h.clear();
  await fetchCommand.handler(
    h.session,
    fetch(seq(1), [{ kind: 'BODY[]', peek: true, section: { part: [], text: 'TEXT' }, partial: { offset: 1000, length: 5 } }]),
    'a',
  );
  assert.equal(h.output(), '* 1 FETCH (BODY[TEXT]<1000> "")\r\n');
  h.clear();
  await fetchCommand.handler(
    h.session,
    fetch(seq(1), [{ kind: 'BODY[]', peek: true, section: { part: [] }, partial: { offset: 0, length: 100000 } }]),
    'a',
  );
  assert.equal(h.output(), `* 1 FETCH (BODY[]<0> {${SIMPLE.length}}\r\n${SIMPLE})\r\n`);
});

test('non-PEEK body fetch sets \\Seen once and reports FLAGS', async () => {
  const h = setup({}, [[], ['\\Seen']]);
  const r = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'RFC822.TEXT' }]), 'a');
  assert.equal(r.status, 'OK');
  assert.deepEqual(h.store.flagCalls, [{ uids: [10], op: 'add', flags: ['\\Seen'] }]);
  const text = 'Hello body text\r\nline two\r\n';
  const out = h.output();
  assert.ok(out.startsWith(`* 1 FETCH (RFC822.TEXT {${text.length}}\r\n${text} FLAGS (\\Seen))\r\n* 2 FETCH (RFC822.TEXT {`), out);
  assert.ok(!out.slice(out.indexOf('* 2 FETCH')).includes('FLAGS'));
  assert.equal(h.view.ownChanges.get(10), 101);
});

test('read-only mailbox: no \\Seen', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'RFC822' }]), 'a');
  assert.equal(h.store.flagCalls.length, 0);
  assert.equal(h.output(), `* 1 FETCH (RFC822 {${SIMPLE.length}}\r\n${SIMPLE})\r\n`);
});

test('BINARY decodes, uses literal8 for NUL, BINARY.SIZE matches', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(h.session, fetch(seq(2), [{ kind: 'BINARY[]', peek: true, part: [2] }]), 'a');
  assert.deepEqual(h.outputBuffer(), Buffer.concat([Buffer.from('* 2 FETCH (BINARY[2] ~{5}\r\n'), Buffer.from([0, 1, 2, 3, 4]), Buffer.from(')\r\n')]));
  h.clear();
  await fetchCommand.handler(
    h.session,
    fetch(seq(2), [{ kind: 'BINARY[]', peek: true, part: [1] }, { kind: 'BINARY.SIZE', part: [1] }, { kind: 'BINARY.SIZE', part: [2] }]),
    'a',
  );
  const cafe = Buffer.from('café au lait', 'utf8');
  assert.deepEqual(
    h.outputBuffer(),
    Buffer.concat([Buffer.from(`* 2 FETCH (BINARY[1] {${cafe.length}}\r\n`), cafe, Buffer.from(` BINARY.SIZE[1] ${cafe.length} BINARY.SIZE[2] 5)\r\n`)]),
  );
  h.clear();
  await fetchCommand.handler(h.session, fetch(seq(2), [{ kind: 'BINARY[]', peek: true, part: [2], partial: { offset: 3, length: 10 } }]), 'a');
  assert.equal(h.output(), '* 2 FETCH (BINARY[2]<3> {2}\r\n\x03\x04)\r\n');
});

test('unknown Content-Transfer-Encoding fails with UNKNOWN-CTE', async () => {
  const h = setup({ readOnly: true });
  const r = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'BINARY[]', peek: true, part: [4] }]), 'a');
  assert.deepEqual([r.status, r.code], ['NO', 'UNKNOWN-CTE']);
  assert.equal(h.output(), '* 1 FETCH (BINARY[4] "")\r\n');
});

test('nonexistent part gives the empty string', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'BODY[]', peek: true, section: { part: [3] } }, { kind: 'BINARY.SIZE', part: [9] }]), 'a');
  assert.equal(h.output(), '* 1 FETCH (BODY[3] "" BINARY.SIZE[9] 0)\r\n');
});

test('encapsulated message sections and MIME headers', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(
    h.session,
    fetch(seq(2), [{ kind: 'BODY[]', peek: true, section: { part: [3], text: 'HEADER' } }]),
    'a',
  );
  const hdr = 'Subject: inner\r\nFrom: carol@example.com\r\n\r\n';
  assert.equal(h.output(), `* 2 FETCH (BODY[3.HEADER] {${hdr.length}}\r\n${hdr})\r\n`);
  h.clear();
  await fetchCommand.handler(h.session, fetch(seq(2), [{ kind: 'BODY[]', peek: true, section: { part: [2], text: 'MIME' } }]), 'a');
  const mime = 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  assert.equal(h.output(), `* 2 FETCH (BODY[2.MIME] {${mime.length}}\r\n${mime})\r\n`);
});

test('range reads agree with sectionBytes on every section', () => {
  const raw = Buffer.from(MULTI);
  const root = parseMessage(raw);
  const specs: SectionSpec[] = [
    { part: [] },
    { part: [], text: 'HEADER' },
    { part: [], text: 'TEXT' },
    { part: [1] },
    { part: [1], text: 'MIME' },
    { part: [2] },
    { part: [3] },
    { part: [3], text: 'TEXT' },
    { part: [3], text: 'HEADER' },
    { part: [3, 1] },
    { part: [1], text: 'TEXT' },
    { part: [7] },
  ];
  for (const spec of specs) {
    const expected = sectionBytes(raw, root, spec);
    const loc = locateSection(root, spec, raw.length);
    const got = loc === null ? null : loc === 'empty' ? Buffer.alloc(0) : raw.subarray(loc.start, loc.end);
    assert.deepEqual(got, expected, JSON.stringify(spec));
  }
});

test('several content items read the whole message once', async () => {
  const h = setup({ readOnly: true });
  await fetchCommand.handler(
    h.session,
    fetch(seq(2), [
      { kind: 'BODY[]', peek: true, section: { part: [1] } },
      { kind: 'BODY[]', peek: true, section: { part: [], text: 'HEADER.FIELDS.NOT', fields: ['to', 'from', 'subject', 'mime-version'] } },
    ]),
    'a',
  );
  assert.deepEqual(h.store.reads, [['blob20', undefined, undefined]]);
  const ct = 'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n';
  assert.equal(
    h.output(),
    `* 2 FETCH (BODY[1] {17}\r\ncaf=C3=A9 au lait BODY[HEADER.FIELDS.NOT (TO FROM SUBJECT MIME-VERSION)] {${ct.length}}\r\n${ct})\r\n`,
  );
});

test('sequence numbers beyond the mailbox are BAD; UIDs beyond are ignored', async () => {
  const h = setup();
  const r = await fetchCommand.handler(h.session, fetch(seq(3), [{ kind: 'FLAGS' }]), 'a');
  assert.equal(r.status, 'BAD');
  const r2 = await fetchCommand.handler(h.session, fetch({ kind: 'set', ranges: [{ start: 15, end: 99 }] }, [{ kind: 'FLAGS' }], true), 'a');
  assert.equal(r2.status, 'OK');
  assert.equal(h.output(), '* 2 FETCH (UID 20 FLAGS ())\r\n');
  const empty = harness(new FakeStore([]));
  assert.equal((await fetchCommand.handler(empty.session, fetch(all, [{ kind: 'FLAGS' }]), 'a')).status, 'BAD');
  assert.equal((await fetchCommand.handler(empty.session, fetch({ kind: 'saved' }, [{ kind: 'FLAGS' }]), 'a')).status, 'OK');
});

test('messages expunged elsewhere: NO [EXPUNGEISSUED] for FETCH, silence for UID FETCH', async () => {
  const h = setup();
  h.view.pendingExpunge.add(10);
  const r = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'FLAGS' }]), 'a');
  assert.deepEqual([r.status, r.code], ['NO', 'EXPUNGEISSUED']);
  assert.equal(h.output(), '* 2 FETCH (FLAGS ())\r\n');
  h.clear();
  h.view.pendingExpunge.clear();
  h.store.remove(20);
  const r2 = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'FLAGS' }], true), 'a');
  assert.equal(r2.status, 'OK');
  assert.equal(h.output(), '* 1 FETCH (UID 10 FLAGS ())\r\n');
});

test('CHANGEDSINCE filters by modseq and adds MODSEQ', async () => {
  const h = setup();
  await fetchCommand.handler(h.session, fetch(all, [{ kind: 'FLAGS' }], true, { changedSince: 50 }), 'a');
  // CHANGEDSINCE is a CONDSTORE enabling command: the first one with a mailbox selected
  // announces HIGHESTMODSEQ before the FETCH data (RFC 7162 §3.1).
  assert.equal(h.output(), '* OK [HIGHESTMODSEQ 100] Highest mod-sequence\r\n* 2 FETCH (UID 20 FLAGS () MODSEQ (51))\r\n');
  h.clear();
  // Once enabled, FLAGS always comes with MODSEQ (RFC 7162 §3.1), no second announcement.
  await fetchCommand.handler(h.session, fetch(seq(1), [{ kind: 'FLAGS' }]), 'a');
  assert.equal(h.output(), '* 1 FETCH (FLAGS () MODSEQ (50))\r\n');
});

test('a PEEK twin does not hide \\Seen; several partials of one message read it once', async () => {
  const h = setup();
  await fetchCommand.handler(
    h.session,
    fetch(seq(1), [
      { kind: 'BODY[]', peek: true, section: { part: [] }, partial: { offset: 0, length: 4 } },
      { kind: 'BODY[]', peek: false, section: { part: [] }, partial: { offset: 0, length: 4 } },
      { kind: 'BODY[]', peek: true, section: { part: [1] } },
    ]),
    'a',
  );
  assert.equal(h.store.flagCalls.length, 1);
  assert.deepEqual(h.store.reads, [['blob10', undefined, undefined]]);
  const body = 'Hello body text\r\nline two\r\n';
  assert.equal(h.output(), `* 1 FETCH (BODY[]<0> {4}\r\nFrom BODY[1] {${body.length}}\r\n${body} FLAGS (\\Seen))\r\n`);
});

test('PREVIEW reads only the text part by range; SAVEDATE reads nothing (RFC 8970, RFC 8514)', async () => {
  const h = harness(new FakeStore([{ raw: MULTI, savedAt: Date.UTC(2026, 10, 25, 8, 9, 10) }]));
  const r = await fetchCommand.handler(h.session, fetch(all, [{ kind: 'SAVEDATE' }, { kind: 'PREVIEW', lazy: true }]), 'a');
  assert.equal(r.status, 'OK');
  // Non-ASCII preview text without UTF8=ACCEPT: a literal (RFC 8970 §3.3: UTF-8).
  assert.equal(h.output(), `* 1 FETCH (SAVEDATE "25-Nov-2026 08:09:10 +0000" PREVIEW {13}\r\n${Buffer.from('café').toString('latin1')} au lait)\r\n`);
  const part = parseMessage(Buffer.from(MULTI)).children[0]!;
  assert.deepEqual(h.store.reads, [['blob10', part.bodyStart, part.end]]);
  // Without a cached structure the message is read once, whole.
  const h2 = harness(new FakeStore([{ raw: SIMPLE, noMeta: true }]));
  assert.equal((await fetchCommand.handler(h2.session, fetch(all, [{ kind: 'PREVIEW', lazy: false }]), 'b')).status, 'OK');
  assert.equal(h2.output(), '* 1 FETCH (PREVIEW "Hello body text line two")\r\n');
  assert.deepEqual(h2.store.reads, [['blob10', undefined, undefined]]);
});
