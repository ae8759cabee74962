/**
 * Password hashing and verification over Dovecot's "{SCHEME}value" encoding.
 *
 * Invariants:
 * - New hashes are always {SCRYPT} (schemes/scrypt.ts documents the format).
 * - verifyPassword resolves true/false only for a value it can check; unknown schemes and
 *   malformed values of known schemes throw UnsupportedSchemeError (never "false"), so a broken
 *   import is reported instead of silently locking the user out.
 * - checkPasswordHash validates without running any KDF (used per line by `user import`).
 * - A value without "{SCHEME}" is CRYPT, Dovecot's default for passwd-file.
 * - {CRYPT} dispatches on the crypt prefix ($1$, $5$, $6$, $2a$/$2b$/$2y$, $argon2i(d)$);
 *   DES and other legacy crypt formats are refused with the reason.
 * - Encoding suffixes (.HEX, .B64, .BASE64) apply to the plain-digest and PLAIN schemes only.
 */
import { verifyMd5Crypt, checkMd5Crypt } from './schemes/md5-crypt.js';
import { checkShaCrypt, verifyShaCrypt } from './schemes/crypt-sha.js';
import { checkDigest, isDigestScheme, isPlainScheme, verifyDigest, verifyPlain, type Encoding } from './schemes/digest.js';
import { checkPbkdf2, verifyPbkdf2 } from './schemes/pbkdf2.js';
import { checkScrypt, hashScrypt, verifyScrypt } from './schemes/scrypt.js';
import { checkArgon2, checkBcrypt, verifyArgon2, verifyBcrypt } from './schemes/wasm-kdf.js';
import { UnsupportedSchemeError } from './schemes/errors.js';

export { UnsupportedSchemeError } from './schemes/errors.js';

/** Scheme names accepted between braces (aliases included). */
export const SUPPORTED_SCHEMES: readonly string[] = [
  'SCRYPT', 'PLAIN', 'CLEARTEXT', 'CRYPT', 'SHA512-CRYPT', 'SHA256-CRYPT', 'MD5-CRYPT', 'MD5',
  'BLF-CRYPT', 'ARGON2ID', 'ARGON2I', 'PBKDF2', 'SHA', 'SHA1', 'SSHA', 'SHA256', 'SSHA256',
  'SHA512', 'SSHA512', 'PLAIN-MD5', 'LDAP-MD5', 'SMD5',
];

interface ParsedHash {
  /** Upper-cased scheme without the encoding suffix. */
  scheme: string;
  encoding: Encoding;
  value: string;
}

const ENCODINGS: Record<string, Encoding> = { HEX: 'hex', B64: 'base64', BASE64: 'base64' };

function parseEncoded(encoded: string): ParsedHash {
  const m = /^\{([A-Za-z0-9-]+)(?:\.([A-Za-z0-9]+))?\}/.exec(encoded);
  if (m === null) {
    if (encoded.startsWith('{')) throw new UnsupportedSchemeError('?', 'malformed {SCHEME} prefix');
    return { scheme: 'CRYPT', encoding: null, value: encoded };
  }
  const scheme = m[1].toUpperCase();
  let encoding: Encoding = null;
  if (m[2] !== undefined) {
    const e = ENCODINGS[m[2].toUpperCase()];
    if (e === undefined) throw new UnsupportedSchemeError(`${scheme}.${m[2]}`, 'unknown encoding suffix (known: .HEX, .B64)');
    if (!isDigestScheme(scheme) && !isPlainScheme(scheme)) {
      throw new UnsupportedSchemeError(`${scheme}.${m[2]}`, 'encoding suffixes apply only to digest and PLAIN schemes');
    }
    encoding = e;
  }
  return { scheme, encoding, value: encoded.slice(m[0].length) };
}

type Kind = 'scrypt' | 'plain' | 'sha5' | 'sha6' | 'md5' | 'bcrypt' | 'argon2i' | 'argon2id' | 'pbkdf2' | 'digest';

