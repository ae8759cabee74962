/**
 * The ManageSieve listener (RFC 5804 §1.8, port 4190 by default): cleartext with STARTTLS.
 * Owns its live sessions for connection limits and graceful drain, like the IMAP listeners.
 *
 * Invariants:
 * - The Authenticator (accounts, throttling) and TLS material are the ones IMAP uses, passed in
 *   by src/main.ts, so a password guessed over ManageSieve is throttled with IMAP's attempts.
 * - Connection limits (--max-connections, --max-connections-per-ip) are one ConnectionGate shared
 *   with the IMAP listeners, so they hold for all listeners together.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { MailStore } from '../../store/types.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Logger } from '../../observability/log.js';
import { AUTH_IDLE_TIMEOUT_MS, PREAUTH_IDLE_TIMEOUT_MS } from '../../wire/limits.js';
import { completion } from '../protocol/response.js';
import type { CommandTable } from './command-table.js';
import { ConnectionGate } from '../../auth/connection-gate.js';
import { ManageSieveSession } from './session.js';
import { AccountLock } from './account-lock.js';
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
  /** Connection limits shared with the other listeners (src/main.ts); one of its own if absent. */
  gate?: ConnectionGate;
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
  const accountLock = new AccountLock();
  const gate = deps.gate ?? new ConnectionGate(options.maxConnections, options.maxConnectionsPerIp);

  const accept = (sock: Socket): void => {
    const release = gate.admit(sock.remoteAddress ?? '');
    if (release === null) {
      sock.end(completion('BYE', 'TRYLATER', 'Too many connections, try again later'));
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 60_000);
    let closed = false;
    const session: ManageSieveSession = new ManageSieveSession(sock, {
      store: deps.store,
      auth: deps.auth,
      logger,
      secureContext,
      compiler: deps.compiler,
      settings,
      commands: deps.commands,
      accountLock,
      onClose: () => {
        closed = true;
        sessions.delete(session);
        release();
      },
    });
    if (!closed) sessions.add(session);
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
