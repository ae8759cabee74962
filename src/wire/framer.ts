/**
 * CommandFramer: cuts the client byte stream into complete commands (the command line plus all
 * of its literals) before any parsing (RFC 9051 §2.2, §4.3; RFC 7888 LITERAL+/-; RFC 3516 "~{n}").
 *
 * Invariants:
 * - Resumable: bytes may arrive one at a time or many commands per chunk; the events are the same.
 * - A command event carries the raw bytes exactly as received: lines (with their CRLF or bare
 *   LF when a literal follows), literal headers and literal data, without the final line end.
 * - Memory is bounded whatever the client sends: a line is buffered up to maxLineLength, a
 *   literal only once accepted by the policy; rejected input is skipped, never buffered.
 * - A rejected synchronizing literal ends its command (the client never sends the data, RFC 9051
 *   §7.5); a rejected non-synchronizing literal is read and dropped, then the rest of its command.
 * - After a fatal error every later byte is ignored: the session must send BYE and close.
 * - Events are delivered synchronously from push()/resume(); a handler may call pause(),
 *   setRawLineMode() or reset() and the framer honours it before looking at the next byte.
 */
import {
  LITERAL_MINUS_MAX,
  MAX_COMMAND_BYTES,
  MAX_COMMAND_TOTAL_BYTES,
  MAX_LINE_LENGTH,
  MAX_LITERAL_SIZE,
  MAX_LITERALS_PER_COMMAND,
  MAX_LITERAL_SIZE_DIGITS,
  MAX_SKIPPABLE_LITERAL,
  APPEND_LIMIT,
} from './limits.js';

export type FramerErrorKind = 'line-too-long' | 'literal-too-large' | 'command-too-large' | 'too-many-literals' | 'bad-literal';

export type FramerEvent =
  | { type: 'command'; bytes: Buffer }
  | { type: 'line'; bytes: Buffer }
  | { type: 'continuation-needed'; size: number }
  | { type: 'error'; tag: string | null; kind: FramerErrorKind; fatal: boolean; message: string };

/** What the policy sees when a literal is announced. */
export interface LiteralRequest {
  /** The command's first line up to and including its line end (tag, command name, first arguments). */
  prefix: Buffer;
  /** The line that announces this literal (the same as prefix for the first literal). */
  line: Buffer;
  size: number;
  /** true for "{n}" (the client waits for "+"), false for "{n+}" (LITERAL+/-). */
  sync: boolean;
  /** true for literal8 "~{n}" (RFC 3516). */
  binary: boolean;
  /** 0 for the command's first literal. */
  index: number;
}

export type LiteralVerdict = 'ok' | 'too-large';
export type LiteralPolicy = (request: LiteralRequest) => LiteralVerdict;

export interface FramerLimits {
  maxLineLength: number;
  /** Lines plus literals of at most maxLiteralSize; larger accepted literals (APPEND) do not count. */
  maxCommandBytes: number;
  maxLiteralSize: number;
  maxCommandTotalBytes: number;
  maxLiterals: number;
  maxSkippableLiteral: number;
}

export interface FramerOptions {
  onEvent: (event: FramerEvent) => void;
  allowLiteral?: LiteralPolicy;
  limits?: Partial<FramerLimits>;
}

const LF = 0x0a;
const CR = 0x0d;
const SKIP_TAIL = 32;
/** Initial line buffer; it grows by doubling up to maxLineLength and shrinks back after a long line. */
const LINE_INITIAL = 256;

type Mode = 'line' | 'literal' | 'skip-literal' | 'skip-line' | 'dead';

interface DetectedLiteral {
  valid: boolean;
  size: number;
  sync: boolean;
  binary: boolean;
}

/**
 * The policy Facteur uses: ordinary arguments up to MAX_LITERAL_SIZE, APPEND messages up to
 * APPEND_LIMIT; without LITERAL+ (i.e. LITERAL- advertised) a non-synchronizing literal above
 * 4096 octets is refused (RFC 7888 §4).
 */
