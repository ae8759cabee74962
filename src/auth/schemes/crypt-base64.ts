/**
 * The base-64 alphabet and bit order of crypt(3) ("./0-9A-Za-z", least significant 6 bits first),
 * as used by MD5-crypt and SHA-crypt (Drepper, "Unix crypt using SHA-256 and SHA-512").
 *
 * Invariants:
 * - encode24 emits exactly n characters of the 24-bit group b2:b1:b0, low bits first.
 */

export const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function encode24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** Encodes a digest by byte-index triples (each [b2, b1, b0]) then a tail of [b2, b1, b0, n]. */
export function encodeGroups(
  digest: Uint8Array,
  groups: ReadonlyArray<readonly [number, number, number]>,
  tail: readonly [number, number, number, number],
): string {
  let out = '';
  for (const [a, b, c] of groups) out += encode24(digest[a], digest[b], digest[c], 4);
  const at = (i: number): number => (i < 0 ? 0 : digest[i]);
  return out + encode24(at(tail[0]), at(tail[1]), at(tail[2]), tail[3]);
}
