/**
 * Starts the ManageSieve listener alone on a free loopback port, over a real SQLite store in a
 * temporary directory, with the real Sieve compiler: for tests that need settings the full
 * server does not expose (quotas, timeouts, throttle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main.js';
import { DEFAULT_CONFIG, ensureTlsMaterial } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { Authenticator, type AuthenticatorOptions } from '../../src/auth/authenticator.js';
import { silentLogger } from '../../src/observability/log.js';
import { startManageSieveServer, type ManageSieveListenOptions } from '../../src/managesieve/session/server.js';
import { buildManageSieveCommandTable } from '../../src/managesieve/commands/index.js';
import { compile, SUPPORTED_EXTENSIONS } from '../../src/sieve/index.js';
import type { MailStore } from '../../src/store/types.js';
import type { ScriptCompiler } from '../../src/managesieve/session/types.js';
import { freePort, USER, PASS } from '../support/server.js';

export { USER, PASS };

/** Harnesses not yet stopped: a test that fails before its `finally` must not keep the file's
 * process alive (its listener would), so each test file stops the rest in an `after` hook. */
const live = new Set<SieveHarness>();

export async function stopAllHarnesses(): Promise<void> {
  await Promise.all([...live].map((h) => h.stop()));
}

export interface SieveHarness {
  port: number;
  store: MailStore;
  stop(): Promise<void>;
}

export async function startSieveHarness(
  opts: Partial<ManageSieveListenOptions> & {
    auth?: AuthenticatorOptions;
    users?: Array<[string, string]>;
    /** Wraps the real compiler (to exercise responses the library cannot produce yet). */
    compiler?: (real: ScriptCompiler) => ScriptCompiler;
  } = {},
): Promise<SieveHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-ms-'));
  const config = { ...DEFAULT_CONFIG, dataDir };
  const store = await openStore(config);
  for (const [name, pw] of opts.users ?? [[USER, PASS]]) await store.createAccount(name, await hashPassword(pw));
  const tls = await ensureTlsMaterial(config);
  const { auth: authOptions, users: _users, compiler: wrap, ...listen } = opts;
  const real: ScriptCompiler = { extensions: SUPPORTED_EXTENSIONS, compile: (s) => compile(s) };
  const server = await startManageSieveServer({
    options: {
      host: '127.0.0.1',
      port: await freePort(),
      maxConnections: 100,
      maxConnectionsPerIp: 100,
      maxScripts: 100,
      maxScriptSize: 1024 * 1024,
      allowCleartextAuth: true,
      ...listen,
    },
    store,
    auth: new Authenticator(store, authOptions),
    logger: silentLogger,
    tls: { cert: tls.cert, key: tls.key },
    compiler: wrap ? wrap(real) : real,
    commands: buildManageSieveCommandTable(),
  });
  let stopped = false;
  const harness: SieveHarness = {
    port: server.port,
    store,
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(harness);
      await server.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  live.add(harness);
  return harness;
}
