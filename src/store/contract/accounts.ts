/**
 * Contract: accounts (create, bulk create, lookup, password, delete).
 *
 * Invariants:
 * - Every account starts with INBOX and the RFC 6154 special-use mailboxes, all subscribed.
 * - Deleting an account removes everything it owned; its name can be reused with a new id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, mailbox, message, rejectsWith, sorted, withStore, type OpenStore } from './harness.js';

const INITIAL = ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'];

export function accountContract(open: OpenStore): void {
  test('createAccount creates INBOX and the special-use mailboxes, all subscribed', async () => {
    await withStore(open, async ({ store }) => {
      const before = Date.now();
      const rec = await store.createAccount('alice', '{PLAIN}x');
      assert.equal(rec.name, 'alice');
      assert.equal(rec.passwordHash, '{PLAIN}x');
      assert.ok(rec.createdAt >= before - 1000 && rec.createdAt <= Date.now() + 1000);
      const actor = { accountId: rec.id, name: rec.name };
      const boxes = await store.listMailboxes(actor);
      assert.deepEqual(sorted(boxes.map((b) => b.name)), INITIAL);
      const uses = Object.fromEntries(boxes.map((b) => [b.name, b.specialUse]));
      assert.deepEqual(uses, {
        INBOX: null,
        Drafts: '\\Drafts',
        Sent: '\\Sent',
        Trash: '\\Trash',
        Junk: '\\Junk',
        Archive: '\\Archive',
      });
      assert.deepEqual(sorted(await store.listSubscriptions(actor)), INITIAL);
      for (const b of boxes) {
        assert.equal(b.accountId, rec.id);
        assert.equal(b.uidNext, 1);
        assert.ok(b.highestModSeq >= 1);
      }
    });
  });

  test('createAccount of a taken name is ALREADYEXISTS; get/list/setPasswordHash', async () => {
    await withStore(open, async ({ store }) => {
      const a = await store.createAccount('alice', 'h1');
      await rejectsWith(store.createAccount('alice', 'h2'), 'ALREADYEXISTS');
      const b = await store.createAccount('bob', 'h3');
      assert.notEqual(a.id, b.id);
      assert.deepEqual(await store.getAccount('alice'), a);
      assert.equal(await store.getAccount('nobody'), null);
      assert.deepEqual(sorted((await store.listAccounts()).map((r) => r.name)), ['alice', 'bob']);
      await store.setPasswordHash('alice', 'h9');
      assert.equal((await store.getAccount('alice'))?.passwordHash, 'h9');
      assert.equal((await store.getAccount('bob'))?.passwordHash, 'h3');
      await rejectsWith(store.setPasswordHash('nobody', 'h'), 'NONEXISTENT');
    });
  });

  test('createAccounts creates in bulk and reports skipped names', async () => {
    await withStore(open, async ({ store }) => {
      await store.createAccount('existing', 'h');
      const entries = [
        { name: 'existing', passwordHash: 'x' },
        { name: 'n1', passwordHash: 'h1' },
        { name: 'n2', passwordHash: 'h2' },
        { name: 'n1', passwordHash: 'again' },
      ];
      const r = await store.createAccounts(entries);
      assert.equal(r.created, 2);
      assert.deepEqual(sorted(r.skipped), ['existing', 'n1']);
      assert.equal((await store.getAccount('existing'))?.passwordHash, 'h');
      assert.equal((await store.getAccount('n1'))?.passwordHash, 'h1');
      const n2 = await store.getAccount('n2');
      assert.ok(n2);
      const actor = { accountId: n2.id, name: n2.name };
      assert.deepEqual(sorted((await store.listMailboxes(actor)).map((b) => b.name)), INITIAL);
      assert.deepEqual(sorted(await store.listSubscriptions(actor)), INITIAL);
    });
  });

  test('createAccounts handles 1,000 accounts in one call', async () => {
    await withStore(open, async ({ store }) => {
      const entries = Array.from({ length: 1000 }, (_, i) => ({ name: `user${i}`, passwordHash: `h${i}` }));
      const r = await store.createAccounts(entries);
      assert.equal(r.created, 1000);
      assert.deepEqual(r.skipped, []);
      assert.equal((await store.listAccounts()).length, 1000);
      const last = await store.getAccount('user999');
      assert.ok(last);
      const inbox = await mailbox(store, { accountId: last.id, name: last.name }, 'INBOX');
      assert.equal(inbox.accountId, last.id);
    });
  });

  test('deleteAccount removes the account and all it owned; NONEXISTENT after', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store, 'alice');
      const bob = await account(store, 'bob');
      await store.createMailbox(alice, 'Projects/x');
      const app = await store.append(alice, 'INBOX', [message('a1'), message('shared')]);
      await store.append(bob, 'INBOX', [message('shared')]);
      const bobInbox = await mailbox(store, bob, 'INBOX');
      const inboxId = (await mailbox(store, alice, 'INBOX')).id;
      await store.deleteAccount('alice');
      assert.equal(await store.getAccount('alice'), null);
      await rejectsWith(store.deleteAccount('alice'), 'NONEXISTENT');
      assert.deepEqual(await store.listMailboxes(alice), []);
      assert.equal(await store.getMailbox(alice, 'INBOX'), null);
      await rejectsWith(store.listMessages(alice, inboxId), 'NONEXISTENT');
      assert.equal(app.uids.length, 2);
      // Bob's copy of identical content is untouched.
      const [bm] = await store.listMessages(bob, bobInbox.id);
      assert.equal((await store.readBlob(bob, bm.blobId)).toString(), message('shared').content.toString());
      const again = await store.createAccount('alice', 'h');
      assert.notEqual(again.id, alice.accountId);
      const fresh = { accountId: again.id, name: 'alice' };
      assert.deepEqual(await store.listMessages(fresh, (await mailbox(store, fresh, 'INBOX')).id), []);
    });
  });
}
