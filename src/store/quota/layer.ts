/**
 * The quota layer of the domain store (RFC 9208): refuses, with StoreError('OVERQUOTA'), any
 * write that would take the acting account above one of its limits, for IMAP, LMTP, `facteur
 * deliver` and the CLI alike (they all reach mail through store.append/copy/...).
 *
 * Invariants:
 * - The actor is the account charged: the access-control layer above this one turns a grantee
 *   into the mailbox owner, so a write into a shared mailbox is charged to its owner.
 * - What is charged: APPEND (all messages of a MULTIAPPEND, all or none), COPY (the sizes of the
 *   source messages that still exist), REPLACE (the new size minus the replaced message's),
 *   CREATE and RENAME (every mailbox they create, superiors included). MOVE within one account
 *   changes no usage and is never refused; expunge and delete only lower usage.
 * - Accounts without any limit on the resources a write raises are not charged at all (one
 *   settings read): their writes keep running in parallel, as without the layer.
 * - Only a write that raises a resource is checked, and it is refused when the resulting usage
 *   would exceed the limit (usage = limit is allowed; STORAGE compared in octets against
 *   limit × 1024).
 * - Concurrency: within one process the check and the write of one account run one at a time
 *   (a per-account queue). APPEND (IMAP, CATENATE, LMTP and `facteur deliver` deliveries) is
 *   checked again inside the backend's write transaction (UsageGuard), where every process and
 *   node is serialised: appends can never pass a limit together. COPY, REPLACE, CREATE and
 *   RENAME from other processes or nodes check committed usage only, so together they may
 *   overshoot by at most one such command each; the next write then sees the true usage and
 *   is refused (docs/decisions/0010-quotas.md).
 */
import { StoreError } from '../errors.js';
import { canonicalName, INBOX, superiorsOf } from '../mailbox-names.js';
import type { Actor, MailStore, QuotaResource, QuotaSettings, QuotaUsage } from '../types.js';
import { effectiveLimit, quotaRootMethods, STORAGE_UNIT, type QuotaPolicy } from './roots.js';

type Charge = Partial<Record<QuotaResource, number>>;

export function quotaStore(inner: MailStore, policy: QuotaPolicy): MailStore {
  const queues = new Map<number, Promise<unknown>>();

  /** Runs `fn` after every earlier charged write of the account in this process has settled. */
  const serial = <T>(accountId: number, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(accountId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    queues.set(accountId, tail);
    void tail.then(() => {
      if (queues.get(accountId) === tail) queues.delete(accountId);
    });
    return run;
  };

  /** Throws OVERQUOTA when `charge` on top of `usage` passes a limit of `settings`. */
  const admit = (actor: Actor, settings: QuotaSettings, usage: QuotaUsage, charge: Charge): void => {
    for (const [resource, add] of Object.entries(charge) as Array<[QuotaResource, number]>) {
      if (add <= 0) continue;
      const limit = effectiveLimit(settings, resource, policy, actor.name);
      if (limit === null) continue;
      const max = resource === 'storage' ? limit * STORAGE_UNIT : limit;
      if (usage[resource] + add > max) {
        throw new StoreError('OVERQUOTA', `quota exceeded: ${resource} of ${actor.name}`);
      }
    }
  };

  /** Checks against committed usage; returns the settings read, for a guard to re-check with. */
  const check = async (actor: Actor, charge: Charge): Promise<QuotaSettings> => {
    const quota = await inner.getAccountQuota(actor.name);
    admit(actor, quota.settings, quota.usage, charge);
    return quota.settings;
  };

  /** How many mailboxes creating `name` (and its missing superiors) adds. */
  const newMailboxes = async (actor: Actor, name: string): Promise<number> => {
    let n = 0;
    for (const m of [...superiorsOf(name), name]) if ((await inner.getMailbox(actor, m)) === null) n++;
    return n;
  };

  /** Whether any of `resources` is limited for the account: if none is, nothing is charged. */
  const limited = async (actor: Actor, resources: readonly QuotaResource[]): Promise<boolean> => {
    const { settings } = await inner.getAccountQuota(actor.name);
    return resources.some((r) => effectiveLimit(settings, r, policy, actor.name) !== null);
  };

  return {
    ...inner,
    ...quotaRootMethods(inner, policy),
    append: async (actor, mailboxName, messages, options) => {
      // Unlimited accounts (the default) keep fully parallel appends.
      if (!(await limited(actor, ['storage', 'messages']))) return inner.append(actor, mailboxName, messages, options);
      return serial(actor.accountId, async () => {
        const charge = { storage: messages.reduce((sum, m) => sum + m.content.length, 0), messages: messages.length };
        // Early refusal before any body is written; then the exact check inside the backend's
        // write transaction, where other processes and nodes are serialised too.
        const settings = await check(actor, charge);
        return inner.append(actor, mailboxName, messages, { ...options, guard: (usage) => admit(actor, settings, usage, charge) });
      });
    },
    copy: async (actor, sourceMailboxId, uids, destName) => {
      if (!(await limited(actor, ['storage', 'messages']))) return inner.copy(actor, sourceMailboxId, uids, destName);
      return serial(actor.accountId, async () => {
        const rows = await inner.getMessages(actor, sourceMailboxId, uids);
        await check(actor, { storage: rows.reduce((sum, r) => sum + r.size, 0), messages: rows.length });
        return inner.copy(actor, sourceMailboxId, uids, destName);
      });
    },
    replace: async (actor, sourceMailboxId, uid, destName, message) => {
      if (!(await limited(actor, ['storage']))) return inner.replace(actor, sourceMailboxId, uid, destName, message);
      return serial(actor.accountId, async () => {
        const [old] = await inner.getMessages(actor, sourceMailboxId, [uid]);
        // A missing source makes the backend refuse (NONEXISTENT) without changing anything.
        if (old !== undefined) await check(actor, { storage: message.content.length - old.size });
        return inner.replace(actor, sourceMailboxId, uid, destName, message);
      });
    },
    createMailbox: async (actor, name, specialUse) => {
      if (!(await limited(actor, ['mailboxes']))) return inner.createMailbox(actor, name, specialUse);
      return serial(actor.accountId, async () => {
        const canonical = canonicalName(name);
        // Invalid or existing names are the backend's to refuse (CANNOT, ALREADYEXISTS).
        if (canonical !== null) await check(actor, { mailboxes: await newMailboxes(actor, canonical) });
        return inner.createMailbox(actor, name, specialUse);
      });
    },
    renameMailbox: async (actor, oldName, newName) => {
      if (!(await limited(actor, ['mailboxes']))) return inner.renameMailbox(actor, oldName, newName);
      return serial(actor.accountId, async () => {
        const from = canonicalName(oldName);
        const to = canonicalName(newName);
        if (from !== null && to !== null && (await inner.getMailbox(actor, to)) === null) {
          // Superiors of the new name are created; renaming INBOX also creates the new mailbox.
          const superiors = (await newMailboxes(actor, to)) - 1;
          await check(actor, { mailboxes: superiors + (from === INBOX ? 1 : 0) });
        }
        return inner.renameMailbox(actor, oldName, newName);
      });
    },
  };
}
