/**
 * EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1, RFC 9051 §6.4.9): remove \Deleted
 * messages and announce each with an untagged EXPUNGE, highest sequence number first so every
 * number stays valid as the view shrinks.
 *
 * Invariants (RFC 7162 §3.2.7, §3.2.9):
 * - Once QRESYNC is enabled the removed messages are announced by one VANISHED response instead
 *   of EXPUNGE responses, and when at least one message was removed the tagged OK carries
 *   [HIGHESTMODSEQ n]. Before computing n the session folds in every other pending change
 *   (expunges included: this is a command during which they may be sent), so n never claims a
 *   change the client was not told about (RFC 7162 §3.2).
 * - MESSAGELIMIT (RFC 9738 §3.1) bounds UID EXPUNGE only, counting the \Deleted messages of its
 *   set: past the limit it removes the n with the highest UIDs and says [MESSAGELIMIT n uid]
 *   (in an untagged NO when the tagged OK carries HIGHESTMODSEQ). EXPUNGE and CLOSE are never
 *   bounded.
 */
import type { Uid } from '../../store/types.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { no, ok, type CommandResult } from '../session/state.js';
import { announceExpunges } from '../session/qresync.js';
import { highestModSeqAfterExpunge } from '../session/qresync-resync.js';
import { limitedResult, processLimit, withinProcessLimit } from '../session/message-limit.js';
import { loadRows } from './fetch.js';

async function expungeIn(session: ImapSession, uids?: number[]): Promise<CommandResult> {
  const state = session.state;
  if (state.kind !== 'selected') return no('No mailbox selected');
  if (state.view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  if (uids && uids.length === 0) return ok('EXPUNGE completed');
  const gone = await session.store.expunge(state.actor, state.view.mailboxId, uids as Uid[] | undefined);
  announceExpunges(session, state.view, gone);
  return ok('EXPUNGE completed', await highestModSeqAfterExpunge(session, gone.length));
}

export const expungeCommand: CommandSpec<'EXPUNGE'> = {
  name: 'EXPUNGE',
  states: ['selected'],
  updates: 'all',
  async handler(session) {
    return expungeIn(session);
  },
};

export const uidExpungeCommand: CommandSpec<'UID EXPUNGE'> = {
  name: 'UID EXPUNGE',
  states: ['selected'],
  updates: 'all',
  capabilities: ['UIDPLUS'],
  async handler(session, cmd) {
    const state = session.state;
    if (state.kind !== 'selected') return no('No mailbox selected');
    if (state.view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    const uids = state.view.resolveUidSet(cmd.set);
    if (uids.length <= processLimit(session)) return expungeIn(session, uids);
    // RFC 9738 §3.1: only the \Deleted messages of the set count towards MESSAGELIMIT.
    const rows = await loadRows(session, state.actor, state.view, uids);
    const deleted = rows.filter((r) => r.flags.some((f) => f.toLowerCase() === '\\deleted')).map((r) => r.uid as number).sort((a, b) => a - b);
    const bounded = withinProcessLimit(session, deleted);
    return limitedResult(session, await expungeIn(session, bounded.uids), bounded.limit);
  },
};
