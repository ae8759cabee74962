/**
 * The normalisation both sides of a SEARCH substring match go through (RFC 9051 §6.4.4,
 * case-insensitive): Unicode simple case folding, one code point to one code point, nothing
 * stripped. Approximated from the JS case mappings: a code point folds to the lower case of its
 * upper case when both are single code points (so ς/σ/Σ, ſ/s, µ/μ meet), else to its own lower
 * case when that is a single code point, else stays.
 */

const cache = new Map<number, string>();

function foldCodePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const single = (s: string): boolean => s.length > 0 && [...s].length === 1;
  let out = ch;
  // dotless i folds only under Turkic rules (CaseFolding.txt status T), not in simple folding
  if (cp === 0x131) {
    cache.set(cp, ch);
    return ch;
  }
  const upper = ch.toUpperCase();
  if (single(upper) && single(upper.toLowerCase())) out = upper.toLowerCase();
  else if (single(ch.toLowerCase())) out = ch.toLowerCase();
  cache.set(cp, out);
  return out;
}

export function searchFold(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 0x80 ? ch.toLowerCase() : foldCodePoint(ch);
  return out;
}
