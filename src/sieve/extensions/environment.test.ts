import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, summary } from '../test-support.js';

test('environment (RFC 5183): known items compare, unknown ones never match', async () => {
  const yes = async (t: string): Promise<boolean> => summary(await run(`require "environment"; if ${t} { discard; }`))[0] === 'discard';
  assert.equal(await yes('environment :is "domain" "example.org"'), true);
  assert.equal(await yes('environment :matches "name" "Fact*"'), true);
  assert.equal(await yes('environment :is "remote-ip" ""'), false);
  assert.equal(await yes('environment :matches "__proto__" "*"'), false);
  assert.equal(await yes('not environment :contains "PHASE" "x"'), true);
});
