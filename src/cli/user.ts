/**
 * `facteur user ...`: account administration through the MailStore interface.
 *
 * Invariants:
 * - Names are validated (auth/account-name.ts) before the store is touched.
 * - New passwords are hashed with the default KDF ({SCRYPT}); imports keep each hash as is,
 *   after checking its scheme without running any KDF, and insert in one createAccounts batch.
 * - The store is always closed, on every path.
 * - Import exit code: 0 when every line was usable, 1 when some were malformed (the good
 *   ones are still imported).
 */
import { readFile } from 'node:fs/promises';
import { accountNameProblem, newAccountNameProblem } from '../auth/account-name.js';
import { parseDovecotPasswd } from '../auth/dovecot-passwd.js';
import { checkPasswordHash, hashPassword, UnsupportedSchemeError } from '../auth/passwords.js';
import { isStoreError } from '../store/errors.js';
import { readNewPassword } from './password-input.js';
import { CliError, type CliIo } from './io.js';
import { USER_USAGE } from './usage.js';
import { dispatch, withStore, type Noun } from './subcommands.js';

function oneArg(positionals: string[], what: string, usage: string): string {
  if (positionals.length === 0) throw new CliError(`missing ${what} (usage: ${usage})`);
  if (positionals.length > 1) throw new CliError(`unexpected argument '${positionals[1]}' (usage: ${usage})`);
  return positionals[0];
}

function validName(name: string, isNew = false): string {
  const problem = isNew ? newAccountNameProblem(name) : accountNameProblem(name);
  if (problem !== null) throw new CliError(`invalid account name ${JSON.stringify(name)}: ${problem}`);
  return name;
}

async function add(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const name = validName(oneArg(positionals, 'account NAME', 'facteur user add NAME'), true);
    if ((await store.getAccount(name)) !== null) throw new CliError(`account ${name} already exists`);
    const hash = await hashPassword(await readNewPassword(io));
    try {
      await store.createAccount(name, hash);
    } catch (e) {
      if (isStoreError(e, 'ALREADYEXISTS')) throw new CliError(`account ${name} already exists`);
      throw e;
    }
    io.stdout.write(`created account ${name}\n`);
    return 0;
  });
}

async function passwd(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const name = validName(oneArg(positionals, 'account NAME', 'facteur user passwd NAME'));
    if ((await store.getAccount(name)) === null) throw new CliError(`no account named ${name}`);
    const hash = await hashPassword(await readNewPassword(io));
    try {
      await store.setPasswordHash(name, hash);
    } catch (e) {
      if (isStoreError(e, 'NONEXISTENT')) throw new CliError(`no account named ${name}`);
      throw e;
    }
    io.stdout.write(`password changed for ${name}\n`);
    return 0;
  });
}

async function del(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const name = validName(oneArg(positionals, 'account NAME', 'facteur user del NAME'));
    try {
      await store.deleteAccount(name);
    } catch (e) {
      if (isStoreError(e, 'NONEXISTENT')) throw new CliError(`no account named ${name}`);
      throw e;
    }
    io.stdout.write(`deleted account ${name}\n`);
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (usage: facteur user list)`);
    const names = (await store.listAccounts()).map((a) => a.name);
    if (names.length > 0) io.stdout.write(names.join('\n') + '\n');
    return 0;
  });
}

async function importFile(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const file = oneArg(positionals, 'FILE', 'facteur user import FILE');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const parsed = parseDovecotPasswd(text);
    const problems = [...parsed.malformed];
    const seen = new Map<string, number>();
    const batch: Array<{ name: string; passwordHash: string }> = [];
    for (const e of parsed.entries) {
      const first = seen.get(e.name);
      if (first !== undefined) {
        problems.push({ line: e.line, message: `duplicate of line ${first} (${e.name})` });
        continue;
      }
      try {
        checkPasswordHash(e.passwordHash);
      } catch (err) {
        if (!(err instanceof UnsupportedSchemeError)) throw err;
        problems.push({ line: e.line, message: `${e.name}: ${err.message}` });
        continue;
      }
      seen.set(e.name, e.line);
      batch.push({ name: e.name, passwordHash: e.passwordHash });
    }
    problems.sort((a, b) => a.line - b.line);
    for (const p of problems) io.stderr.write(`${file}:${p.line}: ${p.message}\n`);
    const result = batch.length > 0 ? await store.createAccounts(batch) : { created: 0, skipped: [] };
    const shown = result.skipped.slice(0, 20);
    for (const name of shown) io.stderr.write(`skipped ${name}: account already exists\n`);
    if (result.skipped.length > shown.length) io.stderr.write(`... and ${result.skipped.length - shown.length} more skipped\n`);
    io.stdout.write(`imported ${file}: ${result.created} created, ${result.skipped.length} skipped (already exist), ${problems.length} malformed\n`);
    return problems.length > 0 ? 1 : 0;
  });
}

const NOUN: Noun = {
  name: 'user',
  usage: USER_USAGE,
  verbs: { add, passwd, del, delete: del, list, import: importFile },
  expected: 'add, passwd, del, list or import',
};

export const userCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
