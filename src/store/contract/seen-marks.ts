/**
 * Contract: seen marks, a reader's private \Seen on another account's messages (decision 0019;
 * MailStore.seenMarks, storeSeenMarks, countSeenMarks).
 *
 * Invariants:
 * - A mark change is a change of the message: one new modseq for the changed messages only,
 *   HIGHESTMODSEQ raised and a 'mailbox' event, like storeFlags (RFC 7162 §3.1.4 example 14).
 * - UNCHANGEDSINCE as storeFlags (RFC 7162 §3.1.3, §3.1.12).
 * - Marks go with the message (expunge, move), the mailbox and the reader's account.
 * - The message's own flags are never touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asModSeq, asUid, type Uid } from '../types.js';
import { account, mailbox, message, recordEvents, rejectsWith, withStore, type OpenStore } from './harness.js';

const uids = (...n: number[]): Uid[] => n.map(asUid);

export function seenMarksContract(open: OpenStore): void {
  test('storeSeenMarks marks and unmarks for one reader, with one new modseq and an event; flags untouched', async () => {
    await withStore(open, async ({ store, bus }) => {
      const owner = await account(store, 'bob');
      const reader = await account(store, 'alice');
      const other = await account(store, 'carol');
      await store.append(owner, 'INBOX', [message('one', ['\\Seen']), message('two'), message('three')]);
      const box = await mailbox(store, owner, 'INBOX');
      const rec = recordEvents(bus, owner);
      const r = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(2, 3, 9), true);
      rec.stop();
      assert.deepEqual(r.modified, []);
      assert.deepEqual(r.updated.map((u) => [u.uid, u.seen]), [[2, true], [3, true]]);
      const modseq = r.updated[0]!.modseq;
      assert.ok(modseq > box.highestModSeq);
      assert.ok(r.updated.every((u) => u.modseq === modseq));
      assert.equal((await mailbox(store, owner, 'INBOX')).highestModSeq, modseq);
      assert.ok(rec.events.some((e) => e.type === 'mailbox' && e.mailboxId === box.id && e.highestModSeq === modseq));
      const rows = await store.listMessages(owner, box.id);
      assert.deepEqual(rows.map((m) => [m.uid, m.modseq === modseq, m.flags]), [[1, false, ['\\Seen']], [2, true, []], [3, true, []]]);
      assert.deepEqual(await store.seenMarks(owner, box.id, reader.accountId), [2, 3]);
      assert.deepEqual(await store.seenMarks(owner, box.id, reader.accountId, uids(1, 3)), [3]);
      assert.deepEqual(await store.seenMarks(owner, box.id, other.accountId), []);
      assert.equal(await store.countSeenMarks(owner, box.id, reader.accountId), 2);
      // Already in the requested state: nothing changes, no modseq.
      const again = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(2), true);
      assert.deepEqual(again, { updated: [], modified: [] });
      const off = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(2), false);
      assert.deepEqual(off.updated.map((u) => [u.uid, u.seen]), [[2, false]]);
      assert.ok(off.updated[0]!.modseq > modseq);
      assert.equal(await store.countSeenMarks(owner, box.id, reader.accountId), 1);
    });
  });

  test('storeSeenMarks unchangedSince: newer messages are left alone and listed, as storeFlags does', async () => {
    await withStore(open, async ({ store }) => {
      const owner = await account(store, 'bob');
      const reader = await account(store, 'alice');
      const r0 = await store.append(owner, 'INBOX', [message('one'), message('two')]);
      const box = await mailbox(store, owner, 'INBOX');
      await store.storeFlags(owner, box.id, uids(2), 'add', ['\\Flagged']);
      const r = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(1, 2), true, { unchangedSince: asModSeq(r0.modseq) });
      assert.deepEqual(r.updated.map((u) => u.uid), [1]);
      assert.deepEqual(r.modified, [2]);
      // §3.1.12: already seen and not replacing: not MODIFIED; replacing (STORE FLAGS): MODIFIED.
      const same = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(1), true, { unchangedSince: asModSeq(r0.modseq) });
      assert.deepEqual(same, { updated: [], modified: [] });
      const replace = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(1), true, { unchangedSince: asModSeq(r0.modseq), replace: true });
      assert.deepEqual(replace, { updated: [], modified: [1] });
      const zero = await store.storeSeenMarks(owner, box.id, reader.accountId, uids(1), true, { unchangedSince: asModSeq(0) });
      assert.deepEqual(zero.modified, [1]);
    });
  });

  test('marks go with their message, their mailbox and the reader; a mailbox of another account is NONEXISTENT', async () => {
    await withStore(open, async ({ store }) => {
      const owner = await account(store, 'bob');
      const reader = await account(store, 'alice');
      await store.createMailbox(owner, 'Team');
      await store.append(owner, 'Team', [message('one', ['\\Deleted']), message('two'), message('three')]);
      const team = await mailbox(store, owner, 'Team');
      await store.storeSeenMarks(owner, team.id, reader.accountId, uids(1, 2, 3), true);
      await store.expunge(owner, team.id);
      assert.deepEqual(await store.seenMarks(owner, team.id, reader.accountId), [2, 3]);
      await store.move(owner, team.id, uids(2), 'INBOX');
      assert.deepEqual(await store.seenMarks(owner, team.id, reader.accountId), [3]);
      assert.deepEqual(await store.seenMarks(owner, (await mailbox(store, owner, 'INBOX')).id, reader.accountId), []);
      await rejectsWith(store.seenMarks(reader, team.id, reader.accountId), 'NONEXISTENT');
      await rejectsWith(store.storeSeenMarks(reader, team.id, reader.accountId, uids(3), false), 'NONEXISTENT');
      await rejectsWith(store.countSeenMarks(reader, team.id, reader.accountId), 'NONEXISTENT');
      await store.deleteAccount('alice');
      const carol = await account(store, 'carol');
      assert.equal(await store.countSeenMarks(owner, team.id, reader.accountId), 0);
      assert.equal(await store.countSeenMarks(owner, team.id, carol.accountId), 0);
      await store.deleteMailbox(owner, 'Team');
      await rejectsWith(store.seenMarks(owner, team.id, carol.accountId), 'NONEXISTENT');
    });
  });
}
