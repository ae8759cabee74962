/**
 * Private \Seen (docs/decisions/0019): in a mailbox the actor does not own, the actor's \Seen is
 * its own, kept as seen marks (MailStore.seenMarks, storeSeenMarks) beside the message; every
 * other flag is shared. RFC 4314 §5.2 lets a server keep \Seen per user; RFC 7162 §3.1.4 example
 * 14 shows such a private change reported to the same user's other sessions with a new
 * mod-sequence, and not to other users.
 *
 * Invariants:
 * - A reader's view of a row of another account's mailbox: the owner's \Seen removed, the
 *   reader's added when it has a mark. The owner's \Seen stays in the message's flags, unseen
 *   and unchanged by grantees.
 * - Only "s" lets a reader mark (RFC 4314 §4); without it \Seen is silently dropped, as before.
 * - Marks carried to new messages (APPEND, COPY, MOVE, REPLACE into another account's mailbox)
 *   are written after the message, in a second transaction: the new message then gets one more
 *   modseq. A mailbox deleted in between loses nothing the client was promised (the message went
 *   with it), so that case is not an error.
 */
import { StoreError } from '../errors.js';
import type { Actor, MailStore, MessageRow, Uid } from '../types.js';
import { SEEN } from '../flag-lists.js';
import { allFlagRights, allowedFlags } from './flags.js';

export const isSeen = (flag: string): boolean => flag.toLowerCase() === '\\seen';

/** `row` as a reader sees it: with \Seen exactly when the reader has seen it. */
export function withSeen(row: MessageRow, seen: boolean): MessageRow {
  const flags = row.flags.filter((f) => !isSeen(f));
  return { ...row, flags: seen ? [...flags, SEEN] : flags };
}

/**
 * Rows of `owner`'s mailbox as `reader` sees them. `all`: the rows are the whole mailbox (one
 * read of every mark instead of a list of UIDs).
 */
export async function readerView(
  inner: MailStore,
  owner: Actor,
  mailboxId: number,
  reader: number,
  rows: readonly MessageRow[],
  all = false,
): Promise<MessageRow[]> {
  if (rows.length === 0) return [];
  const marks = await inner.seenMarks(owner, mailboxId, reader, all ? undefined : rows.map((r) => r.uid));
  const seen = new Set<number>(marks);
  return rows.map((r) => withSeen(r, seen.has(r.uid)));
}

/**
 * A new message's flags (APPEND, COPY, MOVE, REPLACE) in a mailbox where the actor has `rights`:
 * only those it may set (RFC 4314 §4); in another account's mailbox (`foreign`) without \Seen
 * (the owner has not seen it), `seen` telling whether the actor's mark is to be carried.
 */
export function admitFlags(flags: readonly string[], rights: string, foreign: boolean): { flags: readonly string[]; seen: boolean } {
  const allowed = allFlagRights(rights) ? flags : allowedFlags(flags, rights);
  if (!foreign) return { flags: allowed, seen: false };
  return { flags: allowed.filter((f) => !isSeen(f)), seen: rights.includes('s') && allowed.some(isSeen) };
}

/** Marks `uids` (new messages) as seen by `reader`; a mailbox gone meanwhile is no error. */
export async function carrySeen(inner: MailStore, owner: Actor, mailboxId: number, reader: number, uids: readonly Uid[]): Promise<void> {
  if (uids.length === 0) return;
  try {
    await inner.storeSeenMarks(owner, mailboxId, reader, uids, true);
  } catch (e) {
    if (!(e instanceof StoreError && e.code === 'NONEXISTENT')) throw e;
  }
}
