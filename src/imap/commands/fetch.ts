/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9, §7.5.2; RFC 3516 BINARY; RFC 7162 §3.1.4
 * CHANGEDSINCE; RFC 8514 SAVEDATE; RFC 8970 PREVIEW; RFC 8474 EMAILID, THREADID).
 *
 * Invariants:
 * - One "* <seq> FETCH (...)" per message (under UIDONLY "* <uid> UIDFETCH (...)", RFC 9586
 *   §3.3), ascending sequence numbers (descending when MESSAGELIMIT cut the set, below); each response is written and drained (backpressure)
 *   before the next message's content is read, so at most one message body is held in memory.
 * - \Seen is set by one storeFlags call before rendering, only in a read-write mailbox and only
 *   for messages lacking it; those responses carry FLAGS even if not requested, and the changes
 *   are recorded in view.ownChanges so no unsolicited FETCH repeats them (likewise FLAGS sent
 *   for a state newer than the view, e.g. another session's change).
 * - Messages expunged by another session (pending in the view, or already gone from storage) are
 *   skipped (RFC 2180 §4.1.2): a message-number FETCH then ends NO [EXPUNGEISSUED] after the rest
 *   was sent; UID FETCH ignores them, as it ignores any nonexistent UID (RFC 9051 §6.4.9).
 * - A BINARY item on a part whose Content-Transfer-Encoding is unknown skips that message's
 *   response and ends the command NO [UNKNOWN-CTE] (RFC 3516 §4.3, RFC 9051 §7.5.2).
 * - The MODSEQ item and the CHANGEDSINCE modifier are CONDSTORE enabling commands (RFC 7162
 *   §3.1); CHANGEDSINCE keeps only messages whose modseq is above it and implies MODSEQ
 *   (§3.1.4.1). Once CONDSTORE is enabled, every response carrying FLAGS carries MODSEQ of the
 *   same state (§3.1), and one whose \Seen was just set also carries UID (§3.2.4 via §3.1.4.2).
 * - The PARTIAL modifier (UID FETCH only, RFC 9394 §3.3) keeps the messages at the range's
 *   positions among the set's messages still present (ascending UID, "-n" counting from the
 *   last), then CHANGEDSINCE filters those (§3.4).
 * - MESSAGELIMIT (RFC 9738 §3.1): a set of more than n messages fetches the n with the highest
 *   UIDs, answered from the highest UID down, and the tagged OK says [MESSAGELIMIT n uid] (an
 *   untagged NO carries it when the tagged line has a code of its own). A PARTIAL range wider
 *   than n is refused with NO [MESSAGELIMIT n] before any work.
 * - The VANISHED modifier (UID FETCH with CHANGEDSINCE only, checked by the parser) is a tagged
 *   BAD unless QRESYNC is enabled; otherwise VANISHED (EARLIER) with the UIDs of the set expunged
 *   since CHANGEDSINCE precedes every FETCH response (RFC 7162 §3.2.6).
 */
import { ResponseBuilder } from '../protocol/response.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { displayFlags } from '../session/updates.js';
import { bad, no, ok } from '../session/state.js';
import type { Actor, MessageRow, Uid } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import type { MimePart } from '../../mime/types.js';
import { condstoreEnabled, enableCondstore } from '../session/condstore.js';
import { qresyncEnabled } from '../session/qresync.js';
import { uidOnlyEnabled } from '../session/uidonly.js';
import { vanishedForFetch } from '../session/qresync-resync.js';
import { partialWindow, resolveCommandSet, withoutPendingExpunges } from './sequence.js';
import { limitCode, limitedResult, processLimit, withinProcessLimit } from '../session/message-limit.js';
import { messageSource, parseStructure, planFetch, renderItems } from './fetch-items.js';

/** Structures read per readMeta call. */
const META_BATCH = 64;

