/**
 * The ManageSieve listener (RFC 5804 §1.8, port 4190 by default): cleartext with STARTTLS.
 * Owns its live sessions for connection limits and graceful drain, like the IMAP listeners.
 *
 * Invariants:
 * - The Authenticator (accounts, throttling) and TLS material are the ones IMAP uses, passed in
 *   by src/main.ts, so a password guessed over ManageSieve is throttled with IMAP's attempts.
 * - Connection limits (--max-connections, --max-connections-per-ip) are counted over this
 *   listener's sessions.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { MailStore } from '../../store/types.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Logger } from '../../observability/log.js';
import { AUTH_IDLE_TIMEOUT_MS, PREAUTH_IDLE_TIMEOUT_MS } from '../../wire/limits.js';
import { completion } from '../protocol/response.js';
import type { CommandTable } from './command-table.js';
import { ManageSieveSession } from './session.js';
import type { ManageSieveSettings, ScriptCompiler } from './types.js';

export interface ManageSieveListenOptions {
  host: string;
  port: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxScripts: number;
  maxScriptSize: number;
  allowCleartextAuth: boolean;
  /** Overrides of the inactivity timeouts (tests); default PREAUTH_/AUTH_IDLE_TIMEOUT_MS. */
  preauthTimeoutMs?: number;
  authTimeoutMs?: number;
}

export interface ManageSieveServerDeps {
  options: ManageSieveListenOptions;
  store: MailStore;
  auth: Authenticator;
  logger: Logger;
  tls: { cert: Buffer; key: Buffer };
  compiler: ScriptCompiler;
  commands: CommandTable;
}

export interface ManageSieveServer {
  port: number;
  close(): Promise<void>;
}

/** A listen failure the CLI turns into one line naming the port and the flag to change. */
export class ManageSieveListenError extends Error {
  constructor(
    readonly code: string,
    readonly port: number,
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startManageSieveServer(deps: ManageSieveServerDeps): Promise<ManageSieveServer> {
  const { options, logger } = deps;
  const secureContext = createSecureContext({ cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' });
  const settings: ManageSieveSettings = {
    maxScripts: options.maxScripts,
    maxScriptSize: options.maxScriptSize,
    allowCleartextAuth: options.allowCleartextAuth,
    preauthTimeoutMs: options.preauthTimeoutMs ?? PREAUTH_IDLE_TIMEOUT_MS,
    authTimeoutMs: options.authTimeoutMs ?? AUTH_IDLE_TIMEOUT_MS,
  };
  const sessions = new Set<ManageSieveSession>();
  const perIp = new Map<string, number>();

  const accept = (sock: Socket): void => {
    const ip = sock.remoteAddress ?? '';
    const count = perIp.get(ip) ?? 0;
    if (sessions.size >= options.maxConnections || count >= options.maxConnectionsPerIp) {
      sock.end(completion('BYE', 'TRYLATER', 'Too many connections, try again later'));
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    perIp.set(ip, count + 1);
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 60_000);
    let released = false;
    const session: ManageSieveSession = new ManageSieveSession(sock, {
      store: deps.store,
      auth: deps.auth,
      logger,
      secureContext,
      compiler: deps.compiler,
      settings,
      commands: deps.commands,
      onClose: () => {
        if (released) return;
        released = true;
        sessions.delete(session);
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n <= 0) perIp.delete(ip);
        else perIp.set(ip, n);
      },
    });
    if (!released) sessions.add(session);
  };

  const server = createNetServer(accept);
  const port = await listen(server, options.host, options.port);
  logger.info({ host: options.host, port }, 'ManageSieve listening (STARTTLS)');
  return {
    port,
    async close() {
      server.close();
      await Promise.race([Promise.all([...sessions].map((s) => s.drain())), new Promise((r) => setTimeout(r, 10_000).unref())]);
      for (const s of sessions) s.destroy();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new ManageSieveListenError(e.code ?? 'ERROR', port, host, `cannot listen on ${host}:${port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
