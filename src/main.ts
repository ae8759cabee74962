/**
 * Composition root: config -> stores -> services -> listeners. The ONLY module that picks a
 * storage backend (DESIGN.md). Everything else receives interfaces.
 */
import { LocalChangeBus } from './store/bus.js';
import type { ChangeBus, MailStore } from './store/types.js';
import { checkSqliteDataDir, migrateSqliteDataDir, openSqliteStore } from './store/sqlite/index.js';
import { checkPostgres, migratePostgres, openPostgresStore, PgChangeBus } from './store/postgres/index.js';
import { openSqliteTransferReader, openSqliteTransferWriter } from './store/sqlite/transfer.js';
import { openPostgresTransferReader, openPostgresTransferWriter } from './store/postgres/transfer.js';
import type { StoreSpec } from './store/transfer/spec.js';
import type { TransferReader, TransferWriter } from './store/transfer/types.js';
import type { ConsistencyReport, MigrationResult } from './store/consistency.js';
import type { Config } from './config/index.js';
import type { Logger } from './observability/log.js';
import { startImapServer } from './imap/session/server.js';
import { Authenticator } from './auth/authenticator.js';
import { ConnectionGate } from './auth/connection-gate.js';
import { buildCommandTable } from './imap/commands/index.js';
import { ensureTlsMaterial } from './config/tls-material.js';
import { hostname } from 'node:os';
import { parseHostPort } from './config/index.js';
import { DeliveryAgent, delimitersFromConfig, SmtpRelayClient, type DomainMode, type SieveEngine } from './delivery/index.js';
import { startLmtpServer } from './lmtp/server.js';
import { startManageSieveServer } from './managesieve/session/server.js';
import { buildManageSieveCommandTable } from './managesieve/commands/index.js';
import type { ScriptCompiler } from './managesieve/session/types.js';
import { compile, DEFAULT_SIEVE_LIMITS, execute, SUPPORTED_EXTENSIONS } from './sieve/index.js';
import { startExpungeHorizon } from './store/expunge-horizon.js';
import { domainStore, type DomainOptions } from './store/domain.js';

/** How long startup waits for the PostgreSQL change bus to be listening. */
const BUS_READY_WAIT_MS = 5000;

export interface OpenedStore {
  store: MailStore;
  bus: ChangeBus;
}

// Config.store is 'sqlite' or a URL checked by the config loader (src/config/load.ts).
const isPostgres = (config: Config): boolean => /^postgres(ql)?:\/\//i.test(config.store);

/** The domain layer's rules from Config: METADATA's /shared/admin, quota defaults (storage in
 * 1024-octet units) and admins. */
export function domainOptions(config: Config): DomainOptions {
  return {
    metadataAdmin: config.metadataAdmin,
    quota: {
      defaults: { storage: Math.ceil(config.quotaStorage / 1024), messages: config.quotaMessages, mailboxes: config.quotaMailboxes },
      admins: new Set(config.quotaAdminUsers.split(',').map((u) => u.trim()).filter((u) => u !== '')),
    },
  };
}

/**
 * Opens the configured store: SQLite in the data directory (the embedded default, with the
 * in-process bus), or PostgreSQL (--store postgres://...) with the LISTEN/NOTIFY bus, so that
 * sessions on every node hear each other's changes. Closing the store closes its bus.
 */
