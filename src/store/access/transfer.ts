/**
 * COPY and MOVE between two accounts (a mailbox of another account and one's own, or two
 * owners): storage shares blobs within one account only, so the messages are read from the
 * source owner and appended for the destination owner in one atomic append.
 *
 * Invariants:
 * - The destination gets every message or none (one append); flags the actor may not set there
 *   are dropped first (RFC 4314 §4). INTERNALDATE is kept; EMAILID/THREADID are new (another
 *   account's objects, RFC 8474 §5).
 * - Flags are copied as the actor sees them (seen.ts, decision 0019): from another account's
 *   mailbox with the actor's own \Seen; into another account's mailbox, \Seen becomes the
 *   actor's mark on the new message, never the destination owner's flag.
 * - MOVE expunges exactly the copied UIDs from the source after the append committed; a crash in
 *   between leaves both copies (never none).
 * - What is held in memory is bounded by MAX_TRANSFER_BYTES (LIMIT beyond).
 */
import { StoreError } from '../errors.js';
import type { Actor, CopyResult, MailStore, NewMessage, Uid } from '../types.js';
import { admitFlags, carrySeen, readerView } from './seen.js';

/** Bytes one cross-account COPY/MOVE may hold in memory (the append is one transaction). */
export const MAX_TRANSFER_BYTES = 256 * 1024 * 1024;

/** One side of a transfer; `reader`: the actor when the mailbox is another account's, else null. */
export interface TransferSource {
  owner: Actor;
  mailboxId: number;
  reader: number | null;
}

export interface TransferDestination {
  owner: Actor;
  name: string;
  mailboxId: number;
  reader: number | null;
  /** The actor's rights there (every right in its own mailbox). */
  rights: string;
}

export async function transferBetweenOwners(
  inner: MailStore,
  source: TransferSource,
  uids: readonly Uid[],
  dest: TransferDestination,
  move: boolean,
): Promise<CopyResult> {
  const raw = await inner.getMessages(source.owner, source.mailboxId, uids);
  const total = raw.reduce((n, r) => n + r.size, 0);
  if (total > MAX_TRANSFER_BYTES) throw new StoreError('LIMIT', 'Too much data to copy between accounts at once; copy fewer messages');
  if (raw.length === 0) {
    // Nothing left to copy; the destination must still exist (checked by the caller).
    const mailbox = await inner.getMailbox(dest.owner, dest.name);
    return { uidValidity: mailbox?.uidValidity ?? 0, sourceUids: [], destUids: [] };
  }
  const rows = source.reader === null ? raw : await readerView(inner, source.owner, source.mailboxId, source.reader, raw);
  const metas = await inner.readMeta(source.owner, rows.map((r) => r.blobId));
  const messages: NewMessage[] = [];
  const seen: boolean[] = [];
  for (const row of rows) {
    const { flags, seen: marked } = admitFlags(row.flags, dest.rights, dest.reader !== null);
    seen.push(marked);
    messages.push({
      content: await inner.readBlob(source.owner, row.blobId),
      flags,
      internalDate: row.internalDate,
      meta: metas.get(row.blobId) ?? '',
    });
  }
  const appended = await inner.append(dest.owner, dest.name, messages);
  if (dest.reader !== null) {
    await carrySeen(inner, dest.owner, dest.mailboxId, dest.reader, appended.uids.filter((_, i) => seen[i]));
  }
  const sourceUids = rows.map((r) => r.uid);
  if (move) {
    await inner.storeFlags(source.owner, source.mailboxId, sourceUids, 'add', ['\\Deleted']);
    await inner.expunge(source.owner, source.mailboxId, sourceUids);
  }
  return { uidValidity: appended.uidValidity, sourceUids, destUids: appended.uids };
}
