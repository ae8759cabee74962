/**
 * CLOSE (RFC 9051 §6.4.1): silently expunge \Deleted messages (read-write only), then leave the
 * selected state. UNSELECT (RFC 3691, RFC 9051 §6.4.2): leave without expunging.
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';

export const closeCommand: CommandSpec<'CLOSE'> = {
  name: 'CLOSE',
  states: ['selected'],
  updates: 'none',
  async handler(session) {
    const state = session.state;
    if (state.kind !== 'selected') return ok('CLOSE completed');
    if (!state.view.readOnly) await session.store.expunge(state.actor, state.view.mailboxId);
    session.state = { kind: 'authenticated', actor: state.actor };
    return ok('CLOSE completed');
  },
};

export const unselectCommand: CommandSpec<'UNSELECT'> = {
  name: 'UNSELECT',
  states: ['selected'],
  updates: 'none',
  capabilities: ['UNSELECT'],
  async handler(session) {
    const state = session.state;
    if (state.kind === 'selected') session.state = { kind: 'authenticated', actor: state.actor };
    return ok('UNSELECT completed');
  },
};