export function createLiteralPolicy(opts: { literalPlus: boolean }): LiteralPolicy {
  return (req) => {
    if (!req.sync && !opts.literalPlus && req.size > LITERAL_MINUS_MAX) return 'too-large';
    if (req.size <= MAX_LITERAL_SIZE) return 'ok';
    return isAppendPrefix(req.prefix) && req.size <= APPEND_LIMIT ? 'ok' : 'too-large';
  };
}

/**
 * true when the command begins "<tag> APPEND ", "<tag> REPLACE " or "<tag> UID REPLACE "
 * (case-insensitive): their literals are messages (RFC 8508 §3.4: what affects APPEND affects
 * REPLACE the same way, APPENDLIMIT included).
 */
export function isAppendPrefix(prefix: Buffer): boolean {
  const sp = prefix.indexOf(0x20);
  if (sp <= 0) return false;
  const head = prefix.subarray(sp + 1, sp + 13).toString('latin1').toUpperCase();
  return head.startsWith('APPEND ') || head.startsWith('REPLACE ') || head.startsWith('UID REPLACE ');
}

/** The tag at the start of a command, if it is a syntactically valid tag followed by SP. */
export function tagOf(bytes: Buffer): string | null {
  const limit = Math.min(bytes.length, 256);
  for (let i = 0; i < limit; i++) {
    const c = bytes[i];
    if (c === 0x20) return i > 0 ? bytes.toString('latin1', 0, i) : null;
    if (!isTagChar(c)) return null;
  }
  return null;
}

function isTagChar(c: number): boolean {
  // RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">
  if (c <= 0x20 || c >= 0x7f) return false;
  return c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x25 && c !== 0x2a && c !== 0x22 && c !== 0x5c && c !== 0x2b;
}

