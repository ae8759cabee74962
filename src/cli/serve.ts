/**
 * `facteur serve`: load the configuration, start the listeners, drain on SIGTERM/SIGINT.
 *
 * Invariants:
 * - A listen failure (EADDRINUSE / EACCES, carrying `port`) prints one line naming the address,
 *   the cause and the fix, and exits 1.
 * - An empty store is not an error: one log line says how to create the first account.
 * - Shutdown: close() stops accepting, lets commands in flight finish, then exit code 0.
 * - --workers 1 (the default) runs everything in this one process, with no cluster at all;
 *   with more, this process becomes the primary of cluster.ts after the one-time work below.
 */
import { ensureTlsMaterial, loadConfig, type Config } from '../config/index.js';
import { createLogger } from '../observability/log.js';
import { isFacteurWorker, runPrimary, runWorker } from './cluster.js';
import { CliError, type CliIo } from './io.js';

interface ListenError extends Error {
  code: string;
  port?: number;
  address?: string;
}

function isListenError(e: unknown): e is ListenError {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL');
}

export function listenErrorMessage(e: ListenError, config: Config): string {
  const port = typeof e.port === 'number' ? e.port : config.imapPort;
  const host = config.host;
  const flag =
    port === config.lmtpPort && port !== config.imapPort && port !== config.imapsPort
      ? '--lmtp-port'
      : port === config.managesievePort && port !== config.imapPort && port !== config.imapsPort
      ? '--managesieve-port'
      : port === config.imapsPort && port !== config.imapPort
        ? '--imaps-port'
        : '--imap-port';
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (e.code) {
    case 'EACCES':
      return `cannot listen on ${where} (permission denied): ports below 1024 need root or CAP_NET_BIND_SERVICE; use ${flag} ${port < 1024 ? port + 1000 : port}, or grant the capability`;
    case 'EADDRINUSE':
      return `cannot listen on ${where} (address already in use): another server is using port ${port}; stop it or choose another port with ${flag}`;
    default:
      return `cannot listen on ${where} (address not available): ${host} is not an address of this machine; choose another with --host`;
  }
}

/** The one line a failed start prints (a worker sends it to the primary, which prints it). */
function startupErrorMessage(e: unknown, config: Config): string {
  if (isListenError(e)) return listenErrorMessage(e, config);
  return e instanceof Error ? e.message : String(e);
}

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const config = await loadConfig(args, io.env);
  if (config.workers > 1 && isFacteurWorker()) {
    return runWorker(config, io, await io.loadServerApi(), (e) => startupErrorMessage(e, config));
  }
  const logger = createLogger(config.logLevel, { destination: io.logDestination });
  const { openStore, startServer } = await io.loadServerApi();
  if (config.workers > 1) {
    // Generated here, once, before any worker starts: workers only ever read the files.
    const tls = await ensureTlsMaterial(config);
    if (tls.generated) logger.info({ fingerprint: tls.fingerprint }, 'generated a self-signed TLS certificate');
  }
  // Opening the store runs the migrations; with workers, before any of them opens it.
  const store = await openStore(config);
  let accounts: number;
  try {
    accounts = (await store.listAccounts()).length;
  } finally {
    await store.close();
  }
  if (accounts === 0) {
    logger.warn(`no accounts yet: create one with \`facteur user add NAME --data ${config.dataDir}\``);
  }
  if (config.workers > 1) return runPrimary(args, config, logger, io, accounts);
  let server: { close(): Promise<void> };
  try {
    server = await startServer(config, logger);
  } catch (e) {
    if (isListenError(e)) throw new CliError(listenErrorMessage(e, config));
    throw e;
  }
  logger.info({ dataDir: config.dataDir, accounts }, 'facteur started');
  const signal = await io.waitForShutdown();
  logger.info({ signal }, 'shutting down');
  await server.close();
  logger.info('stopped');
  return 0;
}
