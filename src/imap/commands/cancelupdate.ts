/**
 * CANCELUPDATE (RFC 5267 §4.3.5): stops the updates of the RETURN (UPDATE) contexts named by
 * their search tags.
 *
 * Invariants:
 * - All tags are checked before any context is dropped: a tag that names no live context (never
 *   used, already cancelled, or ended with its mailbox) is a tagged BAD and cancels nothing.
 * - Once the tagged OK is written no ESEARCH response of those contexts follows, and their tags
 *   may be used for a new UPDATE search (§4.3).
 */
import type { CommandSpec } from '../session/command-table.js';
import { bad, ok } from '../session/state.js';

export const cancelUpdateCommand: CommandSpec<'CANCELUPDATE'> = {
  name: 'CANCELUPDATE',
  states: ['selected'],
  updates: 'all',
  handler: async (session, cmd) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const contexts = state.view.contexts;
    const unknown = cmd.tags.find((t) => !contexts.has(t));
    if (unknown !== undefined) return bad('No update context has that tag');
    for (const t of cmd.tags) contexts.delete(t);
    return ok('Updates cancelled');
  },
};
