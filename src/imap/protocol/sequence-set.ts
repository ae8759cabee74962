/**
 * sequence-set (RFC 9051 §9) parsing and encoding; "$" is the saved result (RFC 5182 §2).
 *
 * Invariants:
 * - Parsing keeps the client's form: "*" stays "*", ranges stay as written (the session resolves
 *   them against its own view); at most MAX_SEQUENCE_RANGES elements.
 * - "$" is accepted only as the whole set.
 * - encodeSequenceSet emits ascending, merged, minimal ranges ("1:3,5").
 */
import { MAX_SEQUENCE_RANGES } from '../../wire/limits.js';
import type { SeqNumber, SeqRange, SequenceSet } from './ast.js';
import type { Reader } from './reader.js';

function seqNumber(r: Reader): SeqNumber {
  if (r.peekChar('*')) {
    r.pos++;
    return '*';
  }
  const c = r.peek();
  if (c < 0x30 || c > 0x39) r.fail('Invalid sequence set');
  const n = r.number('sequence number');
  if (n === 0) r.fail('Invalid sequence set: 0 is not a valid message number');
  return n;
}

export function parseSequenceSet(r: Reader): SequenceSet {
  if (r.peekChar('$')) {
    r.pos++;
    if (r.peekChar(',') || r.peekChar(':')) r.fail('Invalid sequence set: "$" must stand alone');
    return { kind: 'saved' };
  }
  const ranges: SeqRange[] = [];
  for (;;) {
    const start = seqNumber(r);
    let end = start;
    if (r.peekChar(':')) {
      r.pos++;
      end = seqNumber(r);
    }
    if (ranges.length >= MAX_SEQUENCE_RANGES) r.fail('Sequence set has too many ranges');
    ranges.push({ start, end });
    if (!r.peekChar(',')) break;
    r.pos++;
  }
  const next = r.peek();
  if (next !== -1 && next !== 0x20 && next !== 0x29) r.fail('Invalid sequence set');
  return { kind: 'set', ranges };
}

/** true when the upcoming token can only be a sequence set (a digit, "*" or "$"). */
export function startsSequenceSet(r: Reader): boolean {
  const c = r.peek();
  return (c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24;
}

/** Compacts numbers (any order, duplicates allowed) into "1:3,5". Empty input gives "". */
export function encodeSequenceSet(nums: readonly number[]): string {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The wire form of a parsed set (as the client wrote it, "$" for the saved result). */
export function formatSequenceSet(set: SequenceSet): string {
  if (set.kind === 'saved') return '$';
  return set.ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`)).join(',');
}
