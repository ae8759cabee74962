/**
 * Password authentication for every protocol: throttle -> cache -> verify.
 *
 * Invariants:
 * - A refused (throttled) attempt never reaches the store or a KDF.
 * - Unknown users cost the same as wrong passwords: the password is verified against a dummy
 *   {SCRYPT} hash, and the failure is counted and delayed identically.
 * - A failure is answered only after the throttle's delay has elapsed.
 * - A stored hash that cannot be verified (unsupported scheme) is a failure, logged as a warning
 *   naming the account and scheme, never the hash.
 * - Successful verifications are cached (verify-cache.ts) so reconnecting clients skip the KDF.
 */
import type { AccountRecord, MailStore } from '../store/types.js';
import type { Logger } from '../observability/log.js';
import { accountNameProblem } from './account-name.js';
import { hashPassword, UnsupportedSchemeError, verifyPassword } from './passwords.js';
import { LoginThrottle, type ThrottleOptions } from './throttle.js';
import { VerifyCache, type VerifyCacheOptions } from './verify-cache.js';

export type AuthResult = { ok: true; account: AccountRecord } | { ok: false; reason: 'invalid' | 'throttled' };

export interface AuthenticatorOptions {
  throttle?: Partial<ThrottleOptions>;
  cache?: Partial<VerifyCacheOptions>;
  logger?: Logger;
  /** Awaited before answering a failure; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class Authenticator {
  private readonly throttle: LoginThrottle;
  private readonly cache: VerifyCache;
  private readonly logger: Logger | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Computed once, ahead of the first unknown user, so that attempt costs one KDF like the rest. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly store: MailStore,
    opts: AuthenticatorOptions = {},
  ) {
    this.throttle = new LoginThrottle(opts.throttle);
    this.cache = new VerifyCache(opts.cache);
    this.logger = opts.logger;
    this.sleep = opts.sleep ?? realSleep;
    this.dummyHash = hashPassword(`dummy-${Math.random()}`);
  }

  async authenticate(user: string, password: string, remoteIp: string): Promise<AuthResult> {
    const decision = this.throttle.check(user, remoteIp);
    if (!decision.allowed) return { ok: false, reason: 'throttled' };

    const account = accountNameProblem(user) === null ? await this.store.getAccount(user) : null;
    if (account !== null && this.cache.has(account.name, password, account.passwordHash)) {
      this.throttle.recordSuccess(user);
      return { ok: true, account };
    }
    const verified = account === null ? await this.verifyDummy(password) : await this.verify(account, password);
    if (verified && account !== null) {
      this.cache.remember(account.name, password, account.passwordHash);
      this.throttle.recordSuccess(user);
      return { ok: true, account };
    }
    await this.sleep(this.throttle.recordFailure(user, remoteIp));
    return { ok: false, reason: 'invalid' };
  }

  private async verify(account: AccountRecord, password: string): Promise<boolean> {
    try {
      return await verifyPassword(account.passwordHash, password);
    } catch (e) {
      if (!(e instanceof UnsupportedSchemeError)) throw e;
      this.logger?.warn({ user: account.name, scheme: e.scheme, reason: e.reason }, 'stored password hash cannot be verified');
      return false;
    }
  }

  private async verifyDummy(password: string): Promise<boolean> {
    await verifyPassword(await this.dummyHash, password);
    return false;
  }
}
