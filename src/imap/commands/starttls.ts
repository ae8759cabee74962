/**
 * STARTTLS (RFC 9051 §6.2.1, RFC 2595 §3.1): answer OK, then the TLS handshake; anything the
 * client sent after the command in cleartext is discarded by the session.
 */
import type { CommandSpec } from '../session/command-table.js';
import { bad, ok } from '../session/state.js';

export const starttlsCommand: CommandSpec<'STARTTLS'> = {
  name: 'STARTTLS',
  states: ['not-authenticated'],
  updates: 'none',
  async handler(session, _cmd, tag) {
    if (session.tls) return bad('TLS is already active');
    // The compression layer would sit below TLS; RFC 4978 §3 wants it above, so refuse.
    if (session.compressed) return bad('STARTTLS is not allowed after COMPRESS');
    session.writeLine(`${tag} OK Begin TLS negotiation now`);
    await session.startTls();
    return { ...ok('done'), sent: true };
  },
};
