/** NAMESPACE (RFC 9051 §6.3.10, RFC 2342): one personal namespace, "" with separator "/". */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const namespaceCommand: CommandSpec<'NAMESPACE'> = {
  name: 'NAMESPACE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['NAMESPACE'],
  async handler(session) {
    session.writeLine('* NAMESPACE (("" "/")) NIL NIL');
    return ok('NAMESPACE completed');
  },
};
