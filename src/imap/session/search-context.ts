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
import { quoted } from '../protocol/response.js';

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
    /**
     * RETURN (UPDATE (fetch-att ...)) (RFC 5465 §7): writes FETCH responses for new messages
     * that join the result, before the ESEARCH ADDTO that adds them.
     */
    readonly fetchNew: ((uids: readonly number[]) => Promise<void>) | null = null,
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
    const positional = this.order !== null;
    const order = this.order ?? byUid;
    const parts: string[] = [];
    // Removals, counted in the list as shortened by the earlier pairs.
    let kept = this.entries;
    if (removed.size > 0) {
      kept = [];
      const runs = new Runs(positional);
      for (const e of this.entries) {
        if (removed.has(e.uid)) runs.add(kept.length + 1, num(e.uid));
        else {
          runs.end();
          kept.push(e);
        }
      }
      parts.push(`REMOVEFROM (${runs.data()})`);
    }
    // Additions, merged in order; each run named by the position it ends up at.
    let merged = kept;
    if (added.length > 0) {
      const fresh = [...added].sort(order);
      merged = [];
      const runs = new Runs(positional);
      let i = 0;
      let j = 0;
      while (i < kept.length || j < fresh.length) {
        if (j < fresh.length && (i >= kept.length || order(fresh[j]!, kept[i]!) < 0)) {
          runs.add(merged.length + 1, num(fresh[j]!.uid));
          merged.push(fresh[j++]!);
        } else {
          runs.end();
          merged.push(kept[i++]!);
        }
      }
      parts.push(`ADDTO (${runs.data()})`);
    }
    this.entries = merged;
    for (const u of removed) this.members.delete(u);
    for (const e of added) this.members.add(e.uid);
    return parts.join(' ');
  }
}

const byUid = (a: ContextEntry, b: ContextEntry): number => a.uid - b.uid;

/**
 * Collects (context position, set) pairs: with positions, one pair per run of consecutive
 * results; without (SEARCH), one pair at position 0 holding every number in mailbox order
 * (RFC 5267 §4.3.3: "servers are RECOMMENDED to order the result update into mailbox order").
 */
class Runs {
  private readonly pairs: string[] = [];
  private run: number[] = [];
  private runPos = 0;

  constructor(private readonly positional: boolean) {}

  add(position: number, n: number): void {
    if (this.run.length === 0) this.runPos = position;
    this.run.push(n);
  }

  end(): void {
    if (this.positional && this.run.length > 0) {
      this.pairs.push(`${this.runPos} ${encodeRuns(this.run)}`);
      this.run = [];
    }
  }

  data(): string {
    if (!this.positional) return `0 ${encodeRuns(this.run)}`;
    this.end();
    return this.pairs.join(' ');
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
export async function refreshContexts(session: ImapSession, view: MailboxView, uids: Iterable<number>, arrived: ReadonlySet<number> = new Set()): Promise<void> {
  if (view.contexts.size === 0) return;
  const candidates = [...new Set(uids)].filter((u) => view.seqOf(u) > 0 && !view.pendingExpunge.has(u)).sort((a, b) => a - b);
  if (candidates.length === 0) return;
  for (const ctx of [...view.contexts.values()]) {
    let matched: ContextEntry[];
    try {
      matched = await ctx.match(candidates);
    } catch (e) {
      // A context that cannot follow the mailbox stops, and says so rather than drift (§4.3.1).
      session.log.warn({ err: e instanceof Error ? e.message : String(e), tag: ctx.tag }, 'search context dropped');
      view.contexts.delete(ctx.tag);
      session.writeLine(`* NO [NOUPDATE ${quoted(ctx.tag)}] Updates for this search stopped`);
      continue;
    }
    // Commands run one at a time, so nothing cancels a context meanwhile; stay safe anyway.
    if (view.contexts.get(ctx.tag) !== ctx) continue;
    const now = new Set(matched.map((e) => e.uid));
    const removed = new Set(candidates.filter((u) => ctx.has(u) && !now.has(u)));
    const added = matched.filter((e) => !ctx.has(e.uid));
    // RFC 5465 §7: EXISTS, then the FETCH responses, then the ESEARCH; only for new messages
    // ("No untagged FETCH response SHOULD be returned if a message becomes a member of UPDATE
    // SEARCH due to flag or annotation changes").
    const fresh = added.filter((e) => arrived.has(e.uid)).map((e) => e.uid);
    if (ctx.fetchNew !== null && fresh.length > 0) await ctx.fetchNew(fresh.sort((a, b) => a - b));
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
