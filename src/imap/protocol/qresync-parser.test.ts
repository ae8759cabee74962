/**
 * Parser tests of the QRESYNC select-param (RFC 7162 §3.2.5, §7) and the VANISHED fetch
 * modifier (§3.2.6), from the RFC's examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, refused } from './parse.test-support.js';

const bad = (line: string, message?: RegExp): void => refused(line, { message, tag: 'a' });

const set = (...ranges: Array<[number, number]>) => ({ kind: 'set' as const, ranges: ranges.map(([start, end]) => ({ start, end })) });

test('SELECT (QRESYNC (uidvalidity modseq)) and with known-uids (§3.2.5 examples A02, A03)', () => {
  assert.deepEqual(parse('a SELECT INBOX (QRESYNC (67890007 194045000))'), {
    name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: { uidValidity: 67890007, modseq: 194045000 },
  });
  // The RFC's mod-sequences exceed 2^53: valid (<= 2^63-1), clamped above any modseq Facteur assigns.
  assert.deepEqual(parse('a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))'), {
    name: 'SELECT', mailbox: 'INBOX', condstore: false,
    qresync: { uidValidity: 67890007, modseq: Number.MAX_SAFE_INTEGER, knownUids: set([41, 41], [43, 211], [214, 541]) },
  });
  bad('a SELECT INBOX (QRESYNC (1 9223372036854775808))', /range/);
  assert.ok(parse('a SELECT INBOX (QRESYNC (1 9223372036854775807))').name === 'SELECT');
  assert.deepEqual(parse('a EXAMINE INBOX (CONDSTORE qresync (1 2 3:4))'), {
    name: 'EXAMINE', mailbox: 'INBOX', condstore: true, qresync: { uidValidity: 1, modseq: 2, knownUids: set([3, 4]) },
  });
});

test('SELECT (QRESYNC (... known-uids (seq-match-data))) (§3.2.5.2 example B04)', () => {
  const c = parse('a SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))');
  assert.equal(c.name, 'SELECT');
  assert.ok(c.name === 'SELECT' && c.qresync?.seqMatch);
  assert.deepEqual(c.qresync.knownUids, set([1, 29997]));
  assert.deepEqual(c.qresync.seqMatch.seqs, set([5000, 5000], [7500, 7500], [9000, 9000], [9990, 9999]));
  assert.equal(c.qresync.seqMatch.uids.kind === 'set' && c.qresync.seqMatch.uids.ranges.length, 13);
  // seq-match-data without known-uids is allowed by the grammar
  const d = parse('a SELECT INBOX (QRESYNC (5 6 (1:2 10,12)))');
  assert.ok(d.name === 'SELECT' && d.qresync);
  assert.equal(d.qresync.knownUids, undefined);
  assert.deepEqual(d.qresync.seqMatch, { seqs: set([1, 2]), uids: set([10, 10], [12, 12]) });
});

test('invalid QRESYNC parameters are BAD (§3.2.5: verified before the mailbox is opened)', () => {
  bad('a SELECT INBOX (QRESYNC (1))', /SP/);
  bad('a SELECT INBOX (QRESYNC (0 1))', /non-zero/);
  bad('a SELECT INBOX (QRESYNC 1 2)', /"\("/);
  bad('a SELECT INBOX (QRESYNC (1 2 1:*))', /\*/);
  bad('a SELECT INBOX (QRESYNC (1 2 $))', /\$/);
  bad('a SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3)))', /differ in size/);
  bad('a SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3:*)))', /\*/);
  bad('a SELECT INBOX (QRESYNC (1 2 1:5 x))', /seq-match-data/);
  bad('a SELECT INBOX (QRESYNC (1 2) QRESYNC (1 2))', /QRESYNC/);
});

test('UID FETCH ... (CHANGEDSINCE m VANISHED) (§3.2.6 Example 1); VANISHED alone or on FETCH is BAD', () => {
  const c = parse('a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)');
  assert.ok(c.name === 'FETCH');
  assert.equal(c.vanished, true);
  assert.equal(c.changedSince, 12345);
  bad('a UID FETCH 300:500 (FLAGS) (VANISHED)', /CHANGEDSINCE/);
  bad('a FETCH 1:5 (FLAGS) (CHANGEDSINCE 1 VANISHED)', /UID FETCH/);
});
