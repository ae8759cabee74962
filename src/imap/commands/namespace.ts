/**
 * NAMESPACE (RFC 9051 §6.3.10, RFC 2342): personal "" , other users "Other Users/", shared
 * "Shared/", each with separator "/" (store/access/namespaces.ts, docs/decisions/0009).
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';
import { OTHER_USERS, SEPARATOR, SHARED } from '../../store/access/namespaces.js';

export const namespaceCommand: CommandSpec<'NAMESPACE'> = {
  name: 'NAMESPACE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['NAMESPACE'],
  async handler(session) {
    session.writeLine(`* NAMESPACE (("" "${SEPARATOR}")) (("${OTHER_USERS}${SEPARATOR}" "${SEPARATOR}")) (("${SHARED}${SEPARATOR}" "${SEPARATOR}"))`);
    return ok('NAMESPACE completed');
  },
};
