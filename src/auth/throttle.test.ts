import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './throttle.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('delay doubles per failure up to the cap', () => {
  const c = clock();
  const th = new LoginThrottle({ now: c.now, maxAccountFailures: 100, maxIpFailures: 100 });
  assert.deepEqual(th.check('alice', '10.0.0.1'), { allowed: true, delayMs: 0 });
  const delays = [];
  for (let i = 0; i < 8; i++) delays.push(th.recordFailure('alice', '10.0.0.1'));
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  assert.deepEqual(th.check('alice', '10.0.0.1'), { allowed: true, delayMs: 15000 });
  // another account from the same IP still pays the IP's delay
  assert.deepEqual(th.check('bob', '10.0.0.1'), { allowed: true, delayMs: 15000 });
  assert.deepEqual(th.check('bob', '10.0.0.2'), { allowed: true, delayMs: 0 });
});

test('refuses after N account failures until the window passes', () => {
  const c = clock();
  const th = new LoginThrottle({ now: c.now });
  for (let i = 0; i < 10; i++) th.recordFailure('alice', `10.0.0.${i}`);
  const d = th.check('Alice', '10.9.9.9');
  assert.equal(d.allowed, false);
  assert.equal(!d.allowed && d.retryAfterMs, 5 * 60_000);
  c.advance(5 * 60_000 - 1);
  assert.equal(th.check('alice', '10.9.9.9').allowed, false);
  c.advance(1);
  assert.deepEqual(th.check('alice', '10.9.9.9'), { allowed: true, delayMs: 0 });
});

test('refuses after N IP failures across accounts', () => {
  const c = clock();
  const th = new LoginThrottle({ now: c.now });
  for (let i = 0; i < 30; i++) th.recordFailure(`user${i}`, '192.0.2.7');
  assert.equal(th.check('someone', '192.0.2.7').allowed, false);
  assert.equal(th.check('someone', '192.0.2.8').allowed, true);
});

test('success clears the account counter but not the IP counter', () => {
  const c = clock();
  const th = new LoginThrottle({ now: c.now });
  th.recordFailure('alice', '10.0.0.1');
  th.recordFailure('alice', '10.0.0.1');
  th.recordSuccess('alice');
  assert.deepEqual(th.check('alice', '10.0.0.2'), { allowed: true, delayMs: 0 });
  assert.deepEqual(th.check('alice', '10.0.0.1'), { allowed: true, delayMs: 1000 });
});

test('memory stays bounded', () => {
  const th = new LoginThrottle({ maxEntries: 100 });
  for (let i = 0; i < 1000; i++) th.recordFailure(`u${i}`, `ip${i}`);
  assert.deepEqual(th.size, { accounts: 100, ips: 100 });
  // the newest entries survive
  assert.deepEqual(th.check('u999', 'x'), { allowed: true, delayMs: 500 });
  assert.deepEqual(th.check('u0', 'x'), { allowed: true, delayMs: 0 });
});
