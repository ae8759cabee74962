/**
 * Contract: mailboxes (create, delete, rename, names, UIDVALIDITY) and subscriptions.
 *
 * Invariants:
 * - RFC 9051 §6.3.4-§6.3.6 and §6.3.9 as refined by the doc comments of MailStore.
 * - UIDVALIDITY never repeats for a name that was deleted and re-created, and survives restarts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, mailbox, message, rejectsWith, sorted, withStore, type OpenStore } from './harness.js';

export function mailboxContract(open: OpenStore): void {
  test('createMailbox creates missing superiors; ALREADYEXISTS; INBOX is case-insensitive', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const created = await store.createMailbox(a, 'Work/Clients/Acme', '\\Flagged');
      assert.equal(created.name, 'Work/Clients/Acme');
      assert.equal(created.specialUse, '\\Flagged');
      assert.equal(created.uidNext, 1);
      const names = (await store.listMailboxes(a)).map((b) => b.name);
      assert.ok(names.includes('Work') && names.includes('Work/Clients') && names.includes('Work/Clients/Acme'));
      assert.equal((await mailbox(store, a, 'Work')).specialUse, null);
      await rejectsWith(store.createMailbox(a, 'Work/Clients/Acme'), 'ALREADYEXISTS');
      await rejectsWith(store.createMailbox(a, 'Work'), 'ALREADYEXISTS');
      await rejectsWith(store.createMailbox(a, 'INBOX'), 'ALREADYEXISTS');
      await rejectsWith(store.createMailbox(a, 'inbox'), 'ALREADYEXISTS');
      const inbox = await mailbox(store, a, 'InBoX');
      assert.equal(inbox.name, 'INBOX');
      // Names other than INBOX are exact.
      await store.createMailbox(a, 'work');
      assert.notEqual((await mailbox(store, a, 'work')).id, (await mailbox(store, a, 'Work')).id);
      assert.equal(await store.getMailbox(a, 'WORK'), null);
      const unicode = await store.createMailbox(a, 'Reçus/日本語 ✉');
      assert.equal((await mailbox(store, a, 'Reçus/日本語 ✉')).id, unicode.id);
    });
  });

  test('createMailbox rejects invalid names with CANNOT', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const bad = ['', '/', 'a//b', '/a', 'a/', 'a\r\nb', 'a\nb', 'nul\0x', 'star*', 'pct%', 'x'.repeat(1001)];
      for (const name of bad) await rejectsWith(store.createMailbox(a, name), 'CANNOT');
      const names = (await store.listMailboxes(a)).map((b) => b.name);
      assert.equal(names.length, 6);
    });
  });

  test('UIDVALIDITY is distinct per mailbox, changes on delete+recreate, survives reopen', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const x1 = await h.store.createMailbox(a, 'X');
      const y = await h.store.createMailbox(a, 'Y');
      const all = await h.store.listMailboxes(a);
      assert.equal(new Set(all.map((b) => b.uidValidity)).size, all.length);
      for (const b of all) assert.ok(Number.isInteger(b.uidValidity) && b.uidValidity > 0 && b.uidValidity <= 0xffffffff);
      await h.store.deleteMailbox(a, 'X');
      const x2 = await h.store.createMailbox(a, 'X');
      assert.notEqual(x2.uidValidity, x1.uidValidity);
      assert.notEqual(x2.id, x1.id);
      const store = await h.reopen();
      assert.equal((await mailbox(store, a, 'Y')).uidValidity, y.uidValidity);
      assert.equal((await mailbox(store, a, 'X')).uidValidity, x2.uidValidity);
      await store.deleteMailbox(a, 'X');
      const x3 = await store.createMailbox(a, 'X');
      assert.ok(![x1.uidValidity, x2.uidValidity, y.uidValidity].includes(x3.uidValidity));
    });
  });

  test('deleteMailbox: INBOX is CANNOT, missing is NONEXISTENT, inferiors give HASCHILDREN', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await rejectsWith(store.deleteMailbox(a, 'INBOX'), 'CANNOT');
      await rejectsWith(store.deleteMailbox(a, 'inbox'), 'CANNOT');
      await rejectsWith(store.deleteMailbox(a, 'Nope'), 'NONEXISTENT');
      await store.createMailbox(a, 'P/Q');
      await rejectsWith(store.deleteMailbox(a, 'P'), 'HASCHILDREN');
      const q = await mailbox(store, a, 'P/Q');
      await store.append(a, 'P/Q', [message('q1'), message('q2')]);
      await store.deleteMailbox(a, 'P/Q');
      assert.equal(await store.getMailbox(a, 'P/Q'), null);
      await rejectsWith(store.listMessages(a, q.id), 'NONEXISTENT');
      await store.deleteMailbox(a, 'P');
      assert.equal(await store.getMailbox(a, 'P'), null);
      const q2 = await store.createMailbox(a, 'P/Q');
      assert.equal(q2.uidNext, 1);
      assert.deepEqual(await store.listMessages(a, q2.id), []);
    });
  });

  test('renameMailbox moves inferiors, keeps ids, UIDVALIDITY and messages, moves subscriptions', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const top = await store.createMailbox(a, 'a');
      const child = await store.createMailbox(a, 'a/b/c');
      const mid = await mailbox(store, a, 'a/b');
      await store.createMailbox(a, 'ab');
      const app = await store.append(a, 'a/b/c', [message('m1', ['\\Seen']), message('m2')]);
      await store.setSubscribed(a, 'a/b', true);
      await store.setSubscribed(a, 'a/ghost', true);
      await store.setSubscribed(a, 'ab', true);
      await store.renameMailbox(a, 'a', 'x/y');
      const names = (await store.listMailboxes(a)).map((b) => b.name);
      for (const gone of ['a', 'a/b', 'a/b/c']) assert.ok(!names.includes(gone), gone);
      for (const here of ['x', 'x/y', 'x/y/b', 'x/y/b/c', 'ab']) assert.ok(names.includes(here), here);
      const moved = await mailbox(store, a, 'x/y');
      assert.equal(moved.id, top.id);
      assert.equal(moved.uidValidity, top.uidValidity);
      assert.equal((await mailbox(store, a, 'x/y/b')).id, mid.id);
      const c = await mailbox(store, a, 'x/y/b/c');
      assert.equal(c.id, child.id);
      assert.equal(c.uidValidity, child.uidValidity);
      const msgs = await store.listMessages(a, c.id);
      assert.deepEqual(
        msgs.map((m) => m.uid),
        app.uids,
      );
      assert.deepEqual(msgs[0].flags, ['\\Seen']);
      const subs = await store.listSubscriptions(a);
      assert.ok(subs.includes('x/y/b') && subs.includes('x/y/ghost') && subs.includes('ab'));
      assert.ok(!subs.includes('a/b') && !subs.includes('a/ghost'));
    });
  });

  test('renameMailbox errors: NONEXISTENT, ALREADYEXISTS, CANNOT', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.createMailbox(a, 'a/b');
      await store.createMailbox(a, 'z');
      await rejectsWith(store.renameMailbox(a, 'missing', 'q'), 'NONEXISTENT');
      await rejectsWith(store.renameMailbox(a, 'a', 'z'), 'ALREADYEXISTS');
      await rejectsWith(store.renameMailbox(a, 'a', 'INBOX'), 'ALREADYEXISTS');
      await rejectsWith(store.renameMailbox(a, 'a', 'a'), 'ALREADYEXISTS');
      await rejectsWith(store.renameMailbox(a, 'a', 'a/b/c'), 'CANNOT');
      await rejectsWith(store.renameMailbox(a, 'a', 'a/new'), 'CANNOT');
      await rejectsWith(store.renameMailbox(a, 'a', 'bad//name'), 'CANNOT');
      assert.ok(await store.getMailbox(a, 'a/b'));
      assert.equal(await store.getMailbox(a, 'a/b/c'), null);
    });
  });

  test('renaming INBOX moves its messages to the new mailbox and leaves INBOX empty', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.createMailbox(a, 'INBOX/child');
      const inbox0 = await mailbox(store, a, 'INBOX');
      const app = await store.append(a, 'INBOX', [message('i1', ['\\Flagged']), message('i2'), message('i3')]);
      await store.renameMailbox(a, 'inbox', 'Old/Mail');
      const inbox = await mailbox(store, a, 'INBOX');
      assert.equal(inbox.id, inbox0.id);
      assert.equal(inbox.uidValidity, inbox0.uidValidity);
      assert.deepEqual(await store.listMessages(a, inbox.id), []);
      assert.ok(inbox.uidNext >= 4, 'INBOX UIDs are not reused');
      assert.ok(await store.getMailbox(a, 'INBOX/child'), 'inferiors of INBOX stay');
      assert.ok(await store.getMailbox(a, 'Old'));
      const old = await mailbox(store, a, 'Old/Mail');
      assert.notEqual(old.uidValidity, inbox.uidValidity);
      const moved = await store.listMessages(a, old.id);
      assert.equal(moved.length, 3);
      assert.deepEqual(moved[0].flags, ['\\Flagged']);
      assert.equal((await store.readBlob(a, moved[2].blobId)).toString(), message('i3').content.toString());
      const ch = await store.changesSince(a, inbox.id, app.modseq);
      assert.deepEqual(ch.expunged, app.uids);
      // INBOX may also be renamed below itself, since its inferiors do not move.
      await store.append(a, 'INBOX', [message('i4')]);
      await store.renameMailbox(a, 'INBOX', 'INBOX/old');
      assert.equal((await store.listMessages(a, (await mailbox(store, a, 'INBOX/old')).id)).length, 1);
    });
  });

  test('subscriptions are names: missing mailboxes allowed, kept on delete, idempotent', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      await store.setSubscribed(a, 'Ghost/Box', true);
      await store.setSubscribed(a, 'Ghost/Box', true);
      await store.setSubscribed(a, 'Trash', false);
      await store.setSubscribed(a, 'Trash', false);
      await store.setSubscribed(a, 'inbox', true);
      let subs = await store.listSubscriptions(a);
      assert.deepEqual(sorted(subs), ['Archive', 'Drafts', 'Ghost/Box', 'INBOX', 'Junk', 'Sent']);
      await store.createMailbox(a, 'Temp');
      await store.setSubscribed(a, 'Temp', true);
      await store.deleteMailbox(a, 'Temp');
      subs = await store.listSubscriptions(a);
      assert.ok(subs.includes('Temp'), 'DELETE does not unsubscribe (RFC 9051 §6.3.9)');
      assert.ok(!(await store.listSubscriptions(b)).includes('Ghost/Box'));
      await rejectsWith(store.setSubscribed(a, 'bad//name', true), 'CANNOT');
    });
  });
}
