/**
 * SQLite backend of `facteur db migrate` / `facteur db check` (issue #6).
 *
 * Invariants:
 * - checkSqliteDataDir opens the database read-only and never migrates, collects or sweeps: a
 *   check must not change what it inspects (opening a store would collect garbage at open).
 * - All queries of one check run inside one read transaction: one WAL snapshot, so a server
 *   writing meanwhile cannot produce a false problem between two queries. Blob files are checked
 *   after the rows are read; a blob collected in between would show as missing, so the
 *   operator re-runs a check that reports missing files while the server runs.
 * - migrateSqliteDataDir reuses schema.ts migrate (per-migration BEGIN IMMEDIATE, safe against
 *   concurrent openers).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsBlobStore } from '../blobs/fs-blob-store.js';
import { CHECK_QUERIES, placeOf, runChecks, SEEN_MARKS_CHECK_QUERY, USAGE_CHECK_QUERY, type ConsistencyReport, type MigrationResult } from '../consistency.js';
import { StoreError } from '../errors.js';
import { mapError } from './context.js';
import { configure, DATABASE_FILE, migrate, SCHEMA_VERSION } from './schema.js';

const BUSY_TIMEOUT_MS = 5000;

const versionOf = (db: Database.Database): number => db.pragma('user_version', { simple: true }) as number;

/** The consistency checks on an open database (read-only use) and its blob directory. */
export async function checkDatabase(db: Database.Database, blobs: FsBlobStore): Promise<ConsistencyReport> {
  const version = versionOf(db);
  if (version === 0) throw new StoreError('NONEXISTENT', 'the database has no schema yet (run facteur db migrate)');
  // A read transaction holds one snapshot across every query below (BEGIN DEFERRED + first read).
  // Everything is read synchronously inside it, so nothing else on this connection (a live
  // store's other calls) can run between BEGIN and COMMIT.
  const rows = new Map<string, Record<string, unknown>[]>();
  const files: { account: string; mailbox: string; uid: number; blob_id: string }[] = [];
  let usageCounters = false;
  let seenMarks = false;
  db.exec('BEGIN');
  try {
    for (const sql of Object.values(CHECK_QUERIES)) rows.set(sql, db.prepare(sql).all() as Record<string, unknown>[]);
    usageCounters = db.prepare(`SELECT 1 FROM pragma_table_info('mailboxes') WHERE name = 'message_count'`).get() !== undefined;
    if (usageCounters) rows.set(USAGE_CHECK_QUERY, db.prepare(USAGE_CHECK_QUERY).all() as Record<string, unknown>[]);
    seenMarks = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen_marks'`).get() !== undefined;
    if (seenMarks) rows.set(SEEN_MARKS_CHECK_QUERY, db.prepare(SEEN_MARKS_CHECK_QUERY).all() as Record<string, unknown>[]);
    // Messages whose blob row exists but whose file does not. Ordered by blob, so each file is
    // looked up once; only the missing ones are kept.
    let last: string | null = null;
    let lastExists = true;
    for (const r of db
      .prepare(
        `SELECT a.name AS account, b.name AS mailbox, m.uid AS uid, m.blob_id AS blob_id
         FROM messages m JOIN blobs x ON x.id = m.blob_id JOIN mailboxes b ON b.id = m.mailbox_id
           JOIN accounts a ON a.id = b.account_id
         ORDER BY m.blob_id`,
      )
      .iterate() as Iterable<{ account: string; mailbox: string; uid: number; blob_id: string }>) {
      if (r.blob_id !== last) {
        last = r.blob_id;
        lastExists = blobFileExists(blobs, r.blob_id);
      }
      if (!lastExists) files.push(r);
    }
  } finally {
    db.exec('COMMIT');
  }
  const report = await runChecks((sql) => Promise.resolve(rows.get(sql) ?? []), { usageCounters, seenMarks });
  const missing = files
    .sort((a, b) => placeOf(a).localeCompare(placeOf(b)))
    .map((f) => ({ where: placeOf(f), problem: `blob file ${f.blob_id} missing from the blob directory` }));
  report.problems.unshift(...missing);
  if (version !== SCHEMA_VERSION) {
    report.problems.unshift({ where: 'schema', problem: `version ${version}, this program's is ${SCHEMA_VERSION} (run facteur db migrate)` });
  }
  return report;
}

function blobFileExists(blobs: FsBlobStore, id: string): boolean {
  try {
    return blobs.existsSync(id);
  } catch {
    // An id the blob store refuses (not a SHA-256 hex) cannot name a file.
    return false;
  }
}

/** `facteur db check` on a data directory: read-only, without opening the store. */
export async function checkSqliteDataDir(dataDir: string): Promise<ConsistencyReport> {
  const path = join(dataDir, DATABASE_FILE);
  if (!existsSync(path)) throw new StoreError('NONEXISTENT', `no database at ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw mapError(e);
  }
  try {
    return await checkDatabase(db, new FsBlobStore(dataDir));
  } catch (e) {
    throw mapError(e);
  } finally {
    db.close();
  }
}

/** `facteur db migrate` on a data directory: the schema version before and after. */
export async function migrateSqliteDataDir(dataDir: string): Promise<MigrationResult> {
  try {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, DATABASE_FILE), { timeout: BUSY_TIMEOUT_MS });
    try {
      configure(db, BUSY_TIMEOUT_MS);
      const before = migrate(db);
      return { before, after: versionOf(db) };
    } finally {
      db.close();
    }
  } catch (e) {
    throw mapError(e);
  }
}
