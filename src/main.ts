/**
 * Composition root: config -> stores -> services -> listeners. The ONLY module that picks a
 * storage backend (DESIGN.md). Everything else receives interfaces.
 */
import { LocalChangeBus } from './store/bus.js';
import type { ChangeBus, MailStore } from './store/types.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { openPostgresStore, PgChangeBus } from './store/postgres/index.js';
import type { Config } from './config/index.js';
import type { Logger } from './observability/log.js';
import { startImapServer } from './imap/session/server.js';
import { Authenticator } from './auth/authenticator.js';
import { buildCommandTable } from './imap/commands/index.js';
import { ensureTlsMaterial } from './config/tls-material.js';

/** How long startup waits for the PostgreSQL change bus to be listening. */
const BUS_READY_WAIT_MS = 5000;

export interface OpenedStore {
  store: MailStore;
  bus: ChangeBus;
}

/**
 * Opens the configured store: SQLite in the data directory (the embedded default, with the
 * in-process bus), or PostgreSQL (--store postgres://...) with the LISTEN/NOTIFY bus, so that
 * sessions on every node hear each other's changes. Closing the store closes its bus.
 */
export async function openStoreWithBus(config: Config, logger?: Logger): Promise<OpenedStore> {
  // Config.store is 'sqlite' or a URL checked by the config loader (src/config/load.ts).
  if (/^postgres(ql)?:\/\//i.test(config.store)) {
    const bus = new PgChangeBus({ url: config.store, logger });
    let store: MailStore;
    try {
      store = await openPostgresStore({ url: config.store, bus, logger });
      // Listening before serving means no other node's change goes unheard; if LISTEN is slow,
      // start anyway: the bus keeps retrying and makes every session re-read once it connects.
      await Promise.race([bus.ready, new Promise((resolve) => setTimeout(resolve, BUS_READY_WAIT_MS).unref())]);
    } catch (e) {
      await bus.close();
      throw e;
    }
    const close = async (): Promise<void> => {
      await store.close();
      await bus.close();
    };
    return { store: { ...store, close }, bus };
  }
  const bus = new LocalChangeBus();
  const store = await openSqliteStore({ dataDir: config.dataDir, bus });
  return { store, bus };
}

export async function openStore(config: Config): Promise<MailStore> {
  return (await openStoreWithBus(config)).store;
}

/** Starts every listener; close() stops accepting, drains commands in flight, then closes. */
export async function startServer(config: Config, logger: Logger): Promise<{ close(): Promise<void> }> {
  const { store, bus } = await openStoreWithBus(config, logger);
  const tls = await ensureTlsMaterial(config);
  if (tls.generated) logger.info({ fingerprint: tls.fingerprint }, 'generated a self-signed TLS certificate');
  else logger.info({ fingerprint: tls.fingerprint }, 'TLS certificate loaded');
  const auth = new Authenticator(store, { logger });
  const imap = await startImapServer({ config, store, bus, auth, logger, tls: { cert: tls.cert, key: tls.key }, commands: buildCommandTable() }).catch(
    async (e: unknown) => {
      await store.close();
      throw e;
    },
  );
  return {
    async close() {
      await imap.close();
      await store.close();
    },
  };
}
