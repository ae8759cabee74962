/**
 * Messages of the PostgreSQL backend: append, listing, flags, copy/move, expunge, changes,
 * content. Semantics are the SQLite backend's (src/store/sqlite/messages.ts); what differs is how
 * atomicity is reached across nodes.
 *
 * Invariants:
 * - Every write to a mailbox's messages first locks the mailbox row (context.ts); several
 *   mailboxes are locked in ascending id order in one statement, so two COPYs in opposite
 *   directions cannot deadlock. UIDs come from mailboxes.uid_next under that lock: never reused,
 *   never duplicated, whatever node allocates them (RFC 9051 §2.3.1.1). UIDs above 2^32-1: LIMIT.
 * - Each mutating transaction takes one new modseq per mailbox it changes (RFC 7162 §3.1.1).
 * - Blob content is written in the same transaction as the message row that references it (so
 *   an acknowledged APPEND has both, and a failed one neither). The insert of a blob row locks an
 *   existing row (ON CONFLICT DO UPDATE), so a concurrent collector either deleted it before (and
 *   the insert recreates it) or sees refs > 0 after (and keeps it).
 * - Blobs whose last reference a transaction dropped are deleted in that same transaction
 *   (collectBlobs): nothing is left to collect later.
 * - Every inserted row gets EMAILID and THREADID (RFC 8474 §5): a fresh EMAILID and an assigned
 *   thread (threads.ts) on append/replace, the source row's on copy/move.
 * - Expunge history: every expunged UID gets an `expunged` row with the expunge's modseq and
 *   time (expunged_at), so the expunge-history horizon (pruneExpungeHistory) can drop old ones.
 * - saved_at (RFC 8514 §3) is set once, when a row is inserted, and never updated afterwards.
 * - Content is readable only through a message of the actor's own account; ranges are cut in
 *   SQL (substring on bytea), so a partial FETCH never loads the whole message.
 */
import { createHash } from 'node:crypto';
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
import { applyFlags, decodeFlags, encodeFlags, normalizeFlags } from '../flag-lists.js';
import { requireName } from '../mailbox-names.js';
import { newObjectId } from '../object-ids.js';
import { accountUsage } from './quota.js';
import { assignThread, assignThreads } from './threads.js';
import {
  highestModSeq,
  lockMailbox,
  MAILBOX_COLUMNS,
  mailboxById,
  mailboxByName,
  nextModSeq,
  type Db,
  type MailboxRow,
  type PgContext,
} from './context.js';

const MAX_UID = 0xffffffff;
/** Blob rows per INSERT: 4 parameters each, far below the protocol's 65,535 parameters. */
const BLOBS_PER_STATEMENT = 1000;
/** substring() takes int4 offsets; larger ones are past any blob anyway. */
const MAX_INT4 = 0x7fffffff;

export interface MessageDbRow {
  uid: number;
  modseq: number;
  flags: string;
  internal_date: number;
  size: number;
  blob_id: string;
  saved_at: number;
  email_id: string;
  thread_id: string;
}

const MESSAGE_COLUMNS = 'uid, modseq, flags, internal_date, size, blob_id, saved_at, email_id, thread_id';

/** SQL truth value: the row's flags column contains flag `f` (stored in canonical case). */
export const hasFlagSql = (f: string, alias = 'messages'): string => `strpos(' ' || ${alias}.flags || ' ', ' ${f} ') > 0`;

const toRow = (r: MessageDbRow): MessageRow => ({
  uid: r.uid as Uid,
  modseq: r.modseq as ModSeq,
  flags: decodeFlags(r.flags),
  internalDate: r.internal_date,
  size: r.size,
  blobId: r.blob_id,
  savedAt: r.saved_at,
  emailId: r.email_id,
  threadId: r.thread_id,
});

const blobId = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** The destination of APPEND/COPY/MOVE: TRYCREATE when missing (RFC 9051 §7.1). */
async function destination(db: Db, accountId: number, name: string, lock = false): Promise<MailboxRow> {
  const row = await mailboxByName(db, accountId, requireName(name), lock);
  if (row === undefined) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(name)}`);
  return row;
}

/** Locks the given mailboxes in ascending id order (one statement: no lock-order deadlock). */
async function lockMailboxes(db: Db, accountId: number, ids: readonly number[]): Promise<Map<number, MailboxRow>> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND id = ANY($2::int8[]) ORDER BY id FOR UPDATE`,
    [accountId, [...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function selectRows(db: Db, mailboxId: number, uids: readonly Uid[]): Promise<MessageDbRow[]> {
  const { rows } = await db.query<MessageDbRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::int8[]) ORDER BY uid`,
    [mailboxId, uids],
  );
  return rows;
}

/** Inside a transaction holding the mailbox lock: every message, ascending UID. */
export async function allRows(db: Db, mailboxId: number): Promise<MessageDbRow[]> {
  const { rows } = await db.query<MessageDbRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = $1 ORDER BY uid`, [mailboxId]);
  return rows;
}

