/**
 * Dovecot's plain-digest schemes: {PLAIN}/{CLEARTEXT}, {SHA}/{SHA1}, {SHA256}, {SHA512},
 * {PLAIN-MD5}, {LDAP-MD5} and their salted forms {SSHA}, {SSHA256}, {SSHA512}, {SMD5}
 * (salted = base64(digest(password + salt) + salt), the salt being whatever follows the digest).
 *
 * Invariants:
 * - An encoding suffix (".HEX", ".B64", ".BASE64") overrides the scheme's default encoding;
 *   without one, a value of exactly twice the digest length in hex digits is read as hex
 *   (Dovecot accepts both), otherwise as base64.
 * - Comparison is on raw digest bytes in constant time.
 */
import { createHash } from 'node:crypto';
import { safeEqual } from './constant-time.js';
import { decodeBase64Strict, decodeHexStrict } from './encoding.js';
import { UnsupportedSchemeError } from './errors.js';

export type Encoding = 'hex' | 'base64' | null;

interface DigestScheme {
  alg: 'sha1' | 'sha256' | 'sha512' | 'md5';
  size: number;
  salted: boolean;
  defaultEncoding: 'hex' | 'base64';
}

const DIGESTS: Record<string, DigestScheme> = {
  SHA: { alg: 'sha1', size: 20, salted: false, defaultEncoding: 'base64' },
  SHA1: { alg: 'sha1', size: 20, salted: false, defaultEncoding: 'base64' },
  SHA256: { alg: 'sha256', size: 32, salted: false, defaultEncoding: 'base64' },
  SHA512: { alg: 'sha512', size: 64, salted: false, defaultEncoding: 'base64' },
  SSHA: { alg: 'sha1', size: 20, salted: true, defaultEncoding: 'base64' },
  SSHA256: { alg: 'sha256', size: 32, salted: true, defaultEncoding: 'base64' },
  SSHA512: { alg: 'sha512', size: 64, salted: true, defaultEncoding: 'base64' },
  'PLAIN-MD5': { alg: 'md5', size: 16, salted: false, defaultEncoding: 'hex' },
  'LDAP-MD5': { alg: 'md5', size: 16, salted: false, defaultEncoding: 'base64' },
  SMD5: { alg: 'md5', size: 16, salted: true, defaultEncoding: 'base64' },
};

export const isDigestScheme = (scheme: string): boolean => Object.hasOwn(DIGESTS, scheme);
export const isPlainScheme = (scheme: string): boolean => scheme === 'PLAIN' || scheme === 'CLEARTEXT';

function decode(value: string, encoding: Encoding, d: DigestScheme, scheme: string): Buffer {
  let raw: Buffer | null;
  if (encoding === 'hex') raw = decodeHexStrict(value);
  else if (encoding === 'base64') raw = decodeBase64Strict(value);
  else if (!d.salted && value.length === d.size * 2 && /^[0-9a-fA-F]+$/.test(value)) raw = decodeHexStrict(value);
  else raw = d.defaultEncoding === 'hex' ? decodeHexStrict(value) : decodeBase64Strict(value);
  if (raw === null) throw new UnsupportedSchemeError(scheme, 'value is not valid ' + (encoding ?? d.defaultEncoding));
  if (d.salted ? raw.length <= d.size : raw.length !== d.size) {
    throw new UnsupportedSchemeError(scheme, `decoded value has the wrong length (${raw.length} bytes)`);
  }
  return raw;
}

export function checkDigest(scheme: string, value: string, encoding: Encoding): void {
  const d = DIGESTS[scheme];
  if (d === undefined) throw new UnsupportedSchemeError(scheme, 'unknown digest scheme');
  decode(value, encoding, d, scheme);
}

export function verifyDigest(scheme: string, value: string, encoding: Encoding, password: string): boolean {
  const d = DIGESTS[scheme];
  if (d === undefined) throw new UnsupportedSchemeError(scheme, 'unknown digest scheme');
  const raw = decode(value, encoding, d, scheme);
  const expected = raw.subarray(0, d.size);
  const salt = raw.subarray(d.size);
  const actual = createHash(d.alg).update(password, 'utf8').update(salt).digest();
  return safeEqual(actual, expected);
}

/** {PLAIN}: the value is the password itself (or its hex/base64 form with a suffix). */
export function verifyPlain(value: string, encoding: Encoding, password: string, scheme: string): boolean {
  let stored: Buffer | null = Buffer.from(value, 'utf8');
  if (encoding === 'hex') stored = decodeHexStrict(value);
  else if (encoding === 'base64') stored = decodeBase64Strict(value);
  if (stored === null) throw new UnsupportedSchemeError(scheme, 'value is not valid ' + (encoding ?? ''));
  return safeEqual(Buffer.from(password, 'utf8'), stored);
}
