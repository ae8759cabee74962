/**
 * Unsolicited FETCH responses for new messages of the selected mailbox: NOTIFY's MessageNew
 * fetch attributes (RFC 5465 §5.2) and SEARCH/SORT RETURN (UPDATE (fetch-att ...)) (§7).
 *
 * Invariants:
 * - They never change state: BODY[...] / BINARY[...] are rendered as their .PEEK forms (§5.2
 *   asks clients not to use items that set \Seen; a server-pushed response must not).
 * - Messages no longer in the view, awaiting an EXPUNGE, or whose content vanished meanwhile are
 *   skipped: their expunge is announced instead.
 * - Each response is drained before the next message is read (FETCH's backpressure rule).
 */
import type { Uid } from '../../store/types.js';
import type { FetchAttribute } from '../protocol/ast.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { ImapSession } from '../session/session.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { displayFlags } from '../session/updates.js';
import { condstoreEnabled } from '../session/condstore.js';
import { uidOnlyEnabled } from '../session/uidonly.js';
import { messageSource, parseStructure, planFetch, renderItems } from './fetch-items.js';

export async function unsolicitedFetch(session: ImapSession, view: MailboxView, uids: readonly number[], attributes: readonly FetchAttribute[]): Promise<void> {
  const state = session.state;
  if (state.kind !== 'selected' || state.view !== view) return;
  const actor = state.actor;
  const rows = await session.store.getMessages(actor, view.mailboxId, uids as Uid[]);
  const peeked = attributes.map((a): FetchAttribute => (a.kind === 'BODY[]' || a.kind === 'BINARY[]' ? { ...a, peek: true } : a));
  const plan = planFetch(peeked, false);
  const metas = plan.needsStructure ? await session.store.readMeta(actor, rows.map((r) => r.blobId)) : null;
  const uidOnly = uidOnlyEnabled(session);
  const condstore = condstoreEnabled(session);
  for (const row of rows) {
    const seq = view.seqOf(row.uid);
    if (seq === 0 || view.pendingExpunge.has(row.uid)) continue;
    const b = new ResponseBuilder({ utf8Accept: session.utf8 });
    b.raw(uidOnly ? `* ${row.uid} UIDFETCH ` : `* ${seq} FETCH `);
    let outcome;
    try {
      outcome = await renderItems(b, plan, {
        seq,
        uid: row.uid,
        flags: displayFlags(session, view, row.uid, row.flags),
        internalDate: row.internalDate,
        savedAt: row.savedAt,
        emailId: row.emailId,
        threadId: row.threadId,
        size: row.size,
        modseq: row.modseq,
        root: metas === null ? null : parseStructure(metas.get(row.blobId)),
        source: messageSource(row.size, (s, e) => session.store.readBlob(actor, row.blobId, s, e)),
        addFlags: false,
        addModSeq: condstore && plan.flags,
      });
    } catch {
      // Expunged (and its blob collected) meanwhile: the expunge will be announced.
      continue;
    }
    if (!outcome.ok) continue;
    session.send(b);
    await session.drainIfNeeded();
  }
}
