/**
 * ACL commands (RFC 4314 §3): GETACL, SETACL, DELETEACL, LISTRIGHTS, MYRIGHTS. Storage's access
 * layer checks the rights (§4: "a" for all but MYRIGHTS) and hides mailboxes the account may not
 * see; this file parses rights strings and writes the responses.
 *
 * Invariants:
 * - Rights in responses carry the virtual "c" and "d" (§2.1.1); SETACL accepts them and "+"/"-".
 * - An unknown or uppercase right is a BAD (§3.1: never silently ignored).
 * - A mailbox the account cannot see gets exactly the answer of a missing one (§6).
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, ok } from '../session/state.js';
import { quotedMailbox } from '../session/names.js';
import { ResponseBuilder } from '../protocol/response.js';
import { locate } from '../../store/access/namespaces.js';
import { ALL_RIGHTS, parseModification, RIGHTS_CAPABILITY, withVirtual } from '../../store/access/rights.js';

function astring(value: string): string {
  return new ResponseBuilder({ utf8Accept: true }).astring(value).toBuffer().toString('utf8');
}

const rightsText = (rights: string): string => astring(withVirtual(rights));

export const getAclCommand: CommandSpec<'GETACL'> = {
  name: 'GETACL',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['ACL', RIGHTS_CAPABILITY],
  async handler(session, cmd) {
    const entries = await session.store.getAcl(session.actor!, cmd.mailbox);
    const pairs = entries.map((e) => ` ${astring(e.identifier)} ${rightsText(e.rights)}`).join('');
    session.writeLine(`* ACL ${quotedMailbox(session, cmd.mailbox)}${pairs}`);
    return ok('GETACL completed');
  },
};

async function changeAcl(session: ImapSession, mailbox: string, identifier: string, change: string | null): Promise<void> {
  if (change === null) {
    await session.store.setAcl(session.actor!, mailbox, identifier, null);
    return;
  }
  const mod = parseModification(change);
  if ('error' in mod) throw new BadRights(mod.error);
  // "+"/"-" apply to the identifier's stored entry, in the store's transaction (RFC 4314 §3.1).
  await session.store.setAcl(session.actor!, mailbox, identifier, mod.rights, mod.mode);
}

class BadRights extends Error {}

export const setAclCommand: CommandSpec<'SETACL'> = {
  name: 'SETACL',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    try {
      await changeAcl(session, cmd.mailbox, cmd.identifier, cmd.rights);
    } catch (e) {
      if (e instanceof BadRights) return bad(e.message);
      throw e;
    }
    return ok('SETACL completed');
  },
};

export const deleteAclCommand: CommandSpec<'DELETEACL'> = {
  name: 'DELETEACL',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    await changeAcl(session, cmd.mailbox, cmd.identifier, null);
    return ok('DELETEACL completed');
  },
};

export const listRightsCommand: CommandSpec<'LISTRIGHTS'> = {
  name: 'LISTRIGHTS',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const actor = session.actor!;
    // RFC 4314 §4: LISTRIGHTS needs "a", like GETACL (which checks it and hides the mailbox).
    await session.store.getAcl(actor, cmd.mailbox);
    const loc = locate(cmd.mailbox);
    const owner = loc.kind === 'personal' ? actor.name : loc.kind === 'other' ? loc.owner : null;
    const who = astring(cmd.identifier);
    const name = quotedMailbox(session, cmd.mailbox);
    // The owner always has every right (decision 0009); anybody else can be granted each right
    // on its own (nothing is tied), "c" and "d" listed by themselves (§2.1.1).
    if (owner === cmd.identifier) session.writeLine(`* LISTRIGHTS ${name} ${who} ${rightsText(ALL_RIGHTS)}`);
    else session.writeLine(`* LISTRIGHTS ${name} ${who} "" ${[...ALL_RIGHTS, 'c', 'd'].join(' ')}`);
    return ok('LISTRIGHTS completed');
  },
};

export const myRightsCommand: CommandSpec<'MYRIGHTS'> = {
  name: 'MYRIGHTS',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const rights = await session.store.myRights(session.actor!, cmd.mailbox);
    session.writeLine(`* MYRIGHTS ${quotedMailbox(session, cmd.mailbox)} ${rightsText(rights)}`);
    return ok('MYRIGHTS completed');
  },
};
