/**
 * The PostgreSQL MailStore: metadata and message bodies (bytea, content-addressed) in one
 * PostgreSQL database shared by any number of nodes (issue #6, docs/decisions/0008).
 *
 * Invariants:
 * - The pool is bounded (`poolMax` connections) and a caller waits at most `connectTimeoutMs` for
 *   a connection; then, like any connection failure, the call fails with UNAVAILABLE.
 * - The schema is migrated at open under an advisory lock (schema.ts), so nodes may start at once.
 * - Every method returns a promise; errors are StoreError (see context.ts for the mapping).
 * - A resolved write is committed and its event published on the bus given here; other nodes
 *   hear of it through that bus (PgChangeBus, change-bus.ts), not through this store. Every
 *   call resolves only after the bus's queued notifications were sent (ChangeBus.flush,
 *   bounded), so a client told OK can find the change through any node (decision 0014).
 */
import pg from 'pg';
import type { ChangeBus, MailStore } from '../types.js';
import { mapError, PG_TYPES, PgContext, type StoreLogger } from './context.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import * as messageReads from './message-reads.js';
import * as seenMarks from './seen-marks.js';
import { migrate } from './schema.js';
import * as sieve from './sieve.js';
import * as urlauthKeys from './urlauth-keys.js';
import * as acl from './acl.js';
import * as metadata from './metadata.js';
import * as quota from './quota.js';
import { NO_QUOTA_POLICY, quotaRootMethods } from '../quota/roots.js';

import { checkPool } from './consistency.js';
import type { ConsistencyReport } from '../consistency.js';

export { PgChangeBus } from './change-bus.js';
export { checkPostgres, migratePostgres } from './consistency.js';

/** Connections per node unless configured: enough for parallel sessions, far below max_connections. */
const DEFAULT_POOL_MAX = 10;
/** How long a call waits for a free or new connection before answering UNAVAILABLE. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** A statement running longer than this is cancelled (UNAVAILABLE), never left to pile up. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** An unused connection is closed after this, so a burst's connections do not stay forever. */
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  bus: ChangeBus;
  logger?: StoreLogger;
  poolMax?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** The MailStore plus the maintenance operations only this backend has. */
export interface PostgresMailStore extends MailStore {
  /** Deletes blobs no message references (normally done by the transaction that dropped them). */
  collectGarbage(): Promise<number>;
  /** Read-only consistency check in one snapshot (`facteur db check`, consistency.ts). */
  checkConsistency(): Promise<ConsistencyReport>;
}

/** The bus's ChangeBus.flush (its NOTIFYs sent), or nothing for an in-process bus. */
type Flush = () => Promise<void>;

function guardWith(flush: Flush) {
  return function guard<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      let result: R;
      try {
        result = await fn(...args);
      } catch (e) {
        throw mapError(e);
      }
      // A write resolves (the client gets OK / 250) only once its change event has left for the
      // other nodes, so a client's next command on another node finds it there (sync()).
      // Nothing queued (reads, most of the time): one microtask.
      await flush();
      return result;
    };
  };
}

