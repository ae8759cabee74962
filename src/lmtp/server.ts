/**
 * LMTP listeners: TCP on --host:--lmtp-port and, optionally, a Unix socket (--lmtp-socket, what
 * Postfix's `mailbox_transport = lmtp:unix:PATH` connects to). Owns the live sessions for
 * connection limits and graceful drain.
 *
 * Invariants:
 * - A stale socket file from an earlier run is replaced; a live one (another server, or the
 *   cluster handle a sibling worker already bound: `serve --workers N`) is left alone, and a path
 *   that exists and is not a socket is never removed (it is an error).
 * - The socket file is made writable by everyone (mode 0666), like Dovecot's LMTP listener: the
 *   MTA runs as another user. Put it in a directory whose permissions say who may deliver.
 * - close() stops accepting, lets transactions in flight finish (up to DRAIN_MS), then cuts.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Config } from '../config/index.js';
import type { DeliveryAgent } from '../delivery/index.js';
import type { Logger } from '../observability/log.js';
import { LmtpSession } from './session.js';

/** How long shutdown waits for transactions in flight. */
const DRAIN_MS = 10_000;

export interface LmtpServer {
  /** The bound TCP port (0 when disabled). */
  port: number;
  close(): Promise<void>;
}

export async function startLmtpServer(deps: { config: Config; agent: DeliveryAgent; logger: Logger }): Promise<LmtpServer> {
  const { config, logger } = deps;
  const sessions = new Set<LmtpSession>();

  const accept = (sock: Socket, unix: boolean): void => {
    if (sessions.size >= config.maxConnections) {
      sock.end('421 4.3.2 Too many connections, try again later\r\n');
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    if (!unix) sock.setNoDelay(true);
    const session = new LmtpSession(sock, { agent: deps.agent, logger, onClose: (s) => sessions.delete(s) }, { ip: unix ? null : (sock.remoteAddress ?? null) });
    sessions.add(session);
  };

  const servers: Server[] = [];
  let port = 0;
  try {
    if (config.lmtpPort !== 0) {
      const srv = createServer((sock) => accept(sock, false));
      port = await listen(srv, { host: config.host, port: config.lmtpPort });
      servers.push(srv);
      logger.info({ host: config.host, port }, 'LMTP listening');
    }
    if (config.lmtpSocket !== null) {
      const path = config.lmtpSocket;
      await removeStaleSocket(path);
      const srv = createServer((sock) => accept(sock, true));
      await listen(srv, { path });
      servers.push(srv);
      await chmod(path, 0o666);
      logger.info({ path }, 'LMTP listening on a Unix socket');
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }

  return {
    port,
    async close() {
      for (const s of servers) s.close();
      await Promise.race([Promise.all([...sessions].map((s) => s.drain())), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      for (const s of sessions) s.destroy();
    },
  };
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) throw new Error(`--lmtp-socket ${path} exists and is not a socket; refusing to replace it`);
    if (await isLive(path)) return;
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Whether something accepts connections on the socket (a stale file refuses them). */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function listen(server: Server, where: { host: string; port: number } | { path: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const err = Object.assign(new Error(`cannot listen for LMTP on ${'path' in where ? where.path : `${where.host}:${where.port}`}: ${e.message}`), {
        code: e.code ?? 'ERROR',
        ...('port' in where ? { port: where.port, address: where.host } : {}),
      });
      reject(err);
    };
    server.once('error', onError);
    server.listen(where, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}
