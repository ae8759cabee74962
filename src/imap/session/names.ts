/**
 * Mailbox names in responses: modified UTF-7 (or UTF-8 after ENABLE UTF8=ACCEPT) as a quoted
 * string (RFC 9051 §5.1, §9 "mailbox"). Names never contain CR, LF or NUL (storage refuses them).
 */
import { encodeMailboxName } from '../protocol/mailbox-name.js';
import { quoted } from '../protocol/response.js';
import type { ImapSession } from './session.js';

export function quotedMailbox(session: ImapSession, name: string): string {
  const wire = encodeMailboxName(name, session.utf8);
  return quoted(wire);
}
