/**
 * A line reader over any socket (plain or a TLSSocket wrapped after STARTTLS), for tests that
 * must drive the TLS upgrade themselves. Literals are not interpreted: tests using it only
 * exchange simple lines.
 */
import type { Duplex } from 'node:stream';

export class StreamClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(readonly sock: Duplex) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('end', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  /** Stops consuming the socket (before handing it to tls.connect) and returns unread bytes. */
  detach(): Buffer {
    this.sock.removeAllListeners('data');
    this.sock.removeAllListeners('close');
    this.sock.removeAllListeners('end');
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  async readLine(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) {
        const line = this.buf.subarray(0, i).toString('utf8');
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      if (this.ended) throw new Error(`connection closed; partial: ${this.buf.toString('latin1')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; buffered: ${this.buf.toString('latin1')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  write(s: string): void {
    this.sock.write(s);
  }

  async command(tag: string, text: string): Promise<{ tagged: string; untagged: string[] }> {
    this.write(`${tag} ${text}\r\n`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.readLine();
      if (line.startsWith(tag + ' ')) return { tagged: line, untagged };
      untagged.push(line);
    }
  }
}
