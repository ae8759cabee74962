/**
 * The access layer (RFC 4314 ACL, RFC 2342 namespaces): the outermost decorator of the domain
 * store (store/domain.ts). Every protocol reaches mail through it.
 *
 * Invariants:
 * - Names are the actor's: personal, "Other Users/<owner>/...", "Shared/..." (namespaces.ts).
 *   Each call is translated into (owner, owner's name) and the layer below is called with the
 *   OWNER as actor, after the actor's rights were checked (RFC 4314 §4); layers below (quotas)
 *   therefore always see the owner. How names and ids are resolved, and the rules on rights and
 *   hidden mailboxes: resolve.ts.
 * - One file per concept: mailboxes.ts, messages.ts (flags, copy, content), acl.ts,
 *   metadata.ts, quota-roots.ts; accounts are here. Every method a file does not override
 *   passes through unchanged.
 * - Internal accounts ("#...") are not users: they cannot be created, changed or listed here.
 */
import { StoreError } from '../errors.js';
import type { AccountRecord, Actor, MailStore } from '../types.js';
import { INITIAL_MAILBOXES } from '../mailbox-names.js';
import { isReservedAccount, NOLOGIN_HASH, SHARED_OWNER } from './namespaces.js';
import { resolver } from './resolve.js';
import { mailboxMethods } from './mailboxes.js';
import { messageMethods } from './messages.js';
import { aclMethods } from './acl.js';
import { metadataMethods } from './metadata.js';
import { quotaRootAccess } from './quota-roots.js';

export { SHARED_OWNER } from './namespaces.js';

export function accessStore(inner: MailStore): MailStore {
  const r = resolver(inner);
  return {
    ...inner,

    // --- accounts: internal accounts ("#...") are not users ---
    async createAccount(name: string, passwordHash: string): Promise<AccountRecord> {
      if (isReservedAccount(name) && !(name === SHARED_OWNER && passwordHash === NOLOGIN_HASH)) {
        throw new StoreError('CANNOT', `account names starting with '#' are reserved`);
      }
      return inner.createAccount(name, passwordHash);
    },
    async createAccounts(entries) {
      const reserved = entries.find((e) => isReservedAccount(e.name));
      if (reserved !== undefined) throw new StoreError('CANNOT', `account name ${JSON.stringify(reserved.name)} is reserved`);
      return inner.createAccounts(entries);
    },
    async listAccounts() {
      return (await inner.listAccounts()).filter((a) => !isReservedAccount(a.name));
    },
    async setPasswordHash(name, hash) {
      if (isReservedAccount(name)) throw new StoreError('CANNOT', `account ${JSON.stringify(name)} is internal`);
      return inner.setPasswordHash(name, hash);
    },
    async deleteAccount(name) {
      if (isReservedAccount(name)) throw new StoreError('CANNOT', `account ${JSON.stringify(name)} is internal`);
      return inner.deleteAccount(name);
    },

    ...mailboxMethods(r),
    ...messageMethods(r),
    ...aclMethods(r),
    ...quotaRootAccess(r),
    // METADATA (RFC 5464 §3.3): /private entries of another account's mailbox are the ACTOR's.
    ...metadataMethods(r),
  };
}

/**
 * The account that owns "Shared/" (for operators: `facteur acl`), created on first use. It has
 * an unverifiable password and a reserved name, so nobody logs in as it.
 */
export async function sharedOwnerActor(store: MailStore): Promise<Actor> {
  let rec = await store.getAccount(SHARED_OWNER);
  if (rec === null) {
    try {
      rec = await store.createAccount(SHARED_OWNER, NOLOGIN_HASH);
      // Only INBOX (which cannot go) stays of the mailboxes every account starts with.
      const owner = { accountId: rec.id, name: rec.name };
      for (const [name] of INITIAL_MAILBOXES) if (name !== 'INBOX') await store.deleteMailbox(owner, name);
    } catch (e) {
      if (!(e instanceof StoreError && e.code === 'ALREADYEXISTS')) throw e;
      rec = await store.getAccount(SHARED_OWNER);
      if (rec === null) throw e;
    }
  }
  return { accountId: rec.id, name: rec.name };
}
