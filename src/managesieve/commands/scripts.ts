/**
 * LISTSCRIPTS (RFC 5804 §2.7), GETSCRIPT (§2.9), SETACTIVE (§2.8), DELETESCRIPT (§2.10) and
 * RENAMESCRIPT (§2.11) over the store's Sieve script API.
 *
 * Invariants:
 * - Names are checked against §1.6 before the store sees them; a name that cannot exist is
 *   NONEXISTENT for reads and refused for writes.
 * - SETACTIVE compiles the script first: a script that no longer compiles (the extension set
 *   changed since it was stored) is not activated, since delivery could not run it.
 * - Store errors map through session/store-errors.ts (INUSE -> ACTIVE, ...).
 */
import type { CommandSpec } from '../session/command-table.js';
import { no, ok } from '../session/types.js';
import { dataLine } from '../protocol/response.js';
import { scriptNameProblem } from '../protocol/script-name.js';
import { compileErrors } from './validation.js';

export const listscriptsCommand: CommandSpec<'LISTSCRIPTS'> = {
  name: 'LISTSCRIPTS',
  states: ['authenticated'],
  async handler(session) {
    const scripts = await session.deps.store.listSieveScripts(session.actor!);
    const lines = scripts.map((s) => (s.active ? dataLine(s.name, { atom: 'ACTIVE' }) : dataLine(s.name)));
    session.write(Buffer.concat(lines));
    return ok('Listscripts completed');
  },
};

export const getscriptCommand: CommandSpec<'GETSCRIPT'> = {
  name: 'GETSCRIPT',
  states: ['authenticated'],
  async handler(session, cmd) {
    const source = scriptNameProblem(cmd.scriptName) === null ? await session.deps.store.getSieveScript(session.actor!, cmd.scriptName) : null;
    if (source === null) return no('There is no script by that name', 'NONEXISTENT');
    // Always a literal (§2.9 example): scripts are multi-line.
    const bytes = Buffer.from(source, 'utf8');
    session.write(Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`, 'latin1'), bytes, Buffer.from('\r\n')]));
    return ok('Getscript completed');
  },
};

export const setactiveCommand: CommandSpec<'SETACTIVE'> = {
  name: 'SETACTIVE',
  states: ['authenticated'],
  async handler(session, cmd) {
    const { store } = session.deps;
    const actor = session.actor!;
    // §2.8: the empty name deactivates; doing so with nothing active is still OK.
    if (cmd.scriptName === '') {
      await store.setActiveSieveScript(actor, null);
      return ok('No script is active now');
    }
    const source = scriptNameProblem(cmd.scriptName) === null ? await store.getSieveScript(actor, cmd.scriptName) : null;
    if (source === null) return no('There is no script by that name', 'NONEXISTENT');
    const errors = compileErrors(session, source);
    if (errors !== null) return no(`The script does not compile and cannot be activated:\r\n${errors}`);
    await store.setActiveSieveScript(actor, cmd.scriptName);
    session.log.info({ user: actor.name, script: cmd.scriptName }, 'script activated');
    return ok('Script activated');
  },
};

export const deletescriptCommand: CommandSpec<'DELETESCRIPT'> = {
  name: 'DELETESCRIPT',
  states: ['authenticated'],
  async handler(session, cmd) {
    if (scriptNameProblem(cmd.scriptName) !== null) return no('There is no script by that name', 'NONEXISTENT');
    await session.deps.store.deleteSieveScript(session.actor!, cmd.scriptName);
    return ok('Script deleted');
  },
};

export const renamescriptCommand: CommandSpec<'RENAMESCRIPT'> = {
  name: 'RENAMESCRIPT',
  states: ['authenticated'],
  async handler(session, cmd) {
    if (scriptNameProblem(cmd.oldName) !== null) return no('There is no script by that name', 'NONEXISTENT');
    const problem = scriptNameProblem(cmd.newName);
    if (problem !== null) return no(problem);
    await session.deps.store.renameSieveScript(session.actor!, cmd.oldName, cmd.newName);
    return ok('Script renamed');
  },
};