/** Looks for a literal header "{n}", "{n+}", "~{n}", "~{n+}" at the end of a line (CRLF removed). */
function detectLiteral(line: Buffer): DetectedLiteral | null {
  if (line.length < 3 || line[line.length - 1] !== 0x7d) return null;
  const from = Math.max(0, line.length - 26);
  const open = line.lastIndexOf(0x7b, line.length - 2);
  if (open < from) return null;
  const inner = line.toString('latin1', open + 1, line.length - 1);
  const binary = open > 0 && line[open - 1] === 0x7e;
  const m = /^([0-9]+)(\+?)$/.exec(inner);
  if (m) {
    const sync = m[2] === '';
    if (m[1].length > MAX_LITERAL_SIZE_DIGITS) return { valid: false, size: 0, sync, binary };
    const size = Number(m[1]);
    return { valid: size <= 0xffffffff, size, sync, binary };
  }
  // Something brace-delimited that is not a number: only a malformed literal header looks like this
  // ("{" cannot occur in an atom; a quoted string would contain a space or quote here).
  if (/^[^\s"(){}\\]*$/.test(inner)) return { valid: false, size: 0, sync: !inner.endsWith('+'), binary };
  return null;
}

export class CommandFramer {
  private readonly onEvent: (event: FramerEvent) => void;
  private readonly policy: LiteralPolicy;
  private readonly limits: FramerLimits;

  private mode: Mode = 'line';
  private rawLine = false;
  private paused = false;
  private pending: Buffer | null = null;

  private parts: Buffer[] = [];
  private totalBytes = 0;
  private countedBytes = 0;
  private literalCount = 0;
  private lineBuf: Buffer = Buffer.allocUnsafe(LINE_INITIAL);
  private lineLength = 0;
  private literal: Buffer = Buffer.alloc(0);
  private literalFill = 0;

  private skipRemaining = 0;
  private skipTail: Buffer = Buffer.alloc(0);
  private skipIsRaw = false;
  private pendingError: FramerEvent | null = null;
  private processing = false;
  private abandonChunk = false;

  constructor(options: FramerOptions) {
    this.onEvent = options.onEvent;
    this.policy = options.allowLiteral ?? createLiteralPolicy({ literalPlus: true });
    this.limits = {
      maxLineLength: MAX_LINE_LENGTH,
      maxCommandBytes: MAX_COMMAND_BYTES,
      maxLiteralSize: MAX_LITERAL_SIZE,
      maxCommandTotalBytes: MAX_COMMAND_TOTAL_BYTES,
      maxLiterals: MAX_LITERALS_PER_COMMAND,
      maxSkippableLiteral: MAX_SKIPPABLE_LITERAL,
      ...options.limits,
    };
  }

  /** Feeds received bytes; events are emitted synchronously. While paused, bytes are queued. */
  push(chunk: Buffer): void {
    if (this.mode === 'dead' || chunk.length === 0) return;
    if (this.paused || this.pending !== null) {
      this.pending = this.pending === null ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
      if (!this.paused) this.drain();
      return;
    }
    this.process(chunk);
  }

  /** Stops delivering events after the current one; later bytes are queued (the session should stop reading). */
  pause(): void {
    this.paused = true;
  }

  /** Delivers queued bytes, then continues with later pushes. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drain();
  }

  /**
   * When on, each following line is delivered as a 'line' event with no literal interpretation
   * (AUTHENTICATE continuations, RFC 9051 §6.2.2; IDLE's "DONE", RFC 9051 §6.3.13).
   * Takes effect at the next line start; call it from the handler of the command that needs it.
   */
  setRawLineMode(on: boolean): void {
    this.rawLine = on;
  }

  /** Drops queued bytes and any partial command (after STARTTLS, RFC 9051 §6.2.1: no plaintext may leak into TLS). */
  reset(): void {
    this.pending = null;
    this.abandonChunk = this.processing;
    if (this.mode !== 'dead') this.mode = 'line';
    this.clearCommand();
  }

  /** true when no partial command or line is held (a clean point to close or upgrade). */
  get idle(): boolean {
    return this.mode === 'line' && this.parts.length === 0 && this.lineLength === 0 && this.pending === null;
  }

  /** true after a fatal error: nothing more will be delivered. */
  get failed(): boolean {
    return this.mode === 'dead';
  }

  private drain(): void {
    const data = this.pending;
    this.pending = null;
    if (data !== null) this.process(data);
  }

  private process(buf: Buffer): void {
    this.processing = true;
    try {
      this.processChunk(buf);
    } finally {
      this.processing = false;
      this.abandonChunk = false;
    }
  }

  private processChunk(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      if (this.abandonChunk) return;
      if (this.paused) {
        this.pending = Buffer.from(buf.subarray(pos));
        return;
      }
      switch (this.mode) {
        case 'dead':
          return;
        case 'line':
          pos = this.readLine(buf, pos);
          break;
        case 'literal':
          pos = this.readLiteral(buf, pos);
          break;
        case 'skip-literal': {
          const n = Math.min(this.skipRemaining, buf.length - pos);
          this.skipRemaining -= n;
          pos += n;
          if (this.skipRemaining === 0) {
            this.mode = 'skip-line';
            this.skipTail = Buffer.alloc(0);
          }
          break;
        }
        case 'skip-line':
          pos = this.skipLine(buf, pos);
          break;
      }
    }
  }

  private readLine(buf: Buffer, pos: number): number {
    const lf = buf.indexOf(LF, pos);
    const end = lf === -1 ? buf.length : lf;
    if (this.lineLength + (end - pos) > this.limits.maxLineLength + 1) {
      // +1 tolerates the CR that precedes LF in a line of exactly maxLineLength octets.
      this.startSkip('line-too-long', 'Command line too long', this.rawLine, buf.subarray(pos, Math.min(end, pos + 256)));
      return pos;
    }
    if (end > pos) {
      this.appendLine(buf, pos, end);
    }
    if (lf === -1) return buf.length;
    this.endLine();
    return lf + 1;
  }

  private endLine(): void {
    const raw = Buffer.from(this.lineBuf.subarray(0, this.lineLength));
    this.clearLine();
    const content = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    if (this.rawLine && this.parts.length === 0) {
      this.onEvent({ type: 'line', bytes: content });
      return;
    }
    const lit = detectLiteral(content);
    if (content.length > this.limits.maxLineLength) {
      this.parts.push(content);
      if (lit !== null && lit.valid) this.rejectLiteral(lit, 'line-too-long', 'Command line too long');
      else this.fail('line-too-long', 'Command line too long', true, lit !== null && !lit.sync);
      return;
    }
    if (lit === null) {
      this.parts.push(content);
      const counted = this.countedBytes + content.length;
      const bytes = Buffer.concat(this.parts);
      this.clearCommand();
      if (counted > this.limits.maxCommandBytes) {
        this.emitError(tagOf(bytes), 'command-too-large', false, 'Command too long');
        return;
      }
      this.onEvent({ type: 'command', bytes });
      return;
    }
    // The line and its line end stay part of the command, exactly as received.
    const withEnd = Buffer.concat([raw, Buffer.from([LF])]);
    this.parts.push(withEnd);
    this.totalBytes += withEnd.length;
    this.countedBytes += withEnd.length;
    if (!lit.valid) {
      this.fail('bad-literal', 'Invalid literal size', lit.sync, !lit.sync);
      return;
    }
    if (this.countedBytes > this.limits.maxCommandBytes) {
      this.rejectLiteral(lit, 'command-too-large', 'Command too long');
      return;
    }
    if (this.literalCount >= this.limits.maxLiterals) {
      this.rejectLiteral(lit, 'too-many-literals', 'Too many literals in one command');
      return;
    }
    const verdict = this.policy({ prefix: this.parts[0], line: withEnd, size: lit.size, sync: lit.sync, binary: lit.binary, index: this.literalCount });
    if (verdict !== 'ok') {
      this.rejectLiteral(lit, 'literal-too-large', `Literal of ${lit.size} octets is too large`);
      return;
    }
    if (this.totalBytes + lit.size > this.limits.maxCommandTotalBytes) {
      this.rejectLiteral(lit, 'command-too-large', 'Command too large');
      return;
    }
    this.literalCount++;
    this.totalBytes += lit.size;
    // APPEND's literals are messages: bounded by maxCommandTotalBytes, not by the argument
    // budget (MULTIAPPEND sends many small messages in one command, RFC 3502).
    if (lit.size <= this.limits.maxLiteralSize && !isAppendPrefix(this.parts[0]!)) this.countedBytes += lit.size;
    if (lit.sync) this.onEvent({ type: 'continuation-needed', size: lit.size });
    this.literal = Buffer.allocUnsafe(lit.size);
    this.literalFill = 0;
    this.mode = 'literal';
    if (lit.size === 0) this.finishLiteral();
  }

  private appendLine(src: Buffer, start: number, end: number): void {
    const need = this.lineLength + (end - start);
    if (need > this.lineBuf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.lineBuf.length * 2));
      this.lineBuf.copy(grown, 0, 0, this.lineLength);
      this.lineBuf = grown;
    }
    src.copy(this.lineBuf, this.lineLength, start, end);
    this.lineLength = need;
  }

  private clearLine(): void {
    this.lineLength = 0;
    if (this.lineBuf.length > 16 * LINE_INITIAL) this.lineBuf = Buffer.allocUnsafe(LINE_INITIAL);
  }

  private readLiteral(buf: Buffer, pos: number): number {
    const n = Math.min(this.literal.length - this.literalFill, buf.length - pos);
    buf.copy(this.literal, this.literalFill, pos, pos + n);
    this.literalFill += n;
    if (this.literalFill === this.literal.length) this.finishLiteral();
    return pos + n;
  }

  private finishLiteral(): void {
    this.parts.push(this.literal);
    this.literal = Buffer.alloc(0);
    this.literalFill = 0;
    if (this.mode === 'literal') this.mode = 'line';
  }

  private rejectLiteral(lit: DetectedLiteral, kind: FramerErrorKind, message: string): void {
    if (lit.sync) {
      // The client waits for "+" that never comes; the tagged error ends the command.
      this.fail(kind, message, true, false);
      return;
    }
    if (lit.size > this.limits.maxSkippableLiteral) {
      this.fail(kind, message, false, true);
      return;
    }
    this.pendingError = { type: 'error', tag: this.commandTag(), kind, fatal: false, message };
    this.clearCommand();
    this.skipRemaining = lit.size;
    this.skipIsRaw = false;
    this.mode = lit.size === 0 ? 'skip-line' : 'skip-literal';
    this.skipTail = Buffer.alloc(0);
  }

  private startSkip(kind: FramerErrorKind, message: string, raw: boolean, next: Buffer): void {
    const seen = Buffer.from(this.lineBuf.subarray(0, this.lineLength));
    const tag = raw ? null : this.commandTag(Buffer.concat([seen.subarray(0, 256), next]));
    this.pendingError = { type: 'error', tag, kind, fatal: false, message };
    this.skipTail = Buffer.from(seen.subarray(Math.max(0, seen.length - SKIP_TAIL)));
    this.skipIsRaw = raw;
    this.clearCommand();
    this.mode = 'skip-line';
  }

  private skipLine(buf: Buffer, pos: number): number {
    const lf = buf.indexOf(LF, pos);
    const end = lf === -1 ? buf.length : lf;
    const seg = buf.subarray(Math.max(pos, end - SKIP_TAIL), end);
    const joined = Buffer.concat([this.skipTail, seg]);
    this.skipTail = Buffer.from(joined.subarray(Math.max(0, joined.length - SKIP_TAIL)));
    if (lf === -1) return buf.length;
    const tail = this.skipTail;
    this.skipTail = Buffer.alloc(0);
    const content = tail.length > 0 && tail[tail.length - 1] === CR ? tail.subarray(0, tail.length - 1) : tail;
    const lit = this.skipIsRaw ? null : detectLiteral(content);
    if (lit !== null && !lit.sync) {
      if (!lit.valid || lit.size > this.limits.maxSkippableLiteral) {
        const tag = this.pendingError?.type === 'error' ? this.pendingError.tag : null;
        this.pendingError = null;
        this.emitError(tag, lit.valid ? 'literal-too-large' : 'bad-literal', true, 'Literal too large to skip');
        this.mode = 'dead';
        return lf + 1;
      }
      this.skipRemaining = lit.size;
      this.mode = lit.size === 0 ? 'skip-line' : 'skip-literal';
      return lf + 1;
    }
    this.mode = 'line';
    const err = this.pendingError;
    this.pendingError = null;
    if (err !== null) this.onEvent(err);
    return lf + 1;
  }

  private fail(kind: FramerErrorKind, message: string, endsCommand: boolean, fatal: boolean): void {
    const tag = this.commandTag();
    this.clearCommand();
    if (fatal) this.mode = 'dead';
    else if (endsCommand) this.mode = 'line';
    this.emitError(tag, kind, fatal, message);
  }

  private emitError(tag: string | null, kind: FramerErrorKind, fatal: boolean, message: string): void {
    this.onEvent({ type: 'error', tag, kind, fatal, message });
  }

  private commandTag(current?: Buffer): string | null {
    if (this.parts.length > 0) return tagOf(this.parts[0]);
    return current !== undefined ? tagOf(current) : null;
  }

  private clearCommand(): void {
    this.parts = [];
    this.totalBytes = 0;
    this.countedBytes = 0;
    this.literalCount = 0;
    this.clearLine();
    this.literal = Buffer.alloc(0);
    this.literalFill = 0;
  }
}
