/**
 * METADATA through the access layer (RFC 5464 §3.3): server entries need no right; on another
 * account's mailbox, "l" plus one of "rswip". Its /private entries are the ACTOR's (passed below
 * as privateFor), its /shared ones the mailbox's.
 *
 * Invariants:
 * - A missing or hidden mailbox answers NONEXISTENT (RFC 4314 §6, one answer for both), also when
 *   it is deleted between the check and the call.
 */
import { StoreError } from '../errors.js';
import type { Actor, MailStore } from '../types.js';
import { isPrivateEntry, mayAccessMailboxMetadata } from '../metadata.js';
import { noPerm, noSuchMailbox, type Resolver } from './resolve.js';

type MetadataMethods = Pick<MailStore, 'getMetadata' | 'setMetadata'>;

export function metadataMethods(r: Resolver): MetadataMethods {
  const { inner, target, open } = r;

  /**
   * Where a METADATA operation on mailbox `name` goes (RFC 5464 §3.3): the owner and its name,
   * and whose /private entries are meant (the actor's, also on another account's mailbox).
   * NONEXISTENT when missing or hidden (RFC 4314 §6, one answer for both); NOPERM with a
   * visible right but without "l" plus one of "rswip" for a scope named in `names`.
   */
  async function metadataTarget(
    actor: Actor,
    name: string,
    op: 'read' | 'write',
    names: readonly string[],
  ): Promise<{ owner: Actor; name: string; privateFor: number; foreign: boolean }> {
    const t = await target(actor, name);
    if (t === null) throw noSuchMailbox();
    if (!t.foreign) return { owner: actor, name: t.name, privateFor: actor.accountId, foreign: false };
    const o = await open(actor, name);
    if (o === null) throw noSuchMailbox();
    const scopes = new Set(names.map((n): 'private' | 'shared' => (isPrivateEntry(n) ? 'private' : 'shared')));
    for (const scope of scopes) if (!mayAccessMailboxMetadata(o.rights, op, scope)) throw noPerm('no right on the annotations of this mailbox');
    return { owner: o.owner, name: o.name, privateFor: actor.accountId, foreign: true };
  }

  /** A foreign mailbox deleted between the check and the call answers as if it never existed. */
  async function asChecked<T>(foreign: boolean, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (foreign && e instanceof StoreError && e.code === 'NONEXISTENT') throw noSuchMailbox();
      throw e;
    }
  }

  return {
    async getMetadata(actor, mailboxName, entries, depth) {
      if (mailboxName === null) return inner.getMetadata(actor, null, entries, depth);
      const m = await metadataTarget(actor, mailboxName, 'read', entries);
      return asChecked(m.foreign, () => inner.getMetadata(m.owner, m.name, entries, depth, m.privateFor));
    },
    async setMetadata(actor, mailboxName, writes) {
      if (mailboxName === null) return inner.setMetadata(actor, null, writes);
      const m = await metadataTarget(actor, mailboxName, 'write', writes.map((w) => w.name));
      return asChecked(m.foreign, () => inner.setMetadata(m.owner, m.name, writes, m.privateFor));
    },
  };
}
