/**
 * How the access layer (index.ts) finds what a name or an id the actor sent leads to, and with
 * which rights (RFC 4314 §4, RFC 2342 namespaces): the one place where a grantee becomes the
 * mailbox OWNER before a layer below is called.
 *
 * Invariants:
 * - Names are the actor's: personal, "Other Users/<owner>/...", "Shared/..." (namespaces.ts).
 * - The owner has every right on its mailboxes and no entry restricts it (decision 0009).
 * - A mailbox on which the actor has none of VISIBLE_RIGHTS does not exist for it: every answer
 *   is the one a missing mailbox gets (RFC 4314 §6), with the same error code and text.
 *   With a visible right but not the needed one, the answer is NOPERM.
 * - Rights are read on every call (nothing is cached but the immutable mailbox -> owner map), so
 *   SETACL/DELETEACL apply to the next command of every session (RFC 4314 §5.1.1).
 */
import { StoreError } from '../errors.js';
import type { Actor, Mailbox, MailStore, MessageRow } from '../types.js';
import { superiorsOf } from '../mailbox-names.js';
import { ALL_RIGHTS, ANYONE, AUTHENTICATED, effectiveRights, visible } from './rights.js';
import { isReservedAccount, locate, prefixOf, SHARED_OWNER } from './namespaces.js';

/** Mailbox ids whose owner is remembered (ownership never changes; ids are never reused). */
const OWNER_CACHE_SIZE = 10_000;

/** Where a name the actor sent leads. */
export interface Target {
  owner: Actor;
  /** The name in the owner's namespace. */
  name: string;
  /** What the actor's names for this owner's mailboxes start with ("" for its own). */
  prefix: string;
  foreign: boolean;
}

/** An existing mailbox the actor can see, with its rights. */
export interface Opened extends Target {
  mailbox: Mailbox;
  rights: string;
}

/** A mailbox reached by id: its owner, whether it is another account's, the actor's rights. */
export interface OpenedId {
  owner: Actor;
  foreign: boolean;
  rights: string;
}

export const noSuchMailbox = (): StoreError => new StoreError('NONEXISTENT', 'No such mailbox');
export const noSuchDestination = (): StoreError => new StoreError('TRYCREATE', 'No such mailbox');
export const noPerm = (what: string): StoreError => new StoreError('NOPERM', `Permission denied: ${what}`);
/** Blob ids of another account's rows: "@<mailboxId>:<blobId>" (see mark). */
export const foreignBlob = /^@(\d+):(.*)$/s;
/** One text for every refused CREATE, so the answer tells nothing about what exists. */
export const CANNOT_CREATE = 'cannot create mailboxes there';

/** Marks blob ids of another account's rows so readBlob/readMeta can check again. */
export const mark = (rows: MessageRow[], mailboxId: number, foreign: boolean): MessageRow[] =>
  foreign ? rows.map((r) => ({ ...r, blobId: `@${mailboxId}:${r.blobId}` })) : rows;

export interface Resolver {
  readonly inner: MailStore;
  /** The owner of the reserved shared namespace, if it was ever created. */
  sharedOwner(): Promise<Actor | null>;
  target(actor: Actor, name: string): Promise<Target | null>;
  rightsOn(actor: Actor, t: Target, mailboxId: number): Promise<string>;
  /** The mailbox `name` if the actor can see it, else null (missing and hidden alike). */
  open(actor: Actor, name: string): Promise<Opened | null>;
  /** The mailbox by id, with the actor's rights, or NONEXISTENT when it cannot see it. */
  openId(actor: Actor, mailboxId: number): Promise<OpenedId>;
  /** openId, then NOPERM unless the actor has every right of `rights`. */
  need(actor: Actor, mailboxId: number, rights: string, what: string): Promise<OpenedId>;
  /** A write destination (APPEND, COPY, MOVE): TRYCREATE when missing or hidden. */
  destination(actor: Actor, name: string, right: 'i' | 'p'): Promise<Opened>;
  /** Before creating `name` in t.owner's namespace: the nearest existing superior, checked for "k". */
  creationParent(actor: Actor, t: Target): Promise<Mailbox | null>;
  /** RFC 4314 §4 CREATE: a new mailbox SHOULD inherit its parent's ACL (also created superiors). */
  inheritAcl(t: Target, parent: Mailbox | null, created: string): Promise<void>;
  /** Whether `identifier` may appear in an ACL: anyone, authenticated, or an account ("-" allowed). */
  checkIdentifier(identifier: string, owner: Actor): Promise<void>;
}