interface Reserved {
  /** The mailbox's new modseq (highest + 1). */
  modseq: number;
  /** The first of the `count` UIDs taken. */
  first: number;
}

/**
 * Inside a transaction: takes the mailbox's next modseq and `count` UIDs in one statement (which
 * also takes its row lock, if not held yet). LIMIT when the UID space would overflow.
 */
async function reserve(db: Db, mailboxId: number, count: number): Promise<Reserved> {
  const { rows } = await db.query<Reserved>(
    `UPDATE mailboxes SET highest_modseq = highest_modseq + 1, uid_next = uid_next + $1 WHERE id = $2
     RETURNING highest_modseq AS modseq, uid_next - $1 AS first`,
    [count, mailboxId],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return checkUidSpace(rows[0], count);
}

function checkUidSpace<R extends Reserved>(r: R, count: number): R {
  if (r.first + count - 1 > MAX_UID) throw new StoreError('LIMIT', 'mailbox UID space exhausted');
  return r;
}

/**
 * APPEND's destination by name, locked, with its modseq and UIDs taken: one statement instead of
 * lock, modseq and UID round trips, so the row lock that serialises the mailbox's writers
 * (context.ts) is held for fewer round trips. TRYCREATE when missing (RFC 9051 §7.1).
 */
async function reserveByName(db: Db, accountId: number, name: string, count: number): Promise<Reserved & { id: number; uid_validity: number }> {
  const { rows } = await db.query<Reserved & { id: number; uid_validity: number }>(
    `UPDATE mailboxes SET highest_modseq = highest_modseq + 1, uid_next = uid_next + $1 WHERE account_id = $2 AND name = $3
     RETURNING id, uid_validity, highest_modseq AS modseq, uid_next - $1 AS first`,
    [count, accountId, requireName(name)],
  );
  if (rows.length === 0) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(name)}`);
  return checkUidSpace(rows[0], count);
}

/**
 * Inserts the blob rows (or locks the existing ones; see the invariants), all in one statement:
 * a multi-row VALUES with one parameter per value, so that content travels as binary Buffer
 * parameters (a bytea[] array parameter would be hex text). Ids are deduplicated first: ON
 * CONFLICT cannot touch one row twice in a statement.
 */
async function ensureBlobs(db: Db, blobs: ReadonlyArray<{ id: string; content: Buffer; meta: string }>): Promise<void> {
  const unique = [...new Map(blobs.map((b) => [b.id, b])).values()];
  for (let start = 0; start < unique.length; start += BLOBS_PER_STATEMENT) {
    const values: unknown[] = [];
    const tuples = unique.slice(start, start + BLOBS_PER_STATEMENT).map((b, i) => {
      values.push(b.id, b.content.length, b.meta, b.content);
      return `($${4 * i + 1}, $${4 * i + 2}::int8, $${4 * i + 3}, 0, $${4 * i + 4}::bytea)`;
    });
    await db.query(
      `INSERT INTO blobs (id, size, meta, refs, content) VALUES ${tuples.join(', ')}
       ON CONFLICT (id) DO UPDATE SET refs = blobs.refs`,
      values,
    );
  }
}

/** Inside a transaction: deletes those of `ids` that no message references any more. */
export async function collectBlobs(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('DELETE FROM blobs WHERE id = ANY($1::text[]) AND refs <= 0', [[...new Set(ids)]]);
}

interface InsertRow {
  uid: number;
  flags: string;
  internalDate: number;
  size: number;
  blobId: string;
  emailId: string;
  threadId: string;
}

async function insertMessages(db: Db, mailboxId: number, modseq: number, savedAt: number, rows: readonly InsertRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_id, saved_at, email_id, thread_id)
     SELECT $1, u, $2, f, d, s, b, $3, e, th
     FROM unnest($4::int8[], $5::text[], $6::int8[], $7::int8[], $8::text[], $9::text[], $10::text[]) AS t(u, f, d, s, b, e, th)`,
    [
      mailboxId,
      modseq,
      savedAt,
      rows.map((r) => r.uid),
      rows.map((r) => r.flags),
      rows.map((r) => r.internalDate),
      rows.map((r) => r.size),
      rows.map((r) => r.blobId),
      rows.map((r) => r.emailId),
      rows.map((r) => r.threadId),
    ],
  );
}

