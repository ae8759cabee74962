/**
 * ResponseBuilder: assembles one server response (RFC 9051 §7) as bytes, because responses
 * carry literals with arbitrary octets (BODY[], BINARY[] with literal8, RFC 3516 §4.2).
 *
 * Invariants:
 * - Text written with raw()/atom() must be ASCII without CR/LF; the caller supplies the grammar.
 * - string() never emits an invalid quoted string: anything with CR, LF, NUL, 8-bit octets
 *   (unless UTF-8 quoting is allowed), or longer than MAX_QUOTED goes out as a literal.
 * - A literal whose data contains NUL is sent as literal8 ("~{n}") only when the caller allows it.
 * - mailbox() encodes with modified UTF-7 unless UTF8=ACCEPT is enabled (RFC 6855 §3).
 */
import { encodeDateTime } from './datetime.js';
import { encodeMailboxName } from './mailbox-name.js';

/**
 * A quoted string (RFC 9051 §4.3): `"` and backslash escaped. The caller has checked that the value may
 * be quoted at all (no CR, LF or NUL; 8-bit only under UTF8=ACCEPT).
 */
export const quoted = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** Longest value sent as a quoted string; longer values are literals (easier for clients to buffer). */
const MAX_QUOTED = 1024;

export interface ResponseBuilderOptions {
  /** UTF8=ACCEPT enabled: UTF-8 may appear in quoted strings and mailbox names (RFC 6855 §3). */
  utf8Accept?: boolean;
}

export interface StringOptions {
  /** Allow "~{n}" for data containing NUL (BINARY[] replies, RFC 3516 §4.2). */
  literal8?: boolean;
  /** Force a literal even when quoting would do. */
  literal?: boolean;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function isAtomSafe(s: string): boolean {
  return /^[!#$&'+-[^-z|}~]+$/.test(s) && s.toUpperCase() !== 'NIL';
}

export class ResponseBuilder {
  private chunks: Buffer[] = [];
  private text = '';
  private readonly utf8Accept: boolean;

  constructor(options: ResponseBuilderOptions = {}) {
    this.utf8Accept = options.utf8Accept ?? false;
  }

  /** ASCII protocol text as is (e.g. "* 3 FETCH ("). */
  raw(text: string): this {
    this.text += text;
    return this;
  }

  sp(): this {
    this.text += ' ';
    return this;
  }

  crlf(): this {
    this.text += '\r\n';
    return this;
  }

  atom(value: string): this {
    this.text += value;
    return this;
  }

  number(n: number): this {
    this.text += String(Math.trunc(n));
    return this;
  }

  /** quoted when safe, else literal (RFC 9051 §4.3). */
  string(value: string | Buffer, opts: StringOptions = {}): this {
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (!opts.literal && this.canQuote(data)) {
      this.text += quoted(data.toString('utf8'));
      return this;
    }
    return this.literal(data, opts.literal8 === true && data.includes(0));
  }

  /** string / NIL */
  nstring(value: string | Buffer | null, opts: StringOptions = {}): this {
    return value === null ? this.raw('NIL') : this.string(value, opts);
  }

  /** atom when the value is a plain atom (and not NIL), else string. */
  astring(value: string): this {
    return isAtomSafe(value) ? this.atom(value) : this.string(value);
  }

  /** "{n}" CRLF data, or "~{n}" CRLF data for literal8. */
  literal(data: Buffer, binary = false): this {
    this.text += `${binary ? '~' : ''}{${data.length}}\r\n`;
    this.flushText();
    this.chunks.push(data);
    return this;
  }

  /** A mailbox name: mUTF-7 (or UTF-8 with UTF8=ACCEPT), as an astring. "INBOX" stays an atom. */
  mailbox(name: string, utf8Accept = this.utf8Accept): this {
    const wire = encodeMailboxName(name, utf8Accept);
    const data = Buffer.from(wire, 'utf8');
    if (isAtomSafe(wire)) return this.atom(wire);
    if (data.length <= MAX_QUOTED && !/[\r\n\0]/.test(wire) && (utf8Accept || /^[\x20-\x7e]*$/.test(wire))) {
      this.text += quoted(wire);
      return this;
    }
    return this.literal(data);
  }

  /** flag-list: "(" flags separated by SP ")" */
  flags(list: readonly string[]): this {
    this.text += `(${list.join(' ')})`;
    return this;
  }

  /** date-time in quotes (RFC 9051 §9), e.g. "25-Nov-2026 21:52:00 +0000". */
  dateTime(ms: number, offsetMinutes = 0): this {
    this.text += `"${encodeDateTime(ms, offsetMinutes)}"`;
    return this;
  }

  /** "(" items separated by SP ")"; NIL-free: the caller writes each item. */
  list<T>(items: readonly T[], each: (b: this, item: T) => void): this {
    this.text += '(';
    items.forEach((item, i) => {
      if (i > 0) this.text += ' ';
      each(this, item);
    });
    this.text += ')';
    return this;
  }

  /** The bytes written so far. */
  toBuffer(): Buffer {
    this.flushText();
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  private flushText(): void {
    if (this.text === '') return;
    this.chunks.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }

  private canQuote(data: Buffer): boolean {
    if (data.length > MAX_QUOTED) return false;
    let high = false;
    for (const b of data) {
      if (b === 0 || b === 0x0a || b === 0x0d) return false;
      if (b >= 0x80) high = true;
    }
    if (!high) return true;
    if (!this.utf8Accept) return false;
    try {
      utf8Strict.decode(data);
      return true;
    } catch {
      return false;
    }
  }
}
