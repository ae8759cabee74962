/**
 * NOTIFY (RFC 5465 §3.1): NOTIFY SET [STATUS] event-groups, NOTIFY NONE. The state and the
 * notifications live in session/notify.ts; this handler validates, builds the state, writes the
 * initial STATUS responses and supplies the FETCH and LIST renderers.
 *
 * Invariants:
 * - BAD cases are refused by the parser (protocol/notify-parser.ts). Unknown events and
 *   AnnotationChange (ANNOTATE is not supported) are NO [BADEVENT (<every supported event>)]
 *   (§3.1: "MUST refuse ... with a tagged NO response (not a BAD)", listing all supported).
 * - A refused NOTIFY leaves the previous NOTIFY state in effect; a successful one replaces it.
 * - NOTIFY is followed by the 'all' safe point, which returns the selected mailbox's pending
 *   changes: "a successful NOTIFY SET command implies an implicit NOOP" (§3.1).
 * - MessageNew FETCH responses never change state: BODY[...] is rendered as BODY.PEEK would be
 *   (§5.2 asks clients not to use items that set \Seen; a server-pushed response must not).
 */
import type { Uid } from '../../store/types.js';
import type { FetchAttribute as FetchAtt } from '../protocol/ast.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { no, ok } from '../session/state.js';
import { displayFlags } from '../session/updates.js';
import { condstoreEnabled } from '../session/condstore.js';
import { uidOnlyEnabled } from '../session/uidonly.js';
import { NotifyOverflow, NotifyState, SUPPORTED_EVENTS, type NotifyRenderers } from '../session/notify.js';
import { attributesOf } from './list-attributes.js';
import { messageSource, parseStructure, planFetch, renderItems } from './fetch-items.js';

async function fetchNew(session: ImapSession, view: MailboxView, uids: readonly number[], attributes: readonly FetchAtt[]): Promise<void> {
  const state = session.state;
  if (state.kind !== 'selected' || state.view !== view) return;
  const actor = state.actor;
  const rows = await session.store.getMessages(actor, view.mailboxId, uids as Uid[]);
  const peeked = attributes.map((a): FetchAtt => (a.kind === 'BODY[]' || a.kind === 'BINARY[]' ? { ...a, peek: true } : a));
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

const renderers: NotifyRenderers = { fetchNew, listAttributes: attributesOf };

export const notifyCommand: CommandSpec<'NOTIFY'> = {
  name: 'NOTIFY',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['NOTIFY'],
  async handler(session, cmd) {
    const actor = session.actor!;
    const set = cmd.set;
    if (set === null) {
      session.notify?.close();
      session.notify = null;
      return ok('NOTIFY completed');
    }
    const unsupported = set.groups.some((g) => g.unknown.length > 0 || g.events.includes('AnnotationChange'));
    if (unsupported) return no('Unsupported NOTIFY event', `BADEVENT (${SUPPORTED_EVENTS.join(' ')})`);
    const next = new NotifyState(session, actor, set, renderers);
    try {
      await next.start(set.status);
    } catch (e) {
      next.close();
      if (e instanceof NotifyOverflow) return no('Too many mailboxes to watch', 'NOTIFICATIONOVERFLOW');
      throw e;
    }
    session.notify?.close();
    session.notify = next;
    return ok('NOTIFY completed');
  },
};
