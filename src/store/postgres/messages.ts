/**
 * Message writes of the PostgreSQL backend: append, replace, flags, copy/move, expunge.
 * Semantics are the SQLite backend's (src/store/sqlite/messages.ts); what differs is how
 * atomicity is reached across nodes. Row-level steps are in message-rows.ts, blob rows in
 * blob-refs.ts, reads in message-reads.ts.
 *
 * Invariants:
 * - Every write to a mailbox's messages first locks the mailbox row (context.ts); several
 *   mailboxes are locked in ascending id order in one statement (message-rows.ts lockMailboxes).
 *   Lock order everywhere: account row (guarded append), mailbox rows, blob rows, thread lock.
 * - Each mutating transaction takes one new modseq per mailbox it changes (RFC 7162 §3.1.1).
 * - Blob content is written in the same transaction as the message row that references it
 *   (blob-refs.ts).
 * - Every inserted row gets EMAILID and THREADID (RFC 8474 §5): a fresh EMAILID and an assigned
 *   thread (threads.ts) on append/replace, the source row's on copy/move.
 * - The change event is published after the commit, only when something changed.
 */
import { StoreError } from '../errors.js';
import type {
  Actor,
  AppendResult,
  CopyResult,
  FlagOperation,
  FlagUpdate,
  ModSeq,
  NewMessage,
  ReplaceResult,
  StoreFlagsResult,
  Uid,
  UsageGuard,
} from '../types.js';
import { applyFlags, decodeFlags, encodeFlags, normalizeFlags, unchangedSinceVerdict } from '../flag-lists.js';
import { newObjectId } from '../object-ids.js';
import { accountUsage } from './quota.js';
import { assignThread, assignThreads } from './threads.js';
import { highestModSeq, lockMailbox, mailboxById, nextModSeq, type PgContext } from './context.js';
import { blobId, ensureBlobs } from './blob-refs.js';
import {
  destination,
  expungeUids,
  hasFlagSql,
  insertMessages,
  lockMailboxes,
  reserve,
  reserveByName,
  selectRows,
  transferRows,
} from './message-rows.js';

