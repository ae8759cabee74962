/**
 * An in-test SMTP server that accepts every message and records envelope and data: the relay
 * Facteur sends redirect, vacation and reject notices to. `failWith` makes it answer MAIL FROM
 * with a chosen reply instead (to test temporary and permanent relay failures).
 */
import { createServer, type Server } from 'node:net';

export interface SunkMessage {
  from: string;
  to: string[];
  data: string;
}

export class SmtpSink {
  readonly messages: SunkMessage[] = [];
  failWith: string | null = null;
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = createServer((sock) => {
      sock.setEncoding('latin1');
      let buf = '';
      let inData = false;
      let cur: SunkMessage = { from: '', to: [], data: '' };
      sock.write('220 sink ESMTP\r\n');
      sock.on('error', () => undefined);
      sock.on('data', (d: string) => {
        buf += d;
        for (;;) {
          if (inData) {
            const end = buf.indexOf('\r\n.\r\n');
            const atStart = buf.startsWith('.\r\n');
            if (end === -1 && !atStart) return;
            const raw = atStart ? '' : buf.slice(0, end + 2);
            buf = atStart ? buf.slice(3) : buf.slice(end + 5);
            cur.data = raw.replace(/^\.\./gm, '.');
            sink!.messages.push(cur);
            cur = { from: '', to: [], data: '' };
            inData = false;
            sock.write('250 2.0.0 queued\r\n');
            sink!.wake();
            continue;
          }
          const nl = buf.indexOf('\r\n');
          if (nl === -1) return;
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO') sock.write('250-sink\r\n250-8BITMIME\r\n250 PIPELINING\r\n');
          else if (verb === 'HELO') sock.write('250 sink\r\n');
          else if (verb === 'MAIL') {
            if (sink!.failWith !== null) sock.write(sink!.failWith + '\r\n');
            else {
              cur.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
              sock.write('250 2.1.0 ok\r\n');
            }
          } else if (verb === 'RCPT') {
            cur.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            sock.write('250 2.1.5 ok\r\n');
          } else if (verb === 'DATA') {
            inData = true;
            sock.write('354 go\r\n');
          } else if (verb === 'QUIT') {
            sock.end('221 bye\r\n');
          } else sock.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    sink = new SmtpSink(server, typeof addr === 'object' && addr ? addr.port : 0);
    return sink;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves once at least n messages arrived (fails after timeoutMs). */
  async waitFor(n: number, timeoutMs = 5000): Promise<SunkMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${n} relayed messages, got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
