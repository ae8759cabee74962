/**
 * The access layer (RFC 4314 ACL, RFC 2342 namespaces): the outermost decorator of the domain
 * store (store/domain.ts). Every protocol reaches mail through it.
 *
 * Invariants:
 * - Names are the actor's: personal, "Other Users/<owner>/...", "Shared/..." (namespaces.ts).
 *   Each call is translated into (owner, owner's name) and the layer below is called with the
 *   OWNER as actor, after the actor's rights were checked (RFC 4314 §4); layers below (quotas)
 *   therefore always see the owner.
 * - The owner has every right on its mailboxes and no entry restricts it (decision 0009).
 * - A mailbox on which the actor has none of VISIBLE_RIGHTS does not exist for it: every answer
 *   is the one a missing mailbox gets (RFC 4314 §6), with the same error code and text.
 *   With a visible right but not the needed one, the answer is NOPERM.
 * - Rights are read on every call (nothing is cached but the immutable mailbox -> owner map), so
 *   SETACL/DELETEACL apply to the next command of every session (RFC 4314 §5.1.1).
 * - Message rows of another account's mailbox carry blob ids marked with the mailbox
 *   ("@<mailboxId>:<blobId>"), so readBlob/readMeta check the right on that mailbox again.
 * - Flags the actor has no right for are silently not stored or changed (RFC 4314 §4).
 * - METADATA (RFC 5464 §3.3) on another account's mailbox: "l" plus one of "rswip"; its /private
 *   entries are the ACTOR's (passed below as privateFor), its /shared ones the mailbox's.
 */
import { StoreError } from '../errors.js';
import type {
  AccountRecord,
  AclEntry,
  Actor,
  AppendOptions,
  CopyResult,
  FlagOperation,
  Mailbox,
  MailStore,
  MessageRow,
  ModSeq,
  NewMessage,
  QuotaRootReport,
  StoreFlagsResult,
  Uid,
} from '../types.js';
import { INITIAL_MAILBOXES, superiorsOf } from '../mailbox-names.js';
import { ALL_RIGHTS, ANYONE, AUTHENTICATED, effectiveRights, identifiersOf, visible } from './rights.js';
import { isReservedAccount, locate, NOLOGIN_HASH, prefixOf, SHARED_OWNER, shadowedPersonalName } from './namespaces.js';
import { allFlagRights, allowedFlags, anyFlagRight, deniedFlags } from './flags.js';
import { transferBetweenOwners } from './transfer.js';
import { isPrivateEntry, mayAccessMailboxMetadata } from '../metadata.js';

export { SHARED_OWNER } from './namespaces.js';

/** Mailbox ids whose owner is remembered (ownership never changes; ids are never reused). */
const OWNER_CACHE_SIZE = 10_000;

/** Where a name the actor sent leads. */
interface Target {
  owner: Actor;
  /** The name in the owner's namespace. */
  name: string;
  /** What the actor's names for this owner's mailboxes start with ("" for its own). */
  prefix: string;
  foreign: boolean;
}

/** An existing mailbox the actor can see, with its rights. */
interface Opened extends Target {
  mailbox: Mailbox;
  rights: string;
}

const noSuchMailbox = (): StoreError => new StoreError('NONEXISTENT', 'No such mailbox');
const noSuchDestination = (): StoreError => new StoreError('TRYCREATE', 'No such mailbox');
const noPerm = (what: string): StoreError => new StoreError('NOPERM', `Permission denied: ${what}`);
const foreignBlob = /^@(\d+):(.*)$/s;
/** One text for every refused CREATE, so the answer tells nothing about what exists. */
const CANNOT_CREATE = 'cannot create mailboxes there';

