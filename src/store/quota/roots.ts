/**
 * Quota roots (RFC 9208 §4.1) over the stored per-account usage and settings.
 *
 * Invariants:
 * - One quota root per account, named after the account (`alice`): every mailbox of the account
 *   is under it, also one that does not exist yet (§4.1.2). The session sends it as an IMAP
 *   string (quoted or literal), so any account name is a valid root name.
 * - Here a root is visible to its own account and to quota administrators; to anyone else it
 *   does not exist (NONEXISTENT, no hint that the account exists). The access layer above
 *   (store/access/quota-roots.ts) also shows it to grantees of the account's mailboxes (RFC 9208 §6,
 *   decision 0010). SETQUOTA is for administrators only (NOPERM).
 * - The effective limit of a resource is the account's stored setting, else the operator's
 *   default; 0 in the defaults means unlimited. The defaults are per user: the internal owner of
 *   "Shared/" (`#shared`, which holds every public mailbox) gets only the limits set for it
 *   (`facteur quota set '#shared' ...`). Unlimited resources are not reported (§4.2.1:
 *   "Resources not named in the list are not limited").
 * - STORAGE is reported in units of 1024 octets, usage rounded up (§5.1), so a root whose usage
 *   equals its limit is full.
 */
import { StoreError } from '../errors.js';
import { isReservedAccount } from '../access/namespaces.js';
import type { AccountQuota, Actor, MailStore, QuotaResource, QuotaRootReport, QuotaSettings } from '../types.js';

/** The operator's quota configuration (Config, main.ts). */
export interface QuotaPolicy {
  /** Limits for accounts without their own setting; 0 = unlimited. storage in 1024-octet units. */
  readonly defaults: Readonly<Record<QuotaResource, number>>;
  /** Accounts that may read every root and run SETQUOTA. */
  readonly admins: ReadonlySet<string>;
}

/** No defaults, no administrators: what a bare backend (without the domain layer) applies. */
export const NO_QUOTA_POLICY: QuotaPolicy = { defaults: { storage: 0, messages: 0, mailboxes: 0 }, admins: new Set() };

/** Report order (RFC 9208 §5 order of definition). */
export const QUOTA_RESOURCES: readonly QuotaResource[] = ['storage', 'messages', 'mailboxes'];

/** One quota unit of STORAGE (RFC 9208 §5.1). */
export const STORAGE_UNIT = 1024;

/** Effective limit of `account`'s resource (storage in 1024-octet units), or null when unlimited. */
export function effectiveLimit(settings: QuotaSettings, resource: QuotaResource, policy: QuotaPolicy, account: string): number | null {
  const s = settings[resource];
  if (s === 'unlimited') return null;
  if (s !== null) return s;
  if (isReservedAccount(account)) return null;
  const d = policy.defaults[resource];
  return d > 0 ? d : null;
}

/** Usage in the unit a limit is expressed in (storage rounded up to whole 1024-octet units). */
export function usageInUnits(quota: AccountQuota, resource: QuotaResource): number {
  const u = quota.usage[resource];
  return resource === 'storage' ? Math.ceil(u / STORAGE_UNIT) : u;
}

export function report(quota: AccountQuota, policy: QuotaPolicy): QuotaRootReport {
  const resources = [];
  for (const resource of QUOTA_RESOURCES) {
    const limit = effectiveLimit(quota.settings, resource, policy, quota.account);
    if (limit !== null) resources.push({ resource, usage: usageInUnits(quota, resource), limit });
  }
  return { root: quota.account, resources };
}

type QuotaAdmin = Pick<MailStore, 'getAccountQuota' | 'setAccountQuota'>;

/** The actor-level quota-root methods of MailStore under `policy`. */
export function quotaRootMethods(store: QuotaAdmin, policy: QuotaPolicy): Pick<MailStore, 'getQuotaRoots' | 'getQuotaRoot' | 'setQuotaRoot'> {
  const visible = async (actor: Actor, root: string): Promise<AccountQuota> => {
    if (root !== actor.name && !policy.admins.has(actor.name)) throw new StoreError('NONEXISTENT', `no quota root ${JSON.stringify(root)}`);
    return store.getAccountQuota(root);
  };
  return {
    getQuotaRoots: async (actor) => [report(await store.getAccountQuota(actor.name), policy)],
    getQuotaRoot: async (actor, root) => report(await visible(actor, root), policy),
    setQuotaRoot: async (actor, root, limits) => {
      if (!policy.admins.has(actor.name)) throw new StoreError('NOPERM', 'only quota administrators may set quotas');
      // §4.1.3: previous limits are discarded, also of resources not listed.
      const settings: QuotaSettings = { storage: 'unlimited', messages: 'unlimited', mailboxes: 'unlimited' };
      for (const { resource, limit } of limits) settings[resource] = limit;
      await store.setAccountQuota(root, settings);
      return report(await store.getAccountQuota(root), policy);
    },
  };
}
