/**
 * `facteur serve --workers N` with N > 1: one primary process supervising N worker processes
 * (node:cluster). Each worker runs the whole server (startServer) on the shared ports; the
 * primary accepts and hands connections out (cluster's round-robin on Linux). Workers share the
 * data directory like any other processes would: their commits reach each other through the
 * SQLite change feed (src/store/sqlite/change-feed.ts; events are hints, docs/decisions/0001).
 *
 * Invariants:
 * - The primary never opens a listener or a session itself, and it does the one-time work
 *   before forking (serve.ts: config, TLS material generated once, migrations, the no-accounts
 *   hint), so workers never race to generate different certificates or to migrate.
 * - A worker that cannot start (a listen error above all) sends its one-line reason over IPC
 *   before exiting; the primary then stops every worker and fails with exactly that line
 *   (exit 1). A startup failure is never retried: the next worker would fail the same way.
 * - Shutdown: the primary's SIGTERM/SIGINT is forwarded to each worker as an IPC message, not
 *   as a signal: on a terminal, Ctrl-C already signals the whole process group, and a second
 *   signal makes a worker give up draining (io.ts). Each worker drains (close(): stop accepting,
 *   finish commands in flight, BYE) and exits; the primary returns 0 once all have exited, and
 *   SIGKILLs those still running after SHUTDOWN_KILL_MS.
 * - A worker that exits on its own (crash, signal) is replaced in the same slot after a backoff
 *   doubling from RESTART_BASE_MS to RESTART_MAX_MS; CRASH_LIMIT unexpected exits within
 *   CRASH_WINDOW_MS, all workers counted together, stop the server with exit 1.
 * - Worker log lines carry `worker` (the slot, 1..N, kept across restarts); the primary's lines
 *   about a worker carry the same field.
 * - Limits kept in memory (connection counts, login throttling) are per worker process.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/index.js';
import { createLogger, type Logger } from '../observability/log.js';
import { CliError, type CliIo, type ServerApi } from './io.js';

/** Environment variable that tells a forked process which worker slot it fills. */
const SLOT_ENV = 'FACTEUR_WORKER_SLOT';
/** Above the server's own 10 s drain bound (imap/session/server.ts), so drains normally finish. */
export const SHUTDOWN_KILL_MS = 15_000;
export const RESTART_BASE_MS = 200;
export const RESTART_MAX_MS = 5_000;
export const CRASH_LIMIT = 5;
export const CRASH_WINDOW_MS = 30_000;

/** IPC messages; the `facteur` key keeps them apart from node:cluster's own. */
type ToPrimary = { facteur: 'ready' } | { facteur: 'startup-failed'; message: string };
type ToWorker = { facteur: 'shutdown'; signal: string };

/** True in a process forked by runPrimary (and only there). */
export function isFacteurWorker(): boolean {
  return cluster.isWorker && process.env[SLOT_ENV] !== undefined;
}

function isMessage<T extends { facteur: string }>(m: unknown, kind: T['facteur']): m is T {
  return typeof m === 'object' && m !== null && (m as { facteur?: unknown }).facteur === kind;
}

/**
 * The primary: forks `config.workers` workers running `facteur serve ARGS` again, supervises
 * them, and returns the exit code (or throws CliError with a worker's startup failure).
 */
