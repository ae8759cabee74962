/**
 * Thread assignment of the PostgreSQL backend (RFC 8474 §5.2; the rules and their reasons are
 * in src/store/sqlite/threads.ts, whose key selection this module shares).
 *
 * Invariants:
 * - thread_refs rows are only ever added (ON CONFLICT DO NOTHING): a THREADID once reported
 *   never changes.
 * - Lookup and insertion for one account run under a transaction-level advisory lock keyed by
 *   the account, so two nodes appending related messages at once cannot start two threads for
 *   one Message-ID. It is taken after the mailbox row lock, always in that order.
 */
import type { MessageThreading } from '../types.js';
import { newObjectId, threadKeys } from '../object-ids.js';
import type { Db } from './context.js';

/** Base of the advisory lock keys for per-account thread assignment (apart from schema.ts's). */
const THREAD_LOCK_BASE = 2 ** 44;

/**
 * Inside a transaction: the THREADIDs of new messages of the account, in order (a later message
 * may join the thread of an earlier one); records their keys. The advisory lock is taken once;
 * each message with keys then costs one statement (lookup, choice and insert together: the
 * lock is already held, so the statement's snapshot sees every committed mapping).
 */
export async function assignThreads(db: Db, accountId: number, threadings: ReadonlyArray<MessageThreading | undefined>): Promise<string[]> {
  const keyed = threadings.map((t) => ({ keys: threadKeys(t), subject: t?.subject ?? '' }));
  if (keyed.some((k) => k.keys.length > 0)) await db.query('SELECT pg_advisory_xact_lock($1::int8)', [THREAD_LOCK_BASE + accountId]);
  const out: string[] = [];
  for (const { keys, subject } of keyed) {
    if (keys.length === 0) {
      out.push(newObjectId('T'));
      continue;
    }
    // The first key, in lookup order, mapped to a thread of the same base subject decides (RFC
    // 8621 §3 condition 2, as in SQLite); otherwise the new id $3 starts a thread. Keys are
    // distinct (threadKeys), so the INSERT never meets one key twice.
    const { rows } = await db.query<{ thread_id: string }>(
      `WITH k AS (SELECT key, ord FROM unnest($2::text[]) WITH ORDINALITY AS t(key, ord)),
            tid AS (
              SELECT COALESCE(
                (SELECT r.thread_id FROM k JOIN thread_refs r ON r.account_id = $1 AND r.message_id = k.key
                  WHERE r.subject = $4 ORDER BY k.ord LIMIT 1),
                $3) AS thread_id),
            ins AS (
              INSERT INTO thread_refs (account_id, message_id, thread_id, subject)
                SELECT $1, k.key, tid.thread_id, $4 FROM k, tid
              ON CONFLICT DO NOTHING)
       SELECT thread_id FROM tid`,
      [accountId, keys, newObjectId('T'), subject],
    );
    out.push(rows[0].thread_id);
  }
  return out;
}

/** Inside a transaction: the THREADID of one new message of the account (assignThreads). */
export async function assignThread(db: Db, accountId: number, threading: MessageThreading | undefined): Promise<string> {
  return (await assignThreads(db, accountId, [threading]))[0];
}
