/**
 * `facteur metadata`: the operator's server METADATA entries (RFC 5464 §3.2.1.1), which clients
 * can read but not write: /shared/comment (a note to every user, e.g. planned maintenance) and
 * vendor entries under /shared/vendor/. /shared/admin comes from --metadata-admin instead.
 *
 * Invariants:
 * - set/del go through MailStore.setServerMetadata: the same name rules, value limit and change
 *   event (sessions and other nodes hear it) as any other write.
 * - list shows the stored /shared server entries and the configured /shared/admin, one
 *   "NAME VALUE" line each (values JSON-quoted, since they may hold line breaks).
 */
import { SERVER_CHANNEL, type MailStore } from '../store/types.js';
import { CliError, type CliIo } from './io.js';
import { METADATA_USAGE } from './usage.js';
import { dispatch, withStore, type Noun } from './subcommands.js';

/** withStore for a verb that takes exactly `want` positional arguments. */
function withArgs<T>(args: string[], io: CliIo, want: number, fn: (store: MailStore, positionals: string[]) => Promise<T>): Promise<T> {
  return withStore(args, io, async (store, positionals) => {
    if (positionals.length !== want) throw new CliError(`expected ${want} argument(s) (usage: ${METADATA_USAGE.split('\n')[0]})`);
    return fn(store, positionals);
  });
}

const NOUN: Noun = {
  name: 'metadata',
  usage: METADATA_USAGE,
  verbs: {
    set: (args, io) =>
      withArgs(args, io, 2, async (store, [name, value]) => {
        await store.setServerMetadata([{ name: name!, value: Buffer.from(value!, 'utf8') }]);
        return 0;
      }),
    del: (args, io) =>
      withArgs(args, io, 1, async (store, [name]) => {
        await store.setServerMetadata([{ name: name!, value: null }]);
        return 0;
      }),
    list: (args, io) =>
      withArgs(args, io, 0, async (store) => {
        // No account has id SERVER_CHANNEL (0), so this "actor" has no /private entries: it sees
        // exactly what every user sees of the server's /shared entries.
        const entries = await store.getMetadata({ accountId: SERVER_CHANNEL, name: '' }, null, ['/shared'], 'infinity');
        for (const e of entries) io.stdout.write(`${e.name} ${JSON.stringify(e.value.toString('utf8'))}\n`);
        return 0;
      }),
  },
  expected: 'set, del or list',
};

export const metadataCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
