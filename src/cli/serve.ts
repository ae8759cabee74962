/**
 * `facteur serve`: load the configuration, start the listeners, drain on SIGTERM/SIGINT.
 *
 * Invariants:
 * - A listen failure (EADDRINUSE / EACCES, carrying `port`) prints one line naming the address,
 *   the cause and the fix, and exits 1.
 * - An empty store is not an error: one log line says how to create the first account.
 * - Shutdown: close() stops accepting, lets commands in flight finish, then exit code 0.
 */
import { loadConfig, type Config } from '../config/index.js';
import { createLogger } from '../observability/log.js';
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
  const flag = port === config.imapsPort && port !== config.imapPort ? '--imaps-port' : '--imap-port';
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

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const config = await loadConfig(args, io.env);
  const logger = createLogger(config.logLevel, { destination: io.logDestination });
  const { openStore, startServer } = await io.loadServerApi();
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
