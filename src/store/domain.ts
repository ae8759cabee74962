/**
 * The store's domain layer: what every backend is wrapped in before any protocol sees it.
 *
 * Invariants:
 * - Backends (sqlite/, postgres/) keep mail per account and trust the actor they are given; the
 *   rules that span accounts or limit them are enforced here, once, for IMAP, LMTP, ManageSieve
 *   and the CLI alike: no caller can reach a backend around them.
 * - Layers are decorators over MailStore (a backend is a plain object of methods, so a layer is
 *   `{ ...inner, overridden }`). Order, outermost first: access control (RFC 4314 rights and
 *   the shared namespaces, which turn the acting account into the mailbox owner's), then quotas
 *   (RFC 9208), which therefore always see the owner and charge the owner's quota root.
 */
import type { MailStore } from './types.js';
import { accessStore } from './access/index.js';
import { withComputedMetadata } from './metadata-computed.js';
import { quotaStore } from './quota/layer.js';
import { NO_QUOTA_POLICY, type QuotaPolicy } from './quota/roots.js';

/** Options of the domain layer, from Config (main.ts). */
export interface DomainOptions {
  /** The server METADATA entry /shared/admin (RFC 5464 §3.2.1.1, --metadata-admin); null: none. */
  readonly metadataAdmin?: string | null;
  /** Operator quota defaults and administrators (RFC 9208); none when absent. */
  readonly quota?: QuotaPolicy;
}

export function domainStore(backend: MailStore, options: DomainOptions = {}): MailStore {
  let store = quotaStore(backend, options.quota ?? NO_QUOTA_POLICY);
  store = withComputedMetadata(store, options.metadataAdmin ?? null);
  // Outermost: access control (store/access/), docs/decisions/0009.
  return accessStore(store);
}
