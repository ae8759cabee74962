import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, run, summary } from '../test-support.js';

test('reject / ereject (RFC 5429): cancel the implicit keep, carry the reason', async () => {
  assert.deepEqual(summary(await run('require "reject"; if address "from" "joe@example.com" { reject "go away"; }')), ['reject go away']);
  assert.deepEqual(summary(await run('require "ereject"; ereject text:\nI no longer accept mail\n.\n;')), ['ereject I no longer accept mail\n']);
  assert.deepEqual(summary(await run('require "reject"; reject "x"; discard;')), ['reject x', 'discard']);
});

test('reject conflicts are runtime errors (RFC 5429 §2.4)', async () => {
  for (const src of [
    'require "reject"; reject "a"; reject "b";',
    'require ["reject", "ereject"]; reject "a"; ereject "b";',
    'require "reject"; keep; reject "a";',
    'require ["reject", "fileinto"]; reject "a"; fileinto "x";',
    'require "reject"; reject "a"; redirect "a@b.c";',
  ]) {
    const o = await run(src);
    assert.deepEqual(summary(o), ['implicit-keep'], src);
    assert.ok(o.error !== null, src);
  }
  assert.deepEqual(errorsOf('reject "x";'), ['1:1 command \'reject\' requires the "reject" extension (missing require)']);
});
