/**
 * STARTTLS (RFC 5804 §2.2): OK, the TLS handshake, then the capability list again (without
 * STARTTLS) followed by OK, unasked. Bytes the client sent before the handshake are discarded.
 */
import type { CommandSpec } from '../session/command-table.js';
import { no } from '../session/types.js';

export const starttlsCommand: CommandSpec<'STARTTLS'> = {
  name: 'STARTTLS',
  states: ['not-authenticated'],
  capability: { name: 'STARTTLS', states: ['not-authenticated'] },
  async handler(session) {
    if (session.tls) return no('TLS is already active');
    session.respond('OK', null, 'Begin TLS negotiation now');
    if (await session.startTls()) {
      session.log.debug('STARTTLS completed');
      session.sendCapabilities('TLS negotiation successful');
    }
    return { status: 'OK', sent: true };
  },
};
