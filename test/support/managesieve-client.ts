/**
 * A minimal ManageSieve (RFC 5804) test client over a real socket: sends raw lines, reads
 * response lines (literals inlined) up to the completion (OK / NO / BYE), and splits a completion
 * into status, response code and text. It interprets nothing beyond framing.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';

/** Generous: the test machine is shared, and a timeout here only turns a hang into a failure. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface Completion {
  status: 'OK' | 'NO' | 'BYE';
  /** The response code with its argument as sent, e.g. "QUOTA/MAXSIZE" or 'TAG "x"'. */
  code: string | null;
  /** The human-readable string, decoded (quoted or literal). */
  text: string | null;
  line: string;
}

export interface MsReply {
  /** Data lines before the completion (capabilities, script names, a script literal). */
  lines: string[];
  done: Completion;
}

/** Decodes one ManageSieve string at the start of s: [value, rest]. */
export function readString(s: string): [string, string] {
  if (s.startsWith('"')) {
    let out = '';
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\') out += s[++i];
      else if (s[i] === '"') return [out, s.slice(i + 1)];
      else out += s[i];
    }
    throw new Error(`unterminated quoted string: ${s}`);
  }
  const m = /^\{(\d+)\+?\}\r\n/.exec(s);
  if (!m) throw new Error(`not a string: ${s}`);
  const start = m[0].length;
  const body = Buffer.from(s.slice(start), 'utf8').subarray(0, Number(m[1])).toString('utf8');
  return [body, s.slice(start + body.length)];
}

export function parseCompletion(line: string): Completion {
  const m = /^(OK|NO|BYE)\b ?/i.exec(line);
  if (!m) throw new Error(`not a completion: ${line}`);
  let rest = line.slice(m[0].length);
  let code: string | null = null;
  if (rest.startsWith('(')) {
    // The code may carry a string (TAG, SASL) that itself contains ")".
    let i = 1;
    let depth = 1;
    while (i < rest.length && depth > 0) {
      if (rest[i] === '"' || rest[i] === '{') {
        const [, after] = readString(rest.slice(i));
        i = rest.length - after.length;
        continue;
      }
      if (rest[i] === ')') depth--;
      i++;
    }
    code = rest.slice(1, i - 1);
    rest = rest.slice(i).replace(/^ /, '');
  }
  const text = rest === '' ? null : readString(rest)[0];
  return { status: m[1].toUpperCase() as Completion['status'], code, text, line };
}

export class SieveClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  /** The greeting: capability lines and its OK. */
  greeting!: MsReply;

  private constructor(private sock: Socket) {
    this.listen(sock);
  }

  private listen(sock: Socket): void {
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

  static async connect(port: number): Promise<SieveClient> {
    const sock = netConnect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new SieveClient(sock);
    c.greeting = await c.readReply();
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

  /** One response line; a literal announced at its end is read and appended with its CRLF. */
  async readLine(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
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
      const m = /\{(\d+)\}$/.exec(line);
      if (!m) return out;
      const n = Number(m[1]);
      while (this.buf.length < n) {
        if (this.ended) throw new Error('connection closed inside a literal');
        await this.waitData(timeoutMs);
      }
      out += '\r\n' + this.buf.subarray(0, n).toString('utf8');
      this.buf = this.buf.subarray(n);
    }
  }

  /** Lines up to and including the completion. */
  async readReply(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<MsReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine(timeoutMs);
      if (/^(OK|NO|BYE)\b/i.test(line)) return { lines, done: parseCompletion(line) };
      lines.push(line);
    }
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  async command(text: string | Buffer, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<MsReply> {
    this.write(Buffer.concat([Buffer.from(text), Buffer.from('\r\n')]));
    return this.readReply(timeoutMs);
  }

  /** STARTTLS, the handshake, then the capabilities the server re-issues (RFC 5804 §2.2). */
  async startTls(): Promise<{ ok: Completion; capabilities: MsReply }> {
    const r = await this.command('STARTTLS');
    if (r.done.status !== 'OK') throw new Error(`STARTTLS refused: ${r.done.line}`);
    this.sock.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.sock, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.sock = secure as TLSSocket;
    this.listen(secure);
    return { ok: r.done, capabilities: await this.readReply() };
  }

  /** AUTHENTICATE "PLAIN" with an initial response. */
  async authenticate(user: string, pass: string): Promise<MsReply> {
    const ir = Buffer.from(`\0${user}\0${pass}`).toString('base64');
    return this.command(`AUTHENTICATE "PLAIN" "${ir}"`);
  }

  /** Waits for the server to close, returning any lines it sent. */
  async waitClosed(timeoutMs = 8000): Promise<string[]> {
    const lines: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`connection not closed; read ${JSON.stringify(lines)}`);
      try {
        lines.push(await this.readLine(left));
      } catch (e) {
        if (this.closed || /closed/.test(String(e))) return lines;
        throw e;
      }
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A client literal "{n+}" CRLF data, counting UTF-8 octets. */
export function lit(s: string | Buffer): string {
  const b = Buffer.from(s);
  return `{${b.length}+}\r\n${b.toString('utf8')}`;
}

/** The capability lines of a reply as a map name -> value (null when valueless). */
export function capabilities(r: MsReply): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const line of r.lines) {
    const [name, rest] = readString(line);
    out.set(name.toUpperCase(), rest.trim() === '' ? null : readString(rest.trim())[0]);
  }
  return out;
}
