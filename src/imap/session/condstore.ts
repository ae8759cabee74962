/**
 * CONDSTORE awareness of one session (RFC 7162 §3.1).
 *
 * Invariants:
 * - A session becomes "CONDSTORE-aware" through a CONDSTORE enabling command (RFC 7162 §3.1):
 *   SELECT/EXAMINE (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH with the MODSEQ item or the
 *   CHANGEDSINCE modifier, SEARCH with the MODSEQ key, STORE with UNCHANGEDSINCE, or
 *   ENABLE CONDSTORE. It stays aware until the connection ends (or UNAUTHENTICATE resets it).
 * - The first enabling command executed with a mailbox selected announces that mailbox's
 *   HIGHESTMODSEQ before anything else it sends (RFC 7162 §3.1, Example 5). The value is the
 *   modseq up to which this session has folded changes into its view, so a client never
 *   believes it saw a change it was not told about.
 * - Once aware, every FETCH response that carries FLAGS also carries MODSEQ (RFC 7162 §3.1,
 *   §3.1.3 last paragraph, §3.1.4.2), and the FETCH responses caused by STORE, by a FETCH that
 *   set \Seen or by other sessions also carry UID (RFC 7162 §3.2.4, a SHOULD for CONDSTORE-only
 *   servers per §3.1.4.2). Facteur never answers NOMODSEQ: every mailbox has persistent modseqs.
 */
import type { ImapSession } from './session.js';

export const CONDSTORE = 'CONDSTORE';

/** True once the session issued a CONDSTORE enabling command. */
export function condstoreEnabled(session: ImapSession): boolean {
  return session.enabled.has(CONDSTORE);
}

/**
 * Marks the session CONDSTORE-aware. Returns true when this call enabled it. When it did and a
 * mailbox is selected, writes "* OK [HIGHESTMODSEQ n]" (RFC 7162 §3.1) unless `announce` is false
 * (SELECT/EXAMINE send HIGHESTMODSEQ themselves, RFC 7162 §3.1.2.1).
 */
export function enableCondstore(session: ImapSession, announce = true): boolean {
  if (session.enabled.has(CONDSTORE)) return false;
  session.enabled.add(CONDSTORE);
  const state = session.state;
  if (announce && state.kind === 'selected') {
    session.writeLine(highestModSeqLine(state.view.modseq));
  }
  return true;
}

/** The untagged OK with the HIGHESTMODSEQ response code (RFC 7162 §3.1.2.1). */
export function highestModSeqLine(modseq: number): string {
  return `* OK [HIGHESTMODSEQ ${modseq}] Highest mod-sequence`;
}
