/**
 * Messages of the SQLite backend: append, listing, flags, copy/move, expunge, changes, content.
 *
 * Invariants:
 * - UIDs come from mailboxes.uid_next, which only grows: never reused, also after expunging the
 *   highest UID or restarting (RFC 9051 §2.3.1.1). UIDs above 2^32-1 are refused with LIMIT.
 * - Each mutating transaction takes one new modseq (highest_modseq + 1) per mailbox it changes,
 *   and every message it changes carries it (RFC 7162 §3.1.1); messages it leaves untouched
 *   keep theirs.
 * - Write order (DESIGN rule 3): blob files durable first, then one BEGIN IMMEDIATE transaction
 *   for all metadata, then the bus event, then blob collection if references were dropped.
 * - Expunge history: every expunged UID gets an `expunged` row with the expunge's modseq and
 *   time (expunged_at), so the expunge-history horizon (pruneExpungeHistory) can drop old ones.
 * - REPLACE (RFC 8508) appends and expunges in one transaction; within one mailbox both carry
 *   the same single modseq.
 * - COPY/MOVE allocate destination UIDs in source-UID order and share blobs (refs by trigger).
 * - saved_at (RFC 8514 §3) is set once, when a row is inserted (append: the append's time;
 *   copy/move/RENAME INBOX: the transfer's time), and never updated afterwards.
 * - Content is readable only through a message of the actor's own account.
 * - Every inserted row gets EMAILID and THREADID (RFC 8474 §5): fresh EMAILID and an assigned
 *   thread (threads.ts) on append/replace, the source row's on copy/move.
 */
import { StoreError } from '../errors.js';
import type {
  Actor,
  AppendResult,
  CopyResult,
  FlagOperation,
  FlagUpdate,
  MailboxChanges,
  MessageRow,
  ModSeq,
  NewMessage,
  ReplaceResult,
  StoreFlagsResult,
  Uid,
  UsageGuard,
} from '../types.js';
import { collectAfterCommit, ensureBlob } from './blob-refs.js';
import type { MailboxRow, SqliteContext } from './context.js';
import { MESSAGE_COLUMNS, toRow, type MessageDbRow } from '../sql-rows.js';
import { applyFlags, decodeFlags, encodeFlags, normalizeFlags, unchangedSinceVerdict } from '../flag-lists.js';
import { requireName } from '../mailbox-names.js';
import { assignThread } from './threads.js';
import { newObjectId } from '../object-ids.js';
import { accountUsage } from './quota.js';

const MAX_UID = 0xffffffff;
/** Blob writes of one multi-message append in flight at once (each waits on its own fsyncs). */
const BLOB_WRITE_CONCURRENCY = 8;

/** SQL truth value: the row's flags column contains flag `f` (stored in canonical case). */
export const hasFlagSql = (f: string): string => `instr(' ' || flags || ' ', ' ${f} ') > 0`;

/** The destination mailbox of APPEND/COPY/MOVE: TRYCREATE when missing (RFC 9051 §7.1). */
function destination(ctx: SqliteContext, accountId: number, name: string): MailboxRow {
  const row = ctx.mailboxByName(accountId, requireName(name));
  if (row === undefined) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(name)}`);
  return row;
}

function selectRows(ctx: SqliteContext, mailboxId: number, uids: readonly Uid[]): MessageDbRow[] {
  return ctx
    .stmt<MessageDbRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    )
    .all(mailboxId, JSON.stringify(uids));
}

function allocateUids(ctx: SqliteContext, mailboxId: number, count: number): number {
  const row = ctx
    .stmt<{ first: number }>('UPDATE mailboxes SET uid_next = uid_next + ? WHERE id = ? RETURNING uid_next - ? AS first')
    .get(count, mailboxId, count);
  if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  if (row.first + count - 1 > MAX_UID) throw new StoreError('LIMIT', 'mailbox UID space exhausted');
  return row.first;
}

function insertMessage(
  ctx: SqliteContext,
  mailboxId: number,
  uid: number,
  modseq: number,
  flags: string,
  internalDate: number,
  size: number,
  blobId: string,
  savedAt: number,
  emailId: string,
  threadId: string,
): void {
  ctx
    .stmt(
      `INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_id, saved_at, email_id, thread_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(mailboxId, uid, modseq, flags, internalDate, size, blobId, savedAt, emailId, threadId);
}

/**
 * Inside a write transaction: copies `rows` (UID order) into `dest`; returns the new UIDs.
 * The copies get a new save date, the time of this transfer (RFC 8514 §3), and keep EMAILID and
 * THREADID (RFC 8474 §5.1: the COPYUID pairs share the EMAILID).
 */
