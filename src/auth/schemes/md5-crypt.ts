/**
 * MD5-crypt "$1$" (Poul-Henning Kamp's FreeBSD algorithm, as in glibc and Dovecot MD5-CRYPT).
 *
 * Invariants:
 * - Salt: at most 8 characters, ending at the first '$'.
 * - Exactly 1000 rounds; the 16-byte digest is encoded as 22 crypt-base64 characters.
 */
import { createHash } from 'node:crypto';
import { encodeGroups } from './crypt-base64.js';
import { safeEqual } from './constant-time.js';
import { UnsupportedSchemeError } from './errors.js';

const MAGIC = '$1$';
const ORDER: ReadonlyArray<readonly [number, number, number]> = [
  [0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5],
];

export function md5CryptString(setting: string, password: string): string {
  if (!setting.startsWith(MAGIC)) throw new UnsupportedSchemeError('MD5-CRYPT', 'expected a $1$ value');
  const rest = setting.slice(MAGIC.length);
  const end = rest.indexOf('$');
  const saltStr = (end === -1 ? rest : rest.slice(0, end)).slice(0, 8);
  const pw = Buffer.from(password, 'utf8');
  const salt = Buffer.from(saltStr, 'utf8');
  const md5 = (): ReturnType<typeof createHash> => createHash('md5');

  const alt = md5().update(pw).update(salt).update(pw).digest();
  const ctx = md5().update(pw).update(MAGIC).update(salt);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  // The original code hashes a byte of a zeroed buffer for 1-bits, the password's first byte for 0-bits.
  for (let n = pw.length; n > 0; n >>>= 1) ctx.update((n & 1) !== 0 ? Buffer.of(0) : pw.subarray(0, 1));
  let fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = md5();
    c.update((i & 1) !== 0 ? pw : fin);
    if (i % 3 !== 0) c.update(salt);
    if (i % 7 !== 0) c.update(pw);
    c.update((i & 1) !== 0 ? fin : pw);
    fin = c.digest();
  }
  return MAGIC + saltStr + '$' + encodeGroups(fin, ORDER, [-1, -1, 11, 2]);
}

export function checkMd5Crypt(value: string, scheme: string): void {
  if (!/^\$1\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/.test(value)) throw new UnsupportedSchemeError(scheme, 'malformed MD5-crypt value');
}

export function verifyMd5Crypt(value: string, password: string, scheme: string): boolean {
  checkMd5Crypt(value, scheme);
  return safeEqual(md5CryptString(value, password), value);
}
