/** CAPABILITY (RFC 9051 §6.1.1). NOOP and CHECK (RFC 9051 §6.1.2; RFC 3501 §6.4.1). */
import type { CommandSpec } from '../session/command-table.js';
import { capabilityList } from '../session/capabilities.js';
import { ok } from '../session/state.js';

export const capabilityCommand: CommandSpec<'CAPABILITY'> = {
  name: 'CAPABILITY',
  states: ['not-authenticated', 'authenticated', 'selected'],
  updates: 'all',
  async handler(session) {
    session.writeLine(`* CAPABILITY ${capabilityList(session).join(' ')}`);
    return ok('Capability completed');
  },
};

/**
 * NOOP does nothing but gives the session a safe point to announce changes: the poll of
 * RFC 9051 §6.1.2, so it first catches up with changes other nodes acknowledged.
 */
export const noopCommand: CommandSpec<'NOOP'> = {
  name: 'NOOP',
  states: ['not-authenticated', 'authenticated', 'selected'],
  updates: 'all',
  async handler(session) {
    await session.catchUp();
    return ok('NOOP completed');
  },
};

/** CHECK was removed in IMAP4rev2 but stays valid for rev1 clients: storage is always durable. */
export const checkCommand: CommandSpec<'CHECK'> = {
  name: 'CHECK',
  states: ['selected'],
  updates: 'all',
  async handler(session) {
    await session.catchUp();
    return ok('CHECK completed');
  },
};
