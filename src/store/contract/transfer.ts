/**
 * Contract: COPY, MOVE, EXPUNGE, change events, and persistence across a restart.
 *
 * Invariants:
 * - COPY/MOVE map source UIDs in ascending order to new destination UIDs, copy flags and
 *   content (RFC 9051 §6.4.7, RFC 6851); a missing destination is TRYCREATE and changes nothing.
 * - The save date (RFC 8514 §3) is the time of the append/copy/move that put the message in its
 *   mailbox: never the INTERNALDATE, never the source's, and flag changes leave it alone.
 * - Every mutation publishes its event before its promise resolves; reads publish nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asModSeq, asUid, type ChangeEvent } from '../types.js';
import { account, flagSet, INTERNAL_DATE, mailbox, message, recordEvents, rejectsWith, withStore, type OpenStore } from './harness.js';

/** Resolves once the clock has moved past `t`, so later timestamps are distinguishable. */
async function after(t: number): Promise<void> {
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 2));
}

export function transferContract(open: OpenStore): void {
  test('copy maps UIDs in source order, copies flags and content, bumps the destination modseq', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const r = await store.append(a, 'INBOX', [message('1', ['\\Seen', 'Work']), message('2'), message('3', ['\\Flagged'])]);
      const inbox = await mailbox(store, a, 'INBOX');
      await store.append(a, 'Archive', [message('pre-existing')]);
      const arch0 = await mailbox(store, a, 'Archive');
      const res = await store.copy(a, inbox.id, [3, 1, 42].map(asUid), 'Archive');
      assert.equal(res.uidValidity, arch0.uidValidity);
      assert.deepEqual(res.sourceUids, [1, 3]);
      assert.deepEqual(res.destUids, [2, 3]);
      const arch = await mailbox(store, a, 'Archive');
      assert.equal(arch.uidNext, 4);
      assert.ok(arch.highestModSeq > arch0.highestModSeq);
      const dest = await store.getMessages(a, arch.id, res.destUids);
      const src = await store.getMessages(a, inbox.id, res.sourceUids);
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(flagSet(dest[i].flags), flagSet(src[i].flags));
        assert.equal(dest[i].internalDate, src[i].internalDate);
        assert.equal(dest[i].size, src[i].size);
        assert.equal(dest[i].modseq, arch.highestModSeq);
        assert.deepEqual(await store.readBlob(a, dest[i].blobId), await store.readBlob(a, src[i].blobId));
      }
      // The source is untouched.
      assert.deepEqual(await store.listMessages(a, inbox.id), await store.getMessages(a, inbox.id, r.uids));
      assert.equal((await mailbox(store, a, 'INBOX')).highestModSeq, inbox.highestModSeq);
      const none = await store.copy(a, inbox.id, [asUid(99)], 'Archive');
      assert.deepEqual([none.sourceUids, none.destUids], [[], []]);
      const self = await store.copy(a, inbox.id, [asUid(2)], 'INBOX');
      assert.deepEqual(self.destUids, [4]);
    });
  });

  test('save date: append sets now; copy and move give the copy the transfer time; flags keep it', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const t0 = Date.now();
      const r = await store.append(a, 'INBOX', [message('1'), message('2')]);
      const t1 = Date.now();
      const inbox = await mailbox(store, a, 'INBOX');
      const appended = await store.getMessages(a, inbox.id, r.uids);
      for (const m of appended) {
        assert.ok(m.savedAt >= t0 && m.savedAt <= t1, `savedAt ${m.savedAt} not in [${t0}, ${t1}]`);
        assert.equal(m.internalDate, INTERNAL_DATE);
      }
      await after(t1);
      await store.storeFlags(a, inbox.id, r.uids, 'add', ['\\Seen', 'Tag']);
      await store.storeFlags(a, inbox.id, r.uids, 'remove', ['Tag']);
      assert.deepEqual(
        (await store.listMessages(a, inbox.id)).map((m) => m.savedAt),
        appended.map((m) => m.savedAt),
      );
      const t2 = Date.now();
      const copied = await store.copy(a, inbox.id, [r.uids[0]!], 'Archive');
      const t3 = Date.now();
      const arch = await mailbox(store, a, 'Archive');
      const [copy] = await store.getMessages(a, arch.id, copied.destUids);
      assert.ok(copy!.savedAt >= t2 && copy!.savedAt <= t3, `copy savedAt ${copy!.savedAt} not in [${t2}, ${t3}]`);
      assert.ok(copy!.savedAt > appended[0]!.savedAt);
      assert.equal(copy!.internalDate, INTERNAL_DATE);
      // The source keeps its own save date.
      assert.equal((await store.getMessages(a, inbox.id, [r.uids[0]!]))[0]!.savedAt, appended[0]!.savedAt);
      await after(t3);
      const t4 = Date.now();
      const moved = await store.move(a, inbox.id, [r.uids[1]!], 'Trash');
      const t5 = Date.now();
      const trash = await mailbox(store, a, 'Trash');
      const [dest] = await store.getMessages(a, trash.id, moved.destUids);
      assert.ok(dest!.savedAt >= t4 && dest!.savedAt <= t5, `move savedAt ${dest!.savedAt} not in [${t4}, ${t5}]`);
      assert.ok(dest!.savedAt > copy!.savedAt);
      await store.storeFlags(a, trash.id, moved.destUids, 'add', ['\\Flagged']);
      assert.equal((await store.getMessages(a, trash.id, moved.destUids))[0]!.savedAt, dest!.savedAt);
    });
  });

  test('copy and move to a missing mailbox are TRYCREATE and change nothing', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [message('1')]);
      const inbox = await mailbox(store, a, 'INBOX');
      await rejectsWith(store.copy(a, inbox.id, [asUid(1)], 'Nope'), 'TRYCREATE');
      await rejectsWith(store.move(a, inbox.id, [asUid(1)], 'Nope/Deeper'), 'TRYCREATE');
      const after = await mailbox(store, a, 'INBOX');
      assert.equal(after.highestModSeq, inbox.highestModSeq);
      assert.equal((await store.listMessages(a, inbox.id)).length, 1);
    });
  });

  test('move copies and expunges from the source atomically, with expunge history', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const r = await store.append(a, 'INBOX', [message('1'), message('2', ['\\Answered']), message('3'), message('4')]);
      const inbox = await mailbox(store, a, 'INBOX');
      const res = await store.move(a, inbox.id, [asUid(4), asUid(2)], 'Trash');
      assert.deepEqual(res.sourceUids, [2, 4]);
      assert.deepEqual(res.destUids, [1, 2]);
      const trash = await mailbox(store, a, 'Trash');
      assert.equal(res.uidValidity, trash.uidValidity);
      const moved = await store.listMessages(a, trash.id);
      assert.deepEqual(moved[0].flags, ['\\Answered']);
      assert.deepEqual(await store.readBlob(a, moved[1].blobId), message('4').content);
      assert.deepEqual(
        (await store.listMessages(a, inbox.id)).map((m) => m.uid),
        [1, 3],
      );
      const ch = await store.changesSince(a, inbox.id, r.modseq);
      assert.deepEqual(ch.expunged, [2, 4]);
      assert.deepEqual(ch.changed, []);
      const again = await store.move(a, inbox.id, [asUid(2)], 'Trash');
      assert.deepEqual([again.sourceUids, again.destUids], [[], []]);
    });
  });

  test('replace (RFC 8508) appends and expunges in one step, within and across mailboxes', async () => {
    await withStore(open, async ({ store, bus }) => {
      const a = await account(store);
      const r = await store.append(a, 'Drafts', [message('d1'), message('d2', ['\\Draft'])]);
      const drafts0 = await mailbox(store, a, 'Drafts');
      const rec = recordEvents(bus, a);
      // Same mailbox: one new modseq covers the new message and the expunge.
      const res = await store.replace(a, drafts0.id, r.uids[1]!, 'Drafts', message('d2 v2', ['\\Seen', '\\Draft']));
      rec.stop();
      assert.equal(res.uidValidity, drafts0.uidValidity);
      assert.equal(res.uid, 3);
      const drafts = await mailbox(store, a, 'Drafts');
      assert.equal(drafts.uidNext, 4);
      assert.equal(drafts.highestModSeq, drafts0.highestModSeq + 1);
      assert.equal(res.modseq, drafts.highestModSeq);
      const rows = await store.listMessages(a, drafts.id);
      assert.deepEqual(rows.map((m) => m.uid), [1, 3]);
      assert.deepEqual(flagSet(rows[1]!.flags), flagSet(['\\Seen', '\\Draft']));
      assert.equal(rows[1]!.modseq, res.modseq);
      assert.deepEqual(await store.readBlob(a, rows[1]!.blobId), message('d2 v2').content);
      const ch = await store.changesSince(a, drafts.id, r.modseq);
      assert.deepEqual(ch.expunged, [2]);
      assert.deepEqual(ch.changed.map((m) => m.uid), [3]);
      assert.ok(rec.events.some((e) => e.type === 'mailbox' && e.mailboxId === drafts.id));
      // Across mailboxes: the destination gets the message, the source loses the replaced one.
      const sent0 = await mailbox(store, a, 'Sent');
      const res2 = await store.replace(a, drafts.id, asUid(3), 'Sent', message('final'));
      const sent = await mailbox(store, a, 'Sent');
      assert.equal(res2.uidValidity, sent.uidValidity);
      assert.equal(res2.uid, sent0.uidNext);
      assert.equal(res2.modseq, sent.highestModSeq);
      assert.deepEqual((await store.listMessages(a, drafts.id)).map((m) => m.uid), [1]);
      assert.deepEqual((await store.changesSince(a, drafts.id, drafts.highestModSeq)).expunged, [3]);
      const [s] = await store.listMessages(a, sent.id);
      assert.deepEqual(await store.readBlob(a, s!.blobId), message('final').content);
      // The replaced message's blob is no longer readable through the account.
      await rejectsWith(store.readBlob(a, rows[1]!.blobId), 'NONEXISTENT');
    });
  });

  test('replace is all or nothing: TRYCREATE or a missing source message changes nothing', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'Drafts', [message('d1')]);
      const drafts = await mailbox(store, a, 'Drafts');
      const sent = await mailbox(store, a, 'Sent');
      await rejectsWith(store.replace(a, drafts.id, asUid(1), 'Nope', message('new')), 'TRYCREATE');
      await rejectsWith(store.replace(a, drafts.id, asUid(9), 'Sent', message('new')), 'NONEXISTENT');
      await rejectsWith(store.replace(a, drafts.id, asUid(9), 'Drafts', message('new')), 'NONEXISTENT');
      for (const [before, name] of [[drafts, 'Drafts'], [sent, 'Sent']] as const) {
        const now = await mailbox(store, a, name);
        assert.equal(now.highestModSeq, before.highestModSeq);
        assert.equal(now.uidNext, before.uidNext);
      }
      const rows = await store.listMessages(a, drafts.id);
      assert.deepEqual(rows.map((m) => m.uid), [1]);
      assert.deepEqual(await store.readBlob(a, rows[0]!.blobId), message('d1').content);
      assert.deepEqual(await store.listMessages(a, sent.id), []);
    });
  });

  test('expunge removes only \\Deleted messages, restricted to the given UIDs', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [
        message('1', ['\\Deleted']),
        message('2'),
        message('3', ['\\deleted']),
        message('4', ['\\Deleted', '\\Seen']),
      ]);
      const inbox = await mailbox(store, a, 'INBOX');
      assert.deepEqual(await store.expunge(a, inbox.id, [4, 2, 9].map(asUid)), [4]);
      assert.deepEqual(await store.expunge(a, inbox.id, []), []);
      const m = (await mailbox(store, a, 'INBOX')).highestModSeq;
      assert.deepEqual(await store.expunge(a, inbox.id), [1, 3]);
      assert.deepEqual(await store.expunge(a, inbox.id), []);
      assert.deepEqual(
        (await store.listMessages(a, inbox.id)).map((x) => x.uid),
        [2],
      );
      const ch = await store.changesSince(a, inbox.id, m);
      assert.deepEqual(ch.expunged, [1, 3]);
    });
  });

  test('content of a fully expunged message is no longer readable; shared content survives', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [message('shared', ['\\Deleted']), message('solo', ['\\Deleted'])]);
      const inbox = await mailbox(store, a, 'INBOX');
      const [shared, solo] = await store.listMessages(a, inbox.id);
      await store.copy(a, inbox.id, [shared.uid], 'Archive');
      await store.expunge(a, inbox.id);
      assert.deepEqual(await store.readBlob(a, shared.blobId), message('shared').content);
      assert.equal((await store.readMeta(a, [shared.blobId])).get(shared.blobId), 'meta:shared');
      await rejectsWith(store.readBlob(a, solo.blobId), 'NONEXISTENT');
      // Appending identical content again works and reads back.
      const r = await store.append(a, 'INBOX', [message('solo')]);
      const [row] = await store.getMessages(a, inbox.id, r.uids);
      assert.deepEqual(await store.readBlob(a, row.blobId), message('solo').content);
    });
  });

  test('every mutation publishes its event before resolving; reads publish none', async () => {
    await withStore(open, async ({ store, bus }) => {
      const a = await account(store);
      const other = await account(store, 'bob');
      const rec = recordEvents(bus, a);
      const otherRec = recordEvents(bus, other);
      const inbox = await mailbox(store, a, 'INBOX');
      const expectMailbox = async (name: string): Promise<ChangeEvent> => {
        const mb = await mailbox(store, a, name);
        return { type: 'mailbox', accountId: a.accountId, mailboxId: mb.id, highestModSeq: mb.highestModSeq };
      };
      const boxes: ChangeEvent = { type: 'mailboxes', accountId: a.accountId };
      const step = async (action: () => Promise<unknown>, expected: () => Promise<ChangeEvent[]>): Promise<void> => {
        rec.events.length = 0;
        await action();
        // Order between events of one mutation is not part of the contract.
        const canon = (es: ChangeEvent[]): string[] => es.map((e) => JSON.stringify(e)).sort();
        assert.deepEqual(canon(rec.events), canon(await expected()));
      };
      await step(() => store.append(a, 'INBOX', [message('1'), message('2')]), async () => [await expectMailbox('INBOX')]);
      await step(
        () => store.storeFlags(a, inbox.id, [asUid(1)], 'add', ['\\Deleted']),
        async () => [await expectMailbox('INBOX')],
      );
      await step(() => store.storeFlags(a, inbox.id, [asUid(1)], 'add', ['\\Deleted']), async () => []);
      await step(() => store.copy(a, inbox.id, [asUid(1)], 'Sent'), async () => [await expectMailbox('Sent')]);
      await step(
        () => store.move(a, inbox.id, [asUid(2)], 'Junk'),
        async () => [await expectMailbox('Junk'), await expectMailbox('INBOX')],
      );
      await step(() => store.expunge(a, inbox.id), async () => [await expectMailbox('INBOX')]);
      await step(() => store.expunge(a, inbox.id), async () => []);
      await step(() => store.createMailbox(a, 'New'), async () => [boxes]);
      await step(() => store.renameMailbox(a, 'New', 'Newer'), async () => [boxes]);
      await step(() => store.setSubscribed(a, 'Newer', true), async () => [boxes]);
      await step(() => store.deleteMailbox(a, 'Newer'), async () => [boxes]);
      await step(async () => {
        await store.listMailboxes(a);
        await store.listMessages(a, inbox.id);
        await store.changesSince(a, inbox.id, asModSeq(0));
        await store.counts(a, inbox.id);
        await store.listSubscriptions(a);
        await store.getMailbox(a, 'INBOX');
      }, async () => []);
      await step(() => rejectsWith(store.append(a, 'Missing', [message('x')]), 'TRYCREATE'), async () => []);
      assert.deepEqual(otherRec.events, []);
      rec.stop();
      otherRec.stop();
    });
  });

  test('messages, flags, modseqs and subscriptions persist across reopen', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      await h.store.createMailbox(a, 'Keep/Me');
      await h.store.append(a, 'Keep/Me', [message('p1', ['\\Seen', 'Tag']), message('p2')]);
      const mb = await mailbox(h.store, a, 'Keep/Me');
      await h.store.storeFlags(a, mb.id, [asUid(2)], 'add', ['\\Flagged']);
      await h.store.setSubscribed(a, 'Keep/Me', true);
      const before = await h.store.listMessages(a, mb.id);
      const boxBefore = await mailbox(h.store, a, 'Keep/Me');
      const store = await h.reopen();
      assert.deepEqual(await mailbox(store, a, 'Keep/Me'), boxBefore);
      assert.deepEqual(await store.listMessages(a, mb.id), before);
      assert.ok((await store.listSubscriptions(a)).includes('Keep/Me'));
      assert.deepEqual(await store.readBlob(a, before[0].blobId), message('p1').content);
      const r = await store.append(a, 'Keep/Me', [message('p3')]);
      assert.deepEqual(r.uids, [3]);
      assert.ok(r.modseq > boxBefore.highestModSeq);
    });
  });
}
