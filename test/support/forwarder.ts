/**
 * A round-robin TCP forwarder for multi-node tests: one public loopback port whose successive
 * connections go to successive backend ports (node 1, node 2, ..., node 1...), so that the two
 * connections of a transcript test land on different nodes.
 *
 * Invariants:
 * - Bytes are relayed unchanged in both directions (TLS passes through end to end); half-close
 *   is forwarded (allowHalfOpen), so a client's FIN reaches the node like on a direct socket.
 * - An error on either side tears down the pair; the node closing ends the client's side after
 *   the bytes in flight (a BYE is never lost); close() stops listening and destroys
 *   every relayed connection, so a test's stop() never waits on a forgotten socket.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Forwarder {
  port: number;
  close(): Promise<void>;
}

export async function startForwarder(port: number, backends: readonly number[]): Promise<Forwarder> {
  let next = 0;
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const target = backends[next % backends.length];
    next++;
    const upstream = connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    open.add(client);
    open.add(upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    // The client gone, nothing more can reach it: drop the node's side at once.
    client.on('close', () => {
      open.delete(client);
      upstream.destroy();
    });
    // The node gone: flush what it sent (a BYE) to the client before the FIN, never destroy.
    upstream.on('close', () => {
      open.delete(upstream);
      client.end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  return {
    port: typeof a === 'object' && a !== null ? a.port : port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of open) s.destroy();
      open.clear();
      await closed;
    },
  };
}
