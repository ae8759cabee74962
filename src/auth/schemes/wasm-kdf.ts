/**
 * bcrypt ({BLF-CRYPT}, "$2a$/$2b$/$2y$") and Argon2 ({ARGON2I}, {ARGON2ID}, PHC strings
 * "$argon2id$v=19$m=..,t=..,p=..$salt$hash") verified with hash-wasm.
 *
 * Invariants:
 * - Values are shape-checked before hash-wasm sees them, so malformed values raise
 *   UnsupportedSchemeError instead of a library error.
 * - Cost limits: bcrypt cost <= 16, Argon2 m <= 1 GiB, t <= 64, p <= 64 (a stored value must
 *   not be able to exhaust the server).
 * - The password is given as UTF-8 bytes; hash-wasm compares in constant time.
 */
import { argon2Verify, bcryptVerify } from 'hash-wasm';
import { UnsupportedSchemeError } from './errors.js';

const BCRYPT = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$(argon2id|argon2i)\$v=(16|19)\$m=([0-9]{1,8}),t=([0-9]{1,3}),p=([0-9]{1,3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

export function checkBcrypt(value: string, scheme: string): void {
  const m = BCRYPT.exec(value);
  if (m === null) throw new UnsupportedSchemeError(scheme, 'malformed bcrypt value (expected $2a$, $2b$ or $2y$)');
  const cost = Number(m[1]);
  if (cost < 4 || cost > 16) throw new UnsupportedSchemeError(scheme, `bcrypt cost ${cost} out of range 4-16`);
}

export async function verifyBcrypt(value: string, password: string, scheme: string): Promise<boolean> {
  checkBcrypt(value, scheme);
  return bcryptVerify({ password: Buffer.from(password, 'utf8'), hash: value });
}

export function checkArgon2(value: string, scheme: string, variant?: 'argon2i' | 'argon2id'): void {
  const m = ARGON2.exec(value);
  if (m === null) throw new UnsupportedSchemeError(scheme, 'malformed Argon2 value (expected $argon2i$ or $argon2id$ PHC string)');
  if (variant !== undefined && m[1] !== variant) throw new UnsupportedSchemeError(scheme, `expected a $${variant}$ value`);
  const [mem, t, p] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (mem > 1024 * 1024 || t < 1 || t > 64 || p < 1 || p > 64 || mem < 8 * p) {
    throw new UnsupportedSchemeError(scheme, `Argon2 parameters m=${mem},t=${t},p=${p} out of the accepted range`);
  }
}

export async function verifyArgon2(value: string, password: string, scheme: string, variant?: 'argon2i' | 'argon2id'): Promise<boolean> {
  checkArgon2(value, scheme, variant);
  try {
    return await argon2Verify({ password: Buffer.from(password, 'utf8'), hash: value });
  } catch {
    throw new UnsupportedSchemeError(scheme, 'malformed Argon2 value');
  }
}
