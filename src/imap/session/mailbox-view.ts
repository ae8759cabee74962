/**
 * One session's view of its selected mailbox: the sequence-number <-> UID map, the \Recent set,
 * expunges not yet announced, and the modseq up to which storage changes have been folded in.
 *
 * Invariants (RFC 9051 §2.3.1.2, §7.5.1):
 * - Sequence numbers exist only here; storage speaks UIDs.
 * - `uids` is strictly ascending; seq n is uids[n-1].
 * - A message expunged by another session stays in `uids` (and keeps its seq) until this session
 *   announces the EXPUNGE at a point where that is allowed; until then it is in `pendingExpunge`.
 * - `modseq` is the highest store modseq already reflected in what the client was told, except for
 *   changes this session made itself, which it reports directly and remembers in `ownChanges`.
 */
import type { ModSeq, Uid } from '../../store/types.js';
import type { SequenceSet } from '../protocol/ast.js';
import type { UpdateContext } from './search-context.js';

export class MailboxView {
  uids: number[];
  readonly pendingExpunge = new Set<number>();
  /** uid -> modseq of flag changes this session reported itself (skip them when syncing). */
  readonly ownChanges = new Map<number, number>();
  /** Half-open UID ranges [from, to) that are \Recent for this session. */
  private readonly recent: Array<[number, number]> = [];
  /** Keywords announced to the client in FLAGS (RFC 9051 §7.3.5), lower-cased -> as spelled. */
  readonly keywords = new Map<string, string>();
  /** Result of the last SEARCH ... RETURN (SAVE) as UIDs (RFC 5182); empty when none. */
  savedSearch: number[] = [];
  /** Live RETURN (UPDATE) contexts by search tag (RFC 5267 §4.3); they end with this view. */
  readonly contexts = new Map<string, UpdateContext>();
  /**
   * While `pendingExpunge` is non-empty: a modseq below every pending expunge's, up to which the
   * client was told everything - the HIGHESTMODSEQ a QRESYNC client may be given (RFC 7162 §3.2).
   */
  expungeFloor = 0;
  /**
   * The account's RFC 4314 rights on the mailbox when it was selected (real rights; the owner's
   * are all of them): PERMANENTFLAGS shows only the flags these let the client change (§5.1.1).
   */
  rights = 'lrswipkxtea';
  /**
   * Whether SELECT answered READ-ONLY: `readOnly`, or another account's mailbox where only the
   * reader's private \Seen may change (RFC 4314 §5.2, RFC 9051 §6.3.2). Such a session does not
   * take \Recent from others (RFC 3501 §2.3.2), like EXAMINE.
   */
  sharedReadOnly: boolean;

  constructor(
    readonly mailboxId: number,
    readonly name: string,
    readonly readOnly: boolean,
    readonly uidValidity: number,
    uids: number[],
    public modseq: ModSeq,
    public uidNext: Uid,
  ) {
    this.uids = uids;
    this.sharedReadOnly = readOnly;
  }

  get exists(): number {
    return this.uids.length;
  }

  addRecent(from: number, to: number): void {
    if (to > from) this.recent.push([from, to]);
  }

  isRecent(uid: number): boolean {
    for (const [a, b] of this.recent) if (uid >= a && uid < b) return true;
    return false;
  }

  recentCount(): number {
    let n = 0;
    for (const uid of this.uids) if (this.isRecent(uid)) n++;
    return n;
  }

  /** Sequence number of a UID, or 0 when not in the view. Binary search. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Removes a UID and returns the seq it had (0 when absent). */
  remove(uid: number): number {
    const seq = this.seqOf(uid);
    if (seq > 0) this.uids.splice(seq - 1, 1);
    this.pendingExpunge.delete(uid);
    this.ownChanges.delete(uid);
    return seq;
  }

  /**
   * Resolves a sequence set of sequence numbers to UIDs (ascending, unique). "*" is the highest
   * sequence number; in an empty mailbox any set is an error per RFC 9051 §6.4.x, reported by
   * the caller. Numbers beyond the mailbox size are an error (returned as `invalid`).
   */
  resolveSeqSet(set: SequenceSet): { uids: number[]; invalid: boolean } {
    if (set.kind === 'saved') return { uids: this.savedSearch.filter((u) => this.seqOf(u) > 0), invalid: false };
    const max = this.uids.length;
    const picked = new Uint8Array(max + 1);
    let invalid = false;
    for (const r of set.ranges) {
      let a = r.start === '*' ? max : r.start;
      let b = r.end === '*' ? max : r.end;
      if (a > b) [a, b] = [b, a];
      if (a < 1 || b > max) invalid = true;
      a = Math.max(1, a);
      b = Math.min(max, b);
      for (let s = a; s <= b; s++) picked[s] = 1;
    }
    const uids: number[] = [];
    for (let s = 1; s <= max; s++) if (picked[s]) uids.push(this.uids[s - 1]!);
    return { uids, invalid };
  }

  /**
   * Resolves a UID set to the UIDs present in the view (RFC 9051 §6.4.9: non-existent UIDs are
   * ignored; "*" is the highest UID in the mailbox, so "n:*" always includes the last message).
   */
  resolveUidSet(set: SequenceSet): number[] {
    if (set.kind === 'saved') return this.savedSearch.filter((u) => this.seqOf(u) > 0);
    const n = this.uids.length;
    if (n === 0) return [];
    const maxUid = this.uids[n - 1]!;
    const out = new Set<number>();
    for (const r of set.ranges) {
      let a = r.start === '*' ? maxUid : r.start;
      let b = r.end === '*' ? maxUid : r.end;
      if (a > b) [a, b] = [b, a];
      // Walk the view from the first UID >= a; ranges are bounded by the view's size.
      let i = lowerBound(this.uids, a);
      while (i < n && this.uids[i]! <= b) out.add(this.uids[i++]!);
    }
    return [...out].sort((x, y) => x - y);
  }
}

function lowerBound(arr: number[], v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
