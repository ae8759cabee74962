/**
 * ENABLE (RFC 5161, RFC 9051 §6.3.1): IMAP4rev2 switches this session to rev2 semantics
 * (RFC 9051 Appendix E); CONDSTORE makes it CONDSTORE-aware (RFC 7162 §3.1, RFC 5161 §3.1
 * example); QRESYNC makes it QRESYNC- and CONDSTORE-aware (RFC 7162 §3.2.3: "ENABLE QRESYNC" and
 * "ENABLE QRESYNC CONDSTORE" have identical results); UTF8=ACCEPT (RFC 6855 §3) makes mailbox
 * names UTF-8 (no modified UTF-7) and lets quoted strings carry UTF-8 both ways; unknown or
 * unadvertised extensions are ignored, as the RFC requires. UIDONLY (RFC 9586 §3) switches the
 * session to UIDs only (session/uidonly.ts).
 *
 * Invariants:
 * - "* ENABLED" lists only what this command newly enabled (RFC 9051 §6.3.1: SHOULD only
 *   contain extensions enabled by the corresponding ENABLE), and is sent even when empty.
 * - Only in the authenticated state (RFC 6855 §3: "ENABLE UTF8=ACCEPT" is only valid there).
 * - UTF8=ACCEPT is reported even when IMAP4rev2 already made names UTF-8: it is its own
 *   extension (APPEND UTF8 data, SEARCH without CHARSET). UTF8=ONLY (RFC 6855 §6) is neither
 *   advertised nor enableable (clients always send "ENABLE UTF8=ACCEPT").
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';
import { enableCondstore } from '../session/condstore.js';
import { enableQresync } from '../session/qresync.js';
import { UIDONLY, uidOnlyEnabled } from '../session/uidonly.js';

export const enableCommand: CommandSpec<'ENABLE'> = {
  name: 'ENABLE',
  states: ['authenticated'],
  updates: 'all',
  // UIDONLY (RFC 9586 §2) is complete once enabled here: session/uidonly.ts gates commands and
  // shapes FETCH/expunge responses for the whole session.
  capabilities: ['ENABLE', 'UIDONLY'],
  async handler(session, cmd) {
    const newly: string[] = [];
    let impliedCondstore = false;
    for (const cap of cmd.capabilities) {
      const upper = cap.toUpperCase();
      if (upper === 'IMAP4REV2' && !session.rev2) {
        session.rev2 = true;
        // IMAP4rev2 mailbox names and quoted strings are UTF-8 (RFC 9051 §5.1, Appendix E).
        session.utf8 = true;
        session.enabled.add('IMAP4REV2');
        newly.push('IMAP4rev2');
      } else if (upper === 'UTF8=ACCEPT' && session.deps.utf8Accept && !session.enabled.has('UTF8=ACCEPT')) {
        session.utf8 = true;
        session.enabled.add('UTF8=ACCEPT');
        newly.push('UTF8=ACCEPT');
      } else if (upper === 'CONDSTORE' && (enableCondstore(session) || impliedCondstore)) {
        newly.push('CONDSTORE');
        impliedCondstore = false;
      } else if (upper === 'QRESYNC' && session.deps.commands.capabilities().includes('QRESYNC')) {
        const r = enableQresync(session);
        if (r.qresync) newly.push('QRESYNC');
        // "ENABLE QRESYNC CONDSTORE" names both; CONDSTORE was enabled here, by QRESYNC.
        if (r.condstore) impliedCondstore = true;
      } else if (upper === UIDONLY && !uidOnlyEnabled(session)) {
        session.enabled.add(UIDONLY);
        newly.push(UIDONLY);
      }
    }
    session.writeLine(`* ENABLED${newly.map((c) => ' ' + c).join('')}`);
    return ok('ENABLE completed');
  },
};
