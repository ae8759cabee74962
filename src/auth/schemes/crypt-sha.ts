/**
 * SHA-crypt: "$5$" (SHA-256) and "$6$" (SHA-512), from Ulrich Drepper's specification
 * "Unix crypt using SHA-256 and SHA-512" (2007, the glibc/libxcrypt algorithm).
 *
 * Invariants:
 * - Salt: at most 16 characters (longer salts are truncated, as the spec requires); the salt
 *   ends at the first '$'.
 * - rounds=N: default 5000, clamped to [1000, 999999999]; "rounds=" is echoed in the output
 *   only when it was given.
 * - Verification recomputes the full string and compares in constant time.
 */
import { createHash } from 'node:crypto';
import { encodeGroups } from './crypt-base64.js';
import { safeEqual } from './constant-time.js';
import { UnsupportedSchemeError } from './errors.js';

type ShaVariant = { id: '5' | '6'; alg: 'sha256' | 'sha512'; size: number };
const SHA256: ShaVariant = { id: '5', alg: 'sha256', size: 32 };
const SHA512: ShaVariant = { id: '6', alg: 'sha512', size: 64 };

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
/** Above this we refuse to verify: an imported value must not stall the server for minutes. */
const ROUNDS_VERIFY_LIMIT = 10_000_000;

/** Byte order of the final encoding (spec, step 22). */
const ORDER_256: ReadonlyArray<readonly [number, number, number]> = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14],
  [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29],
];
const ORDER_512: ReadonlyArray<readonly [number, number, number]> = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function shaCrypt(v: ShaVariant, password: Buffer, salt: Buffer, rounds: number): Buffer {
  const h = (): ReturnType<typeof createHash> => createHash(v.alg);
  const plen = password.length;
  // Steps 4-8: digest B.
  const b = h().update(password).update(salt).update(password).digest();
  // Steps 1-3, 9-12: digest A.
  const a = h().update(password).update(salt);
  a.update(repeatTo(b, plen));
  for (let n = plen; n > 0; n >>>= 1) a.update((n & 1) !== 0 ? b : password);
  const da = a.digest();
  // Steps 13-16: sequence P.
  const dpCtx = h();
  for (let i = 0; i < plen; i++) dpCtx.update(password);
  const p = repeatTo(dpCtx.digest(), plen);
  // Steps 17-20: sequence S.
  const dsCtx = h();
  for (let i = 0; i < 16 + da[0]; i++) dsCtx.update(salt);
  const s = repeatTo(dsCtx.digest(), salt.length);
  // Step 21: the rounds.
  let c = da;
  for (let i = 0; i < rounds; i++) {
    const ctx = h();
    ctx.update((i & 1) !== 0 ? p : c);
    if (i % 3 !== 0) ctx.update(s);
    if (i % 7 !== 0) ctx.update(p);
    ctx.update((i & 1) !== 0 ? c : p);
    c = ctx.digest();
  }
  return c;
}

interface ParsedShaCrypt {
  variant: ShaVariant;
  rounds: number;
  roundsGiven: boolean;
  salt: string;
}

function parseSetting(value: string, scheme: string): ParsedShaCrypt {
  const m = /^\$([56])\$(?:rounds=([0-9]{1,10})\$)?([^$]*)(?:\$|$)/.exec(value);
  if (m === null) throw new UnsupportedSchemeError(scheme, 'malformed SHA-crypt value (expected $5$ or $6$)');
  const variant = m[1] === '5' ? SHA256 : SHA512;
  let rounds = ROUNDS_DEFAULT;
  if (m[2] !== undefined) rounds = Math.min(Math.max(Number(m[2]), ROUNDS_MIN), ROUNDS_MAX);
  return { variant, rounds, roundsGiven: m[2] !== undefined, salt: m[3].slice(0, 16) };
}

function format(p: ParsedShaCrypt, digest: Buffer): string {
  const prefix = `$${p.variant.id}$` + (p.roundsGiven ? `rounds=${p.rounds}$` : '') + p.salt + '$';
  const body =
    p.variant.id === '5' ? encodeGroups(digest, ORDER_256, [-1, 31, 30, 3]) : encodeGroups(digest, ORDER_512, [-1, -1, 63, 2]);
  return prefix + body;
}

/** Computes the full "$5$..." / "$6$..." string for `setting` (a salt string or a full hash). */
export function shaCryptString(setting: string, password: string): string {
  const p = parseSetting(setting, 'SHA-CRYPT');
  const digest = shaCrypt(p.variant, Buffer.from(password, 'utf8'), Buffer.from(p.salt, 'utf8'), p.rounds);
  return format(p, digest);
}

/** Validates a stored value without running the KDF. */
export function checkShaCrypt(value: string, scheme: string, id?: '5' | '6'): void {
  const p = parseSetting(value, scheme);
  if (id !== undefined && p.variant.id !== id) throw new UnsupportedSchemeError(scheme, `expected a $${id}$ value`);
  const hashLen = p.variant.id === '5' ? 43 : 86;
  const tail = value.slice(value.lastIndexOf('$') + 1);
  if (!new RegExp(`^[./0-9A-Za-z]{${hashLen}}$`).test(tail)) throw new UnsupportedSchemeError(scheme, 'malformed SHA-crypt hash');
  if (p.rounds > ROUNDS_VERIFY_LIMIT) throw new UnsupportedSchemeError(scheme, `rounds=${p.rounds} exceeds ${ROUNDS_VERIFY_LIMIT}`);
}

export function verifyShaCrypt(value: string, password: string, scheme: string, id?: '5' | '6'): boolean {
  checkShaCrypt(value, scheme, id);
  return safeEqual(shaCryptString(value, password), value);
}