/** Inside a transaction holding the destination's lock: copies `rows` (UID order) into it. */
export async function transferRows(db: Db, rows: readonly MessageDbRow[], destId: number): Promise<number[]> {
  if (rows.length === 0) return [];
  const { modseq, first } = await reserve(db, destId, rows.length);
  const out = rows.map((_, i) => first + i);
  await insertMessages(
    db,
    destId,
    modseq,
    Date.now(),
        // RFC 8474 §5.1: copies keep EMAILID and THREADID.
    rows.map((r, i) => ({
      uid: out[i],
      flags: r.flags,
      internalDate: r.internal_date,
      size: r.size,
      blobId: r.blob_id,
      emailId: r.email_id,
      threadId: r.thread_id,
    })),
  );
  return out;
}

/**
 * Inside a transaction holding the mailbox lock: removes `uids` (existing) and records the
 * history, under `modseq0` when given, else a new modseq. Blobs left unreferenced are deleted.
 */
export async function expungeUids(db: Db, mailboxId: number, uids: readonly number[], modseq0?: number): Promise<void> {
  if (uids.length === 0) return;
  const modseq = modseq0 ?? (await nextModSeq(db, mailboxId));
  const { rows } = await db.query<{ blob_id: string }>(
    'DELETE FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::int8[]) RETURNING blob_id',
    [mailboxId, uids],
  );
  await db.query('INSERT INTO expunged (mailbox_id, uid, modseq, expunged_at) SELECT $1, u, $3, $4 FROM unnest($2::int8[]) AS u', [
    mailboxId,
    uids,
    modseq,
    Date.now(),
  ]);
  await collectBlobs(db, rows.map((r) => r.blob_id));
}

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

/**
 * The actor's mailbox's messages (all, or those of `uids`) in one statement: the LEFT JOIN keeps
 * one row with a null uid for an existing mailbox without such messages, and none at all for a
 * mailbox that is not the actor's (NONEXISTENT). One snapshot, one round trip, no transaction.
 */
