/**
 * Live result contexts of SEARCH / SORT ... RETURN (UPDATE) (RFC 5267 §4.3): each keeps its result
 * as UIDs in the requested order and tells the client how it changes, with ESEARCH ADDTO and
 * REMOVEFROM return data (§4.3.2-§4.3.4).
 *
 * Invariants:
 * - Contexts live in the MailboxView, so they end when the mailbox is closed, unselected or
 *   another one is selected (§4.3: "Updates will cease when the mailbox is no longer selected").
 * - The result is diffed, never patched from events: `refreshContexts` re-evaluates the search
 *   program on every message whose metadata changed or that arrived (the changed rows of the
 *   modseq log), so a message that stops matching after a flag change is REMOVEFROM'd and one
 *   that starts matching is ADDTO'd, whoever changed it (this session or another).
 * - Removals caused by expunges are sent before the EXPUNGE/VANISHED that announces them, while
 *   their sequence numbers are still valid (§4.3.4), and already when an expunge is learned and
 *   EXPUNGE must still be withheld (Appendix A.3); ADDTO for new messages follows EXISTS (§4.3.3)
 *   because refreshContexts runs after EXISTS is written.
 * - SEARCH contexts use context position 0 and sets in mailbox order (§4.3.3-§4.3.4); SORT
 *   contexts use real positions: removals are listed first, each run of consecutive removed
 *   results as one (position, set) pair counted in the list as already shortened, then additions,
 *   each run at its final position, ascending - so the client's list equals ours after applying
 *   the pairs in order (§4.3.2 "MUST process ... in the order they appear").
 * - Sort keys never change for a stored message (envelope, size, dates), so a result only changes
 *   by membership; ties are broken by UID, which is the order of sequence numbers (RFC 5256 §3).
 */
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { MAX_UPDATE_CONTEXTS } from '../../wire/limits.js';

/** One result of a context: its UID and, for SORT, its sort-key values. */
export interface ContextEntry {
  uid: number;
  keys: ReadonlyArray<number | string>;
}

/** The entries of `uids` (ascending, present in the view) that match the search program now. */
export type ContextMatcher = (uids: readonly number[]) => Promise<ContextEntry[]>;

/** Orders entries as the SORT command did; null for SEARCH (mailbox order). */
export type ContextOrder = ((a: ContextEntry, b: ContextEntry) => number) | null;

export class UpdateContext {
  private entries: ContextEntry[];
  private readonly members: Set<number>;

  constructor(
    readonly tag: string,
    /** UID SEARCH / UID SORT: updates carry UIDs, else message numbers (§4.3.2). */
    readonly uid: boolean,
    readonly order: ContextOrder,
    initial: ContextEntry[],
    readonly match: ContextMatcher,
  ) {
    this.entries = initial;
    this.members = new Set(initial.map((e) => e.uid));
  }

