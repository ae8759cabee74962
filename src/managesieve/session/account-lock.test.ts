import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountLock } from './account-lock.js';

test('account lock: one key runs in order, a failure does not block, idle keys are dropped', async () => {
  const lock = new AccountLock();
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = lock.run(1, async () => {
    log.push('1a start');
    await gate;
    log.push('1a end');
  });
  const second = lock.run(1, async () => {
    log.push('1b');
    throw new Error('boom');
  });
  const third = lock.run(1, async () => log.push('1c'));
  const other = lock.run(2, async () => log.push('2'));
  await other;
  assert.deepEqual(log, ['1a start', '2']);
  release();
  await first;
  await assert.rejects(second, /boom/);
  await third;
  assert.deepEqual(log, ['1a start', '2', '1a end', '1b', '1c']);
  assert.equal(lock.size, 0);
});
