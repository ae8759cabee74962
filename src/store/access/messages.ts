/**
 * Messages and flags through the access layer (RFC 4314 §4): listing, APPEND, STORE, COPY/MOVE,
 * REPLACE, EXPUNGE and content, each checked against the actor's rights on the mailbox, then
 * called below with the mailbox OWNER as actor (resolve.ts).
 *
 * Invariants:
 * - Message rows of another account's mailbox carry blob ids marked with the mailbox
 *   ("@<mailboxId>:<blobId>"), so readBlob/readMeta check the right on that mailbox again.
 * - Flags the actor has no right for are silently not stored or changed (RFC 4314 §4).
 * - In another account's mailbox the actor's \Seen is private (seen.ts, decision 0019): rows are
 *   returned in the actor's view, STORE sends \Seen to the actor's marks and the other flags to
 *   the message, new messages carry \Seen as the actor's mark.
 */
import { StoreError } from '../errors.js';
import type {
  Actor,
  AppendOptions,
  CopyResult,
  FlagOperation,
  MailStore,
  MessageRow,
  ModSeq,
  NewMessage,
  ReplaceResult,
  SeenMarksResult,
  StoreFlagsResult,
  Uid,
} from '../types.js';
import { allFlagRights, allowedFlags, anyFlagRight, deniedFlags } from './flags.js';
import { transferBetweenOwners } from './transfer.js';
import { foreignBlob, mark, type Opened, type OpenedId, type Resolver } from './resolve.js';
import { admitFlags, carrySeen, isSeen, readerView } from './seen.js';

type MessageMethods = Pick<
  MailStore,
  'append' | 'listMessages' | 'getMessages' | 'changesSince' | 'storeFlags' | 'copy' | 'move' | 'replace' | 'expunge' | 'readBlob' | 'readMeta'
>;

