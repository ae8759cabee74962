/**
 * Dovecot {PBKDF2}: "$1$<salt>$<rounds>$<hex key>", PBKDF2-HMAC-SHA1 (RFC 8018 §5.2) with the
 * salt string's bytes as salt and a 20-byte key (Dovecot password-scheme-pbkdf2.c format).
 *
 * Invariants:
 * - Rounds in [1, 10,000,000]; the key length is taken from the stored hex (20 bytes normally).
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { safeEqual } from './constant-time.js';
import { UnsupportedSchemeError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

interface ParsedPbkdf2 {
  salt: string;
  rounds: number;
  key: Buffer;
}

function parse(value: string, scheme: string): ParsedPbkdf2 {
  const m = /^\$1\$([^$]+)\$([0-9]{1,8})\$((?:[0-9a-fA-F]{2}){16,64})$/.exec(value);
  if (m === null) throw new UnsupportedSchemeError(scheme, 'malformed value (expected $1$salt$rounds$hex)');
  const rounds = Number(m[2]);
  if (rounds < 1 || rounds > 10_000_000) throw new UnsupportedSchemeError(scheme, `rounds ${rounds} out of range`);
  return { salt: m[1], rounds, key: Buffer.from(m[3], 'hex') };
}

export function checkPbkdf2(value: string, scheme: string): void {
  parse(value, scheme);
}

export async function verifyPbkdf2(value: string, password: string, scheme: string): Promise<boolean> {
  const p = parse(value, scheme);
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(p.salt, 'utf8'), p.rounds, p.key.length, 'sha1');
  return safeEqual(key, p.key);
}
