/**
 * LMTP delivery over quota (RFC 9208 via the store's quota layer; RFC 2033 §4.2 per-recipient
 * replies; RFC 3463 X.2.2 "mailbox full"): 452 4.2.2 by default, 552 5.2.2 with
 * --quota-exceeded permanent; the refused recipient gets nothing stored and the other recipients
 * of the same transaction are delivered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { assertStatus, simpleMessage, TestClient } from '../support/transcript.js';

const USERS: Array<[string, string]> = [
  ['alice', 'wonderland-pass'],
  ['bob', 'bob-pass'],
];

/** Every account may hold one message (--quota-messages 1). */
async function server(config: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({ users: USERS, config: { lmtpPort: await freePort(), quotaMessages: 1, ...config } });
}

async function inboxCount(s: TestServer, user: string, pass: string): Promise<number> {
  const c = await TestClient.connect(s.port);
  try {
    assertStatus(await c.login(user, pass), 'OK');
    const r = await c.command('STATUS INBOX (MESSAGES)');
    assertStatus(r, 'OK');
    return Number(/MESSAGES (\d+)/.exec(r.untagged.join(' '))![1]);
  } finally {
    c.close();
  }
}

/** One transaction to `rcpts`; the reply text per recipient, in RCPT order. */
async function deliver(s: TestServer, rcpts: string[], subject: string): Promise<string[]> {
  const c = await LmtpTestClient.connect(s.config.lmtpPort);
  try {
    assert.equal((await c.command('LHLO client.example')).code, 250);
    assert.match((await c.command('MAIL FROM:<sender@example.org>')).text, /^250/);
    for (const r of rcpts) assert.match((await c.command(`RCPT TO:<${r}>`)).text, /^250 2\.1\.5/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage({ subject })));
    return (await c.readN(rcpts.length)).map((r) => r.text);
  } finally {
    c.write('QUIT\r\n');
    await c.waitClosed().catch(() => undefined);
  }
}

test('over quota: 452 4.2.2 for that recipient only, nothing stored for it, the others delivered', async () => {
  const s = await server();
  try {
    const first = await deliver(s, ['alice@example.com'], 'fills the quota');
    assert.match(first[0], /^250 2\.0\.0 <alice@example\.com>/);
    const replies = await deliver(s, ['alice@example.com', 'bob@example.com'], 'second');
    assert.match(replies[0], /^452 4\.2\.2 <alice@example\.com> Mailbox full/);
    assert.match(replies[1], /^250 2\.0\.0 <bob@example\.com>/);
    assert.equal(await inboxCount(s, 'alice', 'wonderland-pass'), 1);
    assert.equal(await inboxCount(s, 'bob', 'bob-pass'), 1);
  } finally {
    await s.stop();
  }
});

test('--quota-exceeded permanent: 552 5.2.2, and the other recipients are still delivered', async () => {
  const s = await server({ quotaExceeded: 'permanent' });
  try {
    assert.match((await deliver(s, ['bob@example.com'], 'fills bob'))[0], /^250 /);
    const replies = await deliver(s, ['bob@example.com', 'alice@example.com'], 'second');
    assert.match(replies[0], /^552 5\.2\.2 <bob@example\.com> Mailbox full/);
    assert.match(replies[1], /^250 2\.0\.0 <alice@example\.com>/);
    assert.equal(await inboxCount(s, 'bob', 'bob-pass'), 1);
    assert.equal(await inboxCount(s, 'alice', 'wonderland-pass'), 1);
  } finally {
    await s.stop();
  }
});

test('a storage quota counts the delivered size, trace fields included', async () => {
  // 1K of storage: a message well below it is delivered; one above is refused.
  const s = await server({ quotaMessages: 0, quotaStorage: 2048 });
  try {
    assert.match((await deliver(s, ['alice@example.com'], 'small'))[0], /^250 /);
    const c = await LmtpTestClient.connect(s.config.lmtpPort);
    try {
      assert.equal((await c.command('LHLO client.example')).code, 250);
      assert.match((await c.command('MAIL FROM:<sender@example.org>')).text, /^250/);
      assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
      assert.equal((await c.command('DATA')).code, 354);
      c.write(dotStuffed(simpleMessage({ subject: 'large', body: 'x'.repeat(3000) })));
      assert.match((await c.read()).text, /^452 4\.2\.2 /);
    } finally {
      c.close();
    }
    assert.equal(await inboxCount(s, 'alice', 'wonderland-pass'), 1);
  } finally {
    await s.stop();
  }
});
