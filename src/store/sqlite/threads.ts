/**
 * Object ids and thread assignment of the SQLite backend (RFC 8474 §4, §5; threads in the
 * manner of JMAP, RFC 8621 §3).
 *
 * Invariants:
 * - An object id is a kind letter (F mailbox, M email, T thread) and 24 lowercase hex digits from
 *   a CSPRNG: `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7), not starting with a
 *   digit or dash, never "NIL", never two that differ only by case (§8.1), and nothing in it
 *   derives from the account, the content or a counter another account could observe.
 * - thread_refs maps, per account, every Message ID a message named (its own and those it refers
 *   to) to the thread the message joined and that thread's base subject. A new message joins
 *   the thread of the first of its own ID, the root, then its references newest first, that is
 *   already mapped to a thread of the same base subject (RFC 8621 §3: a shared Message ID and
 *   the same subject); otherwise a new thread starts, with the message's subject. Mappings are only ever added (INSERT OR IGNORE), so a thread id once reported never
 *   changes (§5.2), and a reply that arrives before its parent still pulls the parent into its
 *   thread (the parent's own ID was mapped by the reply).
 * - Threads never cross accounts: the index is keyed by account.
 * - At most MAX_THREAD_KEYS Message IDs of MAX_MESSAGE_ID_LENGTH octets each are used per
 *   message (own, root, newest references), so a hostile References field costs bounded work
 *   and rows.
 */
import type { MessageThreading } from '../types.js';
import { newObjectId, threadKeys } from '../object-ids.js';
import type { SqliteContext } from './context.js';

/** Inside a write transaction: the THREADID of a new message of the account; records its keys. */
export function assignThread(ctx: SqliteContext, accountId: number, threading: MessageThreading | undefined): string {
  const keys = threadKeys(threading);
  const subject = threading?.subject ?? '';
  let threadId: string | undefined;
  const find = ctx.stmt<{ thread_id: string; subject: string }>(
    'SELECT thread_id, subject FROM thread_refs WHERE account_id = ? AND message_id = ?',
  );
  for (const k of keys) {
    const hit = find.get(accountId, k);
    // RFC 8621 §3 condition 2: a shared Message ID alone does not join a thread whose base
    // subject differs (a reply used to start a new conversation).
    if (hit !== undefined && hit.subject === subject) {
      threadId = hit.thread_id;
      break;
    }
  }
  threadId ??= newObjectId('T');
  const ins = ctx.stmt('INSERT OR IGNORE INTO thread_refs (account_id, message_id, thread_id, subject) VALUES (?, ?, ?, ?)');
  for (const k of keys) ins.run(accountId, k, threadId, subject);
  return threadId;
}
