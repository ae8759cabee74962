/**
 * IMAP listeners: port 143 (cleartext + STARTTLS, RFC 9051 §6.2.1) and port 993 (implicit TLS,
 * RFC 8314 §3.3). Owns the set of live sessions for connection limits and graceful drain.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, createSecureContext } from 'node:tls';
import type { Config } from '../../config/index.js';
import type { ChangeBus, MailStore } from '../../store/types.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Logger } from '../../observability/log.js';
import { ImapSession } from './session.js';
import type { CommandTable } from './command-table.js';
import { ConnectionGate } from '../../auth/connection-gate.js';
import { limitWarning } from './message-limit.js';

export interface ImapServerDeps {
  config: Config;
  store: MailStore;
  bus: ChangeBus;
  auth: Authenticator;
  logger: Logger;
  tls: { cert: Buffer; key: Buffer };
  commands: CommandTable;
  /** Connection limits shared with the other listeners (src/main.ts); one of its own if absent. */
  gate?: ConnectionGate;
}

/** A listen failure the CLI turns into one line naming the port and the fix. */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    readonly port: number,
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startImapServer(deps: ImapServerDeps): Promise<{ close(): Promise<void>; ports: { imap: number; imaps: number } }> {
  const { config, logger } = deps;
  // RFC 9738 §3: a limit below 1000 is allowed (tests use small ones) but worth a warning.
  const lowLimit = limitWarning(config.imapMessageLimit, config.imapSaveLimit);
  if (lowLimit !== null) logger.warn(lowLimit);
  const secureContext = createSecureContext({ cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' });
  const sessions = new Set<ImapSession>();
  const gate = deps.gate ?? new ConnectionGate(config.maxConnections, config.maxConnectionsPerIp);
  const submitUsers = new Set(config.urlauthSubmitUsers.split(',').map((u) => u.trim()).filter((u) => u !== ''));

  const accept = (sock: Socket, implicitTls: boolean): void => {
    const ip = sock.remoteAddress ?? '';
    const release = gate.admit(ip);
    if (release === null) {
      sock.end('* BYE Too many connections, try again later\r\n');
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 60_000);
    const session = new ImapSession(
      sock,
      {
        store: deps.store,
        bus: deps.bus,
        auth: deps.auth,
        logger,
        secureContext,
        allowCleartextAuth: config.allowCleartextAuth,
        utf8Accept: config.utf8Accept,
        progressEvery: config.progressEvery,
        urlauthSubmitUsers: submitUsers,
        messageLimit: config.imapMessageLimit,
        saveLimit: config.imapSaveLimit ?? undefined,
        commands: deps.commands,
        onClose: (s) => {
          sessions.delete(s);
          release();
        },
      },
      implicitTls,
    );
    sessions.add(session);
  };

  const servers: Server[] = [];
  const ports = { imap: 0, imaps: 0 };
  try {
    if (config.imapPort !== 0) {
      const srv = createNetServer((sock) => accept(sock, false));
      ports.imap = await listen(srv, config.host, config.imapPort);
      servers.push(srv);
      logger.info({ host: config.host, port: ports.imap }, 'IMAP listening (STARTTLS)');
    }
    if (config.imapsPort !== 0) {
      const srv = createTlsServer({ cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' }, (sock) => accept(sock, true));
      srv.on('tlsClientError', (e) => logger.debug({ err: e.message }, 'TLS handshake failed'));
      ports.imaps = await listen(srv, config.host, config.imapsPort);
      servers.push(srv);
      logger.info({ host: config.host, port: ports.imaps }, 'IMAPS listening (implicit TLS)');
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }

  return {
    ports,
    async close() {
      for (const s of servers) s.close();
      await Promise.race([
        Promise.all([...sessions].map((s) => s.drain())),
        new Promise((r) => setTimeout(r, 10_000).unref()),
      ]);
      for (const s of sessions) s.destroy();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new ListenError(e.code ?? 'ERROR', port, host, `cannot listen on ${host}:${port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
