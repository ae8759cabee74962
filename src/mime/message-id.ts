/**
 * Message IDs as the REFERENCES threading algorithm compares them (RFC 5256 §3: "normalized
 * form of the msg-id"; RFC 5322 §3.6.4 msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]).
 *
 * Invariants:
 * - Pure. The normalized form drops the angle brackets, comments and whitespace, and unquotes
 *   quoted strings, so <"01KF"@x.y> and <01KF@x.y> are equal.
 * - Comparison stays case-sensitive (RFC 5256 §3 note in step 1.A).
 * - A candidate without "@" or with an empty side is not a valid Message ID and is skipped.
 */

/** The normalized Message IDs in a header value, in order (invalid ones skipped). */
export function parseMessageIds(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open < 0) break;
    const close = closingBracket(value, open + 1);
    if (close < 0) break;
    const id = normalizeInner(value.slice(open + 1, close));
    if (id !== null) out.push(id);
    i = close + 1;
  }
  return out;
}

/** The first valid Message ID of a value, or null. */
export function firstMessageId(value: string | null): string | null {
  if (value === null) return null;
  return parseMessageIds(value)[0] ?? null;
}

/** Index of the ">" closing a msg-id started just before `from`, skipping quoted strings. */
function closingBracket(s: string, from: number): number {
  let quoted = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}

function normalizeInner(inner: string): string | null {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '"') {
      for (i++; i < inner.length && inner[i] !== '"'; i++) {
        if (inner[i] === '\\' && i + 1 < inner.length) i++;
        out += inner[i];
      }
    } else if (c === '(') {
      let depth = 1;
      for (i++; i < inner.length && depth > 0; i++) {
        if (inner[i] === '\\') i++;
        else if (inner[i] === '(') depth++;
        else if (inner[i] === ')') depth--;
      }
      i--;
    } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') {
      out += c;
    }
  }
  const at = out.lastIndexOf('@');
  if (at <= 0 || at === out.length - 1) return null;
  return out;
}
