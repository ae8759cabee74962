import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, host, message, run, summary } from '../test-support.js';
import { duplicateKey } from './duplicate.js';

const MSG = message('From: a@example.com\nMessage-ID:  <abc@example.com> \nX-Id: first\nX-Id: second\nSubject: s');

function dupHost(seen: string[]) {
  const h = host();
  const set = new Set(seen);
  h.duplicateSeen = async (key) => {
    h.calls.push(key);
    return set.has(key);
  };
  return h;
}

test('duplicate (RFC 7352 §3.2): Message-ID, :header "message-id" and :uniqueid share one key', async () => {
  const key = duplicateKey(null, '<abc@example.com>');
  for (const src of [
    'require "duplicate"; if duplicate { discard; }',
    'require "duplicate"; if duplicate :header "message-id" { discard; }',
    'require ["duplicate", "variables"]; if header :matches "message-id" "*" { if duplicate :uniqueid "${0}" { discard; } }',
  ]) {
    const h = dupHost([key]);
    const o = await run(src, { message: MSG }, { host: h });
    assert.deepEqual(summary(o), ['discard'], src);
    assert.deepEqual(h.calls, [key]);
    // Seen and no :last: the record keeps its original expiry (§3.3).
    assert.deepEqual(o.duplicateRecords, []);
  }
});

test('duplicate: a new id is recorded with the default period; :last re-records a seen one', async () => {
  const o = await run('require "duplicate"; if duplicate { discard; }', { message: MSG }, { host: dupHost([]) });
  assert.deepEqual(summary(o), ['implicit-keep']);
  assert.deepEqual(o.duplicateRecords, [{ key: duplicateKey(null, '<abc@example.com>'), expiresInSeconds: 7 * 86400 }]);
  const key = duplicateKey('h', 'X');
  const l = await run('require "duplicate"; if duplicate :handle "h" :uniqueid "X" :seconds 60 :last { discard; }', {}, { host: dupHost([key]) });
  assert.deepEqual(summary(l), ['discard']);
  assert.deepEqual(l.duplicateRecords, [{ key, expiresInSeconds: 60 }]);
});

test('duplicate: handles separate ids; case-sensitive ids; first header occurrence; clamp', async () => {
  assert.notEqual(duplicateKey(null, 'x'), duplicateKey('', 'x'));
  assert.notEqual(duplicateKey('a', 'bc'), duplicateKey('ab', 'c'));
  assert.notEqual(duplicateKey(null, 'x'), duplicateKey(null, 'X'));
  const h = dupHost([duplicateKey('t', 'first')]);
  const o = await run('require "duplicate"; if duplicate :handle "t" :header "X-Id" :seconds 999999999 { discard; }', { message: MSG }, { host: h });
  assert.deepEqual(summary(o), ['discard']);
  const n = await run('require "duplicate"; if duplicate :uniqueid "u" :seconds 999999999 { discard; }', {}, { host: dupHost([]), execute: { limits: { duplicateMaxSeconds: 3600 } } });
  assert.deepEqual(n.duplicateRecords.map((r) => r.expiresInSeconds), [3600]);
});

test('duplicate: missing header, invalid header name, :seconds 0 are false and record nothing', async () => {
  for (const src of [
    'require "duplicate"; if duplicate :header "X-None" { discard; }',
    'require ["duplicate", "variables"]; set "h" "bad name"; if duplicate :header "${h}" { discard; }',
    'require "duplicate"; if duplicate :uniqueid "u" :seconds 0 { discard; }',
  ]) {
    const h = dupHost([duplicateKey(null, 'u')]);
    const o = await run(src, { message: MSG }, { host: h });
    assert.deepEqual(summary(o), ['implicit-keep'], src);
    assert.deepEqual(o.duplicateRecords, [], src);
  }
  // No Message-ID at all.
  const o = await run('require "duplicate"; if duplicate { discard; }', { message: message('Subject: x') }, { host: dupHost([]) });
  assert.deepEqual(o.duplicateRecords, []);
});

test('duplicate (§3): same key twice in one run gives the same answer and asks once; errors record nothing', async () => {
  const h = dupHost([]);
  const o = await run('require "duplicate"; if duplicate :uniqueid "u" { discard; } if duplicate :uniqueid "u" { discard; }', {}, { host: h });
  assert.deepEqual(summary(o), ['implicit-keep']);
  assert.equal(h.calls.length, 1);
  assert.equal(o.duplicateRecords.length, 1);
  const e = await run('require ["duplicate", "ihave"]; if duplicate :uniqueid "u" { discard; } error "boom";', {}, { host: dupHost([]) });
  assert.deepEqual(e.duplicateRecords, []);
  assert.ok(e.error !== null);
});

test('duplicate: :header and :uniqueid exclude each other (§3.1); require is needed', () => {
  assert.equal(errorsOf('require "duplicate"; if duplicate :header "x" :uniqueid "y" { stop; }').length, 1);
  assert.equal(errorsOf('if duplicate { stop; }').length, 1);
});
