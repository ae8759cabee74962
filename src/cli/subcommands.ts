/**
 * What every `facteur <noun> <verb> ...` command shares: the verb dispatch with its help handling,
 * and a store opened from the command's own flags (--data, --store, --config) for one verb.
 *
 * Invariants: no verb, or --help/-h/help anywhere, prints the noun's usage (exit 1 when no verb was
 * given, 0 when help was asked); an unknown verb is a CliError naming the verbs there are. The
 * store is closed whatever the verb did.
 */
import { loadConfigWithArgs, type Config } from '../config/index.js';
import type { MailStore } from '../store/types.js';
import { CliError, type CliIo } from './io.js';

export type Verb = (args: string[], io: CliIo) => Promise<number>;

export interface Noun {
  /** "acl", "quota"...: named in the unknown-verb message. */
  name: string;
  usage: string;
  /** Every verb (aliases included) and its handler. */
  verbs: Readonly<Record<string, Verb>>;
  /** The verbs as the unknown-verb message lists them ("get, set or list"). */
  expected: string;
}

export async function dispatch(noun: Noun, args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(noun.usage);
    return sub === undefined ? 1 : 0;
  }
  const verb = Object.hasOwn(noun.verbs, sub) ? noun.verbs[sub] : undefined;
  if (verb === undefined) throw new CliError(`unknown ${noun.name} command '${sub}' (expected ${noun.expected})`);
  return verb(rest, io);
}

/** Runs `run` on the store the verb's flags name, with the remaining positional arguments. */
export async function withStore<T>(args: string[], io: CliIo, run: (store: MailStore, positionals: string[], config: Config) => Promise<T>): Promise<T> {
  const { config, positionals } = await loadConfigWithArgs(args, io.env);
  const store = await (await io.loadServerApi()).openStore(config);
  try {
    return await run(store, positionals, config);
  } finally {
    await store.close();
  }
}