export async function append(
  ctx: PgContext,
  actor: Actor,
  mailboxName: string,
  messages: readonly NewMessage[],
  usageGuard?: UsageGuard,
): Promise<AppendResult> {
  const prepared = messages.map((m) => ({
    ...m,
    flags: encodeFlags(normalizeFlags(m.flags)),
    id: blobId(m.content),
  }));
  const result = await ctx.tx(async (db) => {
    if (usageGuard !== undefined && prepared.length > 0) {
      // RFC 9208 (quota layer): this account row lock serialises the guarded appends of the
      // account on every node (and mailbox-list changes, which take FOR UPDATE), taken before the
      // mailbox lock as every path does. NO KEY UPDATE leaves the foreign-key checks of other
      // writers (KEY SHARE, e.g. thread_refs in REPLACE) unblocked, so no lock cycle forms.
      await db.query('SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [actor.accountId]);
      usageGuard(await accountUsage(db, actor.accountId));
    }
    if (prepared.length === 0) {
      const mb = await destination(db, actor.accountId, mailboxName);
      return { mailboxId: mb.id, uidValidity: mb.uid_validity, uids: [] as Uid[], modseq: mb.highest_modseq };
    }
    // Lock order as everywhere: mailbox row, then blob rows, then the account's thread lock.
    const { id, uid_validity, modseq, first } = await reserveByName(db, actor.accountId, mailboxName, prepared.length);
    const mb = { id, uid_validity };
    await ensureBlobs(db, prepared.map((m) => ({ id: m.id, content: m.content, meta: m.meta })));
    const threadIds = await assignThreads(db, actor.accountId, prepared.map((m) => m.threading));
    const uids = prepared.map((_, i) => (first + i) as Uid);
    // RFC 8514 §3: the save date is the time of the APPEND, whatever INTERNALDATE was given.
    await insertMessages(
      db,
      mb.id,
      modseq,
      Date.now(),
      prepared.map((m, i) => ({
        uid: uids[i],
        flags: m.flags,
        internalDate: m.internalDate,
        size: m.content.length,
        blobId: m.id,
        emailId: newObjectId('M'),
        threadId: threadIds[i],
      })),
    );
    return { mailboxId: mb.id, uidValidity: mb.uid_validity, uids, modseq };
  });
  if (result.uids.length > 0) ctx.publishMailbox(actor.accountId, result.mailboxId, result.modseq);
  return { uidValidity: result.uidValidity, uids: result.uids, modseq: result.modseq as ModSeq };
}

/** REPLACE (RFC 8508 §3.4): append + expunge of one source message in one transaction. */
export async function replace(
  ctx: PgContext,
  actor: Actor,
  sourceId: number,
  uid: Uid,
  destName: string,
  message: NewMessage,
): Promise<ReplaceResult> {
  const flags = encodeFlags(normalizeFlags(message.flags));
  const id = blobId(message.content);
  const r = await ctx.tx(async (db) => {
    const found = await destination(db, actor.accountId, destName);
    await mailboxById(db, actor.accountId, sourceId);
    const locked = await lockMailboxes(db, actor.accountId, [found.id, sourceId]);
    const mb = locked.get(found.id);
    if (mb === undefined) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(destName)}`);
    if (!locked.has(sourceId)) throw new StoreError('NONEXISTENT', `no mailbox ${sourceId}`);
    if ((await selectRows(db, sourceId, [uid])).length === 0) throw new StoreError('NONEXISTENT', `no message UID ${uid}`);
    const { modseq, first: newUid } = await reserve(db, mb.id, 1);
    await ensureBlobs(db, [{ id, content: message.content, meta: message.meta }]);
    await insertMessages(db, mb.id, modseq, Date.now(), [
      // RFC 8474 §5.1: a replacement is a new message, with a new EMAILID.
      {
        uid: newUid,
        flags,
        internalDate: message.internalDate,
        size: message.content.length,
        blobId: id,
        emailId: newObjectId('M'),
        threadId: await assignThread(db, actor.accountId, message.threading),
      },
    ]);
    await expungeUids(db, sourceId, [uid], mb.id === sourceId ? modseq : undefined);
    return { destId: mb.id, uidValidity: mb.uid_validity, uid: newUid as Uid, modseq: modseq as ModSeq, sourceModSeq: await highestModSeq(db, sourceId) };
  });
  ctx.publishMailbox(actor.accountId, r.destId, r.modseq);
  if (r.destId !== sourceId) ctx.publishMailbox(actor.accountId, sourceId, r.sourceModSeq);
  return { uidValidity: r.uidValidity, uid: r.uid, modseq: r.modseq };
}

export async function storeFlags(
  ctx: PgContext,
  actor: Actor,
  mailboxId: number,
  uids: readonly Uid[],
  op: FlagOperation,
  flags: readonly string[],
  unchangedSince?: ModSeq,
): Promise<StoreFlagsResult> {
  const operand = normalizeFlags(flags);
  const result = await ctx.tx(async (db) => {
    await lockMailbox(db, actor.accountId, mailboxId);
    const modified: Uid[] = [];
    const changes: { uid: number; flags: string[] }[] = [];
    for (const r of await selectRows(db, mailboxId, uids)) {
      const next = applyFlags(decodeFlags(r.flags), op, operand);
      // RFC 7162 §3.1.3, §3.1.12: a message changed since UNCHANGEDSINCE is left alone.
      const verdict = unchangedSinceVerdict(r.modseq, unchangedSince, op === 'set', next !== null);
      if (verdict === 'modified') modified.push(r.uid as Uid);
      else if (verdict === 'apply' && next !== null) changes.push({ uid: r.uid, flags: next });
    }
    const updated: FlagUpdate[] = [];
    if (changes.length > 0) {
      const modseq = (await nextModSeq(db, mailboxId)) as ModSeq;
      await db.query(
        `UPDATE messages SET flags = t.f, modseq = $2 FROM unnest($3::int8[], $4::text[]) AS t(u, f)
         WHERE mailbox_id = $1 AND uid = t.u`,
        [mailboxId, modseq, changes.map((c) => c.uid), changes.map((c) => encodeFlags(c.flags))],
      );
      for (const c of changes) updated.push({ uid: c.uid as Uid, modseq, flags: c.flags });
    }
    return { updated, modified };
  });
  if (result.updated.length > 0) ctx.publishMailbox(actor.accountId, mailboxId, result.updated[0].modseq);
  return result;
}

export async function copyOrMove(
  ctx: PgContext,
  actor: Actor,
  sourceId: number,
  uids: readonly Uid[],
  destName: string,
  move: boolean,
): Promise<CopyResult> {
  const r = await ctx.tx(async (db) => {
    await mailboxById(db, actor.accountId, sourceId);
    const found = await destination(db, actor.accountId, destName);
    const locked = await lockMailboxes(db, actor.accountId, [sourceId, found.id]);
    const dest = locked.get(found.id);
    if (dest === undefined) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(destName)}`);
    if (!locked.has(sourceId)) throw new StoreError('NONEXISTENT', `no mailbox ${sourceId}`);
    const rows = await selectRows(db, sourceId, uids);
    const destUids = await transferRows(db, rows, dest.id);
    const sourceUids = rows.map((x) => x.uid);
    if (move) await expungeUids(db, sourceId, sourceUids);
    return {
      destId: dest.id,
      uidValidity: dest.uid_validity,
      sourceUids: sourceUids as Uid[],
      destUids: destUids as Uid[],
      destModSeq: await highestModSeq(db, dest.id),
      sourceModSeq: await highestModSeq(db, sourceId),
    };
  });
  if (r.destUids.length > 0) {
    ctx.publishMailbox(actor.accountId, r.destId, r.destModSeq);
    if (move && r.destId !== sourceId) ctx.publishMailbox(actor.accountId, sourceId, r.sourceModSeq);
  }
  return { uidValidity: r.uidValidity, sourceUids: r.sourceUids, destUids: r.destUids };
}

export async function expunge(ctx: PgContext, actor: Actor, mailboxId: number, uids?: readonly Uid[]): Promise<Uid[]> {
  const r = await ctx.tx(async (db) => {
    await lockMailbox(db, actor.accountId, mailboxId);
    const deleted = `SELECT uid FROM messages WHERE mailbox_id = $1 AND ${hasFlagSql('\\Deleted')}`;
    const { rows } =
      uids === undefined
        ? await db.query<{ uid: number }>(`${deleted} ORDER BY uid`, [mailboxId])
        : await db.query<{ uid: number }>(`${deleted} AND uid = ANY($2::int8[]) ORDER BY uid`, [mailboxId, uids]);
    const gone = rows.map((x) => x.uid);
    await expungeUids(db, mailboxId, gone);
    return { gone, modseq: await highestModSeq(db, mailboxId) };
  });
  if (r.gone.length > 0) ctx.publishMailbox(actor.accountId, mailboxId, r.modseq);
  return r.gone as Uid[];
}
