/**
 * A small raw-socket IMAP client for the benchmark: pipelining-friendly (any number of commands
 * in flight, matched by tag), LITERAL+ aware, and cheap on the receive path (large literals are
 * counted chunk by chunk, never concatenated, unless the caller asks to keep them).
 *
 * It interprets only framing: untagged responses are handed back as text (a literal appears as
 * its "{n}" announcement, its bytes are counted in literalBytes), and every untagged response is
 * attributed to the oldest command in flight.
 */
import { connect, type Socket } from 'node:net';

export type Status = 'OK' | 'NO' | 'BAD';

export interface Reply {
  tag: string;
  status: Status;
  /** The tagged line after "<tag> <status> ". */
  text: string;
  /** Untagged responses received while this command was the oldest in flight. */
  untagged: string[];
  /** Bytes of literal payload inside those untagged responses. */
  literalBytes: number;
  /** The literal payloads themselves, only with keepLiterals. */
  literals: Buffer[];
}

/** A text piece of a command, or a message literal sent as {n+} (or {n} + continuation). */
export type Segment = string | { literal: Buffer };

export interface CommandOptions {
  timeoutMs?: number;
  keepLiterals?: boolean;
}

/** A tagged NO or BAD. */
export class ImapCommandError extends Error {
  constructor(
    readonly command: string,
    readonly reply: Reply,
  ) {
    super(`${command.slice(0, 60)} -> ${reply.status} ${reply.text}`.slice(0, 300));
  }
}

interface Pending {
  tag: string;
  label: string;
  untagged: string[];
  literalBytes: number;
  literals: Buffer[];
  keepLiterals: boolean;
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  continuation: (() => void) | null;
}

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
const LITERAL_AT_END = /\{(\d+)\}$/;

export class ImapClient {
  greeting = '';
  capabilities = new Set<string>();
  private pending = new Map<string, Pending>();
  private partial: Buffer = EMPTY;
  private literalLeft = 0;
  private parts: string[] = [];
  private closedError: Error | null = null;
  private greetingWaiter: ((line: string) => void) | null = null;
  private seq = 0;
  private readonly tagPrefix: string;
  private static instances = 0;

  private constructor(readonly sock: Socket) {
    this.tagPrefix = `b${(++ImapClient.instances).toString(36)}_`;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed by server')));
  }