async function mailboxMessages(ctx: PgContext, actor: Actor, mailboxId: number, uids?: readonly Uid[]): Promise<MessageRow[]> {
  const cols = MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ');
  const rows = await ctx.query<{ [K in keyof MessageDbRow]: MessageDbRow[K] | null }>(
    `SELECT ${cols} FROM mailboxes x
       LEFT JOIN messages m ON m.mailbox_id = x.id${uids === undefined ? '' : ' AND m.uid = ANY($3::int8[])'}
     WHERE x.id = $1 AND x.account_id = $2 ORDER BY m.uid`,
    uids === undefined ? [mailboxId, actor.accountId] : [mailboxId, actor.accountId, uids],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return rows.filter((r): r is MessageDbRow => r.uid !== null).map(toRow);
}

export function listMessages(ctx: PgContext, actor: Actor, mailboxId: number): Promise<MessageRow[]> {
  return mailboxMessages(ctx, actor, mailboxId);
}

export function getMessages(ctx: PgContext, actor: Actor, mailboxId: number, uids: readonly Uid[]): Promise<MessageRow[]> {
  return mailboxMessages(ctx, actor, mailboxId, uids);
}

/**
 * One statement, so the mailbox row, the changed messages, the expunge history and its floor come
 * from one snapshot without a REPEATABLE READ transaction (BEGIN, SET, four queries, COMMIT were
 * seven round trips for every session told of a change). Rows: k = 0 a changed message, k = 1 an
 * expunged UID, k = 2 the mailbox (uid = uid_next, modseq = highest_modseq, size = floor); no
 * k = 2 row when the mailbox is not the actor's.
 */
export async function changesSince(ctx: PgContext, actor: Actor, mailboxId: number, since: ModSeq): Promise<MailboxChanges> {
  type Row = { k: number } & { [K in keyof MessageDbRow]: MessageDbRow[K] | null };
  const rows = await ctx.query<Row>(
    `SELECT 0 AS k, ${MESSAGE_COLUMNS} FROM messages
       WHERE mailbox_id = $1 AND modseq > $3 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2)
     UNION ALL
     SELECT 1, uid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM expunged
       WHERE mailbox_id = $1 AND modseq > $3 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2)
     UNION ALL
     SELECT 2, uid_next, highest_modseq, NULL, NULL, (SELECT f.modseq FROM expunge_floors f WHERE f.mailbox_id = $1), NULL, NULL, NULL, NULL
       FROM mailboxes WHERE id = $1 AND account_id = $2
     ORDER BY k, uid`,
    [mailboxId, actor.accountId, since],
  );
  const mb = rows.find((r) => r.k === 2);
  if (mb === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return {
    highestModSeq: mb.modseq as ModSeq,
    uidNext: mb.uid as Uid,
    changed: rows.filter((r): r is Row & MessageDbRow => r.k === 0).map(toRow),
    expunged: rows.filter((r) => r.k === 1).map((r) => r.uid as Uid),
    // Everything pruned had a modseq <= floor, so the list above `since` is whole iff since >= floor.
    expungedComplete: since >= (mb.size ?? 0),
  };
}

/**
 * The expunge-history horizon (MailStore.pruneExpungeHistory): in one transaction, deletes the
 * records older than `olderThan` and raises each affected mailbox's floor to the highest modseq
 * deleted (the same rows: DELETE ... RETURNING feeds the floor update).
 */
export async function pruneExpungeHistory(ctx: PgContext, olderThan: number): Promise<number> {
  return ctx.tx(async (db) => {
    const { rows } = await db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM expunged WHERE expunged_at < $1 RETURNING mailbox_id, modseq),
            floors AS (
              INSERT INTO expunge_floors (mailbox_id, modseq)
                SELECT mailbox_id, MAX(modseq) FROM gone GROUP BY mailbox_id
              ON CONFLICT (mailbox_id) DO UPDATE SET modseq = GREATEST(expunge_floors.modseq, excluded.modseq)
            )
       SELECT COUNT(*) AS n FROM gone`,
      [olderThan],
    );
    return Number(rows[0]?.n ?? 0);
  });
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
      // RFC 7162 §3.1.3: a message changed since UNCHANGEDSINCE is left alone and reported,
      // except (§3.1.12) +FLAGS/-FLAGS already in the requested state: no change, no MODIFIED.
      if (unchangedSince !== undefined && r.modseq > unchangedSince) {
        // UNCHANGEDSINCE 0 always fails (§3.1.3: every flag "exists").
        if (op === 'set' || next !== null || unchangedSince === 0) modified.push(r.uid as Uid);
        continue;
      }
      if (next !== null) changes.push({ uid: r.uid, flags: next });
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

/**
 * The blob is named by a message of the actor's account. Written so that the only way to plan it
 * is one probe of messages_blob per blob (then the mailbox by primary key): a scalar subquery with
 * LIMIT 1 is never turned into a join, and its FROM has nothing but messages filtered by blob_id.
 * EXISTS over messages JOIN mailboxes was planned as a hash semi-join over every message of the
 * account (a sequential scan of `messages` per readMeta batch: ~25 ms at 20,000 messages,
 * ~100 ms at 100,000), or, with fresh statistics missing, as a scan of each mailbox's index.
 */
const ACTOR_REFERENCES = `(SELECT true FROM messages m
                            WHERE m.blob_id = b.id AND (SELECT x.account_id FROM mailboxes x WHERE x.id = m.mailbox_id) = $2
                            LIMIT 1)`;

export async function readBlob(ctx: PgContext, actor: Actor, id: string, start?: number, end?: number): Promise<Buffer> {
  const from = Math.max(0, Math.floor(start ?? 0));
  const rows =
    end === undefined
      ? await ctx.query<{ part: Buffer }>(
          `SELECT substring(b.content FROM $3) AS part FROM blobs b WHERE b.id = $1 AND ${ACTOR_REFERENCES}`,
          [id, actor.accountId, Math.min(from, MAX_INT4 - 1) + 1],
          'facteur_read_blob_tail',
        )
      : await ctx.query<{ part: Buffer }>(
          `SELECT substring(b.content FROM $3 FOR $4) AS part FROM blobs b WHERE b.id = $1 AND ${ACTOR_REFERENCES}`,
          [id, actor.accountId, Math.min(from, MAX_INT4 - 1) + 1, Math.min(MAX_INT4, Math.max(0, Math.floor(end) - from))],
          'facteur_read_blob_range',
        );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no blob ${id}`);
  return rows[0].part;
}

export async function readMeta(ctx: PgContext, actor: Actor, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await ctx.query<{ id: string; meta: string }>(
    `SELECT b.id, b.meta FROM blobs b WHERE b.id = ANY($1::text[]) AND ${ACTOR_REFERENCES}`,
    [ids, actor.accountId],
    'facteur_read_meta',
  );
  return new Map(rows.map((r) => [r.id, r.meta]));
}