export async function runPrimary(args: readonly string[], config: Config, logger: Logger, io: CliIo, accounts: number): Promise<number> {
  // exec stays process.argv[1] (bin/facteur.js); the arguments are serve's own, so a worker
  // loads exactly the configuration the primary loaded.
  cluster.setupPrimary({ args: ['serve', ...args] });
  const n = config.workers;
  const live = new Map<number, Worker>();
  const ready = new Set<number>();
  const crashes: number[] = [];
  let stopping = false;
  let failure: string | null = null;
  let announced = false;
  let killTimer: NodeJS.Timeout | undefined;
  const restartTimers = new Set<NodeJS.Timeout>();
  let allExited!: () => void;
  const done = new Promise<void>((resolve) => (allExited = resolve));

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    for (const t of restartTimers) clearTimeout(t);
    restartTimers.clear();
    for (const w of live.values()) {
      try {
        if (w.isConnected()) w.send({ facteur: 'shutdown', signal } satisfies ToWorker);
      } catch {
        // The worker is exiting anyway; its exit event still arrives.
      }
    }
    killTimer = setTimeout(() => {
      for (const [slot, w] of live) {
        logger.warn({ worker: slot, pid: w.process.pid }, `worker still running ${SHUTDOWN_KILL_MS / 1000} s after shutdown; killing it`);
        w.process.kill('SIGKILL');
      }
    }, SHUTDOWN_KILL_MS);
    if (live.size === 0) allExited();
  };

  const fork = (slot: number): void => {
    const w = cluster.fork({ [SLOT_ENV]: String(slot) });
    live.set(slot, w);
    logger.info({ worker: slot, pid: w.process.pid }, 'worker started');
    // An IPC send to a worker that is going away; its exit event follows and decides.
    w.on('error', (e: Error) => logger.debug({ worker: slot, err: e.message }, 'worker IPC error'));
    w.on('message', (m: unknown) => {
      if (isMessage<ToPrimary>(m, 'ready')) {
        ready.add(slot);
        if (!announced && ready.size === n && !stopping) {
          announced = true;
          logger.info({ dataDir: config.dataDir, accounts, workers: n }, 'facteur started');
        }
      } else if (isMessage<Extract<ToPrimary, { facteur: 'startup-failed' }>>(m, 'startup-failed')) {
        failure ??= m.message;
        stop('startup failure');
      }
    });
    w.on('exit', (code: number | null, signal: string | null) => {
      if (live.get(slot) === w) live.delete(slot);
      ready.delete(slot);
      if (stopping) {
        if (live.size === 0) allExited();
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0] <= now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length >= CRASH_LIMIT) {
        logger.error({ worker: slot, pid: w.process.pid, code, signal }, 'worker exited unexpectedly; giving up');
        failure ??= `workers exited unexpectedly ${crashes.length} times within ${CRASH_WINDOW_MS / 1000} s (last: worker ${slot}, ${signal !== null ? `signal ${signal}` : `exit code ${code}`}); see the log above`;
        stop('crash loop');
        return;
      }
      const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (crashes.length - 1));
      logger.error({ worker: slot, pid: w.process.pid, code, signal, restartInMs: delay }, 'worker exited unexpectedly; restarting it');
      const t = setTimeout(() => {
        restartTimers.delete(t);
        if (!stopping) fork(slot);
      }, delay);
      restartTimers.add(t);
    });
  };

  void io.waitForShutdown().then((signal) => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down');
    stop(signal);
  });
  for (let slot = 1; slot <= n; slot++) fork(slot);
  await done;
  clearTimeout(killTimer);
  if (failure !== null) throw new CliError(failure);
  logger.info('stopped');
  return 0;
}

function sendToPrimary(m: ToPrimary): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

/** Lets go of the primary; the process then ends like the single-process server does. */
function leaveCluster(code: number): void {
  cluster.worker?.disconnect();
  // Bounded: a handle left open by mistake must not keep a worker the primary waits for.
  setTimeout(() => process.exit(code), 2_000).unref();
}

/** A worker: runs the server until the primary (or a signal) says to stop. */
export async function runWorker(
  config: Config,
  io: CliIo,
  api: ServerApi,
  describeStartupError: (e: unknown) => string,
): Promise<number> {
  const slot = Number(process.env[SLOT_ENV]);
  const logger = createLogger(config.logLevel, { destination: io.logDestination }).child({ worker: slot });
  const fromPrimary = new Promise<string>((resolve) => {
    process.on('message', (m: unknown) => {
      if (isMessage<ToWorker>(m, 'shutdown')) resolve(m.signal);
    });
  });
  const shutdown = Promise.race([io.waitForShutdown(), fromPrimary]);
  let server: { close(): Promise<void> };
  try {
    server = await api.startServer(config, logger);
  } catch (e) {
    await sendToPrimary({ facteur: 'startup-failed', message: describeStartupError(e) });
    leaveCluster(1);
    return 1;
  }
  await sendToPrimary({ facteur: 'ready' });
  const signal = await shutdown;
  logger.info({ signal }, 'shutting down');
  await server.close();
  logger.info('stopped');
  leaveCluster(0);
  return 0;
}
