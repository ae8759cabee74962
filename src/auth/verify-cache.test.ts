import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifyCache } from './verify-cache.js';

test('hits only for the same account, password and stored hash, within the TTL', () => {
  let t = 0;
  const c = new VerifyCache({ now: () => t, ttlMs: 1000 });
  c.remember('alice', 'pw', '{X}1');
  assert.equal(c.has('alice', 'pw', '{X}1'), true);
  assert.equal(c.has('alice', 'pw2', '{X}1'), false);
  assert.equal(c.has('bob', 'pw', '{X}1'), false);
  assert.equal(c.has('alice', 'pw', '{X}2'), false, 'a password change invalidates');
  t = 999;
  assert.equal(c.has('alice', 'pw', '{X}1'), true);
  t = 1000;
  assert.equal(c.has('alice', 'pw', '{X}1'), false);
});

test('bounded, and never stores the password', () => {
  const c = new VerifyCache({ maxEntries: 10 });
  for (let i = 0; i < 50; i++) c.remember(`u${i}`, `very-secret-${i}`, 'h');
  assert.equal(c.size, 10);
  assert.equal(c.has('u49', 'very-secret-49', 'h'), true);
  assert.equal(c.has('u0', 'very-secret-0', 'h'), false);
  const internals = JSON.stringify([...(c as unknown as { entries: Map<string, number> }).entries.keys()]);
  assert.doesNotMatch(internals, /very-secret/);
});
