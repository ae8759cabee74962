/**
 * String processing shared by compile and run time:
 * - encoded-character (RFC 5228 §2.4.2.4): "${hex: 41 42}" and "${unicode: 1F600}" decoded at
 *   compile time; malformed sequences stay verbatim, out-of-range code points are an error;
 * - variable references (RFC 5229 §3): "${name}", "${ns.name}", "${1}" expanded at run time;
 *   anything that is not a well-formed reference stays verbatim;
 * - truncation to a byte budget on a character boundary (RFC 5229 §3: over-long values are
 *   truncated, never split inside a UTF-8 sequence).
 *
 * Invariants: pure, linear in the input, never throw.
 */

const HEX_RE = /^\s*([0-9a-fA-F]{1,2}(?:\s+[0-9a-fA-F]{1,2})*)?\s*$/;
const UNI_RE = /^\s*([0-9a-fA-F]+(?:\s+[0-9a-fA-F]+)*)?\s*$/;

/** Decodes every encoded-character sequence; an object with `error` for an invalid code point. */
export function decodeEncodedCharacters(s: string): string | { error: string } {
  if (!s.includes('${')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const at = s.indexOf('${', i);
    if (at < 0) break;
    out += s.slice(i, at);
    const close = s.indexOf('}', at + 2);
    if (close < 0) {
      i = at;
      break;
    }
    const body = s.slice(at + 2, close);
    const colon = body.indexOf(':');
    const kind = colon < 0 ? '' : body.slice(0, colon).toLowerCase();
    const rest = colon < 0 ? '' : body.slice(colon + 1);
    if (kind === 'hex' && HEX_RE.test(rest)) {
      const bytes = rest.trim() === '' ? [] : rest.trim().split(/\s+/).map((h) => parseInt(h, 16));
      out += Buffer.from(bytes).toString('utf8');
      i = close + 1;
    } else if (kind === 'unicode' && UNI_RE.test(rest)) {
      const cps = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
      for (const h of cps) {
        const cp = h.replace(/^0+(?=.)/, '').length > 6 ? Infinity : parseInt(h, 16);
        // RFC 5228 §2.4.2.4: values outside 0-D7FF and E000-10FFFF are an error.
        if (!(cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0x10ffff))) return { error: `invalid unicode character "${h}" in encoded-character` };
        out += String.fromCodePoint(cp);
      }
      i = close + 1;
    } else {
      // Not an encoded character: keep "${" and continue scanning after it (a later "${"
      // inside may still be one).
      out += '${';
      i = at + 2;
    }
  }
  return out + s.slice(i);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** RFC 5229 §3 variable-name: identifier *("." identifier), or num-variable (digits). */
export function isVariableReference(name: string): boolean {
  if (/^[0-9]+$/.test(name)) return true;
  return name.split('.').every((p) => IDENT.test(p));
}

/** Whether `name` is a valid name for `set` (no match variables). */
export function isSettableName(name: string): boolean {
  return name.split('.').every((p) => IDENT.test(p));
}

/** Expands "${...}" references with `lookup`; malformed references stay verbatim. */
export function expandVariables(s: string, lookup: (name: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = s.indexOf('${', i);
    if (at < 0) return out + s.slice(i);
    out += s.slice(i, at);
    const close = s.indexOf('}', at + 2);
    if (close < 0) return out + s.slice(at);
    const name = s.slice(at + 2, close);
    if (name.length > 0 && isVariableReference(name)) {
      out += lookup(name);
      i = close + 1;
    } else {
      out += '${';
      i = at + 2;
    }
  }
}

/** Truncates to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}
