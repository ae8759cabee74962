/**
 * CREATE (RFC 9051 §6.3.4, with RFC 6154 §5.2 USE), DELETE (§6.3.5), RENAME (§6.3.6),
 * SUBSCRIBE / UNSUBSCRIBE (§6.3.7-8). Storage does the work and the checks; errors map through
 * the session's one table (TRYCREATE, NONEXISTENT, ALREADYEXISTS, HASCHILDREN, CANNOT).
 */
import type { SpecialUse } from '../../store/types.js';
import type { CommandSpec } from '../session/command-table.js';
import { no, ok } from '../session/state.js';

const SPECIAL_USES: readonly SpecialUse[] = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'];

/** A trailing separator only says the name will have inferiors (RFC 9051 §6.3.4). */
const stripTrailingSeparator = (name: string): string => (name.length > 1 && name.endsWith('/') ? name.slice(0, -1) : name);

export const createCommand: CommandSpec<'CREATE'> = {
  name: 'CREATE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['CREATE-SPECIAL-USE'],
  async handler(session, cmd) {
    const name = stripTrailingSeparator(cmd.mailbox);
    if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
    let use: SpecialUse | null = null;
    for (const u of cmd.specialUse) {
      const known = SPECIAL_USES.find((s) => s.toLowerCase() === u.toLowerCase());
      if (!known) return no(`Unsupported special-use attribute ${u}`, 'USEATTR');
      if (use && use !== known) return no('Only one special-use attribute per mailbox', 'USEATTR');
      use = known;
    }
    const created = await session.store.createMailbox(session.actor!, name, use);
    // RFC 8474 §4.1: every successful CREATE carries the new mailbox's MAILBOXID.
    return ok('CREATE completed', `MAILBOXID (${created.objectId})`);
  },
};

export const deleteCommand: CommandSpec<'DELETE'> = {
  name: 'DELETE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const actor = session.actor!;
    const state = session.state;
    await session.store.deleteMailbox(actor, cmd.mailbox);
    if (state.kind === 'selected' && state.view.name === cmd.mailbox) {
      // Deleting the selected mailbox leaves nothing selected.
      session.state = { kind: 'authenticated', actor };
      if (session.rev2) session.writeLine('* OK [CLOSED] Mailbox deleted');
    }
    return ok('DELETE completed');
  },
};

export const renameCommand: CommandSpec<'RENAME'> = {
  name: 'RENAME',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const to = stripTrailingSeparator(cmd.to);
    await session.store.renameMailbox(session.actor!, cmd.from, to);
    return ok('RENAME completed');
  },
};

export const subscribeCommand: CommandSpec<'SUBSCRIBE'> = {
  name: 'SUBSCRIBE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    await session.store.setSubscribed(session.actor!, cmd.mailbox, true);
    return ok('SUBSCRIBE completed');
  },
};

export const unsubscribeCommand: CommandSpec<'UNSUBSCRIBE'> = {
  name: 'UNSUBSCRIBE',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    await session.store.setSubscribed(session.actor!, cmd.mailbox, false);
    return ok('UNSUBSCRIBE completed');
  },
};
