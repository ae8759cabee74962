/**
 * IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then changes to the selected mailbox are
 * pushed as they happen (EXPUNGE included) until the client sends DONE.
 */
import type { CommandSpec } from '../session/command-table.js';
import { syncView } from '../session/updates.js';
import { bad, ok } from '../session/state.js';

export const idleCommand: CommandSpec<'IDLE'> = {
  name: 'IDLE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['IDLE'],
  async handler(session) {
    session.writeLine('+ idling');
    let wake: (() => void) | null = null;
    // Set before the first await: a shutdown from here on sees an idling session (drain: BYE now).
    session.idleNotify = () => wake?.();
    try {
      // What other nodes acknowledged before IDLE is reported now, not at the next change.
      await session.catchUp();
      if (!session.isClosed) await syncView(session, true);
      const line = session.nextLine();
      let finished = false;
      void line.then(() => {
        finished = true;
        wake?.();
      });
      while (!finished && !session.isClosed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (session.dirty || session.notify?.pending || finished || session.isClosed) resolve();
        });
        wake = null;
        if (session.dirty && !session.isClosed) await syncView(session, true);
        // RFC 5465 §4: during IDLE exactly the events NOTIFY asked for (STATUS, LIST, METADATA).
        if (session.notify?.pending && !session.isClosed) await session.notify.emit();
      }
      const bytes = await line;
      if (bytes === null) return ok('IDLE ended');
      if (bytes.toString('latin1').trim().toUpperCase() !== 'DONE') return bad('Expected DONE to end IDLE');
      return ok('IDLE terminated');
    } finally {
      session.idleNotify = null;
    }
  },
};
