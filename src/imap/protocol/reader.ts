/**
 * Reader: the token layer of the IMAP command grammar (RFC 9051 §9, RFC 3501 §9, RFC 3516,
 * RFC 7888) over one framed command Buffer.
 *
 * Invariants:
 * - Every failure throws ImapParseError carrying the command tag once it has been read; no other
 *   exception escapes (bounds are checked, UTF-8 decoding errors are converted).
 * - Literals are read from the same Buffer (the framer keeps them inline after "{n}\r\n");
 *   a bare LF after the header is tolerated as the framer tolerates it.
 * - Nesting depth of lists is bounded by MAX_NESTING_DEPTH.
 */
import { MAX_NESTING_DEPTH } from '../../wire/limits.js';
import { ImapParseError, type ParseResponseCode } from './errors.js';
import { decodeMailboxName } from './mailbox-name.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

/** RFC 9051 §9 ATOM-CHAR: any CHAR except atom-specials. */
export function isAtomChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  // ( ) { % * " \ ]
  return c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x25 && c !== 0x2a && c !== 0x22 && c !== 0x5c && c !== 0x5d;
}

export function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

/** RFC 9051 §9 list-char: ATOM-CHAR / list-wildcards / resp-specials. */
export function isListChar(c: number): boolean {
  return isAtomChar(c) || c === 0x25 || c === 0x2a || c === 0x5d;
}

const SYSTEM_FLAGS = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent'].map((f) => [f.toUpperCase(), f]),
);

export class Reader {
  pos = 0;
  tag: string | null = null;
  private depth = 0;

  constructor(
    readonly buf: Buffer,
    readonly utf8Accept: boolean,
  ) {}

  fail(message: string, code: ParseResponseCode | null = null, savedSearchReset = false): never {
    throw new ImapParseError(this.tag, message, code, savedSearchReset);
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  peek(offset = 0): number {
    const i = this.pos + offset;
    return i < this.buf.length ? this.buf[i] : -1;
  }

  peekChar(ch: string): boolean {
    return this.peek() === ch.charCodeAt(0);
  }

  /** true when the upcoming characters are `word` (case-insensitive) followed by a non-atom char or end. */
  peekWord(word: string): boolean {
    const end = this.pos + word.length;
    if (end > this.buf.length) return false;
    if (this.buf.toString('latin1', this.pos, end).toUpperCase() !== word) return false;
    return end === this.buf.length || !isAtomChar(this.buf[end]);
  }

  expect(ch: string, what: string): void {
    if (this.peek() !== ch.charCodeAt(0)) this.fail(`Expected ${what}`);
    this.pos++;
  }

  sp(after?: string): void {
    if (this.peek() !== SP) this.fail(after !== undefined ? `Expected SP after ${after}` : 'Expected SP');
    this.pos++;
  }

  trySp(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }

  end(): void {
    if (!this.atEnd()) {
      if (this.peek() === SP && this.pos + 1 === this.buf.length) this.fail('Unexpected trailing space');
      this.fail('Unexpected characters at end of command');
    }
  }

  enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail('Nesting too deep');
  }

  leave(): void {
    this.depth--;
  }

  readTag(): string {
    const start = this.pos;
    while (this.pos < this.buf.length && isAstringChar(this.buf[this.pos]) && this.buf[this.pos] !== 0x2b) this.pos++;
    if (this.pos === start) this.fail('Missing or invalid tag');
    if (!this.atEnd() && this.peek() !== SP) this.fail('Invalid character in tag');
    this.tag = this.buf.toString('latin1', start, this.pos);
    return this.tag;
  }

  /** 1*ATOM-CHAR, as sent. */
  atom(what = 'atom'): string {
    const start = this.pos;
    while (this.pos < this.buf.length && isAtomChar(this.buf[this.pos])) this.pos++;
    if (this.pos === start) this.fail(`Expected ${what}`);
    return this.buf.toString('latin1', start, this.pos);
  }