export function resolver(inner: MailStore): Resolver {
  const owners = new Map<number, number>();
  const remember = (mailboxId: number, accountId: number): void => {
    if (owners.size >= OWNER_CACHE_SIZE) owners.clear();
    owners.set(mailboxId, accountId);
  };

  async function sharedOwner(): Promise<Actor | null> {
    const rec = await inner.getAccount(SHARED_OWNER);
    return rec === null ? null : { accountId: rec.id, name: rec.name };
  }

  async function target(actor: Actor, name: string): Promise<Target | null> {
    const loc = locate(name);
    switch (loc.kind) {
      case 'personal':
        return { owner: actor, name: loc.name, prefix: '', foreign: false };
      case 'root':
        return null;
      case 'shared': {
        const owner = await sharedOwner();
        return owner === null ? null : { owner, name: loc.name, prefix: prefixOf(SHARED_OWNER), foreign: true };
      }
      case 'other': {
        if (loc.owner === actor.name || isReservedAccount(loc.owner)) return null;
        const rec = await inner.getAccount(loc.owner);
        if (rec === null) return null;
        return { owner: { accountId: rec.id, name: rec.name }, name: loc.name, prefix: prefixOf(rec.name), foreign: true };
      }
    }
  }

  const rightsOn = async (actor: Actor, t: Target, mailboxId: number): Promise<string> =>
    t.foreign ? effectiveRights(actor.name, await inner.mailboxAcl(mailboxId)) : ALL_RIGHTS;

  async function open(actor: Actor, name: string): Promise<Opened | null> {
    const t = await target(actor, name);
    if (t === null) return null;
    const mailbox = await inner.getMailbox(t.owner, t.name);
    if (mailbox === null) return null;
    const rights = await rightsOn(actor, t, mailbox.id);
    if (!visible(rights)) return null;
    return { ...t, name: mailbox.name, mailbox: { ...mailbox, name: t.prefix + mailbox.name }, rights };
  }

  async function openId(actor: Actor, mailboxId: number): Promise<OpenedId> {
    if (owners.get(mailboxId) === actor.accountId) return { owner: actor, foreign: false, rights: ALL_RIGHTS };
    const found = await inner.mailboxById(mailboxId);
    if (found === null) throw noSuchMailbox();
    remember(mailboxId, found.mailbox.accountId);
    if (found.mailbox.accountId === actor.accountId) return { owner: actor, foreign: false, rights: ALL_RIGHTS };
    const rights = effectiveRights(actor.name, await inner.mailboxAcl(mailboxId));
    if (!visible(rights)) throw noSuchMailbox();
    return { owner: { accountId: found.mailbox.accountId, name: found.owner }, foreign: true, rights };
  }

  async function need(actor: Actor, mailboxId: number, rights: string, what: string): Promise<OpenedId> {
    const o = await openId(actor, mailboxId);
    for (const r of rights) if (!o.rights.includes(r)) throw noPerm(what);
    return o;
  }

  async function destination(actor: Actor, name: string, right: 'i' | 'p'): Promise<Opened> {
    const t = await target(actor, name);
    if (t !== null && !t.foreign) {
      const mailbox = await inner.getMailbox(t.owner, t.name);
      if (mailbox === null) throw noSuchDestination();
      return { ...t, name: mailbox.name, mailbox, rights: ALL_RIGHTS };
    }
    const o = await open(actor, name);
    if (o === null) throw noSuchDestination();
    if (!o.rights.includes(right)) throw noPerm(right === 'i' ? 'no insert right' : 'no post right');
    return o;
  }

  async function creationParent(actor: Actor, t: Target): Promise<Mailbox | null> {
    for (const sup of superiorsOf(t.name).reverse()) {
      const parent = await inner.getMailbox(t.owner, sup);
      if (parent === null) continue;
      if (t.foreign && !(await rightsOn(actor, t, parent.id)).includes('k')) throw noPerm(CANNOT_CREATE);
      return parent;
    }
    // RFC 4314 §4: "k" on the parent; another account's top level has no parent to grant it.
    if (t.foreign) throw noPerm(CANNOT_CREATE);
    return null;
  }

  async function inheritAcl(t: Target, parent: Mailbox | null, created: string): Promise<void> {
    if (parent === null) return;
    const entries = await inner.mailboxAcl(parent.id);
    if (entries.length === 0) return;
    const names = [...superiorsOf(created).filter((s) => s.length > parent.name.length && s.startsWith(parent.name + '/')), created];
    for (const n of names) for (const e of entries) await inner.setAcl(t.owner, n, e.identifier, e.rights);
  }

  async function checkIdentifier(identifier: string, owner: Actor): Promise<void> {
    const base = identifier.startsWith('-') ? identifier.slice(1) : identifier;
    if (base === ANYONE || base === AUTHENTICATED) return;
    if (base === owner.name) throw new StoreError('CANNOT', 'The owner always has all rights; its entry cannot be changed');
    if (base === '' || isReservedAccount(base) || (await inner.getAccount(base)) === null) {
      throw new StoreError('CANNOT', `Unknown identifier ${JSON.stringify(identifier)}`);
    }
  }

  return { inner, sharedOwner, target, rightsOn, open, openId, need, destination, creationParent, inheritAcl, checkIdentifier };
}
