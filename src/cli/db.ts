/**
 * `facteur db migrate` and `facteur db check`: schema and consistency maintenance of the
 * configured store, through the composition root (src/main.ts), so this module never knows
 * which backend it talks to.
 *
 * Invariants:
 * - migrate prints the schema version before and after; exit 0. check prints one line per
 *   problem (naming account/mailbox and UID, or the blob) and a summary; exit 0 when clean,
 *   1 when problems were found. check never writes to the store.
 * - A store that cannot be reached or opened is a StoreError: main() prints one line, exit 1
 *   (the code every administrative command uses; only `deliver` speaks sysexits).
 */
import { loadConfigWithArgs } from '../config/index.js';
import { CliError, type CliIo, type ServerApi } from './io.js';
import { DB_USAGE } from './usage.js';
import { dispatch, type Noun } from './subcommands.js';

function noArgs(positionals: string[], usage: string): void {
  if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (usage: ${usage})`);
}

function need<K extends 'migrateStore' | 'checkStore'>(api: ServerApi, key: K): NonNullable<ServerApi[K]> {
  const fn = api[key];
  if (fn === undefined) throw new CliError(`this build cannot run db ${key === 'migrateStore' ? 'migrate' : 'check'}`);
  return fn as NonNullable<ServerApi[K]>;
}

async function migrate(args: string[], io: CliIo): Promise<number> {
  const { config, positionals } = await loadConfigWithArgs(args, io.env);
  noArgs(positionals, 'facteur db migrate');
  const result = await need(await io.loadServerApi(), 'migrateStore')(config);
  if (result.before === result.after) io.stdout.write(`schema version ${result.after}: up to date\n`);
  else io.stdout.write(`schema version ${result.before} -> ${result.after}\n`);
  return 0;
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { config, positionals } = await loadConfigWithArgs(args, io.env);
  noArgs(positionals, 'facteur db check');
  const report = await need(await io.loadServerApi(), 'checkStore')(config);
  for (const p of report.problems) io.stdout.write(`${p.where}: ${p.problem}\n`);
  const { mailboxes, messages, blobs } = report.checked;
  const scope = `${mailboxes} mailbox(es), ${messages} message(s), ${blobs} blob(s) checked`;
  if (report.problems.length === 0) {
    io.stdout.write(`no problems found; ${scope}\n`);
    return 0;
  }
  io.stdout.write(`${report.problems.length} problem(s) found; ${scope}\n`);
  return 1;
}

const NOUN: Noun = {
  name: 'db',
  usage: DB_USAGE,
  verbs: { migrate, check },
  expected: 'migrate or check',
};

export const dbCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
