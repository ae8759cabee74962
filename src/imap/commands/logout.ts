/** LOGOUT (RFC 9051 §6.1.3): BYE, then the tagged OK, then close. */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const logoutCommand: CommandSpec<'LOGOUT'> = {
  name: 'LOGOUT',
  states: ['not-authenticated', 'authenticated', 'selected'],
  updates: 'none',
  async handler(session) {
    session.writeLine('* BYE Logging out');
    session.state = { kind: 'logout' };
    return ok('Logout completed');
  },
};
