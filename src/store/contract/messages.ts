/**
 * Contract: append, listing, flags, modseq/changesSince, expunge-history pruning, counts and \Recent.
 *
 * Invariants:
 * - UIDs strictly increase and are never reused (RFC 9051 §2.3.1.1), also across restarts.
 * - Every change takes a modseq above the mailbox's previous highest; only changed messages
 *   get it (RFC 7162 §3.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asModSeq, asUid, type Uid } from '../types.js';
import { account, flagSet, INTERNAL_DATE, mailbox, message, rejectsWith, withStore, type OpenStore } from './harness.js';

export function messageContract(open: OpenStore): void {
  test('append assigns consecutive UIDs and one new modseq; rows and content read back', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const before = await mailbox(store, a, 'INBOX');
      const msgs = [message('one', ['\\Seen']), message('two', [], INTERNAL_DATE + 1000), message('three')];
      const r = await store.append(a, 'INBOX', msgs);
      assert.equal(r.uidValidity, before.uidValidity);
      assert.deepEqual(r.uids, [1, 2, 3]);
      assert.ok(r.modseq > before.highestModSeq);
      const after = await mailbox(store, a, 'INBOX');
      assert.equal(after.uidNext, 4);
      assert.equal(after.highestModSeq, r.modseq);
      const rows = await store.listMessages(a, after.id);
      assert.deepEqual(
        rows.map((m) => [m.uid, m.modseq, m.size, m.internalDate]),
        msgs.map((m, i) => [i + 1, r.modseq, m.content.length, m.internalDate]),
      );
      assert.deepEqual(rows[0].flags, ['\\Seen']);
      assert.deepEqual(rows[1].flags, []);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await store.readBlob(a, rows[i].blobId), msgs[i].content);
      }
      const content = msgs[0].content;
      assert.deepEqual(await store.readBlob(a, rows[0].blobId, 6, 20), content.subarray(6, 20));
      assert.deepEqual(await store.readBlob(a, rows[0].blobId, 10), content.subarray(10));
      assert.deepEqual(await store.readBlob(a, rows[0].blobId, 0, 1e9), content);
      const meta = await store.readMeta(a, [rows[0].blobId, rows[2].blobId]);
      assert.equal(meta.get(rows[0].blobId), 'meta:one');
      assert.equal(meta.get(rows[2].blobId), 'meta:three');
      assert.equal(meta.size, 2);
    });
  });

  test('append normalises flags: system flags canonical, keywords case kept and deduplicated, no \\Recent', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const flags = ['\\seen', '\\SEEN', '\\recent', '\\Recent', '$Label1', '$label1', 'Old', '\\dElEtEd', '\\answered', '\\flagged', '\\draft'];
      const r = await store.append(a, 'INBOX', [message('f', flags)]);
      const [row] = await store.getMessages(a, (await mailbox(store, a, 'INBOX')).id, r.uids);
      assert.deepEqual(
        [...row.flags].sort(),
        ['$Label1', 'Old', '\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'].sort(),
      );
    });
  });

  test('append is all-or-none; missing mailbox is TRYCREATE; empty batch changes nothing', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const inbox = await mailbox(store, a, 'INBOX');
      await rejectsWith(store.append(a, 'Nope', [message('x')]), 'TRYCREATE');
      await assert.rejects(store.append(a, 'INBOX', [message('ok1'), message('bad', ['bad flag']), message('ok2')]));
      const after = await mailbox(store, a, 'INBOX');
      assert.equal(after.uidNext, inbox.uidNext);
      assert.equal(after.highestModSeq, inbox.highestModSeq);
      assert.deepEqual(await store.listMessages(a, inbox.id), []);
      const empty = await store.append(a, 'INBOX', []);
      assert.deepEqual(empty.uids, []);
      assert.equal((await mailbox(store, a, 'INBOX')).highestModSeq, inbox.highestModSeq);
      const ok = await store.append(a, 'inbox', [message('fine')]);
      assert.deepEqual(ok.uids, [1]);
    });
  });

  test('UIDs are never reused: after expunging the highest, and across reopen', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const r1 = await h.store.append(a, 'INBOX', [message('1'), message('2'), message('3')]);
      const inbox = await mailbox(h.store, a, 'INBOX');
      await h.store.storeFlags(a, inbox.id, [asUid(3)], 'add', ['\\Deleted']);
      assert.deepEqual(await h.store.expunge(a, inbox.id), [3]);
      const r2 = await h.store.append(a, 'INBOX', [message('4')]);
      assert.deepEqual(r2.uids, [4]);
      await h.store.storeFlags(a, inbox.id, [asUid(4)], 'add', ['\\Deleted']);
      await h.store.expunge(a, inbox.id);
      const store = await h.reopen();
      const again = await mailbox(store, a, 'INBOX');
      assert.equal(again.uidNext, 5);
      assert.equal(again.uidValidity, inbox.uidValidity);
      const r3 = await store.append(a, 'INBOX', [message('5')]);
      assert.deepEqual(r3.uids, [5]);
      const rows = await store.listMessages(a, inbox.id);
      assert.deepEqual(
        rows.map((m) => m.uid),
        [1, 2, 5],
      );
      assert.deepEqual(await store.readBlob(a, rows[0].blobId), message('1').content);
      assert.equal(r1.uids.length, 3);
    });
  });

  test('getMessages returns the existing UIDs in ascending order', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [message('1'), message('2'), message('3'), message('4')]);
      const id = (await mailbox(store, a, 'INBOX')).id;
      const rows = await store.getMessages(a, id, [4, 99, 2, 2].map(asUid));
      assert.deepEqual(
        rows.map((m) => m.uid),
        [2, 4],
      );
      assert.deepEqual(await store.getMessages(a, id, []), []);
    });
  });

  test('storeFlags add/remove/set: only real changes get a new modseq', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const r = await store.append(a, 'INBOX', [message('1', ['\\Seen']), message('2'), message('3', ['Work'])]);
      const id = (await mailbox(store, a, 'INBOX')).id;
      const all = r.uids;
      const add = await store.storeFlags(a, id, all, 'add', ['\\seen']);
      assert.deepEqual(
        add.updated.map((u) => u.uid),
        [2, 3],
      );
      assert.deepEqual(add.modified, []);
      const m1 = add.updated[0].modseq;
      assert.ok(m1 > r.modseq);
      assert.ok(add.updated.every((u) => u.modseq === m1));
      assert.deepEqual(flagSet(add.updated[1].flags), flagSet(['Work', '\\Seen']));
      assert.equal((await mailbox(store, a, 'INBOX')).highestModSeq, m1);

      const noop = await store.storeFlags(a, id, all, 'add', ['\\Seen']);
      assert.deepEqual(noop.updated, []);
      assert.equal((await mailbox(store, a, 'INBOX')).highestModSeq, m1);

      const rem = await store.storeFlags(a, id, all, 'remove', ['work', '\\Deleted']);
      assert.deepEqual(
        rem.updated.map((u) => [u.uid, u.flags]),
        [[3, ['\\Seen']]],
      );
      assert.ok(rem.updated[0].modseq > m1);

      const set = await store.storeFlags(a, id, all, 'set', ['\\Flagged', 'Work']);
      assert.equal(set.updated.length, 3);
      const rows = await store.listMessages(a, id);
      for (const row of rows) assert.deepEqual(flagSet(row.flags), flagSet(['\\Flagged', 'Work']));
      const setSame = await store.storeFlags(a, id, all, 'set', ['work', '\\FLAGGED', '\\Recent']);
      assert.deepEqual(setSame.updated, []);
      const clear = await store.storeFlags(a, id, [asUid(1), asUid(77)], 'set', []);
      assert.deepEqual(
        clear.updated.map((u) => [u.uid, u.flags]),
        [[1, []]],
      );
      const [one] = await store.getMessages(a, id, [asUid(1)]);
      assert.deepEqual(one.flags, []);
      assert.equal(one.modseq, clear.updated[0].modseq);
    });
  });

  test('storeFlags unchangedSince leaves newer messages alone and lists them as modified', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const r = await store.append(a, 'INBOX', [message('1'), message('2'), message('3')]);
      const id = (await mailbox(store, a, 'INBOX')).id;
      const bump = await store.storeFlags(a, id, [asUid(2)], 'add', ['$X']);
      const m2 = bump.updated[0].modseq;
      const res = await store.storeFlags(a, id, r.uids, 'add', ['\\Seen'], r.modseq);
      assert.deepEqual(res.modified, [2]);
      assert.deepEqual(
        res.updated.map((u) => u.uid),
        [1, 3],
      );
      const [two] = await store.getMessages(a, id, [asUid(2)]);
      assert.deepEqual(two.flags, ['$X']);
      assert.equal(two.modseq, m2);
      // unchangedSince equal to the message's modseq allows the change.
      const eq = await store.storeFlags(a, id, [asUid(2)], 'add', ['\\Seen'], m2);
      assert.deepEqual(
        eq.updated.map((u) => u.uid),
        [2],
      );
      const zero = await store.storeFlags(a, id, r.uids, 'remove', ['\\Seen'], asModSeq(0));
      assert.deepEqual(zero.modified, [1, 2, 3]);
      assert.deepEqual(zero.updated, []);
    });
  });

  test('storeFlags unchangedSince: +/- flags already in the requested state are not MODIFIED (RFC 7162 §3.1.12)', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const r = await store.append(a, 'INBOX', [message('1', ['$P']), message('2')]);
      const id = (await mailbox(store, a, 'INBOX')).id;
      // Another client changes an unrelated flag on both: their modseqs pass unchangedSince.
      const other = await store.storeFlags(a, id, r.uids, 'add', ['\\Deleted']);
      const after = other.updated[0].modseq;
      // +FLAGS $P: message 1 has it already (no conflict, no change), message 2 does not.
      const add = await store.storeFlags(a, id, r.uids, 'add', ['$P'], r.modseq);
      assert.deepEqual(add.modified, [2]);
      assert.deepEqual(add.updated, []);
      // -FLAGS $Q: neither has it.
      const remove = await store.storeFlags(a, id, r.uids, 'remove', ['$Q'], r.modseq);
      assert.deepEqual(remove.modified, []);
      assert.deepEqual(remove.updated, []);
      // FLAGS (replace) gets no such optimisation (§3.1.12), even when nothing would change.
      const set = await store.storeFlags(a, id, [asUid(1)], 'set', ['$P', '\\Deleted'], r.modseq);
      assert.deepEqual(set.modified, [1]);
      const rows = await store.getMessages(a, id, r.uids);
      assert.deepEqual(rows.map((x) => x.modseq), [after, after]);
    });
  });

  test('pruneExpungeHistory drops only records older than the cutoff and records the floor', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const inbox = await mailbox(store, a, 'INBOX');
      const other = await mailbox(store, a, 'Drafts');
      const m0 = inbox.highestModSeq;
      await store.append(a, 'INBOX', [message('1', ['\\Deleted']), message('2'), message('3', ['\\Deleted'])]);
      await store.append(a, 'Drafts', [message('d1')]);
      assert.deepEqual(await store.expunge(a, inbox.id), [1, 3]);
      const e1 = (await mailbox(store, a, 'INBOX')).highestModSeq;
      let ch = await store.changesSince(a, inbox.id, m0);
      assert.deepEqual([ch.expunged, ch.expungedComplete], [[1, 3], true]);

      // A cutoff in the past keeps recent records (nothing is older than it).
      assert.equal(await store.pruneExpungeHistory(Date.now() - 60_000), 0);
      ch = await store.changesSince(a, inbox.id, m0);
      assert.deepEqual([ch.expunged, ch.expungedComplete], [[1, 3], true]);

      // A cutoff in the future drops them; the floor is the highest modseq dropped.
      assert.equal(await store.pruneExpungeHistory(Date.now() + 60_000), 2);
      ch = await store.changesSince(a, inbox.id, m0);
      assert.deepEqual([ch.expunged, ch.expungedComplete], [[], false]);
      ch = await store.changesSince(a, inbox.id, asModSeq(e1 - 1));
      assert.equal(ch.expungedComplete, false);
      ch = await store.changesSince(a, inbox.id, e1);
      assert.deepEqual([ch.expunged, ch.expungedComplete], [[], true]);
      // Another mailbox without pruned history stays complete for any since.
      assert.equal((await store.changesSince(a, other.id, asModSeq(0))).expungedComplete, true);

      // Later expunges are remembered again above the floor; a later prune never lowers it.
      await store.storeFlags(a, inbox.id, [asUid(2)], 'add', ['\\Deleted']);
      assert.deepEqual(await store.expunge(a, inbox.id), [2]);
      ch = await store.changesSince(a, inbox.id, e1);
      assert.deepEqual([ch.expunged, ch.expungedComplete], [[2], true]);
      assert.equal(await store.pruneExpungeHistory(0), 0);
      assert.equal((await store.changesSince(a, inbox.id, m0)).expungedComplete, false);
    });
  });

  test('changesSince reports appends, flag changes and expunges above a modseq', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const inbox = await mailbox(store, a, 'INBOX');
      const m0 = inbox.highestModSeq;
      const r = await store.append(a, 'INBOX', [message('1'), message('2'), message('3'), message('4')]);
      let ch = await store.changesSince(a, inbox.id, m0);
      assert.deepEqual(
        ch.changed.map((m) => m.uid),
        [1, 2, 3, 4],
      );
      assert.deepEqual(ch.expunged, []);
      assert.equal(ch.highestModSeq, r.modseq);
      assert.equal(ch.uidNext, 5);
      const f = await store.storeFlags(a, inbox.id, [asUid(3), asUid(1)], 'add', ['\\Deleted']);
      const mF = f.updated[0].modseq;
      ch = await store.changesSince(a, inbox.id, r.modseq);
      assert.deepEqual(
        ch.changed.map((m) => [m.uid, m.modseq]),
        [
          [1, mF],
          [3, mF],
        ],
      );
      const gone = await store.expunge(a, inbox.id);
      assert.deepEqual(gone, [1, 3]);
      ch = await store.changesSince(a, inbox.id, mF);
      assert.deepEqual(ch.changed, []);
      assert.deepEqual(ch.expunged, [1, 3]);
      assert.ok(ch.highestModSeq > mF);
      ch = await store.changesSince(a, inbox.id, r.modseq);
      assert.deepEqual(ch.expunged, [1, 3]);
      assert.deepEqual(ch.changed, []);
      ch = await store.changesSince(a, inbox.id, ch.highestModSeq);
      assert.deepEqual([ch.changed, ch.expunged], [[], []]);
      ch = await store.changesSince(a, inbox.id, m0);
      assert.deepEqual(
        ch.changed.map((m) => m.uid),
        [2, 4],
      );
    });
  });

  test('counts and claimRecent', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const id = (await mailbox(store, a, 'INBOX')).id;
      assert.deepEqual(await store.counts(a, id), { messages: 0, unseen: 0, deleted: 0, size: 0, deletedSize: 0, recent: 0 });
      const msgs = [message('1', ['\\Seen']), message('2', ['\\Deleted']), message('3', ['\\Seen', '\\Deleted'])];
      await store.append(a, 'INBOX', msgs);
      const size = msgs.reduce((s, m) => s + m.content.length, 0);
      // DELETED-STORAGE (RFC 9208 §4.1.4): the sizes of the \Deleted messages.
      const deletedSize = msgs[1].content.length + msgs[2].content.length;
      assert.deepEqual(await store.counts(a, id), { messages: 3, unseen: 1, deleted: 2, size, deletedSize, recent: 3 });
      const c1 = await store.claimRecent(a, id);
      assert.deepEqual(c1, { from: 1, to: 4 });
      assert.equal((await store.counts(a, id)).recent, 0);
      const c2 = await store.claimRecent(a, id);
      assert.deepEqual(c2, { from: 4, to: 4 });
      await store.append(a, 'INBOX', [message('4')]);
      assert.equal((await store.counts(a, id)).recent, 1);
      assert.deepEqual(await store.claimRecent(a, id), { from: 4, to: 5 });
      await store.expunge(a, id);
      assert.deepEqual(await store.counts(a, id), {
        messages: 2,
        unseen: 1,
        deleted: 0,
        size: msgs[0].content.length + message('4').content.length,
        deletedSize: 0,
        recent: 0,
      });
    });
  });

  test('operations on a mailbox of another account (or a missing id) are NONEXISTENT', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      await store.append(a, 'INBOX', [message('secret')]);
      const id = (await mailbox(store, a, 'INBOX')).id;
      const [row] = await store.listMessages(a, id);
      const one: Uid[] = [asUid(1)];
      for (const mid of [id, 987654]) {
        await rejectsWith(store.listMessages(b, mid), 'NONEXISTENT');
        await rejectsWith(store.getMessages(b, mid, one), 'NONEXISTENT');
        await rejectsWith(store.changesSince(b, mid, asModSeq(0)), 'NONEXISTENT');
        await rejectsWith(store.storeFlags(b, mid, one, 'add', ['\\Seen']), 'NONEXISTENT');
        await rejectsWith(store.copy(b, mid, one, 'INBOX'), 'NONEXISTENT');
        await rejectsWith(store.move(b, mid, one, 'INBOX'), 'NONEXISTENT');
        await rejectsWith(store.expunge(b, mid), 'NONEXISTENT');
        await rejectsWith(store.counts(b, mid), 'NONEXISTENT');
        await rejectsWith(store.claimRecent(b, mid), 'NONEXISTENT');
      }
      await rejectsWith(store.readBlob(b, row.blobId), 'NONEXISTENT');
      assert.equal((await store.readMeta(b, [row.blobId])).size, 0);
      assert.deepEqual(await store.readBlob(a, row.blobId), message('secret').content);
    });
  });
}
