/**
 * QUOTA meets ACL over real sockets (RFC 9208 §6, RFC 4314, decision 0010 "Quota roots of
 * shared mailboxes"): bob shares mailboxes with alice and carol. GETQUOTAROOT on
 * "Other Users/bob/..." names bob's root (the one the messages are charged to); a hidden mailbox
 * answers exactly like a missing one; usage needs "r"; GETQUOTA of bob's root follows the
 * grants. APPEND and COPY into bob's mailbox are charged to bob, never to the grantee. Shared/
 * mailboxes are charged to their internal owner "#shared", which an administrator can limit.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { ACCOUNTS, TestClient, assertStatus, append, simpleMessage, grep, shape } from '../support/transcript.js';
import { openStore } from '../../src/main.js';
import { sharedOwnerActor } from '../../src/store/access/index.js';

const USERS: Array<[string, string]> = [...ACCOUNTS, ['postmaster', 'postmaster-pass']];

describe('QUOTA and ACL', () => {
  let srv: TestServer;
  const clients = new Map<string, TestClient>();
  const as = async (user: string): Promise<TestClient> => {
    let c = clients.get(user);
    if (c === undefined) {
      c = await TestClient.connect(srv.port);
      assertStatus(await c.login(user, `${user}-pass`), 'OK');
      clients.set(user, c);
    }
    return c;
  };
  const setQuota = async (root: string, limits: string): Promise<void> => {
    assertStatus(await (await as('postmaster')).command(`SETQUOTA "${root}" (${limits})`), 'OK');
  };

  before(async () => {
    srv = await startTestServer({ users: USERS, config: { quotaAdminUsers: 'postmaster' } });
    const bob = await as('bob');
    for (const box of ['Team', 'Secret', 'Listed']) {
      assertStatus(await bob.command(`CREATE ${box}`), 'OK');
      assertStatus(await append(bob, box, simpleMessage({ subject: `${box} one` })), 'OK');
    }
    // alice reads Team; carol only sees Listed ("l"); nobody but bob has Secret.
    assertStatus(await bob.command('SETACL Team alice lr'), 'OK');
    assertStatus(await bob.command('SETACL Listed carol l'), 'OK');
  });
  after(async () => {
    for (const c of clients.values()) c.close();
    await srv.stop();
  });

  test('GETQUOTAROOT on a shared mailbox names the owner\'s root, with its usage', async () => {
    await setQuota('bob', 'STORAGE 100000 MESSAGE 1000');
    const alice = await as('alice');
    const r = await alice.command('GETQUOTAROOT "Other Users/bob/Team"');
    assertStatus(r, 'OK');
    assert.equal(r.untagged.length, 2, JSON.stringify(r.untagged));
    assert.equal(r.untagged[0], '* QUOTAROOT "Other Users/bob/Team" "bob"');
    assert.match(r.untagged[1]!, /^\* QUOTA "bob" \(STORAGE [1-9]\d* 100000 MESSAGE 3 1000\)$/);
    // The same figures bob sees for his own root.
    const own = await (await as('bob')).command('GETQUOTA "bob"');
    assert.deepEqual(grep(own, /^\* QUOTA /), [r.untagged[1]]);
    // alice's own names are still under her own root.
    assert.deepEqual((await alice.command('GETQUOTAROOT INBOX')).untagged, ['* QUOTAROOT "INBOX" "alice"', '* QUOTA "alice" ()']);
  });

  test('a hidden mailbox answers exactly like a missing one; namespace roots are no mailboxes', async () => {
    const alice = await as('alice');
    const hidden = await alice.command('GETQUOTAROOT "Other Users/bob/Secret"');
    assertStatus(hidden, 'NO', 'NONEXISTENT');
    assert.deepEqual(shape(hidden), shape(await alice.command('GETQUOTAROOT "Other Users/bob/Nothing"')));
    assert.deepEqual(shape(hidden), shape(await alice.command('GETQUOTAROOT "Other Users/nobody/Team"')));
    assert.deepEqual(shape(hidden), shape(await alice.command('GETQUOTAROOT "Other Users/bob"')));
    const carol = await as('carol');
    assert.deepEqual(shape(await carol.command('GETQUOTAROOT "Other Users/bob/Team"')), shape(hidden));
  });

  test('GETQUOTA of another account\'s root: with "r" on one of its mailboxes, else as if it did not exist', async () => {
    const alice = await as('alice');
    const r = await alice.command('GETQUOTA "bob"');
    assertStatus(r, 'OK');
    assert.match(grep(r, /^\* QUOTA /)[0]!, /^\* QUOTA "bob" \(STORAGE \d+ 100000 MESSAGE 3 1000\)$/);
    // alice has nothing of postmaster's: the root answers like an unknown one.
    const none = await alice.command('GETQUOTA "postmaster"');
    assertStatus(none, 'NO', 'NONEXISTENT');
    assert.deepEqual(shape(none).untagged, shape(await alice.command('GETQUOTA "nosuchuser"')).untagged);
    assert.equal(shape(none).tagged.replace(/"postmaster"/, '"X"'), shape(await alice.command('GETQUOTA "nosuchuser"')).tagged.replace(/"nosuchuser"/, '"X"'));
    // bob's grant to alice is revoked: bob's root is gone for her.
    assertStatus(await (await as('bob')).command('SETACL Team alice -r'), 'OK');
    assertStatus(await alice.command('GETQUOTA "bob"'), 'NO', 'NOPERM');
    assertStatus(await (await as('bob')).command('DELETEACL Team alice'), 'OK');
    assertStatus(await alice.command('GETQUOTA "bob"'), 'NO', 'NONEXISTENT');
    assertStatus(await (await as('bob')).command('SETACL Team alice lr'), 'OK');
  });

  test('without "r", STORAGE and MESSAGE usage are refused (NOPERM); a MAILBOX-only root is shown (RFC 9208 §6)', async () => {
    const carol = await as('carol');
    assertStatus(await carol.command('GETQUOTAROOT "Other Users/bob/Listed"'), 'NO', 'NOPERM');
    assertStatus(await carol.command('GETQUOTA "bob"'), 'NO', 'NOPERM');
    await setQuota('bob', 'MAILBOX 100');
    const r = await carol.command('GETQUOTAROOT "Other Users/bob/Listed"');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* QUOTAROOT "Other Users/bob/Listed" "bob"', '* QUOTA "bob" (MAILBOX 9 100)']);
    assertStatus(await carol.command('GETQUOTA "bob"'), 'OK');
    // A quota administrator reads any root, whatever its rights on the mailbox.
    const admin = await as('postmaster');
    assertStatus(await admin.command('GETQUOTA "bob"'), 'OK');
    assertStatus(await admin.command('GETQUOTAROOT "Other Users/bob/Team"'), 'NO', 'NONEXISTENT');
  });

  test('APPEND and COPY into a shared mailbox are charged to its owner, not to the grantee', async () => {
    const bob = await as('bob');
    assertStatus(await bob.command('SETACL Team alice lri'), 'OK');
    const alice = await as('alice');
    // bob is full (3 messages, limit 3): alice's APPEND into his mailbox is refused...
    await setQuota('bob', 'MESSAGE 3');
    await setQuota('alice', 'MESSAGE 1000');
    assertStatus(await append(alice, '"Other Users/bob/Team"', simpleMessage({ subject: 'from alice' })), 'NO', 'OVERQUOTA');
    assertStatus(await alice.command('SELECT "Other Users/bob/Team"'), 'OK');
    assertStatus(await alice.command('COPY 1 "Other Users/bob/Team"'), 'NO', 'OVERQUOTA');
    // ...while alice's own mailboxes are not affected by bob's quota.
    assertStatus(await alice.command('COPY 1 INBOX'), 'OK');
    assertStatus(await alice.command('UNSELECT'), 'OK');
    // alice is full but bob is not: accepted, and counted in bob's root only.
    await setQuota('alice', 'MESSAGE 1');
    await setQuota('bob', 'MESSAGE 1000');
    assertStatus(await append(alice, 'INBOX', simpleMessage({ subject: 'own' })), 'NO', 'OVERQUOTA');
    assertStatus(await append(alice, '"Other Users/bob/Team"', simpleMessage({ subject: 'from alice' })), 'OK');
    assertStatus(await alice.command('SELECT "Other Users/bob/Team"'), 'OK');
    assertStatus(await alice.command('COPY 1 "Other Users/bob/Team"'), 'OK');
    assertStatus(await alice.command('UNSELECT'), 'OK');
    assert.deepEqual(grep(await bob.command('GETQUOTA "bob"'), /^\* QUOTA /), ['* QUOTA "bob" (MESSAGE 5 1000)']);
    assert.deepEqual(grep(await alice.command('GETQUOTA "alice"'), /^\* QUOTA /), ['* QUOTA "alice" (MESSAGE 1 1)']);
    // MOVE from alice's INBOX into bob's mailbox: bob is charged, alice's usage drops; refused
    // (and the message stays) while bob is full.
    await setQuota('bob', 'MESSAGE 5');
    assertStatus(await alice.command('SELECT INBOX'), 'OK');
    assertStatus(await alice.command('MOVE 1 "Other Users/bob/Team"'), 'NO', 'OVERQUOTA');
    await setQuota('bob', 'MESSAGE 6');
    assertStatus(await alice.command('MOVE 1 "Other Users/bob/Team"'), 'OK');
    assertStatus(await alice.command('UNSELECT'), 'OK');
    assert.deepEqual(grep(await bob.command('GETQUOTA "bob"'), /^\* QUOTA /), ['* QUOTA "bob" (MESSAGE 6 6)']);
    assert.deepEqual(grep(await alice.command('GETQUOTA "alice"'), /^\* QUOTA /), ['* QUOTA "alice" (MESSAGE 0 1)']);
    await setQuota('alice', '');
  });

  test('Shared/ mailboxes are charged to "#shared", which an administrator may limit', async () => {
    const store = await openStore(srv.config);
    try {
      const owner = await sharedOwnerActor(store);
      await store.createMailbox(owner, 'News');
      await store.setAcl(owner, 'News', 'authenticated', 'lri');
    } finally {
      await store.close();
    }
    await setQuota('#shared', 'MESSAGE 1');
    const alice = await as('alice');
    const r = await alice.command('GETQUOTAROOT "Shared/News"');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* QUOTAROOT "Shared/News" "#shared"', '* QUOTA "#shared" (MESSAGE 0 1)']);
    assertStatus(await append(alice, 'Shared/News', simpleMessage({ subject: 'news' })), 'OK');
    assertStatus(await append(await as('carol'), 'Shared/News', simpleMessage({ subject: 'more news' })), 'NO', 'OVERQUOTA');
    assert.deepEqual(grep(await alice.command('GETQUOTA "#shared"'), /^\* QUOTA /), ['* QUOTA "#shared" (MESSAGE 1 1)']);
  });
});

test('the operator\'s per-user quota defaults do not limit "#shared", which holds every Shared/ mailbox', async () => {
  const srv = await startTestServer({ users: USERS, config: { quotaMessages: 2 } });
  const alice = await TestClient.connect(srv.port);
  try {
    const store = await openStore(srv.config);
    try {
      const owner = await sharedOwnerActor(store);
      await store.createMailbox(owner, 'Board');
      await store.setAcl(owner, 'Board', 'authenticated', 'lri');
    } finally {
      await store.close();
    }
    assertStatus(await alice.login('alice', 'alice-pass'), 'OK');
    for (let i = 0; i < 3; i++) assertStatus(await append(alice, 'Shared/Board', simpleMessage({ subject: `post ${i}` })), 'OK');
    // alice herself is limited by the default.
    for (let i = 0; i < 2; i++) assertStatus(await append(alice, 'INBOX', simpleMessage({ subject: `mine ${i}` })), 'OK');
    assertStatus(await append(alice, 'INBOX', simpleMessage({ subject: 'one too many' })), 'NO', 'OVERQUOTA');
    assert.deepEqual(grep(await alice.command('GETQUOTAROOT INBOX'), /^\* QUOTA /), ['* QUOTA "alice" (MESSAGE 2 2)']);
  } finally {
    alice.close();
    await srv.stop();
  }
});
