import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, message, run, summary } from '../test-support.js';
import { normalizeScore, percentScore } from './spamtest.js';

const SPAM = { header: 'X-Spam-Score', max: 10 };

test('spamtest (RFC 5235 §3.2.1 example) against the host-configured header', async () => {
  const src = `require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }
elsif spamtest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "INBOX.spam-trap"; }`;
  assert.deepEqual(summary(await run(src)), ['fileinto INBOX.unclassified'], 'no config: not tested');
  assert.deepEqual(summary(await run(src, { spamtest: SPAM })), ['fileinto INBOX.spam-trap'], 'score 7.5 of 10');
  assert.deepEqual(summary(await run(src, { spamtest: SPAM, message: message('X-Spam-Score: 0.1') })), ['implicit-keep']);
  assert.deepEqual(summary(await run(src, { spamtest: SPAM, message: message('Subject: none') })), ['fileinto INBOX.unclassified']);
  const pat = { header: 'X-Spam-Status', pattern: 'score=(-?[0-9.]+)', max: 5 };
  const m = message('X-Spam-Status: Yes, score=6.2 required=5.0');
  assert.deepEqual(summary(await run(src, { spamtest: pat, message: m })), ['fileinto INBOX.spam-trap']);
});

test('spamtestplus :percent and :count; virustest', async () => {
  const src = `require ["spamtestplus", "relational", "comparator-i;ascii-numeric"];
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "75" { discard; }`;
  assert.deepEqual(summary(await run(src, { spamtest: SPAM })), ['discard']);
  const count = 'require ["spamtest", "relational", "comparator-i;ascii-numeric"]; if spamtest :count "eq" :comparator "i;ascii-numeric" "0" { discard; }';
  assert.deepEqual(summary(await run(count)), ['discard']);
  assert.deepEqual(summary(await run(count, { spamtest: SPAM })), ['implicit-keep']);
  const virus = 'require ["virustest", "relational", "comparator-i;ascii-numeric"]; if virustest :value "ge" :comparator "i;ascii-numeric" "4" { discard; }';
  assert.deepEqual(summary(await run(virus, { virustest: { header: 'X-Spam-Score', max: 8 } })), ['discard']);
  assert.deepEqual(errorsOf('require "spamtest"; if spamtest :percent "1" {}'), ['1:33 tag \':percent\' requires the "spamtestplus" extension (missing require)']);
  assert.deepEqual(errorsOf('if spamtest "1" {}'), ['1:4 test \'spamtest\' requires the "spamtest" or "spamtestplus" extension (missing require)']);
});

test('score normalization', () => {
  assert.deepEqual([null, -1, 0, 0.01, 5, 9.99, 10, 99].map((s) => normalizeScore(s, 10, 10)), ['0', '1', '1', '2', '6', '9', '10', '10']);
  assert.deepEqual([null, 0, 2.5, 20].map((s) => percentScore(s, 10)), ['0', '0', '25', '100']);
  assert.deepEqual([0, 1, 4, 8].map((s) => normalizeScore(s, 8, 5)), ['1', '2', '3', '5']);
});
