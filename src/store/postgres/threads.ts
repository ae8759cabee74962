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

/** Inside a transaction: the THREADID of a new message of the account; records its keys. */
export async function assignThread(db: Db, accountId: number, threading: MessageThreading | undefined): Promise<string> {
  const keys = threadKeys(threading);
  if (keys.length === 0) return newObjectId('T');
  await db.query('SELECT pg_advisory_xact_lock($1::int8)', [THREAD_LOCK_BASE + accountId]);
  const subject = threading?.subject ?? '';
  const { rows } = await db.query<{ message_id: string; thread_id: string; subject: string }>(
    'SELECT message_id, thread_id, subject FROM thread_refs WHERE account_id = $1 AND message_id = ANY($2::text[])',
    [accountId, keys],
  );
  const found = new Map(rows.map((r) => [r.message_id, r]));
  // The first key, in lookup order, mapped to a thread of the same base subject decides (RFC 8621
  // §3 condition 2, as in SQLite); otherwise a new thread starts.
  const threadId =
    keys.map((k) => found.get(k)).find((r) => r !== undefined && r.subject === subject)?.thread_id ?? newObjectId('T');
  await db.query(
    `INSERT INTO thread_refs (account_id, message_id, thread_id, subject) SELECT $1, k, $3, $4 FROM unnest($2::text[]) AS k
     ON CONFLICT DO NOTHING`,
    [accountId, keys, threadId, subject],
  );
  return threadId;
}
