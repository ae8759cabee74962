/**
 * Quick resynchronization answers (RFC 7162 §3.2.5 SELECT/EXAMINE (QRESYNC ...), §3.2.6
 * UID FETCH ... (CHANGEDSINCE m VANISHED)): which known messages vanished, and which changed,
 * since a mod-sequence the client remembers.
 *
 * Invariants:
 * - VANISHED (EARLIER) lists only UIDs that (a) were expunged with a mod-sequence above the
 *   client's, (b) lie in the set the client named (known-uids; the UID FETCH set), and (c) are
 *   not in the session's view - a message another session expunged that this client still sees
 *   is announced later by a plain VANISHED at a safe point (§3.2.10.2), never as EARLIER, so the
 *   view's sequence numbers and the client's stay equal.
 * - Expunge history horizon: storage remembers each expunged UID with its mod-sequence for
 *   --expunge-history-days (store/types.ts pruneExpungeHistory, run by the server's maintenance
 *   timer) and keeps, per mailbox, the highest pruned mod-sequence as a floor. For a client
 *   mod-sequence at or above the floor changesSince is complete and the answer exact. Below it
 *   (expungedComplete false) the history that client needs is gone, so VANISHED (EARLIER) lists
 *   every UID of the named set (known-uids, else 1:UIDNEXT-1; the UID FETCH set), below the
 *   view's UIDNEXT, that is not in the view: a superset of what vanished, which RFC 7162 §3.2.5.1
 *   and §3.2.6 allow, and exactly the case seq-match-data (§3.2.5.2) narrows. That list is built
 *   as intervals (the set's ranges minus the view's UIDs), so its size is bounded by the client's
 *   set plus the view, never by the UID range it spans.
 * - seq-match-data (§3.2.5.2) only narrows the VANISHED (EARLIER) answer: the pairs are checked
 *   in order against the view and the UID of the last pair that matches, before the first one
 *   that does not, is a floor below which nothing is reported. Work is bounded by the view size
 *   (sequence numbers must ascend; the walk stops at the first pair that cannot match).
 * - The FETCH responses of SELECT (QRESYNC) carry UID, FLAGS and MODSEQ (§3.2.5.1) for messages
 *   of the view whose mod-sequence is above the client's, restricted to known-uids when given,
 *   and come after the VANISHED (EARLIER) response (§3.2.6: VANISHED before any FETCH).
 * - The HIGHESTMODSEQ sent in the tagged OK of EXPUNGE, UID EXPUNGE and MOVE (§3.2.7, §3.2.9,
 *   RFC 6851 §4.4) is computed only after every pending change was folded in and announced, so
 *   it never exceeds the mod-sequence of an expunge the client has not been told about (§3.2).
 */
import { fetchOpening } from './uidonly.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { Actor, MessageRow, ModSeq } from '../../store/types.js';
import type { QresyncSelectParams, SequenceSet } from '../protocol/ast.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { displayFlags, syncView } from './updates.js';
import { qresyncEnabled, writeVanishedRanges } from './qresync.js';

/** Sorted, merged, inclusive UID intervals. */
type Intervals = Array<[number, number]>;

