/**
 * The SQLite MailStore: metadata in `<dataDir>/facteur.sqlite` (better-sqlite3), message bodies
 * in the content-addressed filesystem blob store `<dataDir>/blobs/`.
 *
 * Invariants:
 * - WAL journal, synchronous=FULL (a committed transaction survives power loss), busy_timeout so
 *   several processes can share the data directory, foreign keys enforced; schema migrated at open.
 * - Every method returns a promise; errors are StoreError (see context.ts for the mapping).
 * - A resolved write is durable and its event published (see messages.ts for the write order).
 * - Changes committed by other processes on the same data directory reach this process's bus
 *   through the change feed (change-feed.ts) within FEED_POLL_MS.
 * - Unreferenced blobs left by an earlier crash of a collector are collected at open; orphan
 *   files (no blob row) only by sweepOrphanBlobs(), which lists the whole blob tree.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsBlobStore } from '../blobs/fs-blob-store.js';
import type { ChangeBus, MailStore } from '../types.js';
import * as accounts from './accounts.js';
import * as seenMarks from './seen-marks.js';
import { collectAfterCommit, collectGarbage, sweepOrphans } from './blob-refs.js';
import { mapError, SqliteContext, type StoreLogger } from './context.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import * as sieve from './sieve.js';
import { configure, DATABASE_FILE, migrate } from './schema.js';
import { startChangeFeed } from './change-feed.js';
import { checkDatabase } from './consistency.js';
import type { ConsistencyReport } from '../consistency.js';
import * as urlauthKeys from './urlauth-keys.js';
import * as acl from './acl.js';
import * as metadata from './metadata.js';
import * as quota from './quota.js';
import { NO_QUOTA_POLICY, quotaRootMethods } from '../quota/roots.js';

export { checkSqliteDataDir, migrateSqliteDataDir } from './consistency.js';

export { DATABASE_FILE } from './schema.js';
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface SqliteStoreOptions {
  dataDir: string;
  bus: ChangeBus;
  logger?: StoreLogger;
  /** How long a writer waits for another process's write lock before UNAVAILABLE. */
  busyTimeoutMs?: number;
}

/** The MailStore plus the maintenance operations only this backend has. */
export interface SqliteMailStore extends MailStore {
  /** Deletes blobs no message references (normally automatic after each expunge/delete). */
  collectGarbage(): Promise<number>;
  /** Deletes blob files without a blob row (crashed appends) and stale temporary files. */
  sweepOrphanBlobs(): Promise<number>;
  /** Read-only consistency check of rows and blob files (`facteur db check`, consistency.ts). */
  checkConsistency(): Promise<ConsistencyReport>;
}

/** Runs `fn`, turning backend failures into StoreErrors (context.ts mapError). */
function guard<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw mapError(e);
    }
  };
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteMailStore> {
  mkdirSync(opts.dataDir, { recursive: true });
  const blobs = new FsBlobStore(opts.dataDir);
  let db: Database.Database;
  try {
    db = new Database(join(opts.dataDir, DATABASE_FILE), { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    configure(db, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    migrate(db);
  } catch (e) {
    throw mapError(e);
  }
  const ctx = new SqliteContext(db, blobs, opts.bus, opts.logger);
  collectAfterCommit(ctx);
  const stopFeed = startChangeFeed(ctx, opts.bus);

  const quotas = {
    getAccountQuota: guard((name: string) => quota.getAccountQuota(ctx, name)),
    listAccountQuotas: guard(() => quota.listAccountQuotas(ctx)),
    setAccountQuota: guard((name: string, settings: Parameters<typeof quota.setAccountQuota>[2]) => quota.setAccountQuota(ctx, name, settings)),
  };

  return {
    ...quotas,
    // Without the domain layer: stored limits only, no administrators (store/quota/roots.ts).
    ...quotaRootMethods(quotas, NO_QUOTA_POLICY),
    createAccount: guard((name, hash) => accounts.createAccount(ctx, name, hash)),
    createAccounts: guard((entries) => accounts.createAccounts(ctx, entries)),
    getAccount: guard((name) => accounts.getAccount(ctx, name)),
    listAccounts: guard(() => accounts.listAccounts(ctx)),
    setPasswordHash: guard((name, hash) => accounts.setPasswordHash(ctx, name, hash)),
    deleteAccount: guard((name) => accounts.deleteAccount(ctx, name)),

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
    listMessages: guard((actor, id) => messages.listMessages(ctx, actor, id)),
    getMessages: guard((actor, id, uids) => messages.getMessages(ctx, actor, id, uids)),
    changesSince: guard((actor, id, since) => messages.changesSince(ctx, actor, id, since)),
    storeFlags: guard((actor, id, uids, op, flags, unchangedSince) =>
      messages.storeFlags(ctx, actor, id, uids, op, flags, unchangedSince)),
    copy: guard((actor, id, uids, dest) => messages.copyOrMove(ctx, actor, id, uids, dest, false)),
    move: guard((actor, id, uids, dest) => messages.copyOrMove(ctx, actor, id, uids, dest, true)),
    expunge: guard((actor, id, uids) => messages.expunge(ctx, actor, id, uids)),
    replace: guard((actor, id, uid, dest, msg) => messages.replace(ctx, actor, id, uid, dest, msg)),

    seenMarks: guard((actor, id, reader, uids) => seenMarks.seenMarks(ctx, actor, id, reader, uids)),
    storeSeenMarks: guard((actor, id, reader, uids, seen, options) => seenMarks.storeSeenMarks(ctx, actor, id, reader, uids, seen, options)),
    countSeenMarks: guard((actor, id, reader) => seenMarks.countSeenMarks(ctx, actor, id, reader)),

    readBlob: guard((actor, id, start, end) => messages.readBlob(ctx, actor, id, start, end)),
    readMeta: guard((actor, ids) => messages.readMeta(ctx, actor, ids)),

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

    pruneExpungeHistory: guard((olderThan) => messages.pruneExpungeHistory(ctx, olderThan)),
    collectGarbage: guard(() => collectGarbage(ctx)),
    sweepOrphanBlobs: guard(() => sweepOrphans(ctx)),
    checkConsistency: guard(() => checkDatabase(db, blobs)),

    close: async () => {
      if (ctx.closed) return;
      ctx.closed = true;
      stopFeed();
      db.close();
    },
  };
}
