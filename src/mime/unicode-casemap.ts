/**
 * The i;unicode-casemap collation (RFC 5051) that SORT and THREAD use for strings (RFC 5256 §7,
 * I18NLEVEL=1): each character is replaced by its simple titlecase mapping, the result is
 * decomposed to NFKD, and keys compare as UTF-8 octet strings (= code point order).
 *
 * Invariants:
 * - Pure; keys are plain strings, compared with compareCasemapKeys (code points, not UTF-16
 *   units, so astral characters sort after U+E000-U+FFFF as their UTF-8 octets do).
 * - Simple titlecase is taken from the JS uppercase mapping when that maps one code point to one
 *   code point (titlecase = uppercase except for the DŽ/LJ/NJ/DZ digraphs, mapped explicitly);
 *   a character whose only uppercase is a multi-character expansion (ß, ŉ) keeps its form, as
 *   UnicodeData.txt gives it no simple titlecase.
 */

/** The digraphs whose titlecase differs from their uppercase (UnicodeData.txt field 14). */
const TITLE_DIGRAPHS = new Map<number, string>([
  [0x1c4, '\u01c5'], [0x1c5, '\u01c5'], [0x1c6, '\u01c5'],
  [0x1c7, '\u01c8'], [0x1c8, '\u01c8'], [0x1c9, '\u01c8'],
  [0x1ca, '\u01cb'], [0x1cb, '\u01cb'], [0x1cc, '\u01cb'],
  [0x1f1, '\u01f2'], [0x1f2, '\u01f2'], [0x1f3, '\u01f2'],
]);

const cache = new Map<number, string>();

/** Steps (2)(a) and (2)(b) for one code point. */
function titlecase(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  let out = TITLE_DIGRAPHS.get(cp);
  if (out === undefined) {
    const upper = ch.toUpperCase();
    out = [...upper].length === 1 ? upper : ch;
  }
  // RFC 5051 §2 (2)(b): each code point's full compatibility decomposition, in place.
  out = out.normalize('NFKD');
  cache.set(cp, out);
  return out;
}

/** The RFC 5051 canonical form of a string. */
export function unicodeCasemapKey(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 0x80 ? ch.toUpperCase() : titlecase(ch);
  return out;
}

/** Compares two casemap keys by code point (the UTF-8 octet order RFC 5051 §2 specifies). */
export function compareCasemapKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) outranks every BMP unit outside the surrogate range.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
