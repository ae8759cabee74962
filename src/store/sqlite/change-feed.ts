/**
 * Cross-process change events for a data directory shared by several processes (workers, a
 * delivery agent, CLI tools): each process polls SQLite's data_version, which changes only when
 * ANOTHER connection committed, and then replays the change_feed rows written by the schema's
 * triggers (and, for METADATA entries, by sqlite/metadata.ts) onto its own ChangeBus. The
 * in-process bus still carries this process's own changes at once; a mailbox row replayed twice
 * only makes a session look again (events are hints, the modseq log is the truth:
 * docs/decisions/0001). METADATA rows are different, a session turns each into a response
 * (RFC 5465 §5.7), so the rows this process wrote itself (ctx.ownFeed) are not replayed.
 *
 * Invariants: the poll is cheap (one pragma) when nothing changed elsewhere; rows are read in
 * seq order from the last seen; the feed is pruned to the newest FEED_KEEP rows.
 */
import type { ChangeBus, ModSeq } from '../types.js';
import type { SqliteContext } from './context.js';

/** How often another process's commits are looked for; bounds cross-process IDLE latency. */
export const FEED_POLL_MS = 100;
/** Rows kept; a process that falls further behind resynchronises from the modseq log anyway. */
const FEED_KEEP = 10_000;
/** Pruning cadence, in polls (about a minute). */
const PRUNE_EVERY = 600;
/** Rows replayed per poll, so one poll stays short. */
const BATCH = 5_000;

interface FeedRow {
  seq: number;
  account_id: number;
  mailbox_id: number | null;
  modseq: number | null;
  /** A METADATA entry name (RFC 5464): the row announces that entry of mailbox_id or the server. */
  entry: string | null;
}

export function startChangeFeed(ctx: SqliteContext, bus: ChangeBus): () => void {
  let version = ctx.db.pragma('data_version', { simple: true }) as number;
  let last = (ctx.column<number | null>('SELECT max(seq) FROM change_feed').get() ?? 0) as number;
  let polls = 0;
  const poll = (): void => {
    if (ctx.closed) return;
    try {
      if (++polls % PRUNE_EVERY === 0) {
        ctx.stmt('DELETE FROM change_feed WHERE seq <= (SELECT max(seq) FROM change_feed) - ?').run(FEED_KEEP);
      }
      const now = ctx.db.pragma('data_version', { simple: true }) as number;
      if (now === version) {
        // No other connection committed since the last look: every newer row is this
        // process's own, already published.
        for (const seq of ctx.ownFeed) last = Math.max(last, seq);
        ctx.ownFeed.clear();
        return;
      }
      version = now;
      for (;;) {
        const rows = ctx
          .stmt<FeedRow>('SELECT seq, account_id, mailbox_id, modseq, entry FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?')
          .all(last, BATCH);
        for (const r of rows) {
          last = r.seq;
          if (ctx.ownFeed.delete(r.seq)) continue;
          if (r.entry !== null) {
            bus.publish({ type: 'metadata', accountId: r.account_id, mailboxId: r.mailbox_id, entries: [r.entry] });
          } else if (r.mailbox_id !== null && r.modseq !== null) {
            bus.publish({ type: 'mailbox', accountId: r.account_id, mailboxId: r.mailbox_id, highestModSeq: r.modseq as ModSeq });
          } else {
            bus.publish({ type: 'mailboxes', accountId: r.account_id });
          }
        }
        if (rows.length < BATCH) break;
      }
      // Own rows pruned before this process read them would stay marked forever.
      for (const seq of ctx.ownFeed) if (seq <= last) ctx.ownFeed.delete(seq);
    } catch (e) {
      ctx.logger?.warn({ err: e instanceof Error ? e.message : String(e) }, 'change feed poll failed');
    }
  };
  const timer = setInterval(poll, FEED_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
