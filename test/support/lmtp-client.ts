/**
 * A raw LMTP/SMTP test client over a real socket (TCP or Unix): writes bytes exactly as given and
 * reads complete replies ("250-..." continuation lines up to "250 ..."). It interprets nothing.
 */
import { connect, type Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  /** Every line of the reply, without CRLF. */
  lines: string[];
  /** The last line. */
  text: string;
}

export class LmtpTestClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  closed = false;
  greeting!: SmtpReply;

  private constructor(readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static async connect(where: number | { path: string }): Promise<LmtpTestClient> {
    const sock = typeof where === 'number' ? connect({ port: where, host: '127.0.0.1' }) : connect(where);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new LmtpTestClient(sock);
    c.greeting = await c.read();
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  async read(timeoutMs = 5000): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buf.split('\r\n');
      for (let i = 0; i < lines.length - 1; i++) {
        if (/^\d{3} /.test(lines[i]) || /^\d{3}$/.test(lines[i])) {
          const got = lines.slice(0, i + 1);
          this.buf = lines.slice(i + 1).join('\r\n');
          return { code: Number(got[i].slice(0, 3)), lines: got, text: got[i] };
        }
      }
      if (this.closed) throw new Error(`connection closed; buffered ${JSON.stringify(this.buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for a reply; buffered ${JSON.stringify(this.buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async command(line: string): Promise<SmtpReply> {
    this.write(line + '\r\n');
    return this.read();
  }

  /** Reads n replies (pipelining, per-recipient DATA replies). */
  async readN(n: number): Promise<SmtpReply[]> {
    const out: SmtpReply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.read());
    return out;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('connection not closed');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

/** RFC 5321 §4.5.2 dot-stuffing plus the terminating line, for DATA. */
export function dotStuffed(message: string): string {
  const body = message.endsWith('\r\n') ? message : message + '\r\n';
  return body.replace(/^\./gm, '..') + '.\r\n';
}
