/**
 * imapflow (a real client library) and a shared mailbox (RFC 4314, RFC 2342): bob shares a
 * mailbox with alice; imapflow lists it under the other users' namespace, opens it, fetches
 * from it and appends to it; what alice has seen is hers, not bob's (private \Seen).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { startTestServer } from '../support/server.js';
import { TestClient, assertStatus } from '../support/transcript.js';

function client(port: number, user: string): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: `${user}-pass` }, logger: false, tls: { rejectUnauthorized: false } });
}

test('imapflow lists, opens, fetches from and appends to a mailbox another account shared', async () => {
  const srv = await startTestServer({ users: [['alice', 'alice-pass'], ['bob', 'bob-pass']] });
  const bob = client(srv.port, 'bob');
  const alice = client(srv.port, 'alice');
  try {
    await bob.connect();
    await bob.mailboxCreate('Team');
    await bob.append('Team', 'From: bob@example.org\r\nSubject: plan\r\n\r\nthe plan\r\n');
    const raw = await TestClient.connect(srv.port);
    await raw.login('bob', 'bob-pass');
    assertStatus(await raw.command('SETACL Team alice lrsi'), 'OK');
    raw.close();

    await alice.connect();
    const list = await alice.list();
    const shared = list.find((m) => m.path === 'Other Users/bob/Team');
    assert.ok(shared, JSON.stringify(list.map((m) => m.path)));
    const lock = await alice.getMailboxLock('Other Users/bob/Team');
    try {
      const msg = await alice.fetchOne('1', { envelope: true, source: true });
      assert.ok(msg);
      assert.equal(msg.envelope?.subject, 'plan');
      assert.match(msg.source!.toString(), /the plan/);
      const res = await alice.append('Other Users/bob/Team', 'From: alice@example.org\r\nSubject: ok\r\n\r\nagreed\r\n', ['\\Seen']);
      assert.ok(res);
    } finally {
      lock.release();
    }
    // The \Seen alice appended with is hers alone (decision 0019); imapflow fetched with PEEK.
    const status = await bob.status('Team', { messages: true, unseen: true });
    assert.ok(status);
    assert.equal(status.messages, 2);
    assert.equal(status.unseen, 2);
    const hers = await alice.status('Other Users/bob/Team', { messages: true, unseen: true });
    assert.ok(hers);
    assert.equal(hers.messages, 2);
    assert.equal(hers.unseen, 1);
  } finally {
    await alice.logout().catch(() => undefined);
    await bob.logout().catch(() => undefined);
    await srv.stop();
  }
});
