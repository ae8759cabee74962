/** ID (RFC 2971): the server identifies itself; the client's parameters are only logged. */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const idCommand: CommandSpec<'ID'> = {
  name: 'ID',
  states: ['not-authenticated', 'authenticated', 'selected'],
  updates: 'all',
  capabilities: ['ID'],
  async handler(session, cmd) {
    if (cmd.params) session.log.debug({ id: Object.fromEntries(cmd.params) }, 'client ID');
    session.writeLine('* ID ("name" "Facteur" "vendor" "Facteur" "support-url" "https://example.invalid/facteur")');
    return ok('ID completed');
  },
};
