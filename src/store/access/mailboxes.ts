/**
 * Mailboxes through the access layer (RFC 4314 §4 LIST, CREATE, DELETE, RENAME, STATUS): names
 * are the actor's (namespaces.ts); another account's mailbox is listed with "l", created with
 * "k" on its parent, deleted and renamed with "x".
 *
 * Invariants:
 * - A new mailbox inherits its parent's ACL (RFC 4314 §4 CREATE SHOULD), superiors included.
 * - RENAME never crosses owners.
 * - Counts of another account's mailbox report the actor's UNSEEN (private \Seen, seen.ts).
 */
import { StoreError } from '../errors.js';
import type { AclEntry, Mailbox, MailStore } from '../types.js';
import { effectiveRights, identifiersOf } from './rights.js';
import { prefixOf, shadowedPersonalName } from './namespaces.js';
import { CANNOT_CREATE, noPerm, noSuchMailbox, type Resolver } from './resolve.js';

type MailboxMethods = Pick<MailStore, 'listMailboxes' | 'getMailbox' | 'createMailbox' | 'deleteMailbox' | 'renameMailbox' | 'counts' | 'claimRecent'>;

export function mailboxMethods(r: Resolver): MailboxMethods {
  const { inner, target, open, need, creationParent, inheritAcl } = r;
  return {
    async listMailboxes(actor) {
      const own = (await inner.listMailboxes(actor)).filter((m) => !shadowedPersonalName(m.name));
      // RFC 4314 §4 LIST: another account's mailbox is listed with "l".
      const byMailbox = new Map<number, { accountId: number; owner: string; entries: AclEntry[] }>();
      for (const g of await inner.aclGrants(identifiersOf(actor.name))) {
        if (g.accountId === actor.accountId) continue;
        const m = byMailbox.get(g.mailboxId) ?? { accountId: g.accountId, owner: g.owner, entries: [] };
        m.entries.push(g);
        byMailbox.set(g.mailboxId, m);
      }
      const listed = new Map<number, { accountId: number; owner: string; ids: Set<number> }>();
      for (const [id, m] of byMailbox) {
        if (!effectiveRights(actor.name, m.entries).includes('l')) continue;
        const o = listed.get(m.accountId) ?? { accountId: m.accountId, owner: m.owner, ids: new Set<number>() };
        o.ids.add(id);
        listed.set(m.accountId, o);
      }
      const foreign: Mailbox[] = [];
      for (const o of listed.values()) {
        const prefix = prefixOf(o.owner);
        for (const mb of await inner.listMailboxes({ accountId: o.accountId, name: o.owner })) {
          if (o.ids.has(mb.id)) foreign.push({ ...mb, name: prefix + mb.name });
        }
      }
      return [...own, ...foreign];
    },
    async getMailbox(actor, name) {
      return (await open(actor, name))?.mailbox ?? null;
    },
    async createMailbox(actor, name, specialUse) {
      const t = await target(actor, name);
      if (t === null) throw noPerm(CANNOT_CREATE);
      if (!t.foreign) {
        const parent = await creationParent(actor, t);
        const created = await inner.createMailbox(actor, t.name, specialUse);
        await inheritAcl(t, parent, created.name);
        return created;
      }
      const existing = await open(actor, name);
      if (existing !== null) throw new StoreError('ALREADYEXISTS', 'Mailbox already exists');
      const parent = await creationParent(actor, t);
      const created = await inner.createMailbox(t.owner, t.name, specialUse);
      await inheritAcl(t, parent, created.name);
      return { ...created, name: t.prefix + created.name };
    },
    async deleteMailbox(actor, name) {
      const t = await target(actor, name);
      if (t !== null && !t.foreign) return inner.deleteMailbox(actor, t.name);
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      if (!o.rights.includes('x')) throw noPerm('no delete right');
      return inner.deleteMailbox(o.owner, o.name);
    },
    async renameMailbox(actor, oldName, newName) {
      const from = await target(actor, oldName);
      const to = await target(actor, newName);
      if (from !== null && !from.foreign && to !== null && !to.foreign) return inner.renameMailbox(actor, from.name, to.name);
      const o = await open(actor, oldName);
      if (o === null) throw noSuchMailbox();
      // RFC 4314 §4 RENAME: "x" on the mailbox, "k" on the new parent; never across owners.
      if (!o.rights.includes('x')) throw noPerm('no delete right on the mailbox');
      if (to === null || to.owner.accountId !== o.owner.accountId) throw new StoreError('CANNOT', 'Mailboxes cannot be renamed into another namespace');
      await creationParent(actor, to);
      return inner.renameMailbox(o.owner, o.name, to.name);
    },
    async counts(actor, mailboxId) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      const counts = await inner.counts(o.owner, mailboxId);
      if (!o.foreign) return counts;
      // Another account's mailbox: UNSEEN is the actor's (decision 0019). Two reads, so a change
      // in between may show for one call; never below zero.
      const seen = await inner.countSeenMarks(o.owner, mailboxId, actor.accountId);
      return { ...counts, unseen: Math.max(0, counts.messages - seen) };
    },
    async claimRecent(actor, mailboxId) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return inner.claimRecent(o.owner, mailboxId);
    },
  };
}
