/**
 * The expunge-history horizon's maintenance timer (issue #4, --expunge-history-days): prunes
 * every account's expunge records older than the horizon (MailStore.pruneExpungeHistory) once at
 * start and then hourly, so QRESYNC history (RFC 7162 §3.2.5) stays bounded.
 *
 * Invariants:
 * - Runs outside any client command: the timer calls the store on its own, never a session.
 * - The timer is unref'd: it never keeps the process alive, and stop() ends it. At most one
 *   prune runs at a time (a slow one is not overlapped by the next tick).
 * - A failed prune is logged and retried at the next tick; it never stops the server. Pruning is
 *   idempotent, so several processes (--workers, several nodes) pruning one database is harmless.
 * - days 0 keeps the history forever: nothing is scheduled.
 */
import type { Logger } from '../observability/log.js';
import type { MailStore } from './types.js';

/** Interval between two prunes: history granularity is days, an hour is ample. */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts pruning (now and every PRUNE_INTERVAL_MS); returns stop, which waits for a running prune. */
export function startExpungeHorizon(store: MailStore, days: number, logger: Logger): { stop(): Promise<void> } {
  if (days === 0) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (stopped || running !== null) return;
    running = store
      .pruneExpungeHistory(Date.now() - days * DAY_MS)
      .then((n) => {
        if (n > 0) logger.info({ pruned: n, days }, 'expunge history pruned');
      })
      .catch((e: unknown) => logger.warn({ err: e }, 'expunge history pruning failed; retrying at the next interval'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, PRUNE_INTERVAL_MS);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
