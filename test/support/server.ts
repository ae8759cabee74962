/**
 * Starts a real Facteur (the composition root in src/main.ts) on free loopback ports with a
 * fresh temporary data directory, for transcript and client-library tests.
 *
 * FACTEUR_TEST_STORE=postgres runs the servers on PostgreSQL instead of SQLite (server at
 * FACTEUR_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres): the test process
 * creates its own database, each data directory gets its own schema in it (a restart on the same
 * data directory finds the same data), and the database is dropped when the process ends.
 *
 * FACTEUR_TEST_NODES=N (2 or 3, PostgreSQL only) starts N nodes on that same schema and data
 * directory (the directory holds only the TLS material then), each on its own ports; the test
 * sees one port per protocol, a round-robin forwarder (forwarder.ts), so that its successive
 * connections go to different nodes. A test that only makes sense on one node says so with
 * `singleNode: '<reason>'`.
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
import { startForwarder, type Forwarder } from './forwarder.js';
import { createScratchDatabase, createScratchSchema, type ScratchDatabase } from '../../src/store/postgres/scratch-database.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ON_POSTGRES = process.env.FACTEUR_TEST_STORE === 'postgres';
/** Nodes per test server: several only on PostgreSQL, the store they can share. */
export const TEST_NODES = ON_POSTGRES ? Math.max(1, Math.min(3, Number(process.env.FACTEUR_TEST_NODES ?? '1') || 1)) : 1;
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
  /** The configuration as the test sees it: the public (forwarded, when several nodes) ports. */
  config: Config;
  /** How many nodes serve these ports (1 unless FACTEUR_TEST_NODES on PostgreSQL). */
  nodes: number;
  /** Each node's own IMAP port, for a test that must address one node in particular. */
  nodeImapPorts: number[];
  stop(): Promise<void>;
}

export const USER = 'alice';
export const PASS = 'wonderland-pass';

export async function startTestServer(
  opts: { singleNode?: string; users?: Array<[string, string]>; allowCleartextAuth?: boolean; dataDir?: string; utf8Accept?: boolean; progressEvery?: number; urlauthSubmitUsers?: string; config?: Partial<Config> } = {},
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
  const nodeCount = opts.singleNode !== undefined ? 1 : TEST_NODES;
  if (nodeCount === 1) {
    const server = await startServer(config, silentLogger);
    return {
      port: config.imapPort,
      tlsPort: config.imapsPort,
      managesievePort: config.managesievePort,
      dataDir,
      config,
      nodes: 1,
      nodeImapPorts: [config.imapPort],
      async stop() {
        await server.close();
        if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  // Several nodes: each listens on its own ports, the public ones are forwarders. Started one
  // after the other, so the first generates the TLS material and the others load it.
  const nodeConfigs: Config[] = [];
  const servers: Array<{ close(): Promise<void> }> = [];
  const forwarders: Forwarder[] = [];
  // freePort releases what it found, so it may hand out a port already chosen (a public one the
  // forwarder has yet to bind): never reuse one, and retry a node whose port was taken meanwhile.
  const taken = new Set([config.imapPort, config.imapsPort, config.managesievePort, config.lmtpPort]);
  const own = async (p: number): Promise<number> => {
    if (p === 0) return 0;
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  try {
    for (let i = 0; i < nodeCount; i++) {
      for (let attempt = 1; ; attempt++) {
        const nodeConfig: Config = {
          ...config,
          imapPort: await own(config.imapPort),
          imapsPort: await own(config.imapsPort),
          managesievePort: await own(config.managesievePort),
          lmtpPort: await own(config.lmtpPort),
          // A Unix socket has one owner: the first node.
          lmtpSocket: i === 0 ? config.lmtpSocket : null,
        };
        try {
          servers.push(await startServer(nodeConfig, silentLogger));
        } catch (e) {
          if ((e as { code?: unknown }).code === 'EADDRINUSE' && attempt < 3) continue;
          throw e;
        }
        nodeConfigs.push(nodeConfig);
        break;
      }
    }
    const keys = ['imapPort', 'imapsPort', 'managesievePort', 'lmtpPort'] as const;
    for (const key of keys) {
      if (config[key] !== 0) forwarders.push(await startForwarder(config[key], nodeConfigs.map((c) => c[key])));
    }
  } catch (e) {
    await Promise.all(servers.map((x) => x.close()));
    await Promise.all(forwarders.map((f) => f.close()));
    throw e;
  }
  return {
    port: config.imapPort,
    tlsPort: config.imapsPort,
    managesievePort: config.managesievePort,
    dataDir,
    config,
    nodes: nodeCount,
    nodeImapPorts: nodeConfigs.map((c) => c.imapPort),
    async stop() {
      // Nodes first, so their BYEs travel through the forwarders, then the forwarders.
      await Promise.all(servers.map((x) => x.close()));
      await Promise.all(forwarders.map((f) => f.close()));
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
