/**
 * The PostgreSQL error mapping: what a caller may retry (UNAVAILABLE) versus what it must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError, StoreError } from '../errors.js';
import { mapError } from './context.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

test('connection, shutdown, resource, timeout and retry-exhausted errors are UNAVAILABLE', () => {
  for (const code of ['08006', '08001', '57P01', '57P03', '53300', '57014', '40001', '40P01', '55P03', 'ECONNREFUSED', 'ECONNRESET']) {
    assert.ok(isStoreError(mapError(withCode(code)), 'UNAVAILABLE'), code);
  }
  assert.ok(isStoreError(mapError(new Error('Connection terminated unexpectedly')), 'UNAVAILABLE'));
  assert.ok(isStoreError(mapError(new Error('timeout exceeded when trying to connect')), 'UNAVAILABLE'));
});

test('data corruption is CORRUPTED; StoreErrors and programming errors pass through', () => {
  assert.ok(isStoreError(mapError(withCode('XX001')), 'CORRUPTED'));
  const own = new StoreError('NONEXISTENT', 'no');
  assert.equal(mapError(own), own);
  const syntax = withCode('42601', 'syntax error');
  assert.equal(mapError(syntax), syntax);
  const unique = withCode('23505', 'duplicate key');
  assert.equal(mapError(unique), unique);
});
