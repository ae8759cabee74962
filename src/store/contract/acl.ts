/**
 * Contract: the raw access-control primitives (RFC 4314 rows). Backends trust the actor (the
 * owner); rights are checked above them (store/access/), so nothing here is refused for rights.
 *
 * Invariants:
 * - An ACL belongs to its mailbox: kept by RENAME, gone with DELETE (RFC 4314 §4), private to it.
 * - Entries naming an account are removed with that account.
 * - mailboxById finds any account's mailbox with its owner; aclGrants finds entries by identifier.
 * - Every setAcl publishes, after its commit, a 'mailboxes' event on the grantee's account
 *   ("bob" or "-bob") or on SERVER_CHANNEL ("anyone", "authenticated"): RFC 5465 §5.4 makes a
 *   grant or revocation of "l" a mailbox creation or deletion for NOTIFY sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, mailbox, recordEvents, rejectsWith, withStore, type OpenStore } from './harness.js';
import { SERVER_CHANNEL } from '../types.js';

export function aclContract(open: OpenStore): void {
  test('setAcl stores, replaces and removes entries; getAcl lists them by identifier', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      await account(h.store, 'bob');
      const inbox = await mailbox(h.store, a, 'INBOX');
      assert.deepEqual(await h.store.getAcl(a, 'INBOX'), []);
      await h.store.setAcl(a, 'INBOX', 'bob', 'lr');
      await h.store.setAcl(a, 'inbox', 'anyone', 'l');
      await h.store.setAcl(a, 'INBOX', '-bob', 'w');
      assert.deepEqual(await h.store.getAcl(a, 'INBOX'), [
        { identifier: '-bob', rights: 'w' },
        { identifier: 'anyone', rights: 'l' },
        { identifier: 'bob', rights: 'lr' },
      ]);
      await h.store.setAcl(a, 'INBOX', 'bob', 'lrs');
      await h.store.setAcl(a, 'INBOX', 'anyone', null);
      await h.store.setAcl(a, 'INBOX', '-bob', '');
      assert.deepEqual(await h.store.getAcl(a, 'INBOX'), [{ identifier: 'bob', rights: 'lrs' }]);
      assert.deepEqual(await h.store.mailboxAcl(inbox.id), [{ identifier: 'bob', rights: 'lrs' }]);
      assert.equal(await h.store.myRights(a, 'INBOX'), 'lrswipkxtea');
      const reopened = await h.reopen();
      assert.deepEqual(await reopened.getAcl(a, 'INBOX'), [{ identifier: 'bob', rights: 'lrs' }]);
    });
  });

  test('"+" and "-" changes apply to the stored entry in the write itself: concurrent ones all count', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await account(store, 'bob');
      await store.createMailbox(a, 'Team');
      assert.equal(await store.setAcl(a, 'Team', 'bob', 'lr', 'add'), 'lr');
      assert.equal(await store.setAcl(a, 'Team', 'bob', 'ls', 'add'), 'lrs');
      assert.equal(await store.setAcl(a, 'Team', 'bob', 'rx', 'remove'), 'ls');
      // Issued together (on PostgreSQL over several pooled connections): none may be lost.
      const letters = [...'wipkxtea'];
      await Promise.all(letters.map((r) => store.setAcl(a, 'Team', 'bob', r, 'add')));
      assert.deepEqual(await store.getAcl(a, 'Team'), [{ identifier: 'bob', rights: 'lswipkxtea' }]);
      await Promise.all([...'lswipkxtea'].map((r) => store.setAcl(a, 'Team', 'bob', r, 'remove')));
      // Removing the last right removes the entry; "set" replaces whatever is stored.
      assert.deepEqual(await store.getAcl(a, 'Team'), []);
      assert.equal(await store.setAcl(a, 'Team', 'bob', 'r', 'remove'), '');
      assert.deepEqual(await store.getAcl(a, 'Team'), []);
      await store.setAcl(a, 'Team', 'bob', 'lrs');
      assert.equal(await store.setAcl(a, 'Team', 'bob', 'i', 'set'), 'i');
      await rejectsWith(store.setAcl(a, 'Nope', 'bob', 'l', 'add'), 'NONEXISTENT');
    });
  });

  test('ACL calls on a missing mailbox are NONEXISTENT; mailboxAcl of a missing id is empty', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await rejectsWith(store.getAcl(a, 'Nope'), 'NONEXISTENT');
      await rejectsWith(store.setAcl(a, 'Nope', 'bob', 'l'), 'NONEXISTENT');
      await rejectsWith(store.myRights(a, 'Nope'), 'NONEXISTENT');
      assert.deepEqual(await store.mailboxAcl(987654), []);
      assert.equal(await store.mailboxById(987654), null);
    });
  });

  test('the ACL follows RENAME, dies with DELETE, and entries naming an account die with it', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await account(store, 'bob');
      await account(store, 'carol');
      await store.createMailbox(a, 'Team');
      await store.setAcl(a, 'Team', 'bob', 'lr');
      await store.setAcl(a, 'Team', 'carol', 'lrs');
      await store.renameMailbox(a, 'Team', 'Crew');
      assert.deepEqual((await store.getAcl(a, 'Crew')).map((e) => e.identifier), ['bob', 'carol']);
      await store.deleteAccount('carol');
      assert.deepEqual(await store.getAcl(a, 'Crew'), [{ identifier: 'bob', rights: 'lr' }]);
      const crew = await mailbox(store, a, 'Crew');
      await store.deleteMailbox(a, 'Crew');
      assert.deepEqual(await store.mailboxAcl(crew.id), []);
      await store.createMailbox(a, 'Crew');
      assert.deepEqual(await store.getAcl(a, 'Crew'), []);
    });
  });

  test('mailboxById finds any account mailbox with its owner; aclGrants finds entries by identifier', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      await store.createMailbox(a, 'Team/Sub');
      const sub = await mailbox(store, a, 'Team/Sub');
      const found = await store.mailboxById(sub.id);
      assert.equal(found?.owner, a.name);
      assert.equal(found?.mailbox.name, 'Team/Sub');
      assert.equal(found?.mailbox.accountId, a.accountId);
      await store.setAcl(a, 'Team/Sub', 'bob', 'lr');
      await store.setAcl(a, 'INBOX', 'anyone', 'p');
      await store.setAcl(b, 'INBOX', '-bob', 'l');
      const grants = await store.aclGrants(['bob', '-bob', 'anyone']);
      const seen = grants.map((g) => `${g.owner}:${g.mailboxName}:${g.identifier}:${g.rights}`).sort();
      assert.deepEqual(seen, [`${a.name}:INBOX:anyone:p`, `${a.name}:Team/Sub:bob:lr`, 'bob:INBOX:-bob:l'].sort());
      const g = grants.find((x) => x.mailboxName === 'Team/Sub')!;
      assert.equal(g.mailboxId, sub.id);
      assert.equal(g.accountId, a.accountId);
      assert.deepEqual(await store.aclGrants(['nobody']), []);
      assert.deepEqual(await store.aclGrants([]), []);
    });
  });

  test('setAcl publishes a mailboxes event to the grantee, or on SERVER_CHANNEL for anyone/authenticated', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const bob = await account(h.store, 'bob');
      await h.store.createMailbox(a, 'Team');
      const toBob = recordEvents(h.bus, bob);
      const toAll = recordEvents(h.bus, { accountId: SERVER_CHANNEL, name: '' });
      const toOwner = recordEvents(h.bus, a);
      await h.store.setAcl(a, 'Team', 'bob', 'lr');
      await h.store.setAcl(a, 'Team', '-bob', 'r');
      await h.store.setAcl(a, 'Team', 'bob', null);
      assert.deepEqual(toBob.events, [
        { type: 'mailboxes', accountId: bob.accountId },
        { type: 'mailboxes', accountId: bob.accountId },
        { type: 'mailboxes', accountId: bob.accountId },
      ]);
      assert.deepEqual(toAll.events, []);
      await h.store.setAcl(a, 'Team', 'anyone', 'l');
      await h.store.setAcl(a, 'Team', '-authenticated', 'l');
      assert.deepEqual(toAll.events, [
        { type: 'mailboxes', accountId: SERVER_CHANNEL },
        { type: 'mailboxes', accountId: SERVER_CHANNEL },
      ]);
      assert.equal(toBob.events.length, 3);
      // an entry for an account that does not exist (the access layer refuses it; the backend
      // trusts its caller) publishes nothing and fails nothing
      await h.store.setAcl(a, 'Team', 'nobody', 'l');
      assert.equal(toBob.events.length + toAll.events.length, 5);
      // a refused call publishes nothing
      await rejectsWith(h.store.setAcl(a, 'Nope', 'bob', 'l'), 'NONEXISTENT');
      assert.equal(toBob.events.length, 3);
      assert.deepEqual(toOwner.events, []);
      for (const r of [toBob, toAll, toOwner]) r.stop();
    });
  });
}