  /** Reads characters accepted by `accept`; used for keywords like BODY.PEEK that stop at "[". */
  run(accept: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.buf.length && accept(this.buf[this.pos])) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  /** RFC 9051 §9 astring: atom-form, quoted or literal; raw octets. */
  astringBytes(what = 'astring', allow8bit = false): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === LBRACE) return this.stringBytes(what);
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos];
      if (!(isAstringChar(b) || (allow8bit && b >= 0x80))) break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`Expected ${what}`);
    return this.buf.subarray(start, this.pos);
  }

  astring(what = 'astring'): string {
    return this.decodeUtf8(this.astringBytes(what), what);
  }

  /** quoted / literal; raw octets. */
  stringBytes(what = 'string'): Buffer {
    const c = this.peek();
    if (c === DQUOTE) return this.quotedBytes();
    if (c === LBRACE) return this.literal(false).data;
    return this.fail(`Expected ${what}`);
  }

  string(what = 'string'): string {
    return this.decodeUtf8(this.stringBytes(what), what);
  }

  /** string / NIL */
  nstring(what = 'string'): string | null {
    if (this.peekWord('NIL')) {
      this.pos += 3;
      return null;
    }
    return this.string(what);
  }

  decodeUtf8(bytes: Buffer, what: string): string {
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail(`Invalid UTF-8 in ${what}`);
    }
  }

  quotedBytes(): Buffer {
    this.pos++; // DQUOTE
    const out: number[] = [];
    for (;;) {
      if (this.atEnd()) this.fail('Unterminated quoted string');
      const c = this.buf[this.pos++];
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const n = this.peek();
        if (n !== DQUOTE && n !== BACKSLASH) this.fail('Invalid escape in quoted string');
        out.push(n);
        this.pos++;
        continue;
      }
      if (c === 0x00 || c === 0x0d || c === 0x0a) this.fail('Invalid character in quoted string');
      out.push(c);
    }
    return Buffer.from(out);
  }

  /** "{n}" / "{n+}" CRLF data, or with allowBinary also "~{n}" (RFC 3516 literal8). */
  literal(allowBinary: boolean): { data: Buffer; binary: boolean } {
    let binary = false;
    if (this.peek() === 0x7e) {
      if (!allowBinary) this.fail('literal8 not allowed here');
      binary = true;
      this.pos++;
    }
    this.expect('{', 'literal');
    const digits = this.run((c) => c >= 0x30 && c <= 0x39);
    if (digits.length === 0 || digits.length > 10) this.fail('Invalid literal size');
    const size = Number(digits);
    if (size > 0xffffffff) this.fail('Invalid literal size');
    if (this.peek() === 0x2b) this.pos++;
    this.expect('}', 'literal');
    if (this.peek() === 0x0d) this.pos++;
    if (this.peek() !== 0x0a) this.fail('Expected CRLF after literal size');
    this.pos++;
    if (this.pos + size > this.buf.length) this.fail('Literal data truncated');
    const data = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    if (!binary && data.includes(0)) this.fail('NUL in literal (use literal8)');
    return { data, binary };
  }

  isLiteralStart(): boolean {
    const c = this.peek();
    return c === LBRACE || (c === 0x7e && this.peek(1) === LBRACE);
  }

  /** RFC 9051 number (32-bit unsigned) */
  number(what = 'number'): number {
    const digits = this.run((c) => c >= 0x30 && c <= 0x39);
    if (digits.length === 0) this.fail(`Expected ${what}`);
    const n = digits.length > 10 ? Infinity : Number(digits);
    if (n > 0xffffffff) this.fail(`Number too large in ${what}`);
    return n;
  }

  nzNumber(what = 'number'): number {
    const n = this.number(what);
    if (n === 0) this.fail(`Expected non-zero ${what}`);
    return n;
  }

  /** RFC 9051 number64 (RFC 7162 mod-sequence-value), bounded to exact JS integers. */
  number64(what = 'number'): number {
    const digits = this.run((c) => c >= 0x30 && c <= 0x39);
    if (digits.length === 0) this.fail(`Expected ${what}`);
    const n = digits.length > 16 ? Infinity : Number(digits);
    if (n > Number.MAX_SAFE_INTEGER) this.fail(`Number too large in ${what}`);
    return n;
  }

  /** RFC 9051 §9 mailbox: decoded name, "INBOX" normalised. */
  mailbox(): string {
    const bytes = this.astringBytes('mailbox name', this.utf8Accept);
    const name = decodeMailboxName(bytes, this.utf8Accept);
    if (name === null) {
      const utf8Name = this.utf8Accept || bytes.some((b) => b >= 0x80);
      // The astring is well-formed, so this is not a syntax error: the session answers NO.
      this.fail(utf8Name ? 'Mailbox name is not valid UTF-8' : 'Mailbox name is not valid modified UTF-7', 'CANNOT');
    }
    return name;
  }

  /** RFC 9051 §9 flag: system flags canonically cased, keywords and extensions as sent. */
  flag(allowWildcard = false): string {
    if (this.peek() === BACKSLASH) {
      this.pos++;
      if (allowWildcard && this.peekChar('*')) {
        this.pos++;
        return '\\*';
      }
      const name = `\\${this.atom('flag name')}`;
      return SYSTEM_FLAGS.get(name.toUpperCase()) ?? name;
    }
    return this.atom('flag');
  }

  /** "(" [flag *(SP flag)] ")" */
  flagList(): string[] {
    this.expect('(', 'flag list');
    const flags: string[] = [];
    if (!this.peekChar(')')) {
      for (;;) {
        flags.push(this.flag());
        if (!this.trySp()) break;
      }
    }
    this.expect(')', '")" ending flag list');
    return flags;
  }

  /** "(" item *(SP item) ")" with at least one item. */
  list<T>(item: () => T, what: string, allowEmpty = false): T[] {
    this.expect('(', `"(" starting ${what}`);
    this.enter();
    const out: T[] = [];
    if (!(allowEmpty && this.peekChar(')'))) {
      for (;;) {
        out.push(item());
        if (!this.trySp()) break;
      }
    }
    this.expect(')', `")" ending ${what}`);
    this.leave();
    return out;
  }
}