  has(uid: number): boolean {
    return this.members.has(uid);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Applies a membership change and returns the ESEARCH return data that tells the client
   * ("REMOVEFROM (...) ADDTO (...)"), or null when nothing changed. `removed` are UIDs in the
   * result; `added` are new entries not in it.
   */
  apply(view: MailboxView, removed: ReadonlySet<number>, added: ContextEntry[]): string | null {
    if (removed.size === 0 && added.length === 0) return null;
    const num = (uid: number): number => (this.uid ? uid : view.seqOf(uid));
    const parts: string[] = [];
    if (this.order === null) {
      // §4.3.3-§4.3.4: position 0, the set in mailbox order for the shortest form.
      if (removed.size > 0) parts.push(`REMOVEFROM (0 ${encodeRuns([...removed].map(num).sort((a, b) => a - b))})`);
      const kept = this.entries.filter((e) => !removed.has(e.uid));
      for (const e of added) kept.push(e);
      kept.sort((a, b) => a.uid - b.uid);
      this.entries = kept;
      if (added.length > 0) parts.push(`ADDTO (0 ${encodeRuns(added.map((e) => num(e.uid)).sort((a, b) => a - b))})`);
    } else {
      const order = this.order;
      const kept: ContextEntry[] = [];
      if (removed.size > 0) {
        const pairs: string[] = [];
        let run: number[] = [];
        let runPos = 0;
        for (const e of this.entries) {
          if (removed.has(e.uid)) {
            if (run.length === 0) runPos = kept.length + 1;
            run.push(num(e.uid));
            continue;
          }
          if (run.length > 0) pairs.push(`${runPos} ${encodeRuns(run)}`);
          run = [];
          kept.push(e);
        }
        if (run.length > 0) pairs.push(`${runPos} ${encodeRuns(run)}`);
        parts.push(`REMOVEFROM (${pairs.join(' ')})`);
      } else {
        kept.push(...this.entries);
      }
      let merged = kept;
      if (added.length > 0) {
        const fresh = [...added].sort(order);
        merged = [];
        const isNew = new Set<number>();
        let i = 0;
        let j = 0;
        while (i < kept.length || j < fresh.length) {
          if (j < fresh.length && (i >= kept.length || order(fresh[j]!, kept[i]!) < 0)) {
            isNew.add(fresh[j]!.uid);
            merged.push(fresh[j++]!);
          } else merged.push(kept[i++]!);
        }
        const pairs: string[] = [];
        let run: number[] = [];
        let runPos = 0;
        merged.forEach((e, k) => {
          if (isNew.has(e.uid)) {
            if (run.length === 0) runPos = k + 1;
            run.push(num(e.uid));
            return;
          }
          if (run.length > 0) pairs.push(`${runPos} ${encodeRuns(run)}`);
          run = [];
        });
        if (run.length > 0) pairs.push(`${runPos} ${encodeRuns(run)}`);
        parts.push(`ADDTO (${pairs.join(' ')})`);
      }
      this.entries = merged;
    }
    for (const u of removed) this.members.delete(u);
    for (const e of added) this.members.add(e.uid);
    return parts.join(' ');
  }
}

/**
 * An order-preserving sequence-set: runs of consecutive ascending numbers become "a:b", anything
 * else is listed as it comes (RFC 5267 §3.2 for sorted sets; ascending input gives the usual
 * compact set).
 */
export function encodeRuns(nums: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(j > i ? `${nums[i]}:${nums[j]}` : `${nums[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A tag as an IMAP quoted string. */
function quoted(tag: string): string {
  return `"${tag.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** RFC 9051 §9 search-correlator. */
function correlator(tag: string): string {
  return `(TAG ${quoted(tag)})`;
}

function writeUpdate(session: ImapSession, ctx: UpdateContext, data: string): void {
  session.writeLine(`* ESEARCH ${correlator(ctx.tag)}${ctx.uid ? ' UID' : ''} ${data}`);
}

/**
 * Drops expunged messages from every context, writing REMOVEFROM for those that were results.
 * Call before the EXPUNGE/VANISHED for them (RFC 5267 §4.3.4); UIDs no context holds cost nothing,
 * so calling it again for the same UIDs is harmless.
 */
export function contextsExpunged(session: ImapSession, view: MailboxView, uids: Iterable<number>): void {
  if (view.contexts.size === 0) return;
  const list = [...uids];
  for (const ctx of view.contexts.values()) {
    const gone = new Set(list.filter((u) => ctx.has(u)));
    const data = ctx.apply(view, gone, []);
    if (data !== null) writeUpdate(session, ctx, data);
  }
}

/**
 * Re-evaluates every context on the given messages (arrived or with changed metadata) and writes
 * ADDTO/REMOVEFROM for the differences. Messages no longer in the view or awaiting an EXPUNGE are
 * skipped (contextsExpunged has removed them).
 */
export async function refreshContexts(session: ImapSession, view: MailboxView, uids: Iterable<number>): Promise<void> {
  if (view.contexts.size === 0) return;
  const candidates = [...new Set(uids)].filter((u) => view.seqOf(u) > 0 && !view.pendingExpunge.has(u)).sort((a, b) => a - b);
  if (candidates.length === 0) return;
  for (const ctx of [...view.contexts.values()]) {
    const matched = await ctx.match(candidates);
    // CANCELUPDATE or a reselect cannot run while this session is busy here, but stay safe.
    if (view.contexts.get(ctx.tag) !== ctx) continue;
    const now = new Set(matched.map((e) => e.uid));
    const removed = new Set(candidates.filter((u) => ctx.has(u) && !now.has(u)));
    const added = matched.filter((e) => !ctx.has(e.uid));
    const data = ctx.apply(view, removed, added);
    if (data !== null) writeUpdate(session, ctx, data);
  }
}

/**
 * Registers a context, or refuses it past MAX_UPDATE_CONTEXTS with an untagged
 * NO [NOUPDATE "tag"] (RFC 5267 §4.3.1); the command's other return options are answered either
 * way. Returns whether updates will be sent.
 */
export function startContext(session: ImapSession, view: MailboxView, ctx: UpdateContext): boolean {
  if (view.contexts.size >= MAX_UPDATE_CONTEXTS) {
    session.writeLine(`* NO [NOUPDATE ${quoted(ctx.tag)}] Too many update contexts, no updates for this one`);
    return false;
  }
  view.contexts.set(ctx.tag, ctx);
  return true;
}