export function transferRows(ctx: SqliteContext, rows: readonly MessageDbRow[], destId: number): number[] {
  if (rows.length === 0) return [];
  const modseq = ctx.nextModSeq(destId);
  const savedAt = Date.now();
  let uid = allocateUids(ctx, destId, rows.length);
  const out: number[] = [];
  for (const r of rows) {
    insertMessage(ctx, destId, uid, modseq, r.flags, r.internal_date, r.size, r.blob_id, savedAt, r.email_id, r.thread_id);
    out.push(uid++);
  }
  return out;
}

/**
 * Inside a write transaction: removes `uids` (existing, ascending) and records the history, under
 * `modseq` when the caller already took this transaction's modseq of the mailbox, else a new one.
 */
export function expungeUids(ctx: SqliteContext, mailboxId: number, uids: readonly number[], modseq0?: number): void {
  if (uids.length === 0) return;
  const modseq = modseq0 ?? ctx.nextModSeq(mailboxId);
  const del = ctx.stmt('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?');
  const hist = ctx.stmt('INSERT INTO expunged (mailbox_id, uid, modseq, expunged_at) VALUES (?, ?, ?, ?)');
  const now = Date.now();
  for (const uid of uids) {
    del.run(mailboxId, uid);
    hist.run(mailboxId, uid, modseq, now);
  }
}

/** Inside a write transaction: every message of `source`, ascending UID. */
export function allRows(ctx: SqliteContext, mailboxId: number): MessageDbRow[] {
  return ctx
    .stmt<MessageDbRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? ORDER BY uid`)
    .all(mailboxId);
}

export async function append(
  ctx: SqliteContext,
  actor: Actor,
  mailboxName: string,
  messages: readonly NewMessage[],
  usageGuard?: UsageGuard,
): Promise<AppendResult> {
  // Checked before writing any blob so a missing mailbox costs no I/O; re-checked under the lock.
  const before = ctx.read(() => destination(ctx, actor.accountId, mailboxName));
  const prepared = messages.map((m) => ({ ...m, flags: encodeFlags(normalizeFlags(m.flags)) }));
  if (prepared.length === 0) {
    return { uidValidity: before.uid_validity, uids: [], modseq: before.highest_modseq as ModSeq };
  }
  const ids: string[] = new Array(prepared.length);
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < prepared.length; i = next++) ids[i] = await ctx.blobs.write(prepared[i].content);
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_WRITE_CONCURRENCY, prepared.length) }, writer));
  const result = ctx.write(() => {
    const mb = destination(ctx, actor.accountId, mailboxName);
    // RFC 9208 (quota layer): under the write lock every writer of every process is serialised.
    usageGuard?.(accountUsage(ctx, actor.accountId));
    const modseq = ctx.nextModSeq(mb.id);
    // RFC 8514 §3: the save date is the time of the APPEND, whatever INTERNALDATE was given.
    const savedAt = Date.now();
    let uid = allocateUids(ctx, mb.id, prepared.length);
    const uids: Uid[] = [];
    prepared.forEach((m, i) => {
      ensureBlob(ctx, ids[i], m.content, m.meta);
      const threadId = assignThread(ctx, actor.accountId, m.threading);
      insertMessage(ctx, mb.id, uid, modseq, m.flags, m.internalDate, m.content.length, ids[i], savedAt, newObjectId('M'), threadId);
      uids.push(uid++ as Uid);
    });
    return { mailboxId: mb.id, uidValidity: mb.uid_validity, uids, modseq: modseq as ModSeq };
  });
  ctx.publishMailbox(actor.accountId, result.mailboxId, result.modseq);
  return { uidValidity: result.uidValidity, uids: result.uids, modseq: result.modseq };
}

/**
 * REPLACE (RFC 8508 §3.4): append + expunge of one source message in one BEGIN IMMEDIATE
 * transaction, after the blob is durable (same write order as append). Both checks (destination,
 * source message) run before any I/O and again under the lock; a failure of either leaves both
 * mailboxes untouched (the blob file, if written, is an orphan for the sweeper).
 */
export async function replace(
  ctx: SqliteContext,
  actor: Actor,
  sourceId: number,
  uid: Uid,
  destName: string,
  message: NewMessage,
): Promise<ReplaceResult> {
  const sourceExists = (): void => {
    ctx.mailboxById(actor.accountId, sourceId);
    if (selectRows(ctx, sourceId, [uid]).length === 0) throw new StoreError('NONEXISTENT', `no message UID ${uid}`);
  };
  ctx.read(() => {
    destination(ctx, actor.accountId, destName);
    sourceExists();
  });
  const flags = encodeFlags(normalizeFlags(message.flags));
  const blobId = await ctx.blobs.write(message.content);
  const r = ctx.write(() => {
    const mb = destination(ctx, actor.accountId, destName);
    sourceExists();
    const modseq = ctx.nextModSeq(mb.id);
    const newUid = allocateUids(ctx, mb.id, 1);
    ensureBlob(ctx, blobId, message.content, message.meta);
    // RFC 8474 §5.1: a replacement is a new message, with a new EMAILID.
    const threadId = assignThread(ctx, actor.accountId, message.threading);
    insertMessage(ctx, mb.id, newUid, modseq, flags, message.internalDate, message.content.length, blobId, Date.now(), newObjectId('M'), threadId);
    expungeUids(ctx, sourceId, [uid], mb.id === sourceId ? modseq : undefined);
    const sourceModSeq = ctx.column<number>('SELECT highest_modseq FROM mailboxes WHERE id = ?').get(sourceId) ?? 0;
    return { destId: mb.id, uidValidity: mb.uid_validity, uid: newUid as Uid, modseq: modseq as ModSeq, sourceModSeq };
  });
  ctx.publishMailbox(actor.accountId, r.destId, r.modseq);
  if (r.destId !== sourceId) ctx.publishMailbox(actor.accountId, sourceId, r.sourceModSeq);
  collectAfterCommit(ctx);
  return { uidValidity: r.uidValidity, uid: r.uid, modseq: r.modseq };
}

export function listMessages(ctx: SqliteContext, actor: Actor, mailboxId: number): MessageRow[] {
  return ctx.read(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    return allRows(ctx, mailboxId).map(toRow);
  });
}

export function getMessages(ctx: SqliteContext, actor: Actor, mailboxId: number, uids: readonly Uid[]): MessageRow[] {
  return ctx.read(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    return selectRows(ctx, mailboxId, uids).map(toRow);
  });
}

export function changesSince(ctx: SqliteContext, actor: Actor, mailboxId: number, since: ModSeq): MailboxChanges {
  return ctx.read(() => {
    const mb = ctx.mailboxById(actor.accountId, mailboxId);
    const changed = ctx
      .stmt<MessageDbRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid`)
      .all(mailboxId, since)
      .map(toRow);
    const expunged = ctx
      .column<number>('SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid')
      .all(mailboxId, since) as Uid[];
    const floor = ctx.column<number>('SELECT modseq FROM expunge_floors WHERE mailbox_id = ?').get(mailboxId) ?? 0;
    return {
      highestModSeq: mb.highest_modseq as ModSeq,
      uidNext: mb.uid_next as Uid,
      changed,
      expunged,
      // Everything pruned had a modseq <= floor, so the list above `since` is whole iff since >= floor.
      expungedComplete: since >= floor,
    };
  });
}

