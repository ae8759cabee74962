/**
 * Resolution of a command's sequence set through the session's MailboxView, shared by FETCH,
 * STORE, SEARCH, COPY, MOVE and UID EXPUNGE.
 *
 * Invariants:
 * - Results are UIDs, ascending and unique; sequence numbers never leave the session layer.
 * - Message-number forms: a number beyond the mailbox size, or any explicit set in an empty
 *   mailbox, is a tagged BAD (RFC 9051 §9 seq-number: numbers must be valid; Dovecot answers
 *   BAD "Invalid messageset"). "$" is always valid, even when empty (RFC 9051 §6.4.4.1).
 * - UID forms: UIDs not in the view are ignored; "*" is the highest UID (RFC 9051 §6.4.9).
 * - As a SEARCH key a message set is a filter, never an error: out-of-range numbers match nothing.
 */
import type { PartialRange, SequenceSet } from '../protocol/ast.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { bad, type CommandResult } from '../session/state.js';

export type SetResolution = { ok: true; uids: number[] } | { ok: false; result: CommandResult };

export const INVALID_SEQUENCE_SET = 'Invalid sequence set';

/** UIDs named by a command's set: message numbers (uid false) or UIDs (uid true). */
export function resolveCommandSet(view: MailboxView, set: SequenceSet, uid: boolean): SetResolution {
  if (uid) return { ok: true, uids: view.resolveUidSet(set) };
  if (set.kind === 'set' && view.exists === 0) return { ok: false, result: bad(INVALID_SEQUENCE_SET) };
  const { uids, invalid } = view.resolveSeqSet(set);
  if (invalid) return { ok: false, result: bad(INVALID_SEQUENCE_SET) };
  return { ok: true, uids };
}

/** The UIDs a SEARCH message-set key (uid false) or UID key (uid true) matches. */
export function searchSetUids(view: MailboxView, set: SequenceSet, uid: boolean): Set<number> {
  if (uid) return new Set(view.resolveUidSet(set));
  if (view.exists === 0) return new Set();
  return new Set(view.resolveSeqSet(set).uids);
}

/**
 * Splits UIDs into those still announced as present and those another session expunged
 * (known to the view but not yet reported, RFC 9051 §7.5.1).
 */
export function withoutPendingExpunges(view: MailboxView, uids: readonly number[]): { live: number[]; skipped: number } {
  if (view.pendingExpunge.size === 0) return { live: [...uids], skipped: 0 };
  const live: number[] = [];
  let skipped = 0;
  for (const u of uids) {
    if (view.pendingExpunge.has(u)) skipped++;
    else live.push(u);
  }
  return { live, skipped };
}


/**
 * The index window [start, end) of a PARTIAL range over `n` results (RFC 9394 §3.1): positions
 * count from 1 at the first result, or from the last one for a "-" range; positions beyond the
 * results are ignored, so the window may be empty.
 */
export function partialWindow(range: PartialRange, n: number): [number, number] {
  if (!range.fromEnd) return [Math.min(range.low - 1, n), Math.min(range.high, n)];
  return [Math.max(n - range.high, 0), Math.max(n - range.low + 1, 0)];
}

/** The range as it is echoed in PARTIAL return data (RFC 9394 §4 ret-data-partial). */
export function formatPartialRange(range: PartialRange): string {
  return range.fromEnd ? `-${range.low}:-${range.high}` : `${range.low}:${range.high}`;
}
