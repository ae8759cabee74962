/**
 * REPLACE and UID REPLACE (RFC 8508): append a message to a mailbox (possibly the selected one)
 * and expunge one message of the selected mailbox, as one action.
 *
 * Invariants:
 * - Selected state only (RFC 8508 §3.5). The message argument is an RFC 4466 append-message
 *   (§5), parsed and checked exactly as APPEND's (CATENATE, literal8, APPENDLIMIT, §3.4, §4.2).
 * - Argument errors are answered before storage is touched: a message sequence number that is
 *   not in use is BAD (RFC 9051 §9 seq-number); a UID not in the view, or a message another
 *   session already expunged, is NO (RFC 8508 §3.2 "can't remove specified message"); a
 *   read-only mailbox is NO [READ-ONLY].
 * - Storage appends and expunges in ONE transaction (MailStore.replace), so every failure
 *   (TRYCREATE, BADURL, TOOBIG, a concurrent expunge) leaves both mailboxes untouched and sends
 *   no EXPUNGE (§3.4).
 * - On success the order is: "* OK [APPENDUID v uid]" untagged (§4.3 advises it before the
 *   expunge so the client learns the new UID first), then the expunge through announceExpunges
 *   (EXPUNGE, or VANISHED once QRESYNC is enabled: §4.5 treats it as a UID EXPUNGE, RFC 7162
 *   §3.2.10), then the tagged OK ([HIGHESTMODSEQ] with QRESYNC, RFC 7162 §3.2.9). An EXISTS for
 *   a replacement in the selected mailbox is folded in before the tagged OK like any update.
 */
import { StoreError } from '../../store/errors.js';
import type { Uid } from '../../store/types.js';
import type { SequenceSet } from '../protocol/ast.js';
import type { CommandSpec } from '../session/command-table.js';
import { announceExpunges } from '../session/qresync.js';
import { highestModSeqAfterExpunge } from '../session/qresync-resync.js';
import { bad, no, ok } from '../session/state.js';
import { prepareAppendMessage } from './append.js';

export const replaceCommand: CommandSpec<'REPLACE'> = {
  name: 'REPLACE',
  states: ['selected'],
  updates: 'all',
  capabilities: ['REPLACE'],
  async handler(session, cmd) {
    const state = session.state;
    if (state.kind !== 'selected') return no('No mailbox selected');
    const view = state.view;
    const set: SequenceSet = { kind: 'set', ranges: [{ start: cmd.id, end: cmd.id }] };
    let uid: number | undefined;
    if (cmd.uid) {
      uid = view.resolveUidSet(set)[0];
      if (uid === undefined) return no('No message with that UID');
    } else {
      const r = view.resolveSeqSet(set);
      if (r.invalid || r.uids.length === 0) return bad('Invalid message sequence number');
      uid = r.uids[0]!;
    }
    if (view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    if (view.pendingExpunge.has(uid)) return no('The message has been expunged', 'EXPUNGEISSUED');
    // As APPEND: a missing destination answers TRYCREATE before any CATENATE URL is resolved.
    if (cmd.message.catenate !== undefined && (await session.store.getMailbox(state.actor, cmd.mailbox)) === null) {
      return no('Destination mailbox does not exist', 'TRYCREATE');
    }
    const message = await prepareAppendMessage(session, cmd.message, Date.now());
    if ('status' in message) return message;
    let result;
    try {
      result = await session.store.replace(state.actor, view.mailboxId, uid as Uid, cmd.mailbox, message);
    } catch (e) {
      // Expunged by another session since the view last synchronised: nothing was stored.
      if (e instanceof StoreError && e.code === 'NONEXISTENT' && !(await session.store.getMessages(state.actor, view.mailboxId, [uid as Uid])).length) {
        return no('The message has been expunged', 'EXPUNGEISSUED');
      }
      throw e;
    }
    session.writeLine(`* OK [APPENDUID ${result.uidValidity} ${result.uid}] Replacement Message ready`);
    announceExpunges(session, view, [uid]);
    return ok('REPLACE completed', await highestModSeqAfterExpunge(session, 1));
  },
};
