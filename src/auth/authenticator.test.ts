import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from './authenticator.js';
import { createAccountOnlyStore } from './test-store.js';

const SHA512 = '{SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';

function setup(hash = SHA512): { auth: Authenticator; sleeps: number[]; store: ReturnType<typeof createAccountOnlyStore> } {
  const store = createAccountOnlyStore([{ name: 'alice', passwordHash: hash }]);
  const sleeps: number[] = [];
  const auth = new Authenticator(store, { sleep: async (ms) => void sleeps.push(ms) });
  return { auth, sleeps, store };
}

test('accepts the right password, refuses a wrong one after the throttle delay', async () => {
  const { auth, sleeps } = setup();
  const ok = await auth.authenticate('alice', 'secret', '10.0.0.1');
  assert.equal(ok.ok, true);
  assert.equal(ok.ok && ok.account.name, 'alice');
  assert.deepEqual(await auth.authenticate('alice', 'wrong', '10.0.0.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.authenticate('alice', 'wrong', '10.0.0.1'), { ok: false, reason: 'invalid' });
  assert.deepEqual(sleeps, [500, 1000]);
});

test('unknown users fail like wrong passwords (dummy verification, same delay)', async () => {
  const { auth, sleeps } = setup();
  assert.deepEqual(await auth.authenticate('mallory', 'x', '10.0.0.2'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await auth.authenticate('bad name', 'x', '10.0.0.3'), { ok: false, reason: 'invalid' });
  assert.deepEqual(sleeps, [500, 500]);
});

test('throttles after 10 failures for an account, without checking the password', async () => {
  const { auth, store } = setup();
  for (let i = 0; i < 10; i++) await auth.authenticate('alice', 'wrong', `10.1.0.${i}`);
  const before = store.lookups.length;
  assert.deepEqual(await auth.authenticate('alice', 'secret', '10.1.1.1'), { ok: false, reason: 'throttled' });
  assert.equal(store.lookups.length, before, 'no store lookup when refused');
});

test('an unsupported stored scheme is a failure, not a crash', async () => {
  const { auth } = setup('{CRYPT}abNANd1rDfiNc');
  assert.deepEqual(await auth.authenticate('alice', 'secret', '10.0.0.4'), { ok: false, reason: 'invalid' });
});

test('a password change invalidates the cached verification', async () => {
  const { auth, store } = setup('{PLAIN}secret');
  assert.equal((await auth.authenticate('alice', 'secret', '10.0.0.5')).ok, true);
  assert.equal((await auth.authenticate('alice', 'secret', '10.0.0.5')).ok, true);
  await store.setPasswordHash('alice', '{PLAIN}other');
  assert.equal((await auth.authenticate('alice', 'secret', '10.0.0.5')).ok, false);
  assert.equal((await auth.authenticate('alice', 'other', '10.0.0.5')).ok, true);
});