/** A UID set as intervals; "*" stands for `star` (RFC 9051 §6.4.9), "$" for the saved result. */
function intervals(view: MailboxView, set: SequenceSet, star: number): Intervals {
  const raw: Intervals = [];
  if (set.kind === 'saved') for (const u of view.savedSearch) raw.push([u, u]);
  else {
    for (const r of set.ranges) {
      const a = r.start === '*' ? star : r.start;
      const b = r.end === '*' ? star : r.end;
      raw.push(a <= b ? [a, b] : [b, a]);
    }
  }
  raw.sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const iv of raw) {
    const last = out[out.length - 1];
    if (last && iv[0] <= last[1] + 1) last[1] = Math.max(last[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out;
}

function contains(ivs: Intervals, n: number): boolean {
  let lo = 0;
  let hi = ivs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const [a, b] = ivs[mid]!;
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The members of an explicit set in the client's order (each range ascending). */
function* members(set: SequenceSet): Generator<number> {
  if (set.kind !== 'set') return;
  for (const r of set.ranges) {
    const a = r.start as number;
    const b = r.end as number;
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    for (let n = lo; n <= hi; n++) yield n;
  }
}

/**
 * RFC 7162 §3.2.5.2: the UID of the last matching (seq, uid) pair before the first mismatch,
 * or 0. A pair whose sequence number does not ascend, or lies beyond the view, ends the walk.
 */
export function seqMatchFloor(view: MailboxView, seqMatch: { seqs: SequenceSet; uids: SequenceSet }): number {
  let floor = 0;
  let prev = 0;
  const uids = members(seqMatch.uids);
  for (const seq of members(seqMatch.seqs)) {
    const next = uids.next();
    if (next.done === true) break;
    if (seq <= prev || seq > view.exists || view.uids[seq - 1] !== next.value) break;
    prev = seq;
    floor = next.value;
  }
  return floor;
}

/**
 * The UIDs to report in VANISHED (EARLIER), as "a" / "a:b" ranges: those expunged with modseq
 * above `since`, within `named` (null: every UID ever assigned) and above `floor`, that are no
 * longer in the view. When storage no longer remembers that far back (expungedComplete false),
 * every such UID below the view's UIDNEXT that is not in the view (see the header).
 */
async function vanishedSince(session: ImapSession, actor: Actor, view: MailboxView, since: number, named: Intervals | null, floor: number): Promise<string[]> {
  const changes = await session.store.changesSince(actor, view.mailboxId, since as ModSeq);
  const keep = (u: number): boolean => u > floor && (named === null || contains(named, u));
  if (changes.expungedComplete) {
    const uids = changes.expunged.filter((u) => view.seqOf(u) === 0 && keep(u));
    return uids.length === 0 ? [] : encodeSequenceSet(uids).split(',');
  }
  const top = view.uidNext - 1;
  const out: string[] = [];
  for (const [a0, b0] of named ?? [[1, top]]) {
    const a = Math.max(a0, floor + 1);
    const b = Math.min(b0, top);
    if (a > b) continue;
    // The view's UIDs within [a, b] split it into the gaps that are reported.
    let next = a;
    for (let i = firstAtLeast(view.uids, a); i < view.uids.length && view.uids[i]! <= b; i++) {
      const u = view.uids[i]!;
      if (u > next) out.push(range(next, u - 1));
      next = u + 1;
    }
    if (next <= b) out.push(range(next, b));
  }
  return out;
}

const range = (a: number, b: number): string => (a === b ? String(a) : `${a}:${b}`);

/** Index of the first element of ascending `xs` that is >= n (xs.length when none). */
function firstAtLeast(xs: readonly number[], n: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The resynchronization part of SELECT/EXAMINE (QRESYNC ...) (RFC 7162 §3.2.5), written after
 * the usual untagged responses: nothing when the UIDVALIDITY differs (the client must then
 * resynchronize fully), else VANISHED (EARLIER) and then FETCH (UID FLAGS MODSEQ).
 * `rows` are the rows the view was built from.
 */
export async function resyncOnSelect(session: ImapSession, actor: Actor, view: MailboxView, rows: readonly MessageRow[], p: QresyncSelectParams): Promise<void> {
  if (p.uidValidity !== view.uidValidity) return;
  // Without known-uids the client is taken to know 1:<UIDNEXT-1>, i.e. every UID ever assigned.
  const known = p.knownUids ? intervals(view, p.knownUids, 0) : null;
  const isKnown = (u: number): boolean => known === null || contains(known, u);
  const floor = p.seqMatch ? seqMatchFloor(view, p.seqMatch) : 0;
  writeVanishedRanges(session, await vanishedSince(session, actor, view, p.modseq, known, floor), true);
  for (const row of rows) {
    if (row.modseq <= p.modseq || !isKnown(row.uid)) continue;
    const b = new ResponseBuilder();
    b.raw(fetchOpening(session, view, row.uid, true));
    b.raw('FLAGS ');
    b.flags(displayFlags(session, view, row.uid, row.flags));
    b.raw(` MODSEQ (${row.modseq}))`);
    session.send(b);
    // A state newer than the view's modseq: the next sync must not repeat it.
    if (row.modseq > view.modseq) view.ownChanges.set(row.uid, row.modseq);
    await session.drainIfNeeded();
  }
}

/**
 * UID FETCH ... (CHANGEDSINCE m VANISHED) (RFC 7162 §3.2.6): writes VANISHED (EARLIER) for the
 * UIDs of `set` expunged with a mod-sequence above m, before any FETCH response. "*" covers every
 * UID ever assigned (UIDNEXT-1), so an expunged message above the highest remaining UID is
 * reported too.
 */
export async function vanishedForFetch(session: ImapSession, actor: Actor, view: MailboxView, set: SequenceSet, since: number): Promise<void> {
  const last = view.uids.length > 0 ? view.uids[view.uids.length - 1]! : 0;
  const ivs = intervals(view, set, Math.max(last, view.uidNext - 1));
  writeVanishedRanges(session, await vanishedSince(session, actor, view, since, ivs, 0), true);
}

/**
 * After this session expunged or moved messages with QRESYNC enabled: folds in other pending
 * changes and returns the HIGHESTMODSEQ response code for the tagged OK (RFC 7162 §3.2.7,
 * RFC 6851 §4.4), or undefined when nothing was removed or QRESYNC is off.
 */
export async function highestModSeqAfterExpunge(session: ImapSession, removed: number): Promise<string | undefined> {
  if (removed === 0 || !qresyncEnabled(session)) return undefined;
  session.dirty = true;
  await syncView(session, true);
  const state = session.state;
  return state.kind === 'selected' ? `HIGHESTMODSEQ ${state.view.modseq}` : undefined;
}
