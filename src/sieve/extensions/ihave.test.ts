import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, run, summary } from '../test-support.js';

test('ihave (RFC 5463): unknown extensions compile inside a failing ihave block', async () => {
  const src = 'require "ihave"; if ihave "nonesuch" { nonesuch "x"; } else { discard; }';
  assert.deepEqual(errorsOf(src), []);
  assert.deepEqual(summary(await run(src)), ['discard']);
});

test('ihave enables a supported extension for the rest of the script', async () => {
  const src = 'require "ihave"; if ihave "fileinto" { fileinto "A"; } fileinto "B";';
  assert.deepEqual(summary(await run(src)), ['fileinto A', 'fileinto B']);
  const early = await run('require "ihave"; if true { fileinto "B"; } if ihave "fileinto" { fileinto "A"; }');
  assert.match(early.error!.message, /extension "fileinto" is used but not enabled/);
  assert.deepEqual(summary(early), ['implicit-keep']);
});

test('ihave refuses variables and respects the host allow-list; error command', async () => {
  assert.deepEqual(summary(await run('require "ihave"; if ihave "variables" { set "a" "b"; } else { discard; }')), ['discard']);
  assert.deepEqual(
    summary(await run('require "ihave"; if ihave "fileinto" { fileinto "A"; } else { discard; }', {}, { compile: { extensions: new Set(['ihave']) } })),
    ['discard'],
  );
  const o = await run('require "ihave"; discard; error "my message";');
  assert.deepEqual(summary(o), ['implicit-keep']);
  assert.equal(o.error?.message, 'my message');
  assert.deepEqual(o.error && [o.error.line, o.error.column], [1, 27]);
});
