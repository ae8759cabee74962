/**
 * CLOSE (RFC 9051 §6.4.1): silently expunge \Deleted messages (read-write only), then leave the
 * selected state. UNSELECT (RFC 3691, RFC 9051 §6.4.2): leave without expunging.
 *
 * Invariants:
 * - CLOSE sends no EXPUNGE, no VANISHED and no HIGHESTMODSEQ, also with QRESYNC enabled
 *   (RFC 7162 §3.2.8); storage still gives the expunge a new mod-sequence and remembers the
 *   UIDs, so a later SELECT (QRESYNC ...) reports them as VANISHED (EARLIER).
 * - Neither sends "* OK [CLOSED]": that marks only an implicit close by SELECT/EXAMINE (§3.2.11).
 */
import type { CommandSpec } from '../session/command-table.js';
import { ok } from '../session/state.js';
import { isStoreError } from '../../store/errors.js';

export const closeCommand: CommandSpec<'CLOSE'> = {
  name: 'CLOSE',
  states: ['selected'],
  updates: 'none',
  async handler(session) {
    const state = session.state;
    if (state.kind !== 'selected') return ok('CLOSE completed');
    // RFC 4314 §4 CLOSE: without the "e" right the expunge is skipped and CLOSE still succeeds.
    if (!state.view.readOnly && state.view.rights.includes('e')) {
      try {
        await session.store.expunge(state.actor, state.view.mailboxId);
      } catch (e) {
        if (!isStoreError(e, 'NOPERM')) throw e;
      }
    }
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
