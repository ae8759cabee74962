/**
 * A minimal IMAP test client over a real socket: sends raw lines, reads responses (with
 * literals) and collects everything up to a tagged completion. Transcript tests assert on what
 * it returns; it interprets nothing beyond framing.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface Reply {
  /** The tagged completion line, e.g. "A1 OK LOGIN completed". */
  tagged: string;
  /** Untagged and continuation lines before it; literals inlined as they arrived. */
  untagged: string[];
}

export class TestClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  private seq = 0;
  greeting = '';

  private constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<TestClient> {
    const sock = opts.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : netConnect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      sock.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new TestClient(sock);
    c.greeting = await c.readLine();
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private async waitData(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for server data; buffered: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  get closed(): boolean {
    return this.ended && this.buf.length === 0;
  }

  /** One response line; a literal announced at its end is read and appended (possibly repeatedly). */
  async readLine(timeoutMs = 5000): Promise<string> {
    let out = '';
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i < 0) {
        if (this.ended) throw new Error(`connection closed; partial line: ${out}${this.buf.toString('latin1')}`);
        await this.waitData(timeoutMs);
        continue;
      }
      const line = this.buf.subarray(0, i).toString('utf8');
      this.buf = this.buf.subarray(i + 2);
      out += line;
      const m = /~?\{(\d+)\}$/.exec(line);
      if (!m) return out;
      const n = Number(m[1]);
      while (this.buf.length < n) {
        if (this.ended) throw new Error('connection closed inside a literal');
        await this.waitData(timeoutMs);
      }
      out += '\r\n' + this.buf.subarray(0, n).toString('latin1');
      this.buf = this.buf.subarray(n);
    }
  }

  /** Literal bytes exactly (for byte-exact assertions). */
  async readRaw(n: number, timeoutMs = 5000): Promise<Buffer> {
    while (this.buf.length < n) await this.waitData(timeoutMs);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  nextTag(): string {
    return `T${++this.seq}`;
  }

  /** Sends "<tag> <text>\r\n" and collects the reply. */
  async command(text: string, timeoutMs = 5000): Promise<Reply> {
    const tag = this.nextTag();
    this.write(`${tag} ${text}\r\n`);
    return this.readUntilTagged(tag, timeoutMs);
  }

  async readUntilTagged(tag: string, timeoutMs = 5000): Promise<Reply> {
    const untagged: string[] = [];
    for (;;) {
      const line = await this.readLine(timeoutMs);
      if (line.startsWith(tag + ' ')) return { tagged: line, untagged };
      untagged.push(line);
    }
  }

  async login(user: string, pass: string): Promise<Reply> {
    const r = await this.command(`LOGIN "${user}" "${pass}"`);
    if (!/ OK /.test(r.tagged)) throw new Error(`login failed: ${r.tagged}`);
    return r;
  }

  close(): void {
    this.sock.destroy();
  }
}
