/**
 * Strict decoders for stored hash values.
 *
 * Invariants:
 * - base64: RFC 4648 §4 alphabet, length a multiple of 4, padding only at the end; anything
 *   else is rejected (Buffer.from(s, 'base64') silently skips garbage, so it is never used alone).
 * - hex: even length, [0-9a-fA-F] only.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function decodeBase64Strict(s: string): Buffer | null {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : null;
}

export function decodeHexStrict(s: string): Buffer | null {
  return HEX.test(s) ? Buffer.from(s, 'hex') : null;
}

/** PHC-string base64: standard alphabet without padding (the $argon2/$scrypt convention). */
export function decodeB64NoPad(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
  return Buffer.from(s, 'base64');
}

export function encodeB64NoPad(b: Uint8Array): string {
  return Buffer.from(b).toString('base64').replace(/=+$/, '');
}
