import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractBaseSubject } from './base-subject.js';
import { compareCasemapKeys, unicodeCasemapKey } from './unicode-casemap.js';
import { firstMessageId, parseMessageIds } from './message-id.js';

// [raw Subject, base subject, reply-or-forward] per RFC 5256 §2.1 steps (1)-(6).
const CASES: Array<[string | null, string, boolean]> = [
  [null, '', false],
  ['', '', false],
  ['   ', '', false],
  ['Hello', 'Hello', false],
  // (1) whitespace: tabs to space, runs collapsed, ends trimmed
  ['Hello\t  world ', 'Hello world', false],
  // (1) RFC 2047 words decoded before anything else
  ['=?UTF-8?Q?Re=3A_caf=C3=A9?=', 'café', true],
  ['=?iso-8859-1?q?foo_aar?=', 'foo aar', false],
  // (3) subj-refwd: re / fw / fwd, case-insensitive, optional blob before ":"
  ['Re: hello', 'hello', true],
  ['RE:hello', 'hello', true],
  ['re : hello', 'hello', true],
  ['Fw: hello', 'hello', true],
  ['FWD: hello', 'hello', true],
  ['Re[2]: hello', 'hello', true],
  ['Re [2]: hello', 'hello', true],
  ['Re: Re: Fwd: re: hello', 'hello', true],
  // not a refwd: no colon, or a word merely starting with re
  ['Re hello', 'Re hello', false],
  ['Remember: x', 'Remember: x', false],
  ['Fwx: a', 'Fwx: a', false],
  // (3) blobs before a refwd go with it
  ['[list] Re: hello', 'hello', true],
  ['[a][b] Re: hello', 'hello', true],
  // (4) a leading blob goes when something remains ...
  ['[list] hello', 'hello', false],
  ['[a] [b] hello', 'hello', false],
  // ... and stays when it is all there is
  ['[list]', '[list]', false],
  ['[a] [b]', '[b]', false],
  // (5) blob removal can expose another refwd
  ['[list] hello Re: x', 'hello Re: x', false],
  ['[list] [x] Re: [y] Fwd: hi', 'hi', true],
  // (2) "(fwd)" trailers, repeatedly, with WSP
  ['hello (fwd)', 'hello', true],
  ['hello (FWD)  (fwd) ', 'hello', true],
  ['hello(fwd)', 'hello', true],
  ['hello (fwd) x', 'hello (fwd) x', false],
  // (6) [fwd: ...] wrapper, then back to (2)
  ['[Fwd: hello]', 'hello', true],
  ['[fwd: Re: hello (fwd)]', 'hello', true],
  ['[fwd: [fwd: hello]]', 'hello', true],
  // "[fwd: hello]" not ending the subject is an ordinary subj-blob (4), not a wrapper (6)
  ['[fwd: hello] x', 'x', false],
  // The imaptest example: everything removed down to "b"
  ['[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)', 'b', true],
  ['b (a)', 'b (a)', false],
  // Only leading/trailing artefacts go
  ['Hello Re: world', 'Hello Re: world', false],
];

for (const [raw, base, rf] of CASES) {
  test(`base subject of ${JSON.stringify(raw)} is ${JSON.stringify(base)}`, () => {
    assert.deepEqual(extractBaseSubject(raw), { base, replyOrForward: rf });
  });
}

test('i;unicode-casemap: case-insensitive, compatibility-decomposed (RFC 5051)', () => {
  assert.equal(unicodeCasemapKey('abc'), unicodeCasemapKey('ABC'));
  assert.equal(unicodeCasemapKey('café'), unicodeCasemapKey('CAFE\u0301'));
  // U+FB01 has no titlecase property, only a decomposition: it becomes "fi" (RFC 5051 §2 (2)(b))
  assert.equal(unicodeCasemapKey('ﬁ'), 'fi');
  assert.equal(unicodeCasemapKey('Ǆ'), 'Dz\u030c'); // RFC 5051's own example
  assert.equal(unicodeCasemapKey('ǆ'), unicodeCasemapKey('Ǆ')); // titlecase of the digraph
  assert.equal(unicodeCasemapKey('ß'), 'ß'); // no simple titlecase
  assert.ok(compareCasemapKeys(unicodeCasemapKey(''), unicodeCasemapKey('a')) < 0);
  assert.ok(compareCasemapKeys(unicodeCasemapKey('a'), unicodeCasemapKey('B')) < 0);
  assert.ok(compareCasemapKeys(unicodeCasemapKey('_'), unicodeCasemapKey('a')) > 0); // 0x5F > "A" (0x41)
});

test('compareCasemapKeys orders by code point, not UTF-16 unit', () => {
  assert.ok(compareCasemapKeys('\uffff', '\u{10000}') < 0);
  assert.ok(compareCasemapKeys('\u{10000}', '\ue000') > 0);
  assert.ok(compareCasemapKeys('ab', 'abc') < 0);
});

test('Message IDs are normalized (RFC 5256 §3) and invalid ones skipped', () => {
  assert.deepEqual(parseMessageIds('<"01KF8JCEOCBS0045PS"@xxx.yyy.com>'), ['01KF8JCEOCBS0045PS@xxx.yyy.com']);
  assert.deepEqual(parseMessageIds(' <a@b>  <c@d>\r\n <e (comment) @f>'), ['a@b', 'c@d', 'e@f']);
  assert.deepEqual(parseMessageIds('<nohost> <a@b>'), ['a@b']);
  assert.deepEqual(parseMessageIds('garbage'), []);
  assert.equal(firstMessageId('<x@y> (Bob\'s message of ...)'), 'x@y');
  assert.equal(firstMessageId('Bob <bob@example.com> wrote'), 'bob@example.com');
  assert.equal(firstMessageId(null), null);
});
