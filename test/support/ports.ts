/**
 * A free loopback TCP port, for test and benchmark servers.
 *
 * Ports are drawn at random below the kernel's ephemeral range (Linux: 32768-60999) and checked
 * by binding them. A port the OS hands out itself (listen(0)) comes from the ephemeral range,
 * where every outgoing connection of every process also takes its local port: between our
 * release and the server's bind, a client socket could take it (EADDRINUSE). Below that range
 * only listeners compete, and this process never hands out the same port twice.
 */
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;
const given = new Set<number>();

function tryPort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (given.has(port)) continue;
    given.add(port);
    if (await tryPort(port)) return port;
  }
  throw new Error('freePort: no free port found between 20000 and 32000');
}
