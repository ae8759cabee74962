/**
 * Message rows of the PostgreSQL backend (columns and mapping: store/sql-rows.ts): the steps every writer takes inside
 * its transaction (locking mailboxes, taking UIDs and a modseq, inserting rows, transferring rows,
 * expunging UIDs). Used by messages.ts and mailboxes.ts (RENAME INBOX, mailbox counts).
 *
 * Invariants:
 * - Several mailboxes are locked in ascending id order in one statement, so two COPYs in opposite
 *   directions cannot deadlock. UIDs come from mailboxes.uid_next under the mailbox row lock:
 *   never reused, never duplicated, whatever node allocates them (RFC 9051 §2.3.1.1). UIDs above
 *   2^32-1: LIMIT.
 * - A reservation takes one new modseq per mailbox together with its UIDs (RFC 7162 §3.1.1).
 * - Transferred rows (copy/move, RENAME INBOX) keep EMAILID and THREADID (RFC 8474 §5.1).
 * - Expunge history: every expunged UID gets an `expunged` row with the expunge's modseq and
 *   time (expunged_at), so the expunge-history horizon (pruneExpungeHistory) can drop old ones.
 * - saved_at (RFC 8514 §3) is set once, when a row is inserted, and never updated afterwards.
 */
import { StoreError } from '../errors.js';
import type { Uid } from '../types.js';
import { MESSAGE_COLUMNS, type MessageDbRow } from '../sql-rows.js';
import { requireName } from '../mailbox-names.js';
import { collectBlobs } from './blob-refs.js';
import { MAILBOX_COLUMNS, mailboxByName, nextModSeq, type Db, type MailboxRow } from './context.js';

const MAX_UID = 0xffffffff;

/** SQL truth value: the row's flags column contains flag `f` (stored in canonical case). */
export const hasFlagSql = (f: string, alias = 'messages'): string => `strpos(' ' || ${alias}.flags || ' ', ' ${f} ') > 0`;

/** The destination of APPEND/COPY/MOVE: TRYCREATE when missing (RFC 9051 §7.1). */
export async function destination(db: Db, accountId: number, name: string, lock = false): Promise<MailboxRow> {
  const row = await mailboxByName(db, accountId, requireName(name), lock);
  if (row === undefined) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(name)}`);
  return row;
}

/** Locks the given mailboxes in ascending id order (one statement: no lock-order deadlock). */
export async function lockMailboxes(db: Db, accountId: number, ids: readonly number[]): Promise<Map<number, MailboxRow>> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND id = ANY($2::int8[]) ORDER BY id FOR UPDATE`,
    [accountId, [...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export async function selectRows(db: Db, mailboxId: number, uids: readonly Uid[]): Promise<MessageDbRow[]> {
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
export async function reserve(db: Db, mailboxId: number, count: number): Promise<Reserved> {
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
export async function reserveByName(db: Db, accountId: number, name: string, count: number): Promise<Reserved & { id: number; uid_validity: number }> {
  const { rows } = await db.query<Reserved & { id: number; uid_validity: number }>(
    `UPDATE mailboxes SET highest_modseq = highest_modseq + 1, uid_next = uid_next + $1 WHERE account_id = $2 AND name = $3
     RETURNING id, uid_validity, highest_modseq AS modseq, uid_next - $1 AS first`,
    [count, accountId, requireName(name)],
  );
  if (rows.length === 0) throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(name)}`);
  return checkUidSpace(rows[0], count);
}

export interface InsertRow {
  uid: number;
  flags: string;
  internalDate: number;
  size: number;
  blobId: string;
  emailId: string;
  threadId: string;
}

export async function insertMessages(db: Db, mailboxId: number, modseq: number, savedAt: number, rows: readonly InsertRow[]): Promise<void> {
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
