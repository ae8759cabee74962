/**
 * Quota roots through the access layer (RFC 9208 §6, docs/decisions/0010 "Quota roots of shared
 * mailboxes"): another account's mailbox is under its owner's root, which is reported with what
 * the actor's rights let it learn.
 *
 * Invariants:
 * - STORAGE and MESSAGE usage tell about the owner's messages, so they need "r"; MAILBOX needs
 *   no right. A root that limits STORAGE or MESSAGE is refused (NOPERM) rather than reported
 *   without them, which would read as "not limited" (§4.2.1).
 * - A root the actor has no grant under answers like a missing one (NONEXISTENT).
 */
import { StoreError } from '../errors.js';
import type { AclEntry, Actor, MailStore, QuotaRootReport } from '../types.js';
import { effectiveRights, identifiersOf, visible } from './rights.js';
import { noPerm, noSuchMailbox, type Resolver } from './resolve.js';

type QuotaRootAccess = Pick<MailStore, 'getQuotaRoots' | 'getQuotaRoot'>;

export function quotaRootAccess(r: Resolver): QuotaRootAccess {
  const { inner, target, open } = r;

  /**
   * RFC 9208 §6: STORAGE and MESSAGE usage tell about the owner's messages, so they need "r" (on
   * the mailbox asked about, or for GETQUOTA on one of the root's mailboxes); MAILBOX needs no
   * right. Without "r" a root that limits STORAGE or MESSAGE is refused (NOPERM) rather than
   * reported without them, which would read as "not limited" (§4.2.1).
   */
  async function disclose(actor: Actor, owner: Actor, report: QuotaRootReport, readable: boolean): Promise<QuotaRootReport> {
    if (readable || report.resources.every((res) => res.resource === 'mailboxes')) return report;
    // A quota administrator may read the root anyway (quota/roots.ts decides who is one).
    try {
      return await inner.getQuotaRoot(actor, owner.name);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'NONEXISTENT') throw noPerm('no read right on the mailboxes of this quota root');
      throw e;
    }
  }

  return {
    async getQuotaRoots(actor, mailboxName) {
      const t = await target(actor, mailboxName);
      if (t === null) throw noSuchMailbox();
      // §4.1.2: a personal name needs not exist; it is under the actor's own root.
      if (!t.foreign) return inner.getQuotaRoots(actor, t.name);
      // Another account's mailbox: it must exist and be visible (hidden answers like missing);
      // its messages are charged to the owner, so the owner's root is reported.
      const o = await open(actor, mailboxName);
      if (o === null) throw noSuchMailbox();
      const roots = await inner.getQuotaRoots(o.owner, o.name);
      return Promise.all(roots.map((root) => disclose(actor, o.owner, root, o.rights.includes('r'))));
    },
    async getQuotaRoot(actor, root) {
      if (root === actor.name) return inner.getQuotaRoot(actor, root);
      // Quota administrators read every root; for anyone else the layer below answers
      // NONEXISTENT, which is also the answer when the actor has no grant from the root's owner.
      let refusal: unknown;
      try {
        return await inner.getQuotaRoot(actor, root);
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'NONEXISTENT')) throw e;
        refusal = e;
      }
      const rec = await inner.getAccount(root);
      if (rec === null) throw refusal;
      const owner: Actor = { accountId: rec.id, name: rec.name };
      const byMailbox = new Map<number, AclEntry[]>();
      for (const g of await inner.aclGrants(identifiersOf(actor.name))) {
        if (g.accountId === owner.accountId) byMailbox.set(g.mailboxId, [...(byMailbox.get(g.mailboxId) ?? []), g]);
      }
      const rights = [...byMailbox.values()].map((entries) => effectiveRights(actor.name, entries));
      if (!rights.some(visible)) throw refusal;
      return disclose(actor, owner, await inner.getQuotaRoot(owner, root), rights.some((x) => x.includes('r')));
    },
  };
}