export const fetchCommand: CommandSpec<'FETCH'> = {
  name: 'FETCH',
  states: ['selected'],
  updates: 'no-expunge',
  // RFC 8514 §4.1 SAVEDATE, RFC 8970 §6 PREVIEW: FETCH items (and SEARCH keys) of this server.
  // INPROGRESS (RFC 9585): FETCH, SEARCH, SORT and THREAD report through session/progress.ts.
  capabilities: ['BINARY', 'SAVEDATE', 'PREVIEW', 'INPROGRESS'],
  handler: async (session, cmd) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const view = state.view;
    const actor = state.actor;
    // RFC 7162 §3.2.6: the VANISHED modifier is a BAD unless ENABLE QRESYNC came first.
    if (cmd.vanished === true && !qresyncEnabled(session)) return bad('VANISHED requires ENABLE QRESYNC first');
    // RFC 9738 §3.1 with RFC 9394 §3.3: a PARTIAL window wider than the limit does no work.
    const limit = processLimit(session);
    if (cmd.partial !== undefined && cmd.partial.high - cmd.partial.low + 1 > limit) {
      return no(`PARTIAL range wider than ${limit} messages`, limitCode(limit));
    }
    const resolved = resolveCommandSet(view, cmd.set, cmd.uid);
    if (!resolved.ok) return resolved.result;
    // RFC 7162 §3.1: enabling; the first one announces HIGHESTMODSEQ before any FETCH data.
    if (cmd.changedSince !== undefined || cmd.attributes.some((a) => a.kind === 'MODSEQ')) enableCondstore(session);
    // RFC 7162 §3.2.6: VANISHED (EARLIER) for the set's UIDs expunged since CHANGEDSINCE, first.
    if (cmd.vanished === true && cmd.changedSince !== undefined) await vanishedForFetch(session, actor, view, cmd.set, cmd.changedSince);
    let { live, skipped } = withoutPendingExpunges(view, resolved.uids);
    if (cmd.partial !== undefined) {
      // RFC 9394 §3.3: the range picks among the set's messages by UID order, before CHANGEDSINCE.
      const [start, end] = partialWindow(cmd.partial, live.length);
      live = live.slice(start, end);
      skipped = 0;
    }
    // RFC 9738 §3.1: at most MESSAGELIMIT messages, the highest UIDs, answered highest first.
    const bounded = withinProcessLimit(session, live);
    live = bounded.uids;
    let rows = await loadRows(session, actor, view, bounded.limit === null ? live : [...live].reverse());
    if (bounded.limit !== null) rows.reverse();
    let expunged = skipped > 0 || rows.length < live.length;
    if (cmd.changedSince !== undefined) {
      const since = cmd.changedSince;
      rows = rows.filter((r) => r.modseq > since);
    }
    const uidOnly = uidOnlyEnabled(session);
    // Under UIDONLY a UID FETCH adds no UID item of its own: UIDFETCH names it (RFC 9586 §3.3).
    const plan = planFetch(cmd.attributes, cmd.uid && !uidOnly, cmd.changedSince);
    const condstore = condstoreEnabled(session);

    // RFC 9051 §6.4.5: BODY[...], BINARY[...], RFC822 and RFC822.TEXT set \Seen.
    const changed = new Map<number, { flags: readonly string[]; modseq: number }>();
    if (plan.setsSeen && !view.readOnly) {
      const unseen = rows.filter((r) => !r.flags.some((f) => f.toLowerCase() === '\\seen')).map((r) => r.uid);
      if (unseen.length > 0) {
        const result = await session.store.storeFlags(actor, view.mailboxId, unseen, 'add', ['\\Seen']);
        for (const u of result.updated) {
          view.ownChanges.set(u.uid, u.modseq);
          changed.set(u.uid, { flags: u.flags, modseq: u.modseq });
        }
      }
    }

    let unknownCte = false;
    let done = 0;
    for (let start = 0; start < rows.length; start += META_BATCH) {
      const batch = rows.slice(start, start + META_BATCH);
      const metas = plan.needsStructure ? await session.store.readMeta(actor, batch.map((r) => r.blobId)) : null;
      for (const row of batch) {
        // RFC 9585: a checkpoint between two whole responses.
        session.progress?.step(done++, rows.length);
        const upd = changed.get(row.uid);
        const root: MimePart | null = metas === null ? null : parseStructure(metas.get(row.blobId));
        const b = new ResponseBuilder({ utf8Accept: session.utf8 });
        b.raw(uidOnly ? `* ${row.uid} UIDFETCH ` : `* ${view.seqOf(row.uid)} FETCH `);
        let outcome;
        try {
          outcome = await renderItems(b, plan, {
            seq: view.seqOf(row.uid),
            uid: row.uid,
            flags: displayFlags(session, view, row.uid, upd?.flags ?? row.flags),
            internalDate: row.internalDate,
            savedAt: row.savedAt,
            emailId: row.emailId,
            threadId: row.threadId,
            size: row.size,
            modseq: upd?.modseq ?? row.modseq,
            root,
            source: messageSource(row.size, (s, e) => session.store.readBlob(actor, row.blobId, s, e)),
            addFlags: upd !== undefined,
            addModSeq: condstore && (plan.flags || upd !== undefined),
            addUid: condstore && upd !== undefined && !uidOnly,
          });
        } catch (e) {
          // Expunged (and its blob collected) by another session since the rows were read.
          if (!isStoreError(e, 'NONEXISTENT')) throw e;
          expunged = true;
          continue;
        }
        if (!outcome.ok) {
          unknownCte = true;
          continue;
        }
        // FLAGS of a state newer than the view: the sync after the command need not repeat it.
        if (plan.flags && upd === undefined && row.modseq > view.modseq) view.ownChanges.set(row.uid, row.modseq);
        session.send(b);
        await session.drainIfNeeded();
      }
    }
    if (unknownCte) return limitedResult(session, no('Unknown Content-Transfer-Encoding', 'UNKNOWN-CTE'), bounded.limit);
    // RFC 2180 §4.1.2's wording; tools that tell this expected NO from a failure by its text
    // (imaptest's stress mode) recognise it.
    if (expunged && !cmd.uid) return limitedResult(session, no('Some of the requested messages no longer exist', 'EXPUNGEISSUED'), bounded.limit);
    return limitedResult(session, ok('Fetch completed'), bounded.limit);
  },
};

/**
 * Rows for the given UIDs (ascending), fetched by UID list for small sets and by one listing
 * of the mailbox when the set covers more than half of the view.
 */
export async function loadRows(session: ImapSession, actor: Actor, view: MailboxView, uids: readonly number[]): Promise<MessageRow[]> {
  if (uids.length === 0) return [];
  if (uids.length > view.exists / 2) {
    const wanted = new Set(uids);
    return (await session.store.listMessages(actor, view.mailboxId)).filter((r) => wanted.has(r.uid));
  }
  return session.store.getMessages(actor, view.mailboxId, uids as Uid[]);
}