/** The pool settings shared by the store and the change bus. */
export function poolConfig(opts: { url: string; poolMax?: number; connectTimeoutMs?: number; statementTimeoutMs?: number; idleTimeoutMs?: number }): pg.PoolConfig {
  return {
    connectionString: opts.url,
    max: opts.poolMax ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    idleTimeoutMillis: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    types: PG_TYPES,
    application_name: 'facteur',
  };
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresMailStore> {
  const pool = new pg.Pool(poolConfig(opts));
  // An idle pooled connection that dies (server restart) emits here; the pool drops it.
  pool.on('error', (e) => opts.logger?.warn({ err: e.message }, 'idle PostgreSQL connection failed'));
  // No JIT compilation: the store's statements are short OLTP lookups, for which compiling costs
  // more than it saves (measured: 57 ms of JIT for a 12 ms readMeta batch, once the planner's
  // estimate passed jit_above_cost on a freshly loaded table). Queued before any other query.
  pool.on('connect', (client) => {
    client.query('SET jit = off').catch(() => undefined);
  });
  try {
    await migrate(pool);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw mapError(e);
  }
  const ctx = new PgContext(pool, opts.bus, opts.logger);
  const bus = opts.bus;
  const guard = guardWith(bus.flush?.bind(bus) ?? (() => Promise.resolve()));
  const quotas = {
    getAccountQuota: guard((name: string) => quota.getAccountQuota(ctx, name)),
    listAccountQuotas: guard(() => quota.listAccountQuotas(ctx)),
    setAccountQuota: guard((name: string, settings: Parameters<typeof quota.setAccountQuota>[2]) => quota.setAccountQuota(ctx, name, settings)),
  };

  return {
    ...quotas,
    // Without the domain layer: stored limits only, no administrators (store/quota/roots.ts).
    ...quotaRootMethods(quotas, NO_QUOTA_POLICY),
    createAccount: guard((name, hash) => mailboxes.createAccount(ctx, name, hash)),
    createAccounts: guard((entries) => mailboxes.createAccounts(ctx, entries)),
    getAccount: guard((name) => mailboxes.getAccount(ctx, name)),
    listAccounts: guard(() => mailboxes.listAccounts(ctx)),
    setPasswordHash: guard((name, hash) => mailboxes.setPasswordHash(ctx, name, hash)),
    deleteAccount: guard((name) => mailboxes.deleteAccount(ctx, name)),

    listMailboxes: guard((actor) => mailboxes.listMailboxes(ctx, actor)),
    getMailbox: guard((actor, name) => mailboxes.getMailbox(ctx, actor, name)),
    createMailbox: guard((actor, name, specialUse) => mailboxes.createMailbox(ctx, actor, name, specialUse ?? null)),
    deleteMailbox: guard((actor, name) => mailboxes.deleteMailbox(ctx, actor, name)),
    renameMailbox: guard((actor, from, to) => mailboxes.renameMailbox(ctx, actor, from, to)),
    setSubscribed: guard((actor, name, on) => mailboxes.setSubscribed(ctx, actor, name, on)),
    listSubscriptions: guard((actor) => mailboxes.listSubscriptions(ctx, actor)),
    counts: guard((actor, id) => mailboxes.counts(ctx, actor, id)),
    claimRecent: guard((actor, id) => mailboxes.claimRecent(ctx, actor, id)),

    append: guard((actor, name, msgs, options) => messages.append(ctx, actor, name, msgs, options?.guard)),
    listMessages: guard((actor, id) => messageReads.listMessages(ctx, actor, id)),
    getMessages: guard((actor, id, uids) => messageReads.getMessages(ctx, actor, id, uids)),
    changesSince: guard((actor, id, since) => messageReads.changesSince(ctx, actor, id, since)),
    pruneExpungeHistory: guard((olderThan) => messageReads.pruneExpungeHistory(ctx, olderThan)),
    storeFlags: guard((actor, id, uids, op, flags, unchangedSince) =>
      messages.storeFlags(ctx, actor, id, uids, op, flags, unchangedSince)),
    copy: guard((actor, id, uids, dest) => messages.copyOrMove(ctx, actor, id, uids, dest, false)),
    move: guard((actor, id, uids, dest) => messages.copyOrMove(ctx, actor, id, uids, dest, true)),
    expunge: guard((actor, id, uids) => messages.expunge(ctx, actor, id, uids)),
    replace: guard((actor, id, uid, dest, msg) => messages.replace(ctx, actor, id, uid, dest, msg)),

    seenMarks: guard((actor, id, reader, uids) => seenMarks.seenMarks(ctx, actor, id, reader, uids)),
    storeSeenMarks: guard((actor, id, reader, uids, seen, options) => seenMarks.storeSeenMarks(ctx, actor, id, reader, uids, seen, options)),
    countSeenMarks: guard((actor, id, reader) => seenMarks.countSeenMarks(ctx, actor, id, reader)),

    readBlob: guard((actor, id, start, end) => messageReads.readBlob(ctx, actor, id, start, end)),
    readMeta: guard((actor, ids) => messageReads.readMeta(ctx, actor, ids)),

    listSieveScripts: guard((actor) => sieve.listSieveScripts(ctx, actor)),
    getSieveScript: guard((actor, name) => sieve.getSieveScript(ctx, actor, name)),
    putSieveScript: guard((actor, name, source, maxScripts) => sieve.putSieveScript(ctx, actor, name, source, maxScripts)),
    deleteSieveScript: guard((actor, name) => sieve.deleteSieveScript(ctx, actor, name)),
    renameSieveScript: guard((actor, from, to) => sieve.renameSieveScript(ctx, actor, from, to)),
    setActiveSieveScript: guard((actor, name) => sieve.setActiveSieveScript(ctx, actor, name)),
    getActiveSieveScript: guard((actor) => sieve.getActiveSieveScript(ctx, actor)),
    hasDeliveryMark: guard((actor, scope, key, now) => sieve.hasDeliveryMark(ctx, actor, scope, key, now)),
    putDeliveryMark: guard((actor, scope, key, expiresAt) => sieve.putDeliveryMark(ctx, actor, scope, key, expiresAt)),

    urlAuthKey: guard((actor, id, create) => urlauthKeys.urlAuthKey(ctx, actor, id, create)),
    resetUrlAuthKeys: guard((actor, id) => urlauthKeys.resetUrlAuthKeys(ctx, actor, id)),
    getMetadata: guard((actor, name, entries, depth, privateFor) => metadata.getMetadata(ctx, actor, name, entries, depth, privateFor)),
    setMetadata: guard((actor, name, writes, privateFor) => metadata.setMetadata(ctx, actor, name, writes, privateFor)),
    setServerMetadata: guard((writes) => metadata.setServerMetadata(ctx, writes)),

    getAcl: guard((actor, name) => acl.getAcl(ctx, actor, name)),
    setAcl: guard((actor, name, identifier, rights, mode) => acl.setAcl(ctx, actor, name, identifier, rights, mode)),
    myRights: guard((actor, name) => acl.myRights(ctx, actor, name)),
    mailboxById: guard((id) => acl.mailboxById(ctx, id)),
    mailboxAcl: guard((id) => acl.mailboxAcl(ctx, id)),
    aclGrants: guard((identifiers) => acl.aclGrants(ctx, identifiers)),

    collectGarbage: guard(async () => {
      const rows = await ctx.query<{ n: number }>(
        'WITH gone AS (DELETE FROM blobs WHERE refs <= 0 RETURNING 1) SELECT count(*)::int8 AS n FROM gone',
      );
      return rows[0].n;
    }),
    checkConsistency: guard(() => checkPool(pool)),

    close: async () => {
      if (ctx.closed) return;
      ctx.closed = true;
      await pool.end();
    },
  };
}
