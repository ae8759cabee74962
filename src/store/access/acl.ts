/**
 * ACL commands through the access layer (RFC 4314 §3, §4: GETACL, SETACL, DELETEACL need "a";
 * MYRIGHTS needs a visible right) and the URLAUTH keys, which stay with the mailbox's owner.
 *
 * Invariants:
 * - The owner's implicit rights are shown as its entry (RFC 4314 §3.6 examples list the owner),
 *   except for the shared namespace's internal owner.
 * - Only identifiers that can match someone may get an entry (Resolver.checkIdentifier).
 */
import type { MailStore } from '../types.js';
import { ALL_RIGHTS } from './rights.js';
import { SHARED_OWNER } from './namespaces.js';
import { noPerm, noSuchMailbox, type Resolver } from './resolve.js';

type AclMethods = Pick<MailStore, 'getAcl' | 'setAcl' | 'myRights' | 'urlAuthKey' | 'resetUrlAuthKeys'>;

export function aclMethods(r: Resolver): AclMethods {
  const { inner, open, openId, checkIdentifier } = r;
  return {
    // --- URLAUTH keys stay with the mailbox's owner ---
    async urlAuthKey(actor, mailboxId, create) {
      const o = await openId(actor, mailboxId);
      if (o.foreign) throw noSuchMailbox();
      return inner.urlAuthKey(actor, mailboxId, create);
    },
    async resetUrlAuthKeys(actor, mailboxId) {
      if (mailboxId !== null && (await openId(actor, mailboxId)).foreign) throw noSuchMailbox();
      return inner.resetUrlAuthKeys(actor, mailboxId);
    },

    // --- access control (RFC 4314 §3, §4: GETACL, SETACL, DELETEACL need "a") ---
    async getAcl(actor, name) {
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      if (!o.rights.includes('a')) throw noPerm('no administer right');
      // The owner's implicit rights are shown as its entry (RFC 4314 §3.6 examples list the owner).
      const entries = await inner.getAcl(o.owner, o.name);
      return o.owner.name === SHARED_OWNER ? entries : [{ identifier: o.owner.name, rights: ALL_RIGHTS }, ...entries];
    },
    async setAcl(actor, name, identifier, rights, mode = 'set') {
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      if (!o.rights.includes('a')) throw noPerm('no administer right');
      // Removing rights needs no check: an identifier without an entry changes nothing.
      if (rights !== null && rights !== '' && mode !== 'remove') await checkIdentifier(identifier, o.owner);
      return inner.setAcl(o.owner, o.name, identifier, rights, mode);
    },
    async myRights(actor, name) {
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      return o.rights;
    },
  };
}
