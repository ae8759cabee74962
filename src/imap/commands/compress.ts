/**
 * COMPRESS (RFC 4978 §3): valid after authentication (command-auth, §5), so in the authenticated
 * and selected states. "DEFLATE" is the only mechanism (§5); another is a BAD. A second COMPRESS
 * is answered NO [COMPRESSIONACTIVE] (§3, RFC 5530 §3). On success the tagged OK goes out
 * uncompressed and everything after its CRLF is raw DEFLATE in both directions
 * (session.startCompression, session/compression.ts).
 */
import type { CommandSpec } from '../session/command-table.js';
import { bad, no, ok } from '../session/state.js';

export const compressCommand: CommandSpec<'COMPRESS'> = {
  name: 'COMPRESS',
  states: ['authenticated', 'selected'],
  updates: 'none',
  capabilities: ['COMPRESS=DEFLATE'],
  async handler(session, cmd, tag) {
    if (cmd.mechanism !== 'DEFLATE') return bad(`Unknown compression mechanism ${cmd.mechanism}`);
    if (session.compressed) return no('DEFLATE active via COMPRESS', 'COMPRESSIONACTIVE');
    session.writeLine(`${tag} OK DEFLATE active`);
    session.startCompression();
    return { ...ok('done'), sent: true };
  },
};
