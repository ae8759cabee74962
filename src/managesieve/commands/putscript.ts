/**
 * PUTSCRIPT (RFC 5804 §2.6), CHECKSCRIPT (§2.12) and HAVESPACE (§2.5), with the quotas of §1.5:
 * at most `maxScripts` scripts per account (QUOTA/MAXSCRIPTS) of at most `maxScriptSize`
 * octets each (QUOTA/MAXSIZE).
 *
 * Invariants:
 * - A script that fails validation is never stored, and a failed PUTSCRIPT leaves any old
 *   script of that name untouched (the store write is the last step).
 * - Replacing an existing script does not count against the script count; the count check and
 *   the write run under the per-account lock, and the store checks the count again inside its
 *   write transaction, so concurrent sessions cannot overshoot it, even on other processes or
 *   nodes sharing the store.
 * - CHECKSCRIPT checks no quota (§2.12 MUST NOT); it is bounded only by the literal size.
 * - Errors: NO with the compiler's diagnostics; warnings: OK (WARNINGS) with them.
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ManageSieveSession } from '../session/session.js';
import { no, ok, type CommandResult } from '../session/types.js';
import { scriptNameProblem } from '../protocol/script-name.js';
import { checkScript } from './validation.js';
import { isStoreError } from '../../store/errors.js';

/** The quota verdict for storing `size` octets as `name`, or null when it fits. */
async function quotaProblem(session: ManageSieveSession, name: string, size: number): Promise<CommandResult | null> {
  const { maxScripts, maxScriptSize } = session.deps.settings;
  if (size > maxScriptSize) return no(`Script too large: at most ${maxScriptSize} octets`, 'QUOTA/MAXSIZE');
  const scripts = await session.deps.store.listSieveScripts(session.actor!);
  if (scripts.length >= maxScripts && !scripts.some((s) => s.name === name)) {
    return no(`Too many scripts: at most ${maxScripts}`, 'QUOTA/MAXSCRIPTS');
  }
  return null;
}

export const havespaceCommand: CommandSpec<'HAVESPACE'> = {
  name: 'HAVESPACE',
  states: ['authenticated'],
  async handler(session, cmd) {
    const problem = scriptNameProblem(cmd.scriptName);
    if (problem !== null) return no(problem);
    return (await quotaProblem(session, cmd.scriptName, cmd.size)) ?? ok('Putscript would succeed');
  },
};

export const putscriptCommand: CommandSpec<'PUTSCRIPT'> = {
  name: 'PUTSCRIPT',
  states: ['authenticated'],
  async handler(session, cmd) {
    const problem = scriptNameProblem(cmd.scriptName);
    if (problem !== null) return no(problem);
    // §2.6: "A script of zero length SHOULD be disallowed."
    if (cmd.script.length === 0) return no('An empty script cannot be stored');
    const checked = checkScript(session, cmd.script);
    if (!checked.ok) return no(checked.text);
    const actor = session.actor!;
    // The count check and the write are one step per account (AccountLock).
    const quota = await session.deps.accountLock.run(actor.accountId, async () => {
      const problem = await quotaProblem(session, cmd.scriptName, cmd.script.length);
      if (problem !== null) return problem;
      const { maxScripts } = session.deps.settings;
      try {
        await session.deps.store.putSieveScript(actor, cmd.scriptName, checked.source, maxScripts);
      } catch (e) {
        // Another process or node stored a script since quotaProblem counted.
        if (isStoreError(e, 'OVERQUOTA')) return no(`Too many scripts: at most ${maxScripts}`, 'QUOTA/MAXSCRIPTS');
        throw e;
      }
      return null;
    });
    if (quota !== null) return quota;
    session.log.info({ user: session.actor!.name, script: cmd.scriptName, size: cmd.script.length }, 'script stored');
    return checked.warnings !== null ? ok(checked.warnings, 'WARNINGS') : ok('Script stored');
  },
};

export const checkscriptCommand: CommandSpec<'CHECKSCRIPT'> = {
  name: 'CHECKSCRIPT',
  states: ['authenticated'],
  async handler(session, cmd) {
    const checked = checkScript(session, cmd.script);
    if (!checked.ok) return no(checked.text);
    return checked.warnings !== null ? ok(checked.warnings, 'WARNINGS') : ok('Script is valid');
  },
};
