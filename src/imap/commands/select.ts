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
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { MailboxView } from '../session/mailbox-view.js';
import { no, ok, type CommandResult } from '../session/state.js';
import { quotedMailbox } from '../session/names.js';
import { mailboxAttributes } from './list-attributes.js';
import { writeFlagLines } from '../session/updates.js';
import { enableCondstore, highestModSeqLine } from '../session/condstore.js';

async function select(session: ImapSession, name: string, readOnly: boolean, condstore: boolean): Promise<CommandResult> {
  const state = session.state;
  if (state.kind !== 'authenticated' && state.kind !== 'selected') return no('Not authenticated');
  const actor = state.actor;
  // No separate HIGHESTMODSEQ announcement: this command sends one below (RFC 7162 §3.1.8).
  if (condstore) enableCondstore(session, false);
  if (state.kind === 'selected') {
    // Selecting again deselects first, without expunging (RFC 9051 §6.3.2).
    session.state = { kind: 'authenticated', actor };
    if (session.rev2) session.writeLine('* OK [CLOSED] Previous mailbox closed');
  }
  const mailbox = await session.store.getMailbox(actor, name);
  if (!mailbox) return no('Mailbox does not exist', 'NONEXISTENT');
  const rows = await session.store.listMessages(actor, mailbox.id);
  const uids = rows.map((r) => r.uid as number);
  const view = new MailboxView(mailbox.id, mailbox.name, readOnly, mailbox.uidValidity, uids, mailbox.highestModSeq, mailbox.uidNext);
  let recent = 0;
  if (!session.rev2) {
    if (readOnly) {
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
  if (!session.rev2 && firstUnseen > 0) session.writeLine(`* OK [UNSEEN ${firstUnseen}] First unseen`);
  session.writeLine(`* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`);
  session.writeLine(`* OK [UIDNEXT ${mailbox.uidNext}] Predicted next UID`);
  session.writeLine(highestModSeqLine(view.modseq));
  if (session.rev2) {
    const attrs = await mailboxAttributes(session, actor, mailbox.name);
    session.writeLine(`* LIST (${attrs.join(' ')}) "/" ${quotedMailbox(session, mailbox.name)}`);
  }
  session.state = { kind: 'selected', actor, view };
  session.dirty = false;
  return ok(`${readOnly ? 'EXAMINE' : 'SELECT'} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
}

export const selectCommand: CommandSpec<'SELECT'> = {
  name: 'SELECT',
  states: ['authenticated', 'selected'],
  updates: 'none',
  capabilities: ['CONDSTORE'],
  async handler(session, cmd) {
    return select(session, cmd.mailbox, false, cmd.condstore);
  },
};

export const examineCommand: CommandSpec<'EXAMINE'> = {
  name: 'EXAMINE',
  states: ['authenticated', 'selected'],
  updates: 'none',
  async handler(session, cmd) {
    return select(session, cmd.mailbox, true, cmd.condstore);
  },
};
