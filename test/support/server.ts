/**
 * Starts a real Facteur (the composition root in src/main.ts) on free loopback ports with a
 * fresh temporary data directory, for transcript and client-library tests.
 *
 * FACTEUR_TEST_STORE=postgres runs the servers on PostgreSQL instead of SQLite (server at
 * FACTEUR_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres): the test process
 * creates its own database, each data directory gets its own schema in it (a restart on the same
 * data directory finds the same data), and the database is dropped when the process ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, openStore } from '../../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { silentLogger } from '../../src/observability/log.js';
export { freePort } from './ports.js';
import { freePort } from './ports.js';
import { createScratchDatabase, createScratchSchema, type ScratchDatabase } from '../../src/store/postgres/scratch-database.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ON_POSTGRES = process.env.FACTEUR_TEST_STORE === 'postgres';
let pgDatabase: Promise<ScratchDatabase> | null = null;
const pgSchemas = new Map<string, Promise<ScratchDatabase>>();

/** The store setting for a server on `dataDir`: 'sqlite', or its own PostgreSQL schema. */
async function storeFor(dataDir: string): Promise<string> {
  if (!ON_POSTGRES) return 'sqlite';
  if (pgDatabase === null) {
    const db = createScratchDatabase(PG_SERVER);
    pgDatabase = db;
    let dropping = false;
    process.on('beforeExit', () => {
      if (dropping) return;
      dropping = true;
      void db.then((d) => d.drop()).catch(() => undefined);
    });
  }
  const database = pgDatabase;
  let schema = pgSchemas.get(dataDir);
  if (schema === undefined) {
    schema = database.then((d) => createScratchSchema(d.url));
    pgSchemas.set(dataDir, schema);
  }
  return (await schema).url;
}


export interface TestServer {
  port: number;
  tlsPort: number;
  /** The ManageSieve listener (RFC 5804). */
  managesievePort: number;
  dataDir: string;
  config: Config;
  stop(): Promise<void>;
}

export const USER = 'alice';
export const PASS = 'wonderland-pass';

export async function startTestServer(
  opts: { users?: Array<[string, string]>; allowCleartextAuth?: boolean; dataDir?: string; utf8Accept?: boolean; progressEvery?: number; urlauthSubmitUsers?: string; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'facteur-test-'));
  const config: Config = {
    ...DEFAULT_CONFIG,
    dataDir,
    store: await storeFor(dataDir),
    host: '127.0.0.1',
    imapPort: await freePort(),
    imapsPort: await freePort(),
    managesievePort: await freePort(),
    allowCleartextAuth: opts.allowCleartextAuth ?? true,
    utf8Accept: opts.utf8Accept ?? false,
    progressEvery: opts.progressEvery ?? DEFAULT_CONFIG.progressEvery,
    urlauthSubmitUsers: opts.urlauthSubmitUsers ?? '',
    logLevel: 'silent',
    // LMTP only where a test asks for it (config.lmtpPort / lmtpSocket): port 24 is shared.
    lmtpPort: 0,
    ...opts.config,
  };
  const users = opts.users ?? [[USER, PASS]];
  if (users.length > 0) {
    const store = await openStore(config);
    for (const [name, pw] of users) {
      if (!(await store.getAccount(name))) await store.createAccount(name, await hashPassword(pw));
    }
    await store.close();
  }
  const server = await startServer(config, silentLogger);
  return {
    port: config.imapPort,
    tlsPort: config.imapsPort,
    managesievePort: config.managesievePort,
    dataDir,
    config,
    async stop() {
      await server.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
