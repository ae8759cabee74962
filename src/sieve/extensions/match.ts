/**
 * String comparison (RFC 5228 §2.7): the comparators i;octet, i;ascii-casemap (RFC 4790 §9.2,
 * §9.3), i;ascii-numeric (RFC 4790 §9.1) and i;unicode-casemap (RFC 5051); the match types :is,
 * :contains and :matches (with the RFC 5229 §3.2 match variables); the address parts :all,
 * :localpart and :domain (RFC 5228 §2.7.4).
 *
 * Invariants:
 * - Matching is bounded: :matches places each literal chunk between stars at its leftmost
 *   position (no backtracking), so one match costs O(value × pattern) character comparisons at
 *   worst, and each placement attempt charges the step budget.
 * - Wildcard captures are non-greedy (RFC 5229 §3.2): every star but the last takes the fewest
 *   characters; the last one takes what remains before the final chunk.
 * - Comparators compare whole Unicode strings; the per-character key (charKey) is what
 *   :contains and :matches compare.
 */
import type { Runtime } from '../interpreter.js';
import type { AddressPartDef, ComparatorDef, MatchContext, MatchTypeDef, SieveExtension } from './extension.js';
import { unicodeCasemapKey } from '../../mime/index.js';

const asciiUpper = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

function plainCompare(a: string, b: string): number {
  // Code point order = UTF-8 octet order (RFC 4790 §9.3 i;octet).
  if (a === b) return 0;
  const ai = [...a];
  const bi = [...b];
  for (let i = 0; i < Math.min(ai.length, bi.length); i++) {
    const x = ai[i]!.codePointAt(0)!;
    const y = bi[i]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return ai.length - bi.length;
}

/** RFC 4790 §9.1.1: the leading digits, without leading zeros; null = positive infinity. */
function numericValue(s: string): string | null {
  const m = /^[0-9]+/.exec(s);
  if (m === null) return null;
  return m[0].replace(/^0+(?=.)/, '');
}

function numericCompare(a: string, b: string): number {
  const x = numericValue(a);
  const y = numericValue(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

export const COMPARATORS: ComparatorDef[] = [
  {
    name: 'i;octet',
    substring: true,
    equals: (a, b) => a === b,
    compare: plainCompare,
    charKey: (c) => c,
  },
  {
    name: 'i;ascii-casemap',
    substring: true,
    equals: (a, b) => asciiUpper(a) === asciiUpper(b),
    compare: (a, b) => plainCompare(asciiUpper(a), asciiUpper(b)),
    charKey: (c) => (c >= 'a' && c <= 'z' ? c.toUpperCase() : c),
  },
  {
    name: 'i;ascii-numeric',
    capability: 'comparator-i;ascii-numeric',
    substring: false,
    equals: (a, b) => numericCompare(a, b) === 0,
    compare: numericCompare,
    charKey: (c) => c,
  },
  {
    name: 'i;unicode-casemap',
    capability: 'comparator-i;unicode-casemap',
    substring: true,
    equals: (a, b) => unicodeCasemapKey(a) === unicodeCasemapKey(b),
    compare: (a, b) => plainCompare(unicodeCasemapKey(a), unicodeCasemapKey(b)),
    charKey: (c) => unicodeCasemapKey(c),
  },
];

type PatternItem = { kind: 'star' } | { kind: 'any' } | { kind: 'lit'; key: string };

/** Parses a :matches key: '*' any run, '?' one character, '\' makes the next one literal. */
export function parsePattern(pattern: string, charKey: (c: string) => string): PatternItem[] {
  const out: PatternItem[] = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) {
      out.push({ kind: 'lit', key: charKey(chars[++i]!) });
    } else if (c === '*') {
      // Adjacent stars are one star (and capture an empty string each, RFC 5229 §3.2).
      out.push({ kind: 'star' });
    } else if (c === '?') out.push({ kind: 'any' });
    else out.push({ kind: 'lit', key: charKey(c) });
  }
  return out;
}

/**
 * Matches `value` against a :matches pattern; returns the wildcard captures in pattern order
 * (one per '*' and '?'), or null for no match.
 */
export function matchWildcard(rt: Runtime | null, value: string, pattern: string, charKey: (c: string) => string): string[] | null {
  const items = parsePattern(pattern, charKey);
  const chars = [...value];
  // Splitting and folding the value is linear work; charge it like :contains does.
  rt?.step(null, Math.ceil(chars.length / 256));
  const keys = chars.map(charKey);
  // Split into chunks separated by stars.
  const chunks: PatternItem[][] = [[]];
  for (const it of items) {
    if (it.kind === 'star') chunks.push([]);
    else chunks[chunks.length - 1]!.push(it);
  }
  const chunkAt = (chunk: PatternItem[], pos: number): boolean => {
    if (pos + chunk.length > chars.length) return false;
    for (let k = 0; k < chunk.length; k++) {
      const it = chunk[k]!;
      if (it.kind === 'lit' && keys[pos + k] !== it.key) return false;
    }
    return true;
  };
  const chunkStart: number[] = [];
  const first = chunks[0]!;
  if (chunks.length === 1) {
    if (first.length !== chars.length || !chunkAt(first, 0)) return null;
    chunkStart.push(0);
  } else {
    if (!chunkAt(first, 0)) return null;
    chunkStart.push(0);
    let pos = first.length;
    const last = chunks[chunks.length - 1]!;
    const lastStart = chars.length - last.length;
    if (lastStart < pos) return null;
    for (let c = 1; c < chunks.length - 1; c++) {
      const chunk = chunks[c]!;
      let found = -1;
      for (let p = pos; p + chunk.length <= lastStart; p++) {
        rt?.step(null);
        if (chunkAt(chunk, p)) {
          found = p;
          break;
        }
      }
      if (found < 0) return null;
      chunkStart.push(found);
      pos = found + chunk.length;
    }
    if (!chunkAt(last, lastStart)) return null;
    chunkStart.push(lastStart);
  }
  // Captures in pattern order: a '?' captures its character; a star the gap before the next chunk.
  const caps: string[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const start = chunkStart[c]!;
    if (c > 0) {
      const prevEnd = chunkStart[c - 1]! + chunks[c - 1]!.length;
      caps.push(chars.slice(prevEnd, start).join(''));
    }
    chunk.forEach((it, k) => {
      if (it.kind === 'any') caps.push(chars[start + k]!);
    });
  }
  return caps;
}

/** A whole string folded with the comparator's per-character key (for substring search). */
export function foldString(c: ComparatorDef, s: string): string {
  if (c.name === 'i;octet') return s;
  if (c.name === 'i;ascii-casemap') return asciiUpper(s);
  let out = '';
  for (const ch of s) out += c.charKey(ch);
  return out;
}

function forEachPair(rt: Runtime, ctx: MatchContext, values: string[], keys: string[], f: (v: string, k: string) => boolean): boolean {
  for (const v of values) {
    for (const k of keys) {
      rt.step(ctx.node);
      if (f(v, k)) return true;
    }
  }
  return false;
}

export const MATCH_TYPES: MatchTypeDef[] = [
  {
    tag: { name: 'is', group: 'match-type' },
    match: (rt, ctx, values, keys) => forEachPair(rt, ctx, values, keys, (v, k) => ctx.comparator.equals(v, k)),
  },
  {
    tag: { name: 'contains', group: 'match-type' },
    substring: true,
    match: (rt, ctx, values, keys) => {
      // Fold each value and key once, not once per pair.
      const fk = keys.map((k) => foldString(ctx.comparator, k));
      for (const v of values) {
        const fv = foldString(ctx.comparator, v);
        for (const k of fk) {
          // Substring search is linear-ish in the value; charge for its length.
          rt.step(ctx.node, 1 + Math.ceil(fv.length / 256));
          if (fv.includes(k)) return true;
        }
      }
      return false;
    },
  },
  {
    tag: { name: 'matches', group: 'match-type' },
    substring: true,
    match: (rt, ctx, values, keys) =>
      forEachPair(rt, ctx, values, keys, (v, k) => {
        const caps = matchWildcard(rt, v, k, ctx.comparator.charKey);
        if (caps === null) return false;
        if (rt.variablesEnabled) rt.matchVariables = [v, ...caps];
        return true;
      }),
  },
];

export const ADDRESS_PARTS: AddressPartDef[] = [
  { tag: { name: 'all', group: 'address-part' }, extract: (a) => (a.domain === null ? a.localpart : `${a.localpart}@${a.domain}`) },
  { tag: { name: 'localpart', group: 'address-part' }, extract: (a) => a.localpart },
  { tag: { name: 'domain', group: 'address-part' }, extract: (a) => a.domain },
];

export const matchExtension: SieveExtension = {
  capabilities: ['comparator-i;ascii-numeric', 'comparator-i;unicode-casemap'],
  comparators: COMPARATORS,
  matchTypes: MATCH_TYPES,
  addressParts: ADDRESS_PARTS,
};