  /** Connects and waits for the greeting (which must be OK or PREAUTH). */
  static async connect(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<ImapClient> {
    const sock = connect({ port, host });
    const client = new ImapClient(sock);
    const greeting = new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout waiting for the greeting')), timeoutMs);
      client.greetingWaiter = (line) => {
        clearTimeout(t);
        resolve(line);
      };
      sock.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      sock.once('close', () => {
        clearTimeout(t);
        reject(new Error('connection closed before the greeting'));
      });
    });
    try {
      client.greeting = await greeting;
    } catch (e) {
      sock.destroy();
      throw e;
    }
    if (!/^\* (OK|PREAUTH)\b/i.test(client.greeting)) {
      sock.destroy();
      throw new Error(`unexpected greeting: ${client.greeting.slice(0, 200)}`);
    }
    client.parseCapabilities(client.greeting);
    return client;
  }

  get literalPlus(): boolean {
    return this.capabilities.has('LITERAL+');
  }

  private parseCapabilities(line: string): void {
    const m = /\[CAPABILITY ([^\]]*)\]/i.exec(line) ?? /^\* CAPABILITY (.*)$/i.exec(line);
    if (!m) return;
    this.capabilities = new Set(m[1].trim().toUpperCase().split(/\s+/));
  }

  private fail(e: Error): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${p.label}: ${e.message}`));
    }
    this.pending.clear();
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, chunk.length - off);
        const p = this.oldest();
        if (p) {
          p.literalBytes += take;
          if (p.keepLiterals) p.literals.push(chunk.subarray(off, off + take));
        }
        this.literalLeft -= take;
        off += take;
        continue;
      }
      const nl = chunk.indexOf(LF, off);
      if (nl < 0) {
        this.partial = this.partial.length === 0 ? Buffer.from(chunk.subarray(off)) : Buffer.concat([this.partial, chunk.subarray(off)]);
        return;
      }
      const lineBuf = this.partial.length === 0 ? chunk.subarray(off, nl) : Buffer.concat([this.partial, chunk.subarray(off, nl)]);
      this.partial = EMPTY;
      off = nl + 1;
      const end = lineBuf.length > 0 && lineBuf[lineBuf.length - 1] === 0x0d ? lineBuf.length - 1 : lineBuf.length;
      const line = lineBuf.toString('latin1', 0, end);
      this.parts.push(line);
      const m = LITERAL_AT_END.exec(line);
      if (m) {
        this.literalLeft = Number(m[1]);
        continue;
      }
      const response = this.parts.length === 1 ? line : this.parts.join('');
      this.parts = [];
      this.dispatch(response);
    }
  }

  private oldest(): Pending | undefined {
    for (const p of this.pending.values()) return p;
    return undefined;
  }

  private dispatch(response: string): void {
    if (this.greetingWaiter) {
      const w = this.greetingWaiter;
      this.greetingWaiter = null;
      w(response);
      return;
    }
    if (response.startsWith('* ')) {
      if (/^\* CAPABILITY /i.test(response)) this.parseCapabilities(response);
      const p = this.oldest();
      if (p) p.untagged.push(response);
      return;
    }
    if (response.startsWith('+')) {
      for (const p of this.pending.values()) {
        if (p.continuation) {
          const c = p.continuation;
          p.continuation = null;
          c();
          return;
        }
      }
      return;
    }
    const sp = response.indexOf(' ');
    const tag = sp < 0 ? response : response.slice(0, sp);
    const p = this.pending.get(tag);
    if (!p) return;
    this.pending.delete(tag);
    clearTimeout(p.timer);
    const rest = sp < 0 ? '' : response.slice(sp + 1);
    const sp2 = rest.indexOf(' ');
    const word = (sp2 < 0 ? rest : rest.slice(0, sp2)).toUpperCase();
    const status: Status = word === 'OK' ? 'OK' : word === 'NO' ? 'NO' : 'BAD';
    const text = sp2 < 0 ? '' : rest.slice(sp2 + 1);
    this.parseCapabilities(text);
    // A command waiting for a continuation it will now never get must stop waiting.
    if (p.continuation) {
      const c = p.continuation;
      p.continuation = null;
      c();
    }
    p.resolve({ tag, status, text, untagged: p.untagged, literalBytes: p.literalBytes, literals: p.literals });
  }

  /**
   * Sends one command (text, or text and message literals) and resolves with its tagged reply,
   * whatever the status. Several may be in flight at once.
   */
  send(command: string | Segment[], opts: CommandOptions = {}): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const segments: Segment[] = typeof command === 'string' ? [command] : command;
    const label = typeof segments[0] === 'string' ? segments[0].slice(0, 40) : 'command';
    const tag = `${this.tagPrefix}${++this.seq}`;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let pending!: Pending;
    const done = new Promise<Reply>((resolve, reject) => {
      pending = {
        tag,
        label,
        untagged: [],
        literalBytes: 0,
        literals: [],
        keepLiterals: opts.keepLiterals ?? false,
        resolve,
        reject,
        continuation: null,
        timer: setTimeout(() => {
          if (this.pending.delete(tag)) reject(new Error(`${label}: no tagged reply within ${timeoutMs} ms`));
        }, timeoutMs),
      };
    });
    this.pending.set(tag, pending);
    const hasLiteral = segments.some((s) => typeof s !== 'string');
    if (!hasLiteral || this.literalPlus) {
      const out: Buffer[] = [Buffer.from(`${tag} `, 'latin1')];
      for (const s of segments) {
        if (typeof s === 'string') out.push(Buffer.from(s, 'utf8'));
        else out.push(Buffer.from(`{${s.literal.length}+}\r\n`, 'latin1'), s.literal);
      }
      out.push(Buffer.from('\r\n', 'latin1'));
      this.sock.cork();
      for (const b of out) this.sock.write(b);
      this.sock.uncork();
    } else {
      void this.sendSynchronizing(tag, segments, pending);
    }
    return done;
  }

  /** Without LITERAL+: announce each literal with {n} and wait for "+" before sending it. */
  private async sendSynchronizing(tag: string, segments: Segment[], pending: Pending): Promise<void> {
    let text = `${tag} `;
    for (const s of segments) {
      if (typeof s === 'string') {
        text += s;
        continue;
      }
      const go = new Promise<void>((resolve) => {
        pending.continuation = resolve;
      });
      this.sock.write(`${text}{${s.literal.length}}\r\n`);
      text = '';
      await go;
      if (!this.pending.has(tag)) return; // answered (NO/BAD) instead of "+"
      this.sock.write(s.literal);
    }
    this.sock.write(`${text}\r\n`);
  }

  /** Like send, but a NO or BAD rejects with ImapCommandError. */
  async ok(command: string | Segment[], opts: CommandOptions = {}): Promise<Reply> {
    const r = await this.send(command, opts);
    if (r.status !== 'OK') throw new ImapCommandError(typeof command === 'string' ? command : String(command[0]), r);
    return r;
  }

  async login(user: string, pass: string): Promise<void> {
    await this.ok(`LOGIN ${quote(user)} ${quote(pass)}`);
  }

  /** LOGOUT, then close the socket whatever happens. */
  async logout(): Promise<void> {
    try {
      await this.send('LOGOUT', { timeoutMs: 5000 });
    } catch {
      // closing anyway
    }
    this.close();
  }

  close(): void {
    this.fail(new Error('closed by client'));
    this.sock.destroy();
  }
}

/** An IMAP quoted string (the benchmark's strings never need a literal). */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
