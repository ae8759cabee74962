/**
 * A short-lived cache of successful password verifications (the role of Dovecot's auth cache),
 * so reconnecting clients skip the KDF.
 *
 * Invariants:
 * - Never holds a password: entries are keyed by account name + HMAC-SHA256(per-process random
 *   key, password) + the stored hash string. A password change alters the stored hash and
 *   therefore misses; a wrong password alters the HMAC and misses.
 * - Only successes are cached; a hit is valid for ttlMs after the verification.
 * - At most maxEntries entries; the oldest is evicted first.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface VerifyCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}

export const VERIFY_CACHE_DEFAULTS: VerifyCacheOptions = { ttlMs: 60_000, maxEntries: 10_000, now: () => Date.now() };

export class VerifyCache {
  private readonly opts: VerifyCacheOptions;
  private readonly secret = randomBytes(32);
  /** key -> expiry time. */
  private readonly entries = new Map<string, number>();

  constructor(opts: Partial<VerifyCacheOptions> = {}) {
    this.opts = { ...VERIFY_CACHE_DEFAULTS, ...opts };
  }

  private key(account: string, password: string, storedHash: string): string {
    const mac = createHmac('sha256', this.secret).update(password, 'utf8').digest('base64');
    return `${account}\0${mac}\0${storedHash}`;
  }

  has(account: string, password: string, storedHash: string): boolean {
    if (this.opts.ttlMs <= 0) return false;
    const k = this.key(account, password, storedHash);
    const expires = this.entries.get(k);
    if (expires === undefined) return false;
    if (this.opts.now() >= expires) {
      this.entries.delete(k);
      return false;
    }
    return true;
  }

  remember(account: string, password: string, storedHash: string): void {
    if (this.opts.ttlMs <= 0) return;
    const k = this.key(account, password, storedHash);
    this.entries.delete(k);
    this.entries.set(k, this.opts.now() + this.opts.ttlMs);
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