export function accessStore(inner: MailStore): MailStore {
  const owners = new Map<number, number>();
  const remember = (mailboxId: number, accountId: number): void => {
    if (owners.size >= OWNER_CACHE_SIZE) owners.clear();
    owners.set(mailboxId, accountId);
  };

  /** The owner of the reserved shared namespace, if it was ever created. */
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

  /** The mailbox `name` if the actor can see it, else null (missing and hidden alike). */
  async function open(actor: Actor, name: string): Promise<Opened | null> {
    const t = await target(actor, name);
    if (t === null) return null;
    const mailbox = await inner.getMailbox(t.owner, t.name);
    if (mailbox === null) return null;
    const rights = await rightsOn(actor, t, mailbox.id);
    if (!visible(rights)) return null;
    return { ...t, name: mailbox.name, mailbox: { ...mailbox, name: t.prefix + mailbox.name }, rights };
  }

  /** The mailbox by id, with the actor's rights, or NONEXISTENT when it cannot see it. */
  async function openId(actor: Actor, mailboxId: number): Promise<{ owner: Actor; foreign: boolean; rights: string }> {
    if (owners.get(mailboxId) === actor.accountId) return { owner: actor, foreign: false, rights: ALL_RIGHTS };
    const found = await inner.mailboxById(mailboxId);
    if (found === null) throw noSuchMailbox();
    remember(mailboxId, found.mailbox.accountId);
    if (found.mailbox.accountId === actor.accountId) return { owner: actor, foreign: false, rights: ALL_RIGHTS };
    const rights = effectiveRights(actor.name, await inner.mailboxAcl(mailboxId));
    if (!visible(rights)) throw noSuchMailbox();
    return { owner: { accountId: found.mailbox.accountId, name: found.owner }, foreign: true, rights };
  }

  async function need(actor: Actor, mailboxId: number, rights: string, what: string): Promise<{ owner: Actor; foreign: boolean; rights: string }> {
    const o = await openId(actor, mailboxId);
    for (const r of rights) if (!o.rights.includes(r)) throw noPerm(what);
    return o;
  }

  /** A write destination (APPEND, COPY, MOVE): TRYCREATE when missing or hidden. */
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

  /** Marks blob ids of another account's rows so readBlob/readMeta can check again. */
  const mark = (rows: MessageRow[], mailboxId: number, foreign: boolean): MessageRow[] =>
    foreign ? rows.map((r) => ({ ...r, blobId: `@${mailboxId}:${r.blobId}` })) : rows;

  /** Before creating `name` in t.owner's namespace: the nearest existing superior, checked for "k". */
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

  /** RFC 4314 §4 CREATE: a new mailbox SHOULD inherit its parent's ACL (also created superiors). */
  async function inheritAcl(t: Target, parent: Mailbox | null, created: string): Promise<void> {
    if (parent === null) return;
    const entries = await inner.mailboxAcl(parent.id);
    if (entries.length === 0) return;
    const names = [...superiorsOf(created).filter((s) => s.length > parent.name.length && s.startsWith(parent.name + '/')), created];
    for (const n of names) for (const e of entries) await inner.setAcl(t.owner, n, e.identifier, e.rights);
  }

  /** Whether `identifier` may appear in an ACL: anyone, authenticated, or an account ("-" allowed). */
  async function checkIdentifier(identifier: string, owner: Actor): Promise<void> {
    const base = identifier.startsWith('-') ? identifier.slice(1) : identifier;
    if (base === ANYONE || base === AUTHENTICATED) return;
    if (base === owner.name) throw new StoreError('CANNOT', 'The owner always has all rights; its entry cannot be changed');
    if (base === '' || isReservedAccount(base) || (await inner.getAccount(base)) === null) {
      throw new StoreError('CANNOT', `Unknown identifier ${JSON.stringify(identifier)}`);
    }
  }

  async function storeFlags(
    actor: Actor,
    mailboxId: number,
    uids: readonly Uid[],
    op: FlagOperation,
    flags: readonly string[],
    unchangedSince?: ModSeq,
  ): Promise<StoreFlagsResult> {
    const o = await need(actor, mailboxId, 'r', 'no read right');
    if (allFlagRights(o.rights)) return inner.storeFlags(o.owner, mailboxId, uids, op, flags, unchangedSince);
    const none: StoreFlagsResult = { updated: [], modified: [] };
    if (!anyFlagRight(o.rights)) return none;
    if (op !== 'set') {
      const allowed = allowedFlags(flags, o.rights);
      return allowed.length === 0 ? none : inner.storeFlags(o.owner, mailboxId, uids, op, allowed, unchangedSince);
    }
    // Replacing the flag set changes only the flags the actor may change; messages are grouped
    // by the flags they keep, one storage call per group (RFC 4314 §4 STORE).
    const requested = allowedFlags(flags, o.rights);
    const groups = new Map<string, { keep: string[]; uids: Uid[] }>();
    for (const row of await inner.getMessages(o.owner, mailboxId, uids)) {
      const keep = deniedFlags(row.flags, o.rights).sort();
      const key = keep.join(' ');
      const g = groups.get(key) ?? { keep, uids: [] };
      g.uids.push(row.uid);
      groups.set(key, g);
    }
    const out: StoreFlagsResult = { updated: [], modified: [] };
    for (const g of groups.values()) {
      const r = await inner.storeFlags(o.owner, mailboxId, g.uids, 'set', [...requested, ...g.keep], unchangedSince);
      out.updated.push(...r.updated);
      out.modified.push(...r.modified);
    }
    out.updated.sort((a, b) => a.uid - b.uid);
    out.modified.sort((a, b) => a - b);
    return out;
  }

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

  /** After a same-owner copy into a mailbox where the actor may not set some flags: clear them. */
  async function dropDeniedFlags(owner: Actor, dest: Opened, sources: readonly MessageRow[], result: CopyResult): Promise<void> {
    if (allFlagRights(dest.rights)) return;
    const flags = new Map(sources.map((r) => [r.uid as number, r.flags]));
    const byFlag = new Map<string, Uid[]>();
    result.sourceUids.forEach((src, i) => {
      for (const f of deniedFlags(flags.get(src) ?? [], dest.rights)) {
        const list = byFlag.get(f) ?? [];
        list.push(result.destUids[i]!);
        byFlag.set(f, list);
      }
    });
    for (const [f, uids] of byFlag) await inner.storeFlags(owner, dest.mailbox.id, uids, 'remove', [f]);
  }

  async function copyOrMove(actor: Actor, sourceId: number, uids: readonly Uid[], destName: string, move: boolean): Promise<CopyResult> {
    // RFC 6851 §4.2: MOVE needs what UID STORE (\Deleted: t), UID COPY and UID EXPUNGE (e) need.
    const src = await need(actor, sourceId, move ? 'rte' : 'r', move ? 'no right to delete and expunge in the source' : 'no read right');
    const dest = await destination(actor, destName, 'i');
    if (dest.owner.accountId !== src.owner.accountId) {
      return transferBetweenOwners(inner, src.owner, sourceId, uids, dest.owner, dest.name, (f) => allowedFlags(f, dest.rights), move);
    }
    const sources = allFlagRights(dest.rights) ? [] : await inner.getMessages(src.owner, sourceId, uids);
    const result = move ? await inner.move(src.owner, sourceId, uids, dest.name) : await inner.copy(src.owner, sourceId, uids, dest.name);
    await dropDeniedFlags(src.owner, dest, sources, result);
    return result;
  }

  const store: MailStore = {
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

    // --- mailboxes ---
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
      return inner.counts(o.owner, mailboxId);
    },
    async claimRecent(actor, mailboxId) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return inner.claimRecent(o.owner, mailboxId);
    },

    // --- messages ---
    async append(actor, mailboxName, messages, options?: AppendOptions) {
      const dest = await destination(actor, mailboxName, options?.post === true ? 'p' : 'i');
      const stored: NewMessage[] = allFlagRights(dest.rights) ? [...messages] : messages.map((m) => ({ ...m, flags: allowedFlags(m.flags, dest.rights) }));
      return inner.append(dest.owner, dest.name, stored, options);
    },
    async listMessages(actor, mailboxId) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return mark(await inner.listMessages(o.owner, mailboxId), mailboxId, o.foreign);
    },
    async getMessages(actor, mailboxId, uids) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return mark(await inner.getMessages(o.owner, mailboxId, uids), mailboxId, o.foreign);
    },
    async changesSince(actor, mailboxId, since) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      const changes = await inner.changesSince(o.owner, mailboxId, since);
      return o.foreign ? { ...changes, changed: mark(changes.changed, mailboxId, true) } : changes;
    },
    storeFlags,
    copy: (actor, sourceId, uids, destName) => copyOrMove(actor, sourceId, uids, destName, false),
    move: (actor, sourceId, uids, destName) => copyOrMove(actor, sourceId, uids, destName, true),
    async replace(actor, sourceId, uid, destName, message) {
      // RFC 8508 §3.4: an APPEND to the destination plus STORE \Deleted and EXPUNGE in the source.
      const src = await need(actor, sourceId, 'rte', 'no right to delete and expunge in the source');
      const dest = await destination(actor, destName, 'i');
      const msg = allFlagRights(dest.rights) ? message : { ...message, flags: allowedFlags(message.flags, dest.rights) };
      if (dest.owner.accountId === src.owner.accountId) return inner.replace(src.owner, sourceId, uid, dest.name, msg);
      const [row] = await inner.getMessages(src.owner, sourceId, [uid]);
      if (row === undefined) throw new StoreError('NONEXISTENT', 'The message no longer exists');
      const appended = await inner.append(dest.owner, dest.name, [msg]);
      await inner.storeFlags(src.owner, sourceId, [uid], 'add', ['\\Deleted']);
      await inner.expunge(src.owner, sourceId, [uid]);
      return { uidValidity: appended.uidValidity, uid: appended.uids[0]!, modseq: appended.modseq };
    },
    async expunge(actor, mailboxId, uids) {
      const o = await need(actor, mailboxId, 'e', 'no expunge right');
      return inner.expunge(o.owner, mailboxId, uids);
    },

    // --- content: marked ids are re-checked against their mailbox ---
    async readBlob(actor, blobId, start, end) {
      const m = foreignBlob.exec(blobId);
      if (m === null) return inner.readBlob(actor, blobId, start, end);
      const o = await need(actor, Number(m[1]), 'r', 'no read right');
      return inner.readBlob(o.owner, m[2]!, start, end);
    },
    async readMeta(actor, blobIds) {
      const own: string[] = [];
      const byMailbox = new Map<number, string[]>();
      for (const id of blobIds) {
        const m = foreignBlob.exec(id);
        if (m === null) own.push(id);
        else byMailbox.set(Number(m[1]), [...(byMailbox.get(Number(m[1])) ?? []), m[2]!]);
      }
      const out = own.length > 0 ? await inner.readMeta(actor, own) : new Map<string, string>();
      for (const [mailboxId, ids] of byMailbox) {
        const o = await need(actor, mailboxId, 'r', 'no read right');
        for (const [id, meta] of await inner.readMeta(o.owner, ids)) out.set(`@${mailboxId}:${id}`, meta);
      }
      return out;
    },

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
    async setAcl(actor, name, identifier, rights) {
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      if (!o.rights.includes('a')) throw noPerm('no administer right');
      // Removing an entry needs no check: an identifier without an entry changes nothing.
      if (rights !== null && rights !== '') await checkIdentifier(identifier, o.owner);
      return inner.setAcl(o.owner, o.name, identifier, rights);
    },
    async myRights(actor, name) {
      const o = await open(actor, name);
      if (o === null) throw noSuchMailbox();
      return o.rights;
    },

    // --- quota roots (RFC 9208 §6, docs/decisions/0010 "Quota roots of shared mailboxes") ---
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
      return Promise.all(roots.map((r) => disclose(actor, o.owner, r, o.rights.includes('r'))));
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
      return disclose(actor, owner, await inner.getQuotaRoot(owner, root), rights.some((r) => r.includes('r')));
    },
    // --- METADATA (RFC 5464 §3.3): server entries need no right; /private entries of another
    // account's mailbox are the ACTOR's own (privateFor), /shared ones the mailbox's ---
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

  /**
   * RFC 9208 §6: STORAGE and MESSAGE usage tell about the owner's messages, so they need "r" (on
   * the mailbox asked about, or for GETQUOTA on one of the root's mailboxes); MAILBOX needs no
   * right. Without "r" a root that limits STORAGE or MESSAGE is refused (NOPERM) rather than
   * reported without them, which would read as "not limited" (§4.2.1).
   */
  async function disclose(actor: Actor, owner: Actor, report: QuotaRootReport, readable: boolean): Promise<QuotaRootReport> {
    if (readable || report.resources.every((r) => r.resource === 'mailboxes')) return report;
    // A quota administrator may read the root anyway (quota/roots.ts decides who is one).
    try {
      return await inner.getQuotaRoot(actor, owner.name);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'NONEXISTENT') throw noPerm('no read right on the mailboxes of this quota root');
      throw e;
    }
  }
  return store;
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
