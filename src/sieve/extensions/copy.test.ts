import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, run, summary } from '../test-support.js';

test('copy (RFC 3894): :copy keeps the implicit keep', async () => {
  assert.deepEqual(summary(await run('require ["copy", "fileinto"]; redirect :copy "a@b.c"; fileinto :copy "X";')), [
    'redirect a@b.c',
    'fileinto X',
    'implicit-keep',
  ]);
  assert.deepEqual(summary(await run('require ["copy", "fileinto"]; redirect :copy "a@b.c"; fileinto "X";')), ['redirect a@b.c', 'fileinto X']);
  assert.deepEqual(summary(await run('require "copy"; redirect :copy "a@b.c"; discard;')), ['redirect a@b.c', 'discard']);
});

test('copy: needs its require, and only on redirect/fileinto', () => {
  assert.deepEqual(errorsOf('redirect :copy "a@b.c";'), ['1:10 tag \':copy\' requires the "copy" extension (missing require)']);
  assert.deepEqual(errorsOf('require "copy"; keep :copy;'), ["1:22 unknown tag ':copy' for command 'keep'"]);
  assert.deepEqual(errorsOf('require "copy"; fileinto :copy "x";'), ['1:17 command \'fileinto\' requires the "fileinto" extension (missing require)']);
});