/**
 * The expunge-history horizon (MailStore.pruneExpungeHistory): in one write transaction, raises
 * each mailbox's floor to the highest modseq among its records older than `olderThan`, then
 * deletes exactly those records, so the floor always covers what was dropped.
 */
export function pruneExpungeHistory(ctx: SqliteContext, olderThan: number): number {
  return ctx.write(() => {
    ctx
      .stmt(
        `INSERT INTO expunge_floors (mailbox_id, modseq)
           SELECT mailbox_id, MAX(modseq) FROM expunged WHERE expunged_at < ? GROUP BY mailbox_id
         ON CONFLICT (mailbox_id) DO UPDATE SET modseq = MAX(modseq, excluded.modseq)`,
      )
      .run(olderThan);
    return ctx.stmt('DELETE FROM expunged WHERE expunged_at < ?').run(olderThan).changes;
  });
}

export function storeFlags(
  ctx: SqliteContext,
  actor: Actor,
  mailboxId: number,
  uids: readonly Uid[],
  op: FlagOperation,
  flags: readonly string[],
  unchangedSince?: ModSeq,
): StoreFlagsResult {
  const operand = normalizeFlags(flags);
  const result = ctx.write(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    const modified: Uid[] = [];
    const changes: { uid: number; flags: string[] }[] = [];
    for (const r of selectRows(ctx, mailboxId, uids)) {
      const next = applyFlags(decodeFlags(r.flags), op, operand);
      // RFC 7162 §3.1.3, §3.1.12: a message changed since UNCHANGEDSINCE is left alone.
      const verdict = unchangedSinceVerdict(r.modseq, unchangedSince, op === 'set', next !== null);
      if (verdict === 'modified') modified.push(r.uid as Uid);
      else if (verdict === 'apply' && next !== null) changes.push({ uid: r.uid, flags: next });
    }
    const updated: FlagUpdate[] = [];
    if (changes.length > 0) {
      const modseq = ctx.nextModSeq(mailboxId) as ModSeq;
      const upd = ctx.stmt('UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?');
      for (const c of changes) {
        upd.run(encodeFlags(c.flags), modseq, mailboxId, c.uid);
        updated.push({ uid: c.uid as Uid, modseq, flags: c.flags });
      }
    }
    return { updated, modified };
  });
  if (result.updated.length > 0) ctx.publishMailbox(actor.accountId, mailboxId, result.updated[0].modseq);
  return result;
}

