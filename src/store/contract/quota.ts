/**
 * Contract: quota usage counters and per-account settings (RFC 9208; types.ts QuotaUsage). The
 * usage must follow every write that adds or removes messages or mailboxes, in the same commit.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StoreError } from '../errors.js';
import { asUid, type MailStore, type QuotaUsage } from '../types.js';
import { account, mailbox, message, rejectsWith, withStore, type OpenStore } from './harness.js';

const usage = async (store: MailStore, name = 'alice'): Promise<QuotaUsage> => (await store.getAccountQuota(name)).usage;
const size = (text: string): number => message(text).content.length;

export function quotaContract(open: OpenStore): void {
  it('a new account uses its initial mailboxes and nothing else', () =>
    withStore(open, async ({ store }) => {
      await account(store);
      assert.deepEqual(await usage(store), { storage: 0, messages: 0, mailboxes: 6 });
      const q = await store.getAccountQuota('alice');
      assert.deepEqual(q.settings, { storage: null, messages: null, mailboxes: null });
      await rejectsWith(store.getAccountQuota('nobody'), 'NONEXISTENT');
    }));

  it('append, copy, move, replace and expunge keep the usage exact', () =>
    withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.append(alice, 'INBOX', [message('one'), message('two')]);
      const both = size('one') + size('two');
      assert.deepEqual(await usage(store), { storage: both, messages: 2, mailboxes: 6 });

      const inbox = await mailbox(store, alice, 'INBOX');
      await store.copy(alice, inbox.id, [asUid(1), asUid(2)], 'Archive');
      assert.deepEqual(await usage(store), { storage: 2 * both, messages: 4, mailboxes: 6 });

      await store.move(alice, inbox.id, [asUid(1)], 'Trash');
      assert.deepEqual(await usage(store), { storage: 2 * both, messages: 4, mailboxes: 6 });

      await store.replace(alice, inbox.id, asUid(2), 'INBOX', message('a much longer replacement'));
      const afterReplace = 2 * both - size('two') + size('a much longer replacement');
      assert.deepEqual(await usage(store), { storage: afterReplace, messages: 4, mailboxes: 6 });

      const trash = await mailbox(store, alice, 'Trash');
      await store.storeFlags(alice, trash.id, [asUid(1)], 'add', ['\\Deleted']);
      assert.deepEqual(await store.expunge(alice, trash.id), [asUid(1)]);
      assert.deepEqual(await usage(store), { storage: afterReplace - size('one'), messages: 3, mailboxes: 6 });
    }));

  it('creating, renaming and deleting mailboxes counts mailboxes and drops their messages', () =>
    withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.createMailbox(alice, 'a/b/c');
      assert.equal((await usage(store)).mailboxes, 9);
      await store.append(alice, 'a/b/c', [message('x'), message('y')]);
      await store.renameMailbox(alice, 'a/b/c', 'd/e');
      assert.deepEqual(await usage(store), { storage: size('x') + size('y'), messages: 2, mailboxes: 10 });
      await store.deleteMailbox(alice, 'd/e');
      assert.deepEqual(await usage(store), { storage: 0, messages: 0, mailboxes: 9 });

      // Renaming INBOX moves its messages into a new mailbox: one more mailbox, same messages.
      await store.append(alice, 'INBOX', [message('z')]);
      await store.renameMailbox(alice, 'INBOX', 'Old');
      assert.deepEqual(await usage(store), { storage: size('z'), messages: 1, mailboxes: 10 });
    }));

  it('usage is per account, and goes with a deleted account', () =>
    withStore(open, async ({ store }) => {
      const alice = await account(store);
      const bob = await account(store, 'bob');
      await store.append(alice, 'INBOX', [message('for alice')]);
      await store.append(bob, 'INBOX', [message('for bob'), message('again')]);
      assert.equal((await usage(store, 'alice')).messages, 1);
      assert.equal((await usage(store, 'bob')).messages, 2);
      await store.deleteAccount('alice');
      await rejectsWith(store.getAccountQuota('alice'), 'NONEXISTENT');
      const all = await store.listAccountQuotas();
      assert.deepEqual(
        all.map((q) => [q.account, q.usage.messages]),
        [['bob', 2]],
      );
      // A new account with the same name starts from nothing.
      await account(store);
      assert.deepEqual(await usage(store), { storage: 0, messages: 0, mailboxes: 6 });
    }));

  it('append calls its usage guard with the committed usage; a guard that throws stores nothing', () =>
    withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.append(alice, 'INBOX', [message('one')]);
      const seen: QuotaUsage[] = [];
      await store.append(alice, 'Archive', [message('two')], { guard: (u) => void seen.push({ ...u }) });
      assert.deepEqual(seen, [{ storage: size('one'), messages: 1, mailboxes: 6 }]);
      await rejectsWith(
        store.append(alice, 'INBOX', [message('three')], {
          guard: () => {
            throw new StoreError('OVERQUOTA', 'full');
          },
        }),
        'OVERQUOTA',
      );
      assert.deepEqual(await usage(store), { storage: size('one') + size('two'), messages: 2, mailboxes: 6 });
      assert.equal((await store.listMessages(alice, (await mailbox(store, alice, 'INBOX')).id)).length, 1);
      // TRYCREATE still wins over the guard for a missing mailbox.
      await rejectsWith(store.append(alice, 'Nope', [message('x')], { guard: () => undefined }), 'TRYCREATE');
    }));

  it('stores per-account settings: a limit, unlimited, or back to the default', () =>
    withStore(open, async ({ store }) => {
      await account(store);
      await store.setAccountQuota('alice', { storage: 1024, messages: 'unlimited' });
      assert.deepEqual((await store.getAccountQuota('alice')).settings, { storage: 1024, messages: 'unlimited', mailboxes: null });
      await store.setAccountQuota('alice', { storage: null, mailboxes: 0 });
      assert.deepEqual((await store.getAccountQuota('alice')).settings, { storage: null, messages: 'unlimited', mailboxes: 0 });
      await rejectsWith(store.setAccountQuota('nobody', { storage: 1 }), 'NONEXISTENT');
    }));

  it('reports the quota root of a mailbox with the stored limits (no policy without the domain layer)', () =>
    withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.append(alice, 'INBOX', [message('one')]);
      assert.deepEqual(await store.getQuotaRoots(alice, 'INBOX'), [{ root: 'alice', resources: [] }]);
      await store.setAccountQuota('alice', { messages: 10, storage: 5 });
      assert.deepEqual(await store.getQuotaRoot(alice, 'alice'), {
        root: 'alice',
        resources: [
          { resource: 'storage', usage: 1, limit: 5 },
          { resource: 'messages', usage: 1, limit: 10 },
        ],
      });
      await rejectsWith(store.getQuotaRoot(alice, 'bob'), 'NONEXISTENT');
      await rejectsWith(store.setQuotaRoot(alice, 'alice', []), 'NOPERM');
    }));
}
