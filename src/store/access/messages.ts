/**
 * Messages and flags through the access layer (RFC 4314 §4): listing, APPEND, STORE, COPY/MOVE,
 * REPLACE, EXPUNGE and content, each checked against the actor's rights on the mailbox, then
 * called below with the mailbox OWNER as actor (resolve.ts).
 *
 * Invariants:
 * - Message rows of another account's mailbox carry blob ids marked with the mailbox
 *   ("@<mailboxId>:<blobId>"), so readBlob/readMeta check the right on that mailbox again.
 * - Flags the actor has no right for are silently not stored or changed (RFC 4314 §4).
 */
import { StoreError } from '../errors.js';
import type { Actor, AppendOptions, CopyResult, FlagOperation, MailStore, MessageRow, ModSeq, NewMessage, StoreFlagsResult, Uid } from '../types.js';
import { allFlagRights, allowedFlags, anyFlagRight, deniedFlags } from './flags.js';
import { transferBetweenOwners } from './transfer.js';
import { foreignBlob, mark, type Opened, type Resolver } from './resolve.js';

type MessageMethods = Pick<
  MailStore,
  'append' | 'listMessages' | 'getMessages' | 'changesSince' | 'storeFlags' | 'copy' | 'move' | 'replace' | 'expunge' | 'readBlob' | 'readMeta'
>;

export function messageMethods(r: Resolver): MessageMethods {
  const { inner, need, destination } = r;

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
      const res = await inner.storeFlags(o.owner, mailboxId, g.uids, 'set', [...requested, ...g.keep], unchangedSince);
      out.updated.push(...res.updated);
      out.modified.push(...res.modified);
    }
    out.updated.sort((a, b) => a.uid - b.uid);
    out.modified.sort((a, b) => a - b);
    return out;
  }

  /** After a same-owner copy into a mailbox where the actor may not set some flags: clear them. */
  async function dropDeniedFlags(owner: Actor, dest: Opened, sources: readonly MessageRow[], result: CopyResult): Promise<void> {
    if (allFlagRights(dest.rights)) return;
    const flags = new Map(sources.map((s) => [s.uid as number, s.flags]));
    const byFlag = new Map<string, Uid[]>();
    result.sourceUids.forEach((src, i) => {
      for (const f of deniedFlags(flags.get(src) ?? [], dest.rights)) {
        const list = byFlag.get(f) ?? [];
        list.push(result.destUids[i]!);
        byFlag.set(f, list);
      }
    });
    for (const [f, list] of byFlag) await inner.storeFlags(owner, dest.mailbox.id, list, 'remove', [f]);
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

  return {
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
  };
}
