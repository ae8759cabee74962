import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionGate } from './connection-gate.js';

test('connection gate: total and per-address limits, idempotent release', () => {
  const g = new ConnectionGate(3, 2);
  const a1 = g.admit('a');
  const a2 = g.admit('a');
  assert.ok(a1 && a2);
  assert.equal(g.admit('a'), null);
  const b1 = g.admit('b');
  assert.ok(b1);
  assert.equal(g.admit('c'), null);
  assert.equal(g.size, 3);
  a1();
  a1();
  assert.equal(g.size, 2);
  assert.ok(g.admit('c'));
  assert.equal(g.admit('a'), null);
});
