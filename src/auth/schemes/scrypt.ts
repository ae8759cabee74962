/**
 * Facteur's default password hash: scrypt (RFC 7914) via node:crypto, stored as a PHC string
 *
 *   {SCRYPT}$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>
 *
 * salt and key in base64 without padding (the PHC string format convention). Defaults:
 * N = 2^15, r = 8, p = 1 (32 MiB, OWASP's scrypt minimum), 16-byte random salt, 32-byte key.
 *
 * Invariants:
 * - Parameters are read from the stored value, so defaults can rise without invalidating hashes.
 * - Verification refuses parameters above ln=20 / 1 GiB of memory: a stored value must not be
 *   able to exhaust the server.
 * - Dovecot's libsodium "$7$" encoding under {SCRYPT} is recognised and reported unsupported.
 */
import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { safeEqual } from './constant-time.js';
import { decodeB64NoPad, encodeB64NoPad } from './encoding.js';
import { UnsupportedSchemeError } from './errors.js';

export const SCRYPT_DEFAULTS = { ln: 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;
const MAX_LN = 20;
const MAX_MEMORY = 1024 * 1024 * 1024;

interface ScryptParams {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, keyLen: number, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  // node's default maxmem (32 MiB) is exactly 128*N*r for the defaults; leave headroom.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, keyLen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function parse(value: string, scheme: string): ScryptParams {
  if (value.startsWith('$7$')) throw new UnsupportedSchemeError(scheme, "libsodium's $7$ scrypt encoding is not supported");
  const m = /^\$scrypt\$ln=([0-9]{1,2}),r=([0-9]{1,3}),p=([0-9]{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(value);
  if (m === null) throw new UnsupportedSchemeError(scheme, 'malformed value (expected $scrypt$ln=..,r=..,p=..$salt$key)');
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = decodeB64NoPad(m[4]);
  const key = decodeB64NoPad(m[5]);
  if (salt === null || key === null || key.length < 16) throw new UnsupportedSchemeError(scheme, 'malformed salt or key');
  if (ln < 1 || ln > MAX_LN || r < 1 || p < 1 || 128 * 2 ** ln * r * p > MAX_MEMORY) {
    throw new UnsupportedSchemeError(scheme, `parameters ln=${ln},r=${r},p=${p} out of the accepted range`);
  }
  return { ln, r, p, salt, key };
}

export function checkScrypt(value: string, scheme: string): void {
  parse(value, scheme);
}

export async function verifyScrypt(value: string, password: string, scheme: string): Promise<boolean> {
  const s = parse(value, scheme);
  const key = await derive(password, s.salt, s.key.length, s.ln, s.r, s.p);
  return safeEqual(key, s.key);
}

/** Returns the value after "{SCRYPT}". `ln` is lowered only by tests. */
export async function hashScrypt(password: string, ln: number = SCRYPT_DEFAULTS.ln): Promise<string> {
  const { r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, keyBytes, ln, r, p);
  return `$scrypt$ln=${ln},r=${r},p=${p}$${encodeB64NoPad(salt)}$${encodeB64NoPad(key)}`;
}
