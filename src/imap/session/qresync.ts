/**
 * QRESYNC awareness of one session and how it reports expunges (RFC 7162 §3.2).
 *
 * Invariants:
 * - QRESYNC is enabled only by "ENABLE QRESYNC" (RFC 7162 §3.2.3), which is also a CONDSTORE
 *   enabling command; it stays enabled until the connection ends (or UNAUTHENTICATE resets it).
 * - Once enabled, every expunge of a message the client knows - this session's EXPUNGE,
 *   UID EXPUNGE and MOVE as well as other sessions' expunges folded in at a safe point - is
 *   announced as "* VANISHED <uids>" (no EARLIER tag), never as "* n EXPUNGE" (§3.2.10,
 *   §3.2.10.2; RFC 6851 §4.4 for MOVE). Such a VANISHED lists only UIDs that are in the view
 *   when it is sent, and each of them is removed from the view, so the client's message count
 *   and sequence numbers stay equal to the view's.
 * - UIDONLY (RFC 9586 §3.2) makes them VANISHED as well, with or without QRESYNC.
 * - Without QRESYNC (or UIDONLY), expunges are announced as EXPUNGE, highest sequence number first, so every
 *   number stays valid as the view shrinks (RFC 9051 §7.5.1).
 * - VANISHED and VANISHED (EARLIER) are never combined in one response (§3.2.10); a long UID
 *   list is split over several responses of the same form, each under MAX_VANISHED_LINE octets.
 */
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { enableCondstore } from './condstore.js';
import { contextsExpunged } from './search-context.js';

export const QRESYNC = 'QRESYNC';

/** Soft bound on one VANISHED line (RFC 7162 §4 suggests clients handle ~8192-octet lines). */
const MAX_VANISHED_LINE = 8000;

/** True once the session's "ENABLE QRESYNC" was answered with ENABLED QRESYNC (RFC 7162 §3.2.3). */
export function qresyncEnabled(session: ImapSession): boolean {
  return session.enabled.has(QRESYNC);
}

/**
 * Enables QRESYNC, and with it CONDSTORE (RFC 7162 §3.2.3: ENABLE QRESYNC is a CONDSTORE
 * enabling command). Returns which of the two this call newly enabled.
 */
export function enableQresync(session: ImapSession): { qresync: boolean; condstore: boolean } {
  const condstore = enableCondstore(session);
  if (session.enabled.has(QRESYNC)) return { qresync: false, condstore };
  session.enabled.add(QRESYNC);
  return { qresync: true, condstore };
}

/** Writes "* VANISHED [(EARLIER) ]<uid-set>" lines for the UIDs (any order); nothing when empty. */
export function writeVanished(session: ImapSession, uids: readonly number[], earlier: boolean): void {
  if (uids.length === 0) return;
  writeVanishedRanges(session, encodeSequenceSet(uids).split(','), earlier);
}

/** As writeVanished, for a UID set already given as "a" / "a:b" ranges; nothing when empty. */
export function writeVanishedRanges(session: ImapSession, ranges: readonly string[], earlier: boolean): void {
  if (ranges.length === 0) return;
  const head = earlier ? '* VANISHED (EARLIER) ' : '* VANISHED ';
  let line = '';
  for (const range of ranges) {
    if (line.length > 0 && head.length + line.length + range.length + 1 > MAX_VANISHED_LINE) {
      session.writeLine(head + line);
      line = '';
    }
    line = line.length === 0 ? range : `${line},${range}`;
  }
  session.writeLine(head + line);
}

/**
 * Removes the UIDs from the view and tells the client: one VANISHED response once QRESYNC is
 * enabled (RFC 7162 §3.2.10.2), else one EXPUNGE per message, highest sequence number first
 * (RFC 9051 §7.5.1). UIDs not in the view are ignored (never announced).
 */
export function announceExpunges(session: ImapSession, view: MailboxView, uids: readonly number[]): void {
  // RFC 5267 §4.3.4: REMOVEFROM goes out while the sequence numbers are still valid.
  contextsExpunged(session, view, uids);
  // RFC 9586 §3.2: under UIDONLY expunges are VANISHED too, QRESYNC enabled or not.
  if (qresyncEnabled(session) || session.enabled.has('UIDONLY')) {
    const gone: number[] = [];
    for (const uid of uids) if (view.remove(uid) > 0) gone.push(uid);
    writeVanished(session, gone, false);
    return;
  }
  for (const uid of [...uids].sort((a, b) => b - a)) {
    const seq = view.remove(uid);
    if (seq > 0) session.writeLine(`* ${seq} EXPUNGE`);
  }
}
