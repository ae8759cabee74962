/**
 * ENABLE (RFC 5161, RFC 9051 §6.3.1): IMAP4rev2 switches this session to rev2 semantics
 * (RFC 9051 Appendix E); unknown or unadvertised extensions are ignored, as the RFC requires.
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const enableCommand: CommandSpec<'ENABLE'> = {
  name: 'ENABLE',
  states: ['authenticated'],
  updates: 'all',
  capabilities: ['ENABLE'],
  async handler(session, cmd) {
    const newly: string[] = [];
    for (const cap of cmd.capabilities) {
      const upper = cap.toUpperCase();
      if (upper === 'IMAP4REV2' && !session.rev2) {
        session.rev2 = true;
        // IMAP4rev2 mailbox names and quoted strings are UTF-8 (RFC 9051 §5.1, Appendix E).
        session.utf8 = true;
        session.enabled.add('IMAP4REV2');
        newly.push('IMAP4rev2');
      }
    }
    session.writeLine(`* ENABLED${newly.map((c) => ' ' + c).join('')}`);
    return ok('ENABLE completed');
  },
};
