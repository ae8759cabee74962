/**
 * The CAPABILITY list, derived from the command table plus the session's TLS/auth situation
 * (DESIGN rule 5: never typed by hand in one place for all states).
 * RFC 9051 §6.1.1 / §7.2.2; LOGINDISABLED and STARTTLS per RFC 9051 §6.2.1-6.2.3.
 */
import type { ImapSession } from './session.js';
import { limitCapability } from './message-limit.js';

/** SASL mechanisms offered (RFC 4616 PLAIN; LOGIN for older clients). */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

export function capabilityList(session: ImapSession): string[] {
  const caps = ['IMAP4rev1', 'IMAP4rev2'];
  if (session.state.kind === 'not-authenticated') {
    if (!session.tls) caps.push('STARTTLS');
    if (session.authAllowed) {
      for (const m of SASL_MECHANISMS) caps.push(`AUTH=${m}`);
    } else {
      caps.push('LOGINDISABLED');
    }
  }
  caps.push(...session.deps.commands.capabilities());
  // RFC 9738 §3: MESSAGELIMIT=n or SAVELIMIT=n, never both; the operator's (config), so not in
  // the command table.
  if (session.state.kind !== 'not-authenticated') caps.push(limitCapability(session));
  // RFC 6855 is offered only when the operator turns it on (docs/decisions/0004).
  if (session.deps.utf8Accept) caps.push('UTF8=ACCEPT');
  return caps;
}
