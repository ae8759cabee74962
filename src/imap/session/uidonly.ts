/**
 * UIDONLY (RFC 9586): once "ENABLE UIDONLY" succeeded, message sequence numbers are neither
 * accepted nor sent for the rest of the connection. This module is the one place that knows it.
 *
 * Invariants:
 * - A command that names or would return sequence numbers is refused before its handler runs,
 *   with a tagged BAD [UIDREQUIRED] (RFC 9586 §3): FETCH, STORE, SEARCH, COPY, MOVE, REPLACE,
 *   SORT and THREAD without UID, a search program with a message-number key (also under UID
 *   SEARCH/SORT/THREAD), and SELECT/EXAMINE (QRESYNC) with message sequence match data.
 *   EXPUNGE, CLOSE and the UID forms stay allowed.
 * - Every FETCH response becomes "* <uid> UIDFETCH (...)" (RFC 9586 §3.3), carrying the UID
 *   data item only when the client asked for it; every expunge is announced with VANISHED, also
 *   without QRESYNC (§3.2, qresync.ts announceExpunges); EXISTS is still sent; SELECT omits the
 *   rev1 [UNSEEN n] code, which is a sequence number.
 * - The session keeps its MailboxView (sequence numbers stay an internal detail), so every other
 *   extension (QRESYNC, CONDSTORE, SEARCHRES "$", ESEARCH) works unchanged underneath.
 */
import type { Command, SearchKey } from '../protocol/ast.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { bad, type CommandResult } from './state.js';

export const UIDONLY = 'UIDONLY';

export function uidOnlyEnabled(session: ImapSession): boolean {
  return session.enabled.has(UIDONLY);
}

/** The tagged BAD for a sequence-number command under UIDONLY (RFC 9586 §3, §4). */
export function uidRequired(): CommandResult {
  return bad('Message sequence numbers cannot be used once UIDONLY is enabled', 'UIDREQUIRED');
}

function hasSeqKey(key: SearchKey): boolean {
  switch (key.op) {
    case 'SEQ':
      return true;
    case 'NOT':
      return hasSeqKey(key.key);
    case 'OR':
      return hasSeqKey(key.a) || hasSeqKey(key.b);
    case 'AND':
      return key.keys.some(hasSeqKey);
    default:
      return false;
  }
}

/** Whether the command names or returns message sequence numbers (RFC 9586 §3). */
export function usesSequenceNumbers(cmd: Command): boolean {
  switch (cmd.name) {
    case 'FETCH':
    case 'STORE':
    case 'COPY':
    case 'MOVE':
    case 'REPLACE':
      return !cmd.uid;
    case 'SEARCH':
      return !cmd.uid || hasSeqKey(cmd.criteria);
    case 'ESEARCH':
      // RFC 7377 answers UIDs only; message-number keys remain sequence numbers.
      return hasSeqKey(cmd.criteria);
    case 'SORT':
    case 'THREAD':
      return !cmd.uid || hasSeqKey(cmd.search);
    case 'SELECT':
    case 'EXAMINE':
      return cmd.qresync?.seqMatch !== undefined;
    default:
      return false;
  }
}

/**
 * The opening of one FETCH response for `uid`, up to and including "(": "* <seq> FETCH (" or,
 * under UIDONLY, "* <uid> UIDFETCH (". `uidItem` asks for the UID data item first ("UID n" and
 * a space follow); under UIDONLY it is left out unless `uidRequested`, since the response
 * already names the UID (RFC 9586 §3.3).
 */
export function fetchOpening(session: ImapSession, view: MailboxView, uid: number, uidItem: boolean, uidRequested = false): string {
  if (uidOnlyEnabled(session)) return `* ${uid} UIDFETCH (${uidRequested ? `UID ${uid} ` : ''}`;
  return `* ${view.seqOf(uid)} FETCH (${uidItem ? `UID ${uid} ` : ''}`;
}
