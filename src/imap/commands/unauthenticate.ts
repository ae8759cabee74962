/** UNAUTHENTICATE (RFC 8437): back to the not-authenticated state on the same connection. */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const unauthenticateCommand: CommandSpec<'UNAUTHENTICATE'> = {
  name: 'UNAUTHENTICATE',
  states: ['authenticated', 'selected'],
  updates: 'none',
  capabilities: ['UNAUTHENTICATE'],
  async handler(session) {
    session.unauthenticate();
    return ok('Unauthenticated; you may authenticate again');
  },
};
