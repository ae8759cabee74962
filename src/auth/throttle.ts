/**
 * Failed-login throttling per remote IP and per account (the defence Dovecot's auth penalty
 * and fail2ban provide, built in).
 *
 * Invariants:
 * - Pure: time comes from the injected clock; no timers. The caller awaits delayMs itself.
 * - Each failure within the window doubles the delay applied before answering the next attempt:
 *   baseDelayMs * 2^(failures-1), capped at maxDelayMs. The larger of the IP and account delays
 *   applies.
 * - After maxAccountFailures (per account) or maxIpFailures (per IP) failures inside windowMs
 *   (counted from the first failure), attempts are refused outright until the window passes.
 * - Success clears the account's counter (not the IP's: a botnet node that knows one password
 *   must not reset its guessing budget for other accounts).
 * - Memory is bounded: at most maxEntries per table; the oldest entry is evicted first
 *   (Map insertion order; an entry is re-inserted when it changes).
 */

export interface ThrottleOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
  maxAccountFailures: number;
  maxIpFailures: number;
  maxEntries: number;
  now: () => number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  windowMs: 5 * 60_000,
  maxAccountFailures: 10,
  maxIpFailures: 30,
  maxEntries: 100_000,
  now: () => Date.now(),
};

/** The verdict before checking credentials. */
export type ThrottleDecision = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number };

interface Counter {
  failures: number;
  windowStart: number;
}

class BoundedCounters {
  private readonly map = new Map<string, Counter>();
  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number, windowMs: number): Counter | undefined {
    const c = this.map.get(key);
    if (c !== undefined && now - c.windowStart >= windowMs) {
      this.map.delete(key);
      return undefined;
    }
    return c;
  }

  bump(key: string, now: number, windowMs: number): void {
    const c = this.get(key, now, windowMs) ?? { failures: 0, windowStart: now };
    c.failures++;
    this.map.delete(key);
    this.map.set(key, c);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
  }

  clear(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

export class LoginThrottle {
  private readonly opts: ThrottleOptions;
  private readonly byIp: BoundedCounters;
  private readonly byAccount: BoundedCounters;

  constructor(opts: Partial<ThrottleOptions> = {}) {
    this.opts = { ...THROTTLE_DEFAULTS, ...opts };
    this.byIp = new BoundedCounters(this.opts.maxEntries);
    this.byAccount = new BoundedCounters(this.opts.maxEntries);
  }

  /** Call before verifying. A refused attempt must not be verified at all. */
  check(account: string, ip: string): ThrottleDecision {
    const { now: clock, windowMs } = this.opts;
    const now = clock();
    const a = this.byAccount.get(accountKey(account), now, windowMs);
    const i = this.byIp.get(ip, now, windowMs);
    const refusedUntil = Math.max(
      a !== undefined && a.failures >= this.opts.maxAccountFailures ? a.windowStart + windowMs : 0,
      i !== undefined && i.failures >= this.opts.maxIpFailures ? i.windowStart + windowMs : 0,
    );
    if (refusedUntil > now) return { allowed: false, retryAfterMs: refusedUntil - now };
    return { allowed: true, delayMs: Math.max(this.delayFor(a), this.delayFor(i)) };
  }

  /** The delay to await before answering this failure (computed after counting it). */
  recordFailure(account: string, ip: string): number {
    const { now: clock, windowMs } = this.opts;
    const now = clock();
    this.byAccount.bump(accountKey(account), now, windowMs);
    this.byIp.bump(ip, now, windowMs);
    return Math.max(
      this.delayFor(this.byAccount.get(accountKey(account), now, windowMs)),
      this.delayFor(this.byIp.get(ip, now, windowMs)),
    );
  }

  recordSuccess(account: string): void {
    this.byAccount.clear(accountKey(account));
  }

  /** Entries held (accounts, IPs); for tests and metrics. */
  get size(): { accounts: number; ips: number } {
    return { accounts: this.byAccount.size, ips: this.byIp.size };
  }

  private delayFor(c: Counter | undefined): number {
    if (c === undefined || c.failures === 0) return 0;
    return Math.min(this.opts.baseDelayMs * 2 ** Math.min(c.failures - 1, 30), this.opts.maxDelayMs);
  }
}

/** Account names are matched case-insensitively so "Alice" and "alice" share one budget. */
const accountKey = (account: string): string => account.toLowerCase();
