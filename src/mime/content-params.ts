/**
 * Structured MIME header values: Content-Type (RFC 2045 §5.1), Content-Disposition (RFC 2183),
 * Content-Transfer-Encoding (RFC 2045 §6.1), Content-Language (RFC 3282), with RFC 2231
 * parameter value continuations and charset/language decoding.
 * Tolerance (Dovecot-like): comments are skipped, missing semicolons between parameters are
 * accepted, unquoted values run to whitespace or ';', junk without '=' is skipped.
 * Parameter names are lower-cased and lose their RFC 2231 '*' suffixes; order of first
 * appearance is kept; a 2231 form replaces a plain parameter of the same name.
 */
import { decodeCharset } from './charset.js';

export type Params = Array<[string, string]>;

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  /** Skips whitespace and RFC 5322 §3.2.2 comments (nested, with quoted-pairs). */
  skipCfws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        this.pos++;
      } else if (c === '(') {
        let depth = 0;
        while (this.pos < s.length) {
          const d = s[this.pos++];
          if (d === '\\') this.pos++;
          else if (d === '(') depth++;
          else if (d === ')' && --depth === 0) break;
        }
      } else {
        break;
      }
    }
  }
  /** A run of characters not in `stops`. */
  token(stops: string): string {
    const start = this.pos;
    while (this.pos < this.s.length && !stops.includes(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }
  /** RFC 5322 quoted-string at the cursor (opening quote included); quoted-pairs unescaped.
   * An unterminated string runs to the end. */
  quoted(): string {
    let out = '';
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\' && this.pos < this.s.length) out += this.s[this.pos++];
      else if (c !== '\r' && c !== '\n') out += c;
    }
    return out;
  }
}

const TOKEN_STOPS = ' \t\r\n;()<>@,:\\"/[]?=';
const VALUE_STOPS = ' \t\r\n;"';
const ATTR_STOPS = ' \t\r\n;=("';

interface RawParam {
  name: string;
  value: string;
}

function readRawParams(c: Cursor): RawParam[] {
  const out: RawParam[] = [];
  while (!c.done) {
    c.skipCfws();
    if (c.peek() === ';') {
      c.pos++;
      continue;
    }
    if (c.done) break;
    const name = c.token(ATTR_STOPS).toLowerCase();
    c.skipCfws();
    if (name === '' || c.peek() !== '=') {
      // junk: skip one unit so progress is guaranteed
      if (name === '') {
        if (c.peek() === '"') c.quoted();
        else c.pos++;
      }
      continue;
    }
    c.pos++;
    c.skipCfws();
    const value = c.peek() === '"' ? c.quoted() : c.token(VALUE_STOPS);
    out.push({ name, value });
  }
  return out;
}

function percentBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

interface Continued {
  segments: Map<number, { value: string; encoded: boolean }>;
}

/** RFC 2231 §3-§4: merges name*N[*] segments and decodes name*= extended values. */
function mergeRfc2231(raw: RawParam[]): Params {
  const order: string[] = [];
  const plain = new Map<string, string[]>();
  const extended = new Map<string, Continued>();
  for (const { name, value } of raw) {
    const m = /^(.*?)\*(?:(\d{1,4})\*?|)$/.exec(name);
    const ext = m !== null && m[1] !== '';
    const base = ext ? m[1]! : name;
    if (!plain.has(base) && !extended.has(base)) order.push(base);
    if (!ext) {
      const list = plain.get(base) ?? [];
      list.push(value);
      plain.set(base, list);
      continue;
    }
    const index = m[2] === undefined ? 0 : parseInt(m[2], 10);
    const encoded = name.endsWith('*');
    const cont = extended.get(base) ?? { segments: new Map() };
    if (!cont.segments.has(index)) cont.segments.set(index, { value, encoded });
    extended.set(base, cont);
  }
  const out: Params = [];
  for (const base of order) {
    const cont = extended.get(base);
    if (cont === undefined) {
      for (const v of plain.get(base) ?? []) out.push([base, v]);
      continue;
    }
    out.push([base, decodeContinued(cont)]);
  }
  return out;
}

function decodeContinued(cont: Continued): string {
  const indexes = [...cont.segments.keys()].sort((a, b) => a - b);
  let charset = '';
  const chunks: Buffer[] = [];
  for (let k = 0; k < indexes.length; k++) {
    const seg = cont.segments.get(indexes[k]!)!;
    let v = seg.value;
    if (seg.encoded && k === 0) {
      // charset'language'value (RFC 2231 §4); tolerate a missing language part.
      const q1 = v.indexOf("'");
      const q2 = q1 < 0 ? -1 : v.indexOf("'", q1 + 1);
      if (q2 >= 0) {
        charset = v.slice(0, q1);
        v = v.slice(q2 + 1);
      }
    }
    chunks.push(seg.encoded ? percentBytes(v) : Buffer.from(v, 'utf8'));
  }
  return decodeCharset(Buffer.concat(chunks), charset);
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Params;
}

/** RFC 2045 §5.1; null when no "type/subtype" can be read (the caller applies the default). */
export function parseContentType(value: string): ContentType | null {
  const c = new Cursor(value);
  c.skipCfws();
  const type = c.token(TOKEN_STOPS).toLowerCase();
  c.skipCfws();
  if (type === '' || c.peek() !== '/') return null;
  c.pos++;
  c.skipCfws();
  const subtype = c.token(TOKEN_STOPS).toLowerCase();
  if (subtype === '') return null;
  return { type, subtype, params: mergeRfc2231(readRawParams(c)) };
}

/** RFC 2183 §2; the disposition type keeps its case as written. */
export function parseDisposition(value: string): { type: string; params: Params } | null {
  const c = new Cursor(value);
  c.skipCfws();
  const type = c.token(TOKEN_STOPS);
  if (type === '') return null;
  return { type, params: mergeRfc2231(readRawParams(c)) };
}

/** RFC 2045 §6.1 mechanism, upper-cased, comments dropped; default 7BIT. */
export function parseTransferEncoding(value: string | null): string {
  if (value === null) return '7BIT';
  const c = new Cursor(value);
  c.skipCfws();
  const tok = c.peek() === '"' ? c.quoted() : c.token(' \t\r\n;()');
  return tok === '' ? '7BIT' : tok.toUpperCase();
}

/** RFC 3282 Content-Language: comma/space separated tags; null when none. */
export function parseLanguage(value: string): string[] | null {
  const c = new Cursor(value);
  const out: string[] = [];
  while (!c.done) {
    c.skipCfws();
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    const tag = c.peek() === '"' ? c.quoted() : c.token(' \t\r\n,(');
    if (tag !== '') out.push(tag);
    else if (!c.done && c.peek() !== '(') c.pos++;
  }
  return out.length === 0 ? null : out;
}

/** A header value with its comments removed and whitespace trimmed (Content-ID, MD5...). */
export function stripComments(value: string): string {
  const c = new Cursor(value);
  let out = '';
  while (!c.done) {
    const before = c.pos;
    c.skipCfws();
    if (c.pos > before && out !== '') out += ' ';
    if (c.done) break;
    if (c.peek() === '"') {
      const start = c.pos;
      c.quoted();
      out += c.s.slice(start, c.pos);
    } else {
      out += c.token(' \t\r\n("');
    }
  }
  return out.trim();
}

