/**
 * SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1-2). Builds this session's
 * MailboxView: the UID list, \Recent claim (rev1, SELECT only), and the untagged data the
 * client needs to start: FLAGS, EXISTS, RECENT (rev1), UNSEEN (rev1), PERMANENTFLAGS,
 * UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and for rev2 the mailbox's LIST response.
 *
 * Invariants:
 * - Every successful SELECT/EXAMINE sends "* OK [HIGHESTMODSEQ n]" (RFC 7162 §3.1.2.1: a server
 *   with persistent mod-sequences sends it, and it MUST once CONDSTORE is enabled); never
 *   NOMODSEQ, since every mailbox keeps modseqs.
 * - The (CONDSTORE) parameter is a CONDSTORE enabling command (RFC 7162 §3.1.8), also when the
 *   mailbox turns out not to exist; CONDSTORE is advertised from this spec (RFC 7162 §3.1.1).
 * - QRESYNC (advertised from this spec, RFC 7162 §3.2.2): the (QRESYNC (...)) parameter is a
 *   tagged BAD unless the session enabled QRESYNC (§3.2.5); otherwise the mailbox is opened as
 *   usual and, when the UIDVALIDITY matches, VANISHED (EARLIER) and FETCH (UID FLAGS MODSEQ)
 *   follow the usual responses (§3.2.5.1-2, session/qresync-resync.ts).
 * - Selecting while a mailbox is selected sends "* OK [CLOSED]" before any response about the
 *   new mailbox, to every client (RFC 7162 §3.2.11, RFC 9051 §7.1).
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { MailboxView } from '../session/mailbox-view.js';
import { bad, no, ok, type CommandResult } from '../session/state.js';
import { quotedMailbox } from '../session/names.js';
import { mailboxAttributes } from './list-attributes.js';
import { writeFlagLines } from '../session/updates.js';
import { enableCondstore, highestModSeqLine } from '../session/condstore.js';
import { qresyncEnabled } from '../session/qresync.js';
import { resyncOnSelect } from '../session/qresync-resync.js';
import { uidOnlyEnabled } from '../session/uidonly.js';
import type { QresyncSelectParams } from '../protocol/ast.js';
import { URLMECH_CODE } from './urlauth.js';
import { ALL_RIGHTS } from '../../store/access/rights.js';

async function select(session: ImapSession, name: string, readOnly: boolean, condstore: boolean, qresync?: QresyncSelectParams): Promise<CommandResult> {
  const state = session.state;
  if (state.kind !== 'authenticated' && state.kind !== 'selected') return no('Not authenticated');
  // RFC 7162 §3.2.5: BAD, with the current mailbox left as it is, unless ENABLE QRESYNC came first.
  if (qresync && !qresyncEnabled(session)) return bad('QRESYNC parameter requires ENABLE QRESYNC first');
  const actor = state.actor;
  // No separate HIGHESTMODSEQ announcement: this command sends one below (RFC 7162 §3.1.8).
  if (condstore) enableCondstore(session, false);
  if (state.kind === 'selected') {
    // Selecting again deselects first, without expunging (RFC 9051 §6.3.2).
    session.state = { kind: 'authenticated', actor };
    // RFC 9051 §7.1 and RFC 7162 §3.2.11 (a CONDSTORE/QRESYNC server sends it to every client).
    session.writeLine('* OK [CLOSED] Previous mailbox closed');
  }
  const mailbox = await session.store.getMailbox(actor, name);
  if (!mailbox) return no('Mailbox does not exist', 'NONEXISTENT');
  // RFC 4314 §4: SELECT/EXAMINE need "r" (listMessages answers NOPERM without it). §5.2: without
  // "i", "e" or a "shared flag right" the answer is READ-ONLY. In another account's mailbox
  // \Seen is the reader's own (decision 0019), so "s" is no shared flag right there: with "s"
  // but none of "i e w t" the mailbox is READ-ONLY yet the reader's \Seen may change, the
  // per-user state RFC 9051 §6.3.2 lets a read-only SELECT change. EXAMINE changes nothing.
  const foreign = mailbox.accountId !== actor.accountId;
  const rights = foreign ? await session.store.myRights(actor, name) : ALL_RIGHTS;
  const rows = await session.store.listMessages(actor, mailbox.id);
  const viewReadOnly = readOnly || !/[iewst]/.test(rights);
  const reportReadOnly = viewReadOnly || (foreign && !/[iewt]/.test(rights));
  const uids = rows.map((r) => r.uid as number);
  const view = new MailboxView(mailbox.id, mailbox.name, viewReadOnly, mailbox.uidValidity, uids, mailbox.highestModSeq, mailbox.uidNext);
  view.rights = rights;
  view.sharedReadOnly = reportReadOnly;
  let recent = 0;
  if (!session.rev2) {
    if (reportReadOnly) {
      // EXAMINE reports \Recent messages without taking the flag from other sessions.
      recent = (await session.store.counts(actor, mailbox.id)).recent;
    } else {
      const claim = await session.store.claimRecent(actor, mailbox.id);
      view.addRecent(claim.from, claim.to);
      recent = view.recentCount();
    }
  }
  let firstUnseen = 0;
  rows.forEach((r, i) => {
    let seen = false;
    for (const f of r.flags) {
      if (f.startsWith('\\')) {
        if (f === '\\Seen') seen = true;
      } else if (!view.keywords.has(f.toLowerCase())) view.keywords.set(f.toLowerCase(), f);
    }
    if (!seen && firstUnseen === 0) firstUnseen = i + 1;
  });
  session.writeLine(`* ${view.exists} EXISTS`);
  if (!session.rev2) session.writeLine(`* ${recent} RECENT`);
  writeFlagLines(session, view);
  // [UNSEEN n] is a sequence number: never sent under UIDONLY (RFC 9586 §3).
  if (!session.rev2 && firstUnseen > 0 && !uidOnlyEnabled(session)) session.writeLine(`* OK [UNSEEN ${firstUnseen}] First unseen`);
  session.writeLine(`* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`);
  session.writeLine(`* OK [UIDNEXT ${mailbox.uidNext}] Predicted next UID`);
  session.writeLine(highestModSeqLine(view.modseq));
  // RFC 8474 §4.2: every successful SELECT/EXAMINE reports the MAILBOXID.
  session.writeLine(`* OK [MAILBOXID (${mailbox.objectId})] Mailbox id`);
  // RFC 4467 §8: the URLAUTH mechanisms, on every SELECT/EXAMINE.
  session.writeLine(`* OK [${URLMECH_CODE}] URLAUTH mechanisms`);
  if (session.rev2) {
    const attrs = await mailboxAttributes(session, actor, mailbox.name);
    session.writeLine(`* LIST (${attrs.join(' ')}) "/" ${quotedMailbox(session, mailbox.name)}`);
  }
  if (qresync) await resyncOnSelect(session, actor, view, rows, qresync);
  session.state = { kind: 'selected', actor, view };
  // Another account's mailbox publishes its changes on its owner's account (IDLE, updates).
  session.followAccount(mailbox.accountId);
  session.dirty = false;
  return ok(`${readOnly ? 'EXAMINE' : 'SELECT'} completed`, reportReadOnly ? 'READ-ONLY' : 'READ-WRITE');
}

export const selectCommand: CommandSpec<'SELECT'> = {
  name: 'SELECT',
  states: ['authenticated', 'selected'],
  updates: 'none',
  capabilities: ['CONDSTORE', 'QRESYNC'],
  async handler(session, cmd) {
    return select(session, cmd.mailbox, false, cmd.condstore, cmd.qresync);
  },
};

export const examineCommand: CommandSpec<'EXAMINE'> = {
  name: 'EXAMINE',
  states: ['authenticated', 'selected'],
  updates: 'none',
  async handler(session, cmd) {
    return select(session, cmd.mailbox, true, cmd.condstore, cmd.qresync);
  },
};
