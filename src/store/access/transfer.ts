/**
 * COPY and MOVE between two accounts (a mailbox of another account and one's own, or two
 * owners): storage shares blobs within one account only, so the messages are read from the
 * source owner and appended for the destination owner in one atomic append.
 *
 * Invariants:
 * - The destination gets every message or none (one append); flags the actor may not set there
 *   are dropped first (RFC 4314 §4). INTERNALDATE is kept; EMAILID/THREADID are new (another
 *   account's objects, RFC 8474 §5).
 * - MOVE expunges exactly the copied UIDs from the source after the append committed; a crash in
 *   between leaves both copies (never none).
 * - What is held in memory is bounded by MAX_TRANSFER_BYTES (LIMIT beyond).
 */
import { StoreError } from '../errors.js';
import type { Actor, CopyResult, MailStore, NewMessage, Uid } from '../types.js';

/** Bytes one cross-account COPY/MOVE may hold in memory (the append is one transaction). */
export const MAX_TRANSFER_BYTES = 256 * 1024 * 1024;

export async function transferBetweenOwners(
  inner: MailStore,
  sourceOwner: Actor,
  sourceId: number,
  uids: readonly Uid[],
  destOwner: Actor,
  destName: string,
  keepFlags: (flags: readonly string[]) => string[],
  move: boolean,
): Promise<CopyResult> {
  const rows = await inner.getMessages(sourceOwner, sourceId, uids);
  const total = rows.reduce((n, r) => n + r.size, 0);
  if (total > MAX_TRANSFER_BYTES) throw new StoreError('LIMIT', 'Too much data to copy between accounts at once; copy fewer messages');
  if (rows.length === 0) {
    // Nothing left to copy; the destination must still exist (checked by the caller).
    const dest = await inner.getMailbox(destOwner, destName);
    return { uidValidity: dest?.uidValidity ?? 0, sourceUids: [], destUids: [] };
  }
  const metas = await inner.readMeta(sourceOwner, rows.map((r) => r.blobId));
  const messages: NewMessage[] = [];
  for (const row of rows) {
    messages.push({
      content: await inner.readBlob(sourceOwner, row.blobId),
      flags: keepFlags(row.flags),
      internalDate: row.internalDate,
      meta: metas.get(row.blobId) ?? '',
    });
  }
  const appended = await inner.append(destOwner, destName, messages);
  const sourceUids = rows.map((r) => r.uid);
  if (move) {
    await inner.storeFlags(sourceOwner, sourceId, sourceUids, 'add', ['\\Deleted']);
    await inner.expunge(sourceOwner, sourceId, sourceUids);
  }
  return { uidValidity: appended.uidValidity, sourceUids, destUids: appended.uids };
}
