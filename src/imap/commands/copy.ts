/**
 * COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851), with their UID forms and COPYUID (RFC 4315).
 * Storage shares blobs (no bytes copied) and moves atomically; MOVE sends COPYUID in an
 * untagged OK, then an EXPUNGE for each moved message (RFC 6851 §3.3) - or, once QRESYNC is
 * enabled, one VANISHED response and [HIGHESTMODSEQ n] in the tagged OK (RFC 6851 §4.4).
 *
 * MESSAGELIMIT / SAVELIMIT (RFC 9738 §3, §3.1): COPY is atomic, so a set of more than n messages
 * copies nothing and answers NO [MESSAGELIMIT n uid] (uid: the lowest of the n highest UIDs,
 * where a client may split the set); under SAVELIMIT too. MOVE is not atomic: it moves the n
 * highest UIDs (EXPUNGE responses highest first, as always) and says [MESSAGELIMIT n uid] in
 * the tagged OK, or in an untagged NO when the tagged line carries HIGHESTMODSEQ.
 */
import type { Uid } from '../../store/types.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandOf, CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { no, ok, type CommandResult } from '../session/state.js';
import { resolveCommandSet, withoutPendingExpunges } from './sequence.js';
import { highestWithin, limitCode, limitedResult, saveLimit, withinProcessLimit } from '../session/message-limit.js';
import { announceExpunges } from '../session/qresync.js';
import { highestModSeqAfterExpunge } from '../session/qresync-resync.js';

async function copyOrMove(session: ImapSession, cmd: CommandOf<'COPY'> | CommandOf<'MOVE'>): Promise<CommandResult> {
  const state = session.state;
  if (state.kind !== 'selected') return no('No mailbox selected');
  const view = state.view;
  const resolved = resolveCommandSet(view, cmd.set, cmd.uid);
  if (!resolved.ok) return resolved.result;
  const isMove = cmd.name === 'MOVE';
  if (isMove && view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  const live = withoutPendingExpunges(view, resolved.uids).live;
  if (!isMove) {
    // RFC 9738 §3: COPY is atomic; more than the limit copies nothing.
    const whole = highestWithin(live, saveLimit(session));
    if (whole.limit !== null) return no(`More than ${whole.limit.n} messages to copy`, limitCode(whole.limit.n, whole.limit.lowest));
  }
  // RFC 9738 §3.1: MOVE handles at most MESSAGELIMIT messages, the highest UIDs (a COPY that
  // got here is within the limit).
  const bounded = withinProcessLimit(session, live);
  // Storage gets them ascending, so COPYUID pairs source and destination UIDs in order.
  const uids = bounded.limit === null ? bounded.uids : [...bounded.uids].reverse();
  if (uids.length === 0) {
    // Nothing (left) to copy; the destination must still exist (RFC 9051 §6.4.7 TRYCREATE).
    const dest = await session.store.getMailbox(state.actor, cmd.mailbox);
    if (!dest) return no('Destination mailbox does not exist', 'TRYCREATE');
    return ok(`${cmd.name} completed`);
  }
  const work = isMove
    ? session.store.move(state.actor, view.mailboxId, uids as Uid[], cmd.mailbox)
    : session.store.copy(state.actor, view.mailboxId, uids as Uid[], cmd.mailbox);
  // RFC 9585: one storage call, reported on while it runs (progress.ts `during`).
  const result = session.progress === null ? await work : await session.progress.during(work, uids.length);
  const code = result.destUids.length > 0
    ? `COPYUID ${result.uidValidity} ${encodeSequenceSet(result.sourceUids)} ${encodeSequenceSet(result.destUids)}`
    : undefined;
  if (!isMove) return ok('COPY completed', code);
  if (code) session.writeLine(`* OK [${code}] Moved`);
  // EXPUNGE lines, or one VANISHED once QRESYNC is enabled (RFC 6851 §4.4, RFC 7162 §3.2.10).
  announceExpunges(session, view, result.sourceUids);
  return limitedResult(session, ok('MOVE completed', await highestModSeqAfterExpunge(session, result.sourceUids.length)), bounded.limit);
}

export const copyCommand: CommandSpec<'COPY'> = {
  name: 'COPY',
  states: ['selected'],
  updates: 'all',
  capabilities: ['UIDPLUS'],
  async handler(session, cmd) {
    return copyOrMove(session, cmd);
  },
};

export const moveCommand: CommandSpec<'MOVE'> = {
  name: 'MOVE',
  states: ['selected'],
  updates: 'all',
  capabilities: ['MOVE'],
  async handler(session, cmd) {
    return copyOrMove(session, cmd);
  },
};