export function messageMethods(r: Resolver): MessageMethods {
  const { inner, need, destination } = r;

  /** The shared flags (every flag in one's own mailbox): only those `rights` allow change. */
  async function storeShared(
    owner: Actor,
    rights: string,
    mailboxId: number,
    uids: readonly Uid[],
    op: FlagOperation,
    flags: readonly string[],
    unchangedSince?: ModSeq,
  ): Promise<StoreFlagsResult> {
    if (allFlagRights(rights)) return inner.storeFlags(owner, mailboxId, uids, op, flags, unchangedSince);
    const none: StoreFlagsResult = { updated: [], modified: [] };
    if (!anyFlagRight(rights)) return none;
    if (op !== 'set') {
      const allowed = allowedFlags(flags, rights);
      return allowed.length === 0 ? none : inner.storeFlags(owner, mailboxId, uids, op, allowed, unchangedSince);
    }
    // Replacing the flag set changes only the flags the actor may change; messages are grouped
    // by the flags they keep, one storage call per group (RFC 4314 §4 STORE).
    const requested = allowedFlags(flags, rights);
    const groups = new Map<string, { keep: string[]; uids: Uid[] }>();
    for (const row of await inner.getMessages(owner, mailboxId, uids)) {
      const keep = deniedFlags(row.flags, rights).sort();
      const key = keep.join(' ');
      const g = groups.get(key) ?? { keep, uids: [] };
      g.uids.push(row.uid);
      groups.set(key, g);
    }
    const out: StoreFlagsResult = { updated: [], modified: [] };
    for (const g of groups.values()) {
      const res = await inner.storeFlags(owner, mailboxId, g.uids, 'set', [...requested, ...g.keep], unchangedSince);
      out.updated.push(...res.updated);
      out.modified.push(...res.modified);
    }
    out.updated.sort((a, b) => a.uid - b.uid);
    out.modified.sort((a, b) => a - b);
    return out;
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
    if (!o.foreign) return storeShared(o.owner, o.rights, mailboxId, uids, op, flags, unchangedSince);
    // Another account's mailbox (decision 0019): \Seen is the actor's mark, the rest shared. The
    // owner's \Seen is a flag the actor may not change, so STORE FLAGS keeps it.
    const asked = flags.some(isSeen);
    const shared =
      op === 'set' || flags.some((f) => !isSeen(f))
        ? await storeShared(o.owner, o.rights.replace('s', ''), mailboxId, uids, op, flags.filter((f) => !isSeen(f)), unchangedSince)
        : { updated: [], modified: [] };
    if (!o.rights.includes('s') || (op !== 'set' && !asked)) return inView(actor, o.owner, mailboxId, shared, null);
    const seen = op === 'set' ? asked : op === 'add';
    const options = { replace: op === 'set' };
    // RFC 7162 §3.1.3 across the two writes: what the first refused is not written at all; what
    // it changed passed the UNCHANGEDSINCE test in its transaction (its new modseq is ours).
    const refused = new Set<number>(shared.modified);
    const changed = new Set<number>(shared.updated.map((u) => u.uid));
    const rest = uids.filter((u) => !refused.has(u));
    let marks: SeenMarksResult;
    if (unchangedSince === undefined) {
      marks = await inner.storeSeenMarks(o.owner, mailboxId, actor.accountId, rest, seen, options);
    } else {
      const passed = await inner.storeSeenMarks(o.owner, mailboxId, actor.accountId, rest.filter((u) => changed.has(u)), seen, options);
      const checked = await inner.storeSeenMarks(o.owner, mailboxId, actor.accountId, rest.filter((u) => !changed.has(u)), seen, {
        ...options,
        unchangedSince,
      });
      marks = { updated: [...passed.updated, ...checked.updated], modified: checked.modified };
    }
    return inView(actor, o.owner, mailboxId, shared, marks);
  }

  /**
   * One STORE's result in the actor's view: flags re-read as the actor sees them, the higher
   * modseq of the two writes per UID, MODIFIED of both.
   */
  async function inView(actor: Actor, owner: Actor, mailboxId: number, shared: StoreFlagsResult, marks: SeenMarksResult | null): Promise<StoreFlagsResult> {
    const modseqs = new Map<number, ModSeq>();
    for (const u of [...shared.updated, ...(marks?.updated ?? [])]) modseqs.set(u.uid, Math.max(modseqs.get(u.uid) ?? 0, u.modseq) as ModSeq);
    const modified = [...new Set([...shared.modified, ...(marks?.modified ?? [])])].sort((a, b) => a - b);
    if (modseqs.size === 0) return { updated: [], modified };
    const rows = await readerView(inner, owner, mailboxId, actor.accountId, await inner.getMessages(owner, mailboxId, [...modseqs.keys()] as Uid[]));
    return { updated: rows.map((row) => ({ uid: row.uid, modseq: modseqs.get(row.uid)!, flags: row.flags })), modified };
  }

  /** The actor's view of rows of a mailbox reached as `o` (its own: as they are). */
  const viewOf = async (actor: Actor, o: OpenedId, mailboxId: number, rows: MessageRow[], all = false): Promise<MessageRow[]> =>
    o.foreign ? mark(await readerView(inner, o.owner, mailboxId, actor.accountId, rows, all), mailboxId, true) : rows;

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
      return transferBetweenOwners(
        inner,
        { owner: src.owner, mailboxId: sourceId, reader: src.foreign ? actor.accountId : null },
        uids,
        { owner: dest.owner, name: dest.name, mailboxId: dest.mailbox.id, reader: dest.foreign ? actor.accountId : null, rights: dest.rights },
        move,
      );
    }
    // Within one owner the message's flags (the owner's \Seen included) are copied as they are;
    // in another account's mailboxes the actor's marks follow the copies (decision 0019).
    const keepRights = dest.foreign ? dest.rights + 's' : dest.rights;
    const sources = allFlagRights(keepRights) ? [] : await inner.getMessages(src.owner, sourceId, uids);
    const marked = dest.foreign && dest.rights.includes('s') ? new Set<number>(await inner.seenMarks(src.owner, sourceId, actor.accountId, uids)) : new Set<number>();
    const result = move ? await inner.move(src.owner, sourceId, uids, dest.name) : await inner.copy(src.owner, sourceId, uids, dest.name);
    await dropDeniedFlags(src.owner, { ...dest, rights: keepRights }, sources, result);
    const carried = result.destUids.filter((_, i) => marked.has(result.sourceUids[i]!));
    await carrySeen(inner, dest.owner, dest.mailbox.id, actor.accountId, carried);
    return result;
  }

  /** A new message for `dest`, with the flags admitted there (seen.ts admitFlags). */
  const admit = (dest: Opened, m: NewMessage): { message: NewMessage; seen: boolean } => {
    const { flags, seen } = admitFlags(m.flags, dest.rights, dest.foreign);
    return { message: flags === m.flags ? m : { ...m, flags }, seen };
  };

  return {
    async append(actor, mailboxName, messages, options?: AppendOptions) {
      const dest = await destination(actor, mailboxName, options?.post === true ? 'p' : 'i');
      const admitted = messages.map((m) => admit(dest, m));
      const result = await inner.append(dest.owner, dest.name, admitted.map((a) => a.message), options);
      await carrySeen(inner, dest.owner, dest.mailbox.id, actor.accountId, result.uids.filter((_, i) => admitted[i]!.seen));
      return result;
    },
    async listMessages(actor, mailboxId) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return viewOf(actor, o, mailboxId, await inner.listMessages(o.owner, mailboxId), true);
    },
    async getMessages(actor, mailboxId, uids) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      return viewOf(actor, o, mailboxId, await inner.getMessages(o.owner, mailboxId, uids));
    },
    async changesSince(actor, mailboxId, since) {
      const o = await need(actor, mailboxId, 'r', 'no read right');
      const changes = await inner.changesSince(o.owner, mailboxId, since);
      return o.foreign ? { ...changes, changed: await viewOf(actor, o, mailboxId, changes.changed) } : changes;
    },
    storeFlags,
    copy: (actor, sourceId, uids, destName) => copyOrMove(actor, sourceId, uids, destName, false),
    move: (actor, sourceId, uids, destName) => copyOrMove(actor, sourceId, uids, destName, true),
    async replace(actor, sourceId, uid, destName, message) {
      // RFC 8508 §3.4: an APPEND to the destination plus STORE \Deleted and EXPUNGE in the source.
      const src = await need(actor, sourceId, 'rte', 'no right to delete and expunge in the source');
      const dest = await destination(actor, destName, 'i');
      const { message: msg, seen } = admit(dest, message);
      let result: ReplaceResult;
      if (dest.owner.accountId === src.owner.accountId) {
        result = await inner.replace(src.owner, sourceId, uid, dest.name, msg);
      } else {
        const [row] = await inner.getMessages(src.owner, sourceId, [uid]);
        if (row === undefined) throw new StoreError('NONEXISTENT', 'The message no longer exists');
        const appended = await inner.append(dest.owner, dest.name, [msg]);
        await inner.storeFlags(src.owner, sourceId, [uid], 'add', ['\\Deleted']);
        await inner.expunge(src.owner, sourceId, [uid]);
        result = { uidValidity: appended.uidValidity, uid: appended.uids[0]!, modseq: appended.modseq };
      }
      if (seen) await carrySeen(inner, dest.owner, dest.mailbox.id, actor.accountId, [result.uid]);
      return result;
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
