/**
 * Contract: URLAUTH mailbox access keys (RFC 4467 §2.2, §7 RESETKEY and GENURLAUTH).
 *
 * Invariants:
 * - A key exists only once asked for with `create`, is stable until reset, has at least 128 bits,
 *   survives a restart, and is private to its account and mailbox.
 * - RESETKEY of one mailbox changes only that key; RESETKEY without a mailbox removes them all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, mailbox, rejectsWith, withStore, type OpenStore } from './harness.js';

export function urlAuthKeyContract(open: OpenStore): void {
  test('urlAuthKey creates on demand, is stable, per mailbox, and survives a restart', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const inbox = await mailbox(h.store, a, 'INBOX');
      const sent = await mailbox(h.store, a, 'Sent');
      assert.equal(await h.store.urlAuthKey(a, inbox.id, false), null);
      const k1 = await h.store.urlAuthKey(a, inbox.id, true);
      assert.ok(k1 !== null && k1.length >= 16);
      assert.deepEqual(await h.store.urlAuthKey(a, inbox.id, true), k1);
      assert.deepEqual(await h.store.urlAuthKey(a, inbox.id, false), k1);
      const k2 = await h.store.urlAuthKey(a, sent.id, true);
      assert.ok(k2 !== null && !k2.equals(k1));
      const reopened = await h.reopen();
      assert.deepEqual(await reopened.urlAuthKey(a, inbox.id, false), k1);
    });
  });

  test('resetUrlAuthKeys replaces one key, or removes all of the account', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      const inbox = await mailbox(store, a, 'INBOX');
      const sent = await mailbox(store, a, 'Sent');
      const bobInbox = await mailbox(store, b, 'INBOX');
      const k1 = await store.urlAuthKey(a, inbox.id, true);
      const k2 = await store.urlAuthKey(a, sent.id, true);
      const kb = await store.urlAuthKey(b, bobInbox.id, true);
      await store.resetUrlAuthKeys(a, inbox.id);
      const k1b = await store.urlAuthKey(a, inbox.id, false);
      assert.ok(k1b !== null && k1 !== null && !k1b.equals(k1));
      assert.deepEqual(await store.urlAuthKey(a, sent.id, false), k2);
      // A reset of a mailbox without a key gives it one.
      const drafts = await mailbox(store, a, 'Drafts');
      await store.resetUrlAuthKeys(a, drafts.id);
      assert.notEqual(await store.urlAuthKey(a, drafts.id, false), null);
      await store.resetUrlAuthKeys(a, null);
      assert.equal(await store.urlAuthKey(a, inbox.id, false), null);
      assert.equal(await store.urlAuthKey(a, sent.id, false), null);
      assert.deepEqual(await store.urlAuthKey(b, bobInbox.id, false), kb);
    });
  });

  test("keys are private: another account's mailbox is NONEXISTENT; a re-created mailbox has no key", async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      const inbox = await mailbox(store, a, 'INBOX');
      await rejectsWith(store.urlAuthKey(b, inbox.id, true), 'NONEXISTENT');
      await rejectsWith(store.resetUrlAuthKeys(b, inbox.id), 'NONEXISTENT');
      const work = await store.createMailbox(a, 'Work');
      await store.urlAuthKey(a, work.id, true);
      await store.deleteMailbox(a, 'Work');
      await rejectsWith(store.urlAuthKey(a, work.id, false), 'NONEXISTENT');
      const again = await store.createMailbox(a, 'Work');
      assert.equal(await store.urlAuthKey(a, again.id, false), null);
    });
  });
}
