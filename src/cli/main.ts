/**
 * The `facteur` command line (bin/facteur.js calls main).
 *
 * Invariants:
 * - main never throws for expected failures: CliError, ConfigError and UnsupportedSchemeError
 *   print "facteur: <message>" on stderr and return 1; no stack traces.
 * - Unexpected errors also print one line, and the stack only with FACTEUR_DEBUG=1.
 */
import { ConfigError, configReference } from '../config/index.js';
import { UnsupportedSchemeError } from '../auth/passwords.js';
import { StoreError } from '../store/errors.js';
import { CliError, realIo, type CliIo } from './io.js';
import { serveCommand } from './serve.js';
import { userCommand } from './user.js';
import { quotaCommand } from './quota.js';
import { DELIVER_USAGE, deliverCommand } from './deliver.js';
import { dbCommand } from './db.js';
import { ACL_USAGE, DB_USAGE, MAIN_USAGE, METADATA_USAGE, QUOTA_USAGE, serveUsage, STORE_USAGE, USER_USAGE } from './usage.js';
import { aclCommand } from './acl.js';
import { storeCommand } from './store.js';
import { metadataCommand } from './metadata.js';

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';

async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(MAIN_USAGE);
    return 1;
  }
  if (isHelp(command)) {
    const topic = rest[0];
    if (topic === 'serve') io.stdout.write(serveUsage());
    else if (topic === 'user') io.stdout.write(USER_USAGE);
    else if (topic === 'quota') io.stdout.write(QUOTA_USAGE);
    else if (topic === 'config') io.stdout.write(configReference() + '\n');
    else if (topic === 'deliver') io.stdout.write(DELIVER_USAGE);
    else if (topic === 'db') io.stdout.write(DB_USAGE);
    else if (topic === 'acl') io.stdout.write(ACL_USAGE);
    else if (topic === 'store') io.stdout.write(STORE_USAGE);
    else if (topic === 'metadata') io.stdout.write(METADATA_USAGE);
    else io.stdout.write(MAIN_USAGE);
    return 0;
  }
  switch (command) {
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout.write(serveUsage());
        return 0;
      }
      return serveCommand(rest, io);
    case 'user':
      return userCommand(rest, io);
    case 'quota':
      return quotaCommand(rest, io);
    case 'deliver':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout.write(DELIVER_USAGE);
        return 0;
      }
      return deliverCommand(rest, io);
    case 'db':
      return dbCommand(rest, io);
    case 'acl':
      return aclCommand(rest, io);
    case 'store':
      return storeCommand(rest, io);
    case 'metadata':
      return metadataCommand(rest, io);
    default:
      throw new CliError(`unknown command '${command}' (try 'facteur --help')`);
  }
}

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = { ...realIo(), ...io };
  try {
    return await run(argv, fullIo);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError || e instanceof UnsupportedSchemeError) {
      fullIo.stderr.write(`facteur: ${e.message}\n`);
      return 1;
    }
    if (e instanceof StoreError) {
      fullIo.stderr.write(`facteur: ${e.message} (${e.code})\n`);
      return 1;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    fullIo.stderr.write(`facteur: ${err.message}\n`);
    if (fullIo.env.FACTEUR_DEBUG === '1' && err.stack !== undefined) fullIo.stderr.write(err.stack + '\n');
    return 1;
  }
}