/** {CRYPT} and prefix-less values: the crypt(3) prefix names the algorithm. */
function cryptKind(value: string, scheme: string): Kind {
  if (value.startsWith('$1$')) return 'md5';
  if (value.startsWith('$5$')) return 'sha5';
  if (value.startsWith('$6$')) return 'sha6';
  if (/^\$2[aby]\$/.test(value)) return 'bcrypt';
  if (value.startsWith('$argon2id$')) return 'argon2id';
  if (value.startsWith('$argon2i$')) return 'argon2i';
  if (/^[./0-9A-Za-z]{13}$/.test(value) || value.startsWith('_')) {
    throw new UnsupportedSchemeError(scheme, 'DES-based crypt is obsolete and not supported; set a new password for this account');
  }
  const prefix = /^\$([^$]*)\$/.exec(value);
  if (prefix !== null) throw new UnsupportedSchemeError(scheme, `crypt method $${prefix[1]}$ is not supported`);
  throw new UnsupportedSchemeError(scheme, 'unrecognised crypt value');
}

function kindOf(p: ParsedHash): Kind {
  switch (p.scheme) {
    case 'SCRYPT': return 'scrypt';
    case 'PLAIN': case 'CLEARTEXT': return 'plain';
    case 'SHA512-CRYPT': return 'sha6';
    case 'SHA256-CRYPT': return 'sha5';
    case 'MD5-CRYPT': case 'MD5': return 'md5';
    case 'BLF-CRYPT': return 'bcrypt';
    case 'ARGON2ID': return 'argon2id';
    case 'ARGON2I': return 'argon2i';
    case 'PBKDF2': return 'pbkdf2';
    case 'CRYPT': return cryptKind(p.value, p.scheme);
    default:
      if (isDigestScheme(p.scheme)) return 'digest';
      throw new UnsupportedSchemeError(p.scheme, 'unknown password scheme');
  }
}

/**
 * Validates an encoded hash without running its KDF. Returns the scheme name.
 * Throws UnsupportedSchemeError with the reason.
 */
export function checkPasswordHash(encoded: string): string {
  const p = parseEncoded(encoded);
  switch (kindOf(p)) {
    case 'scrypt': checkScrypt(p.value, p.scheme); break;
    case 'plain': break;
    case 'sha5': checkShaCrypt(p.value, p.scheme, '5'); break;
    case 'sha6': checkShaCrypt(p.value, p.scheme, '6'); break;
    case 'md5': checkMd5Crypt(p.value, p.scheme); break;
    case 'bcrypt': checkBcrypt(p.value, p.scheme); break;
    case 'argon2i': checkArgon2(p.value, p.scheme, 'argon2i'); break;
    case 'argon2id': checkArgon2(p.value, p.scheme, 'argon2id'); break;
    case 'pbkdf2': checkPbkdf2(p.value, p.scheme); break;
    case 'digest': checkDigest(p.scheme, p.value, p.encoding); break;
  }
  return p.scheme;
}

/** Checks `plain` against `encoded`. Constant-time in the comparison of derived values. */
export async function verifyPassword(encoded: string, plain: string): Promise<boolean> {
  const p = parseEncoded(encoded);
  switch (kindOf(p)) {
    case 'scrypt': return verifyScrypt(p.value, plain, p.scheme);
    case 'plain': return verifyPlain(p.value, p.encoding, plain, p.scheme);
    case 'sha5': return verifyShaCrypt(p.value, plain, p.scheme, '5');
    case 'sha6': return verifyShaCrypt(p.value, plain, p.scheme, '6');
    case 'md5': return verifyMd5Crypt(p.value, plain, p.scheme);
    case 'bcrypt': return verifyBcrypt(p.value, plain, p.scheme);
    case 'argon2i': return verifyArgon2(p.value, plain, p.scheme, 'argon2i');
    case 'argon2id': return verifyArgon2(p.value, plain, p.scheme, 'argon2id');
    case 'pbkdf2': return verifyPbkdf2(p.value, plain, p.scheme);
    case 'digest': return verifyDigest(p.scheme, p.value, p.encoding, plain);
  }
}

/** A fresh {SCRYPT} hash with a random salt. */
export async function hashPassword(plain: string): Promise<string> {
  return '{SCRYPT}' + (await hashScrypt(plain));
}
