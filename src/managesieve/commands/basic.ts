/**
 * CAPABILITY (RFC 5804 §2.4), NOOP (§2.13), LOGOUT (§2.3) and UNAUTHENTICATE (§2.14.1).
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/types.js';

export const capabilityCommand: CommandSpec<'CAPABILITY'> = {
  name: 'CAPABILITY',
  states: ['not-authenticated', 'authenticated'],
  async handler(session) {
    session.sendCapabilities();
    return { status: 'OK', sent: true };
  },
};

export const noopCommand: CommandSpec<'NOOP'> = {
  name: 'NOOP',
  states: ['not-authenticated', 'authenticated'],
  async handler(_session, cmd) {
    // §2.13: the TAG response code echoes the argument, and is absent without one.
    return cmd.tag === null ? ok('NOOP completed') : ok('Done', { name: 'TAG', value: cmd.tag });
  },
};

export const logoutCommand: CommandSpec<'LOGOUT'> = {
  name: 'LOGOUT',
  states: ['not-authenticated', 'authenticated'],
  async handler(session) {
    session.respond('OK', null, 'Logout completed');
    session.end();
    return { status: 'OK', sent: true };
  },
};

export const unauthenticateCommand: CommandSpec<'UNAUTHENTICATE'> = {
  name: 'UNAUTHENTICATE',
  // §2.14.1: valid only when authenticated; the session answers NO in any other state.
  states: ['authenticated'],
  capability: { name: 'UNAUTHENTICATE', states: ['not-authenticated', 'authenticated'] },
  async handler(session) {
    session.log.info({ user: session.actor?.name }, 'unauthenticated');
    session.unauthenticate();
    return ok('Back in the non-authenticated state');
  },
};
