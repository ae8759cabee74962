/**
 * RFC 2046 §5.1.1 delimiter lines, with Dovecot's tolerance: a line is a delimiter of the
 * active boundary it starts with ("--" + boundary; the rest of the line is ignored), the longest
 * such boundary winning so nested boundaries that are prefixes of each other resolve correctly.
 * Invariant: a Hit's eolStart is the start of the line break preceding the delimiter line (that
 * line break belongs to the delimiter), or the line start itself when the delimiter is the first
 * line scanned (its preceding line break was already consumed by the previous line).
 */

export interface Boundary {
  value: Buffer;
}

export interface Hit {
  boundary: Boundary;
  /** Close delimiter ("--boundary--"). */
  close: boolean;
  eolStart: number;
  lineStart: number;
  /** After the delimiter line's LF, or the limit. */
  lineEnd: number;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** The delimiter at lineStart among the active boundaries (innermost last), or null. */
export function matchDelimiter(raw: Buffer, lineStart: number, limit: number, stack: readonly Boundary[]): Hit | null {
  if (lineStart + 2 > limit || raw[lineStart] !== DASH || raw[lineStart + 1] !== DASH) return null;
  let lf = raw.indexOf(LF, lineStart);
  if (lf < 0 || lf >= limit) lf = -1;
  const contentEnd = lf < 0 ? limit : lf;
  const from = lineStart + 2;
  let best: Boundary | null = null;
  for (let k = stack.length - 1; k >= 0; k--) {
    const b = stack[k]!;
    const len = b.value.length;
    if (from + len > contentEnd) continue;
    if (best !== null && best.value.length >= len) continue;
    if (raw.compare(b.value, 0, len, from, from + len) === 0) best = b;
  }
  if (best === null) return null;
  const after = from + best.value.length;
  const close = after + 2 <= contentEnd && raw[after] === DASH && raw[after + 1] === DASH;
  return { boundary: best, close, eolStart: lineStart, lineStart, lineEnd: lf < 0 ? limit : lf + 1 };
}

/** The first delimiter line at or after pos (pos is a line start), or null before limit. */
export function scanDelimiter(raw: Buffer, pos: number, limit: number, stack: readonly Boundary[]): Hit | null {
  if (stack.length === 0) return null;
  const first = matchDelimiter(raw, pos, limit, stack);
  if (first !== null) return first;
  let from = pos;
  while (from < limit) {
    const lf = raw.indexOf(LF, from);
    if (lf < 0 || lf + 1 >= limit) return null;
    const next = lf + 1;
    if (raw[next] === DASH && raw[next + 1] === DASH) {
      const hit = matchDelimiter(raw, next, limit, stack);
      if (hit !== null) {
        hit.eolStart = lf > pos && raw[lf - 1] === CR ? lf - 1 : lf;
        return hit;
      }
    }
    from = next;
  }
  return null;
}
