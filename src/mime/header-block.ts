/**
 * RFC 5322 §2.2 header block scanning with byte offsets. Invariants:
 * - start <= field.start < field.valueStart <= field.end <= bodyStart <= limit, fields in order;
 * - a field's range covers its continuation lines and its final line break, so concatenating the
 *   ranges of chosen fields reproduces them with their original folding;
 * - the block ends after the first empty line (CRLF or bare LF), at `limit` when there is none,
 *   or just before the line break preceding a line that `stop` recognises (a MIME boundary:
 *   RFC 2046 §5.1.1, that line break belongs to the delimiter).
 * A line without a colon is kept as a field whose whole line is the name (no value), as Dovecot
 * does, so junk never shifts the block end.
 */
import { MAX_HEADER_FIELDS } from './limits.js';
import { rawString } from './charset.js';

export interface HeaderField {
  /** Field name as written, trailing whitespace removed. */
  name: string;
  start: number;
  /** Just after the colon (or the end of the line when there is no colon). */
  valueStart: number;
  /** After the field's last line break (or at the block end). */
  end: number;
}

export interface HeaderBlock<H> {
  fields: HeaderField[];
  bodyStart: number;
  /** What `stop` returned when it ended the block, else null. */
  stopped: H | null;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

export function readHeaderBlock<H>(
  raw: Buffer,
  start: number,
  limit: number,
  stop?: (lineStart: number) => H | null,
): HeaderBlock<H> {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  let pos = start;
  let prevEolStart = start;
  while (pos < limit) {
    if (stop !== undefined) {
      const hit = stop(pos);
      if (hit !== null) return { fields, bodyStart: pos === start ? start : prevEolStart, stopped: hit };
    }
    let lf = raw.indexOf(LF, pos);
    if (lf < 0 || lf >= limit) lf = -1;
    const lineEnd = lf < 0 ? limit : lf + 1;
    let contentEnd = lf < 0 ? limit : lf;
    if (lf >= 0 && contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    if (lf >= 0 && contentEnd === pos) return { fields, bodyStart: lineEnd, stopped: null };
    const first = raw[pos];
    if ((first === SP || first === TAB) && current !== null) {
      current.end = lineEnd;
    } else {
      // bounded to this line so colon-less lines cannot make the scan quadratic
      const rel = raw.subarray(pos, contentEnd).indexOf(COLON);
      const colon = rel < 0 ? -1 : pos + rel;
      const nameEnd = colon < 0 ? contentEnd : colon;
      const name = rawString(raw.subarray(pos, nameEnd)).replace(/[ \t]+$/, '');
      const field: HeaderField = { name, start: pos, valueStart: colon < 0 ? contentEnd : colon + 1, end: lineEnd };
      if (fields.length < MAX_HEADER_FIELDS) {
        fields.push(field);
        current = field;
      } else {
        current = null;
      }
    }
    prevEolStart = contentEnd;
    pos = lineEnd;
  }
  return { fields, bodyStart: limit, stopped: null };
}

/** RFC 5322 §2.2.3 unfolding: each line break followed by WSP is removed (the WSP kept); the
 * final line break and leading whitespace of the value are dropped. Bytes, not yet decoded. */
export function unfoldedBytes(raw: Buffer, field: HeaderField): Buffer {
  let s = field.valueStart;
  let e = field.end;
  while (e > s && (raw[e - 1] === LF || raw[e - 1] === CR)) e--;
  while (s < e && (raw[s] === SP || raw[s] === TAB)) s++;
  const slice = raw.subarray(s, e);
  if (slice.indexOf(LF) < 0) return slice;
  const out = Buffer.allocUnsafe(slice.length);
  let n = 0;
  for (let i = 0; i < slice.length; i++) {
    const c = slice[i]!;
    if (c === LF) continue;
    if (c === CR && slice[i + 1] === LF) continue;
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Unfolded raw value as a string (UTF-8 when valid, else latin1). */
export function unfoldedValue(raw: Buffer, field: HeaderField): string {
  return rawString(unfoldedBytes(raw, field));
}

/** First field with this name (case-insensitive), or null. */
export function firstField(fields: HeaderField[], lowerName: string): HeaderField | null {
  for (const f of fields) if (f.name.toLowerCase() === lowerName) return f;
  return null;
}