export function copyOrMove(
  ctx: SqliteContext,
  actor: Actor,
  sourceId: number,
  uids: readonly Uid[],
  destName: string,
  move: boolean,
): CopyResult {
  const r = ctx.write(() => {
    ctx.mailboxById(actor.accountId, sourceId);
    const dest = destination(ctx, actor.accountId, destName);
    const rows = selectRows(ctx, sourceId, uids);
    const destUids = transferRows(ctx, rows, dest.id);
    const sourceUids = rows.map((x) => x.uid);
    if (move) expungeUids(ctx, sourceId, sourceUids);
    const modseqOf = (id: number): number =>
      ctx.column<number>('SELECT highest_modseq FROM mailboxes WHERE id = ?').get(id) ?? 0;
    return {
      destId: dest.id,
      uidValidity: dest.uid_validity,
      sourceUids: sourceUids as Uid[],
      destUids: destUids as Uid[],
      destModSeq: modseqOf(dest.id),
      sourceModSeq: modseqOf(sourceId),
    };
  });
  if (r.destUids.length > 0) {
    ctx.publishMailbox(actor.accountId, r.destId, r.destModSeq);
    if (move && r.destId !== sourceId) ctx.publishMailbox(actor.accountId, sourceId, r.sourceModSeq);
  }
  return { uidValidity: r.uidValidity, sourceUids: r.sourceUids, destUids: r.destUids };
}

export function expunge(ctx: SqliteContext, actor: Actor, mailboxId: number, uids?: readonly Uid[]): Uid[] {
  const r = ctx.write(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    const deleted = `SELECT uid FROM messages WHERE mailbox_id = ? AND ${hasFlagSql('\\Deleted')}`;
    const gone =
      uids === undefined
        ? ctx.column<number>(`${deleted} ORDER BY uid`).all(mailboxId)
        : ctx
            .column<number>(`${deleted} AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`)
            .all(mailboxId, JSON.stringify(uids));
    expungeUids(ctx, mailboxId, gone);
    const modseq = ctx.column<number>('SELECT highest_modseq FROM mailboxes WHERE id = ?').get(mailboxId) ?? 0;
    return { gone, modseq };
  });
  if (r.gone.length > 0) {
    ctx.publishMailbox(actor.accountId, mailboxId, r.modseq);
    collectAfterCommit(ctx);
  }
  return r.gone as Uid[];
}

/** Whether some message of the actor's account references blob `id`. */
function actorReferences(ctx: SqliteContext, actor: Actor, id: string): boolean {
  return (
    ctx
      .column<number>(
        `SELECT 1 FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE m.blob_id = ? AND b.account_id = ? LIMIT 1`,
      )
      .get(id, actor.accountId) !== undefined
  );
}

export async function readBlob(ctx: SqliteContext, actor: Actor, blobId: string, start?: number, end?: number): Promise<Buffer> {
  if (!ctx.read(() => actorReferences(ctx, actor, blobId))) throw new StoreError('NONEXISTENT', `no blob ${blobId}`);
  try {
    return await ctx.blobs.read(blobId, start, end);
  } catch (e) {
    // Expunged and collected since the check above: gone, not corrupt.
    if (e instanceof StoreError && e.code === 'CORRUPTED' && !ctx.read(() => actorReferences(ctx, actor, blobId))) {
      throw new StoreError('NONEXISTENT', `no blob ${blobId}`);
    }
    throw e;
  }
}

export function readMeta(ctx: SqliteContext, actor: Actor, blobIds: readonly string[]): Map<string, string> {
  const rows = ctx.read(() =>
    ctx
      .stmt<{ id: string; meta: string }>(
        `SELECT b.id, b.meta FROM blobs b
         WHERE b.id IN (SELECT value FROM json_each(?))
           AND EXISTS (SELECT 1 FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id
                       WHERE m.blob_id = b.id AND x.account_id = ?)`,
      )
      .all(JSON.stringify(blobIds), actor.accountId),
  );
  return new Map(rows.map((r) => [r.id, r.meta]));
}
