import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../observability/log.js';
import { startExpungeHorizon } from './expunge-horizon.js';
import type { MailStore } from './types.js';

/** A store whose only working call is pruneExpungeHistory, recording the cutoffs it gets. */
function fakeStore(cutoffs: number[], fail = false): MailStore {
  return {
    pruneExpungeHistory: async (olderThan: number) => {
      cutoffs.push(olderThan);
      if (fail) throw new Error('database gone');
      return 0;
    },
  } as unknown as MailStore;
}

test('prunes at start with a cutoff `days` before now; 0 days never prunes', async () => {
  const cutoffs: number[] = [];
  const before = Date.now();
  const h = startExpungeHorizon(fakeStore(cutoffs), 90, silentLogger);
  await h.stop();
  const after = Date.now();
  assert.equal(cutoffs.length, 1);
  const day = 24 * 60 * 60 * 1000;
  assert.ok(cutoffs[0]! >= before - 90 * day && cutoffs[0]! <= after - 90 * day, String(cutoffs[0]));

  const none: number[] = [];
  await startExpungeHorizon(fakeStore(none), 0, silentLogger).stop();
  assert.deepEqual(none, []);
});

test('a failing prune is logged, not thrown', async () => {
  const cutoffs: number[] = [];
  const warnings: unknown[] = [];
  const logger = { ...silentLogger, warn: (...args: unknown[]) => void warnings.push(args) } as typeof silentLogger;
  await startExpungeHorizon(fakeStore(cutoffs, true), 1, logger).stop();
  assert.equal(cutoffs.length, 1);
  assert.equal(warnings.length, 1);
});
