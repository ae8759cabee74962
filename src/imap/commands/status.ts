/**
 * STATUS (RFC 9051 §6.3.11; SIZE per RFC 8438; DELETED per RFC 9051; HIGHESTMODSEQ per
 * RFC 7162 §3.1.7; DELETED-STORAGE per RFC 9208 §4.1.4). statusLine also serves LIST RETURN (STATUS ...) (RFC 5819).
 *
 * Invariants:
 * - STATUS with HIGHESTMODSEQ is a CONDSTORE enabling command (RFC 7162 §3.1); LIST-STATUS is
 *   not in that list and does not enable CONDSTORE.
 * - HIGHESTMODSEQ is the mailbox's stored highest modseq, never 0 (every mailbox keeps modseqs).
 * - MAILBOXID (RFC 8474 §4.3) is the stored object id, the same one SELECT and CREATE report.
 */
import type { Actor, Mailbox } from '../../store/types.js';
import type { StatusItem } from '../protocol/ast.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { no, ok } from '../session/state.js';
import { quotedMailbox } from '../session/names.js';
import { enableCondstore } from '../session/condstore.js';

export async function statusLine(session: ImapSession, actor: Actor, mailbox: Mailbox, items: readonly StatusItem[]): Promise<string> {
  const needCounts = items.some((i) => i === 'MESSAGES' || i === 'UNSEEN' || i === 'DELETED' || i === 'SIZE' || i === 'RECENT' || i === 'DELETED-STORAGE');
  // Another account's mailbox: counts are read anyway, since that is where storage checks the
  // "r" right STATUS needs (RFC 4314 §4), whatever the items.
  const counts = needCounts || mailbox.accountId !== actor.accountId ? await session.store.counts(actor, mailbox.id) : null;
  const parts: string[] = [];
  for (const item of items) {
    switch (item) {
      case 'MESSAGES':
        parts.push(`MESSAGES ${counts!.messages}`);
        break;
      case 'RECENT':
        parts.push(`RECENT ${session.rev2 ? 0 : counts!.recent}`);
        break;
      case 'UNSEEN':
        parts.push(`UNSEEN ${counts!.unseen}`);
        break;
      case 'DELETED':
        parts.push(`DELETED ${counts!.deleted}`);
        break;
      case 'SIZE':
        parts.push(`SIZE ${counts!.size}`);
        break;
      case 'DELETED-STORAGE':
        // RFC 9208 §4.1.4: what EXPUNGE would free. Bodies are shared by copies, so the exact
        // figure is not cheap; the section allows the sum of RFC822.SIZE of the \Deleted
        // messages, which is also exactly what the STORAGE usage drops by (store/quota).
        parts.push(`DELETED-STORAGE ${counts!.deletedSize}`);
        break;
      case 'UIDNEXT':
        parts.push(`UIDNEXT ${mailbox.uidNext}`);
        break;
      case 'UIDVALIDITY':
        parts.push(`UIDVALIDITY ${mailbox.uidValidity}`);
        break;
      case 'HIGHESTMODSEQ':
        parts.push(`HIGHESTMODSEQ ${mailbox.highestModSeq}`);
        break;
      case 'MAILBOXID':
        // RFC 8474 §4.3: status-att-val =/ "MAILBOXID" SP "(" objectid ")".
        parts.push(`MAILBOXID (${mailbox.objectId})`);
        break;
    }
  }
  return `* STATUS ${quotedMailbox(session, mailbox.name)} (${parts.join(' ')})`;
}

export const statusCommand: CommandSpec<'STATUS'> = {
  name: 'STATUS',
  states: ['authenticated', 'selected'],
  updates: 'all',
  // RFC 8474 §3: OBJECTID covers MAILBOXID here and on SELECT/CREATE, EMAILID/THREADID in
  // FETCH and SEARCH; all of them are implemented with the commands registered beside this one.
  capabilities: ['STATUS=SIZE', 'OBJECTID'],
  async handler(session, cmd) {
    const actor = session.actor!;
    // RFC 7162 §3.1: enabling; announces the selected mailbox's HIGHESTMODSEQ if first.
    if (cmd.items.includes('HIGHESTMODSEQ')) enableCondstore(session);
    const mailbox = await session.store.getMailbox(actor, cmd.mailbox);
    if (!mailbox) return no('Mailbox does not exist', 'NONEXISTENT');
    session.writeLine(await statusLine(session, actor, mailbox, cmd.items));
    return ok('STATUS completed');
  },
};
