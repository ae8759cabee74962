/**
 * A small SMTP client (RFC 5321) for the mail delivery itself originates: Sieve redirect, vacation
 * replies, reject notices. It hands each message to one configured relay; queueing and retries
 * are the relay's job.
 *
 * Invariants:
 * - One connection per message: EHLO (HELO if refused), MAIL, RCPT..., DATA, QUIT. Every reply is
 *   awaited (no pipelining), every wait has a timeout, and a reply longer than MAX_REPLY_BYTES
 *   ends the attempt, so a hostile relay cannot make us hold unbounded memory.
 * - A 4xx reply, a timeout or a broken connection is a temporary SmtpSendError; a 5xx reply is a
 *   permanent one. A message with one accepted recipient is sent; rejected recipients are
 *   reported in the result (we never send to nobody).
 * - DATA is sent CRLF-normalised and dot-stuffed (RFC 5321 §4.5.2); BODY=8BITMIME is declared
 *   when the relay offers it and the message has 8-bit octets (RFC 6152).
 */
import { connect, type Socket } from 'node:net';
import { toCrlf } from './message.js';

/** Longest reply (all lines of a multiline reply) we read from a relay. */
const MAX_REPLY_BYTES = 64 * 1024;
/** RFC 5321 §4.5.3.2 suggests minutes per step; one bound for every reply keeps this simple. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface OutgoingMessage {
  /** Reverse-path without brackets; '' for the null reverse-path <> (vacation, notices). */
  from: string;
  to: readonly string[];
  data: Buffer;
}

export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
  constructor(
    readonly temporary: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface SmtpSendResult {
  accepted: string[];
  rejected: Array<{ to: string; reply: string }>;
}

export interface MailSender {
  send(message: OutgoingMessage): Promise<SmtpSendResult>;
}

interface Reply {
  code: number;
  text: string;
}

class ReplyReader {
  private buf = '';
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      if (this.buf.length > MAX_REPLY_BYTES) this.fail(new SmtpSendError(true, 'relay reply too long'));
      this.wake();
    });
    sock.on('close', () => this.fail(new SmtpSendError(true, 'relay closed the connection')));
    sock.on('error', (e) => this.fail(new SmtpSendError(true, `relay connection: ${e.message}`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** One complete reply: lines "ddd-text" up to "ddd text" (RFC 5321 §4.2.1). */
  async read(timeoutMs: number): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buf.split('\r\n');
      for (let i = 0; i < lines.length - 1; i++) {
        const m = /^(\d{3})([ -]?)(.*)$/.exec(lines[i]);
        if (m === null) throw new SmtpSendError(true, `malformed relay reply: ${lines[i].slice(0, 100)}`);
        if (m[2] !== '-') {
          const text = lines.slice(0, i + 1).map((l) => l.slice(4)).join(' / ');
          this.buf = lines.slice(i + 1).join('\r\n');
          return { code: Number(m[1]), text };
        }
      }
      if (this.failure !== null) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new SmtpSendError(true, 'relay timed out');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

/** RFC 5321 §4.5.2: a line starting with '.' gets one more; the data ends with CRLF.CRLF. */
export function dotStuff(data: Buffer): Buffer {
  const crlf = toCrlf(data);
  const parts: Buffer[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i <= crlf.length; i++) {
    if (i === lineStart && crlf[i] === 0x2e) {
      parts.push(crlf.subarray(start, i), Buffer.from('.'));
      start = i;
    }
    if (crlf[i] === 0x0a) lineStart = i + 1;
  }
  parts.push(crlf.subarray(start));
  const endsWithCrlf = crlf.length >= 2 && crlf[crlf.length - 2] === 0x0d && crlf[crlf.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

export class SmtpRelayClient implements MailSender {
  constructor(
    private readonly host: string,
    private readonly port: number,
    /** Our name in EHLO. */
    private readonly heloName: string,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async send(message: OutgoingMessage): Promise<SmtpSendResult> {
    if (message.to.length === 0) throw new SmtpSendError(false, 'no recipients');
    const sock = connect({ host: this.host, port: this.port });
    sock.setTimeout(this.timeoutMs, () => sock.destroy(new Error('timeout')));
    const reader = new ReplyReader(sock);
    const expect = async (ok: (code: number) => boolean, what: string): Promise<Reply> => {
      const r = await reader.read(this.timeoutMs);
      if (!ok(r.code)) throw new SmtpSendError(r.code < 500, `relay refused ${what}: ${r.code} ${r.text}`);
      return r;
    };
    const cmd = (line: string): void => {
      sock.write(line + '\r\n');
    };
    try {
      await expect((c) => c === 220, 'the connection');
      cmd(`EHLO ${this.heloName}`);
      let r = await reader.read(this.timeoutMs);
      let eightBit = false;
      if (r.code === 250) eightBit = /(^| \/ )8BITMIME( |$)/i.test(r.text);
      else {
        cmd(`HELO ${this.heloName}`);
        r = await expect((c) => c === 250, 'HELO');
      }
      const has8bit = message.data.some((b) => b >= 0x80);
      cmd(`MAIL FROM:<${message.from}>${eightBit && has8bit ? ' BODY=8BITMIME' : ''}`);
      await expect((c) => c === 250, 'MAIL FROM');
      const result: SmtpSendResult = { accepted: [], rejected: [] };
      for (const to of message.to) {
        cmd(`RCPT TO:<${to}>`);
        const rr = await reader.read(this.timeoutMs);
        if (rr.code === 250 || rr.code === 251) result.accepted.push(to);
        else if (rr.code >= 400 && rr.code < 500 && message.to.length === 1) {
          throw new SmtpSendError(true, `relay refused RCPT TO:<${to}>: ${rr.code} ${rr.text}`);
        } else result.rejected.push({ to, reply: `${rr.code} ${rr.text}` });
      }
      if (result.accepted.length === 0) {
        throw new SmtpSendError(false, `relay refused every recipient: ${result.rejected.map((x) => x.reply).join('; ')}`);
      }
      cmd('DATA');
      await expect((c) => c === 354, 'DATA');
      sock.write(dotStuff(message.data));
      await expect((c) => c === 250, 'the message');
      cmd('QUIT');
      await reader.read(this.timeoutMs).catch(() => undefined);
      return result;
    } finally {
      sock.destroy();
    }
  }
}