export async function openStoreWithBus(config: Config, logger?: Logger): Promise<OpenedStore> {
  if (isPostgres(config)) {
    const bus = new PgChangeBus({ url: config.store, logger });
    let store: MailStore;
    try {
      store = await openPostgresStore({
        url: config.store,
        bus,
        logger,
        poolMax: config.pgPoolMax,
        connectTimeoutMs: config.pgConnectTimeout,
        idleTimeoutMs: config.pgIdleTimeout,
        statementTimeoutMs: config.pgStatementTimeout,
      });
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
    return { store: domainStore({ ...store, close }, domainOptions(config)), bus };
  }
  const bus = new LocalChangeBus();
  const store = await openSqliteStore({ dataDir: config.dataDir, bus });
  return { store: domainStore(store, domainOptions(config)), bus };
}

export async function openStore(config: Config): Promise<MailStore> {
  return (await openStoreWithBus(config)).store;
}

/** `facteur db migrate`: applies the configured store's pending migrations, without serving. */
export function migrateStore(config: Config): Promise<MigrationResult> {
  return isPostgres(config) ? migratePostgres(config.store) : migrateSqliteDataDir(config.dataDir);
}

/** `facteur db check`: the configured store's read-only consistency check (no migration). */
export function checkStore(config: Config): Promise<ConsistencyReport> {
  return isPostgres(config) ? checkPostgres(config.store) : checkSqliteDataDir(config.dataDir);
}

/** `facteur store copy|verify`: a read-only snapshot of the store a spec names (sqlite:DIR or a
 * PostgreSQL URL), whatever the configured store is (docs/decisions/0013-store-copy.md). */
export function openTransferReader(spec: StoreSpec): Promise<TransferReader> {
  return spec.kind === 'postgres' ? openPostgresTransferReader(spec.url) : openSqliteTransferReader(spec.dataDir);
}

/** `facteur store copy`: the destination, migrated, inside one write transaction. */
export function openTransferWriter(spec: StoreSpec): Promise<TransferWriter> {
  return spec.kind === 'postgres' ? openPostgresTransferWriter(spec.url) : openSqliteTransferWriter(spec.dataDir);
}

/** The Sieve library delivery runs (src/sieve/index.ts), accepting every script ManageSieve
 * accepts: the same script size limit as the upload quota. */
const sieveEngine = (config: Config): SieveEngine => ({
  compile: (source, options) =>
    compile(source, { ...options, limits: { ...options?.limits, maxScriptBytes: config.managesieveMaxScriptSize } }),
  execute,
});

/** The one delivery path (LMTP and `facteur deliver`), configured from Config. */
export function createDeliveryAgent(config: Config, store: MailStore, logger: Logger): DeliveryAgent {
  const name = config.hostname !== '' ? config.hostname : hostname();
  const relay = config.smtpRelay === null ? null : parseHostPort(config.smtpRelay);
  const score = (header: string | null, pattern: string | null, max: number) =>
    header === null ? undefined : { header, max, ...(pattern !== null ? { pattern } : {}) };
  const spamtest = score(config.spamtestHeader, config.spamtestPattern, config.spamtestMax);
  const virustest = score(config.virustestHeader, config.virustestPattern, config.virustestMax);
  return new DeliveryAgent({
    store,
    logger,
    hostname: name,
    recipients: { domain: config.recipientDomain as DomainMode, delimiters: delimitersFromConfig(config.recipientDelimiter) },
    maxMessageSize: config.maxMessageSize,
    sieve: sieveEngine(config),
    sender: relay === null ? null : new SmtpRelayClient(relay.host, relay.port, name),
    vacationPeriodSeconds: { min: config.vacationMinPeriod, max: config.vacationMaxPeriod },
    ...(spamtest !== undefined ? { spamtest } : {}),
    ...(virustest !== undefined ? { virustest } : {}),
    globalScriptDir: config.sieveGlobalDir,
    overQuota: config.quotaExceeded === 'permanent' ? 'permanent' : 'temporary',
  });
}

/** For `facteur deliver`: the store and the delivery agent on it. */
export async function openDeliveryAgent(config: Config, logger: Logger): Promise<{ agent: DeliveryAgent; close(): Promise<void> }> {
  const store = await openStore(config);
  return { agent: createDeliveryAgent(config, store, logger), close: () => store.close() };
}

/** Starts every listener; close() stops accepting, drains commands in flight, then closes. */
export async function startServer(config: Config, logger: Logger): Promise<{ close(): Promise<void> }> {
  const { store, bus } = await openStoreWithBus(config, logger);
  const tls = await ensureTlsMaterial(config);
  if (tls.generated) logger.info({ fingerprint: tls.fingerprint }, 'generated a self-signed TLS certificate');
  else logger.info({ fingerprint: tls.fingerprint }, 'TLS certificate loaded');
  const auth = new Authenticator(store, { logger });
  // One count for every listener: --max-connections means all of them together.
  const gate = new ConnectionGate(config.maxConnections, config.maxConnectionsPerIp);
  const imap = await startImapServer({ config, store, bus, auth, logger, tls: { cert: tls.cert, key: tls.key }, commands: buildCommandTable(), gate }).catch(
    async (e: unknown) => {
      await store.close();
      throw e;
    },
  );
  let lmtp: { close(): Promise<void> } | null = null;
  if (config.lmtpPort !== 0 || config.lmtpSocket !== null) {
    lmtp = await startLmtpServer({ config, agent: createDeliveryAgent(config, store, logger), logger }).catch(async (e: unknown) => {
      await imap.close();
      await store.close();
      throw e;
    });
  }
  const managesieve =
    config.managesievePort === 0
      ? null
      : await startManageSieveServer({
          options: {
            host: config.host,
            port: config.managesievePort,
            maxConnections: config.maxConnections,
            maxConnectionsPerIp: config.maxConnectionsPerIp,
            maxScripts: config.managesieveMaxScripts,
            maxScriptSize: config.managesieveMaxScriptSize,
            allowCleartextAuth: config.allowCleartextAuth,
          },
          store,
          auth,
          logger,
          tls: { cert: tls.cert, key: tls.key },
          compiler: sieveCompiler(config),
          commands: buildManageSieveCommandTable(),
          gate,
        }).catch(async (e: unknown) => {
          await imap.close();
          await lmtp?.close();
          await store.close();
          throw e;
        });
  // QRESYNC expunge-history horizon: pruned at start and hourly, outside any client command.
  const horizon = startExpungeHorizon(store, config.expungeHistoryDays, logger);
  return {
    async close() {
      await Promise.all([imap.close(), lmtp?.close(), managesieve?.close(), horizon.stop()]);
      await store.close();
    },
  };
}

/** What ManageSieve validates uploads with: the Sieve library itself, with every extension it
 * supports and the script size quota as its source limit (RFC 5804 §2.6). */
function sieveCompiler(config: Config): ScriptCompiler {
  return {
    extensions: SUPPORTED_EXTENSIONS,
    maxRedirects: DEFAULT_SIEVE_LIMITS.maxRedirects,
    compile: (source) => compile(source, { limits: { maxScriptBytes: config.managesieveMaxScriptSize } }),
  };
}
