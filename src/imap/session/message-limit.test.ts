import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highestWithin, limitCode, limitWarning } from './message-limit.js';

test('highestWithin keeps the n highest UIDs, highest first, and names the lowest kept (RFC 9738 §3.1)', () => {
  assert.deepEqual(highestWithin([1, 2, 5, 9, 12], 3), { uids: [12, 9, 5], limit: { n: 3, lowest: 5 } });
  assert.deepEqual(highestWithin([1, 2, 5], 3), { uids: [1, 2, 5], limit: null });
  assert.deepEqual(highestWithin([], 3), { uids: [], limit: null });
  assert.deepEqual(highestWithin([4, 7], Infinity), { uids: [4, 7], limit: null });
});

test('limitCode: MESSAGELIMIT n [uid]', () => {
  assert.equal(limitCode(1000), 'MESSAGELIMIT 1000');
  assert.equal(limitCode(1000, 42), 'MESSAGELIMIT 1000 42');
});

test('limitWarning: below 1000 names the option in effect; 1000 and above is silent', () => {
  assert.match(limitWarning(3, null)!, /^--imap-message-limit 3 is below 1000/);
  assert.match(limitWarning(1_000_000, 999)!, /^--imap-save-limit 999 /);
  assert.equal(limitWarning(1000, null), null);
  assert.equal(limitWarning(5, 1000), null);
});
