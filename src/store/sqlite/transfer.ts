/**
 * The SQLite side of `facteur store copy|verify` (store/transfer/types.ts): bulk reads of a data
 * directory and bulk writes into one.
 *
 * Invariants:
 * - The reader opens the database read-only (better-sqlite3 readonly) and never creates anything
 *   in the data directory: blob files are read by path, without FsBlobStore (whose constructor
 *   creates blobs/tmp). Its snapshot is one read transaction (BEGIN + a first read) held until
 *   close; changeMark reads through a second, short-lived read-only connection.
 * - The writer migrates the schema (schema.ts migrate, as `facteur db migrate`), then holds one
 *   BEGIN IMMEDIATE transaction until commit or rollback. Blob files are written durably through
 *   FsBlobStore before the blob row that names them (DESIGN rule 3); after a rollback they are
 *   orphans for sweepOrphanBlobs, as after a crashed append.
 * - Booleans are stored as 0/1 and read back as booleans.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobFilePath, FsBlobStore } from '../blobs/fs-blob-store.js';
import { BLOB_ID_PATTERN } from '../blobs/types.js';
import { CHANGE_MARK, insertStatements, REFERENCED_BLOBS, selectPage } from '../transfer/sql.js';
import { TransferError, type BlobCheck, type BlobRecord, type Column, type Row, type RowQuery, type TransferReader, type TransferWriter, type Value } from '../transfer/types.js';
import { mapError } from './context.js';
import { configure, DATABASE_FILE, migrate, SCHEMA_VERSION } from './schema.js';

const BUSY_TIMEOUT_MS = 5000;
/** Blob files read or written concurrently (each write still fsynced and renamed as FsBlobStore does). */
const BLOB_WRITES_AT_ONCE = 32;
const plain = (column: string): string => column;

const toSqlite = (v: Value): Value => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

function fromSqlite(columns: readonly Column[], row: unknown[]): Row {
  return row.map((v, i) => (columns[i].type === 'bool' ? v === 1 || v === true : (v as Value)));
}

function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
}

function markOf(db: Database.Database): string {
  const row = db.prepare(CHANGE_MARK).raw(true).get() as unknown[];
  const feed = db.prepare('SELECT coalesce(max(seq), 0) FROM change_feed').raw(true).get() as unknown[];
  return JSON.stringify([...row, ...feed]);
}

function checkVersion(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) throw new TransferError(`${path} has no Facteur schema`);
  if (version > SCHEMA_VERSION) throw new TransferError(`${path} has schema version ${version}, newer than this program's ${SCHEMA_VERSION}`);
  if (version < SCHEMA_VERSION) {
    throw new TransferError(`${path} has schema version ${version}, this program's is ${SCHEMA_VERSION}: run facteur db migrate on it first`);
  }
}

async function sha256File(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return hash.digest('hex');
}

const inList = (n: number): string => `(${Array.from({ length: n }, () => '?').join(', ')})`;

export async function openSqliteTransferReader(dataDir: string): Promise<TransferReader> {
  const path = join(dataDir, DATABASE_FILE);
  if (!existsSync(path)) throw new TransferError(`no Facteur database at ${path}`);
  const blobRoot = join(dataDir, 'blobs');
  let db: Database.Database;
  let startMark: string;
  try {
    db = openReadOnly(path);
    checkVersion(db, path);
    startMark = markOf(db);
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM accounts').get(); // the snapshot starts at the first read
  } catch (e) {
    throw mapError(e);
  }
  return {
    description: `sqlite:${dataDir}`,
    startMark,
    async rows(q: RowQuery) {
      const { sql, params } = selectPage(q, plain);
      return (db.prepare(sql).raw(true).all(...params.map(toSqlite)) as unknown[][]).map((r) => fromSqlite(q.columns, r));
    },
    async referencedBlobs(after, limit) {
      return db.prepare(REFERENCED_BLOBS(plain)).all(after ?? '', limit) as BlobRecord[];
    },
    async blobContents(ids) {
      const out = new Map<string, Buffer>();
      for (let i = 0; i < ids.length; i += BLOB_WRITES_AT_ONCE) {
        await Promise.all(
          ids.slice(i, i + BLOB_WRITES_AT_ONCE).map(async (id) => {
            if (!BLOB_ID_PATTERN.test(id)) return;
            try {
              out.set(id, await readFile(blobFilePath(blobRoot, id)));
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
            }
          }),
        );
      }
      return out;
    },
    async blobChecks(ids) {
      const out = new Map<string, BlobCheck>();
      if (ids.length === 0) return out;
      const records = db.prepare(`SELECT id, size, meta FROM blobs WHERE id IN ${inList(ids.length)}`).all(...ids) as BlobRecord[];
      for (let i = 0; i < records.length; i += BLOB_WRITES_AT_ONCE) {
        await Promise.all(
          records.slice(i, i + BLOB_WRITES_AT_ONCE).map(async (r) => {
            const digest = BLOB_ID_PATTERN.test(r.id) ? await sha256File(blobFilePath(blobRoot, r.id)) : null;
            out.set(r.id, { ...r, digest });
          }),
        );
      }
      return out;
    },
    async changeMark() {
      const other = openReadOnly(path);
      try {
        return markOf(other);
      } finally {
        other.close();
      }
    },
    async close() {
      if (!db.open) return;
      if (db.inTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}

export async function openSqliteTransferWriter(dataDir: string): Promise<TransferWriter> {
  let db: Database.Database;
  let blobs: FsBlobStore;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, DATABASE_FILE), { timeout: BUSY_TIMEOUT_MS });
    configure(db, BUSY_TIMEOUT_MS);
    migrate(db);
    blobs = new FsBlobStore(dataDir);
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    throw mapError(e);
  }
  const end = (sql: string): void => {
    if (!db.open) return;
    try {
      if (db.inTransaction) db.exec(sql);
    } finally {
      db.close();
    }
  };
  return {
    description: `sqlite:${dataDir}`,
    async insertRows(table, columns, rows) {
      for (const s of insertStatements(table, columns, rows.length)) {
        db.prepare(s.sql).run(...rows.slice(s.from, s.from + s.count).flat().map(toSqlite));
      }
    },
    async insertReturningId(table, columns, row) {
      const [s] = insertStatements(table, columns, 1, ' RETURNING id');
      return (db.prepare(s.sql).get(...row.map(toSqlite)) as { id: number }).id;
    },
    async missingBlobs(ids) {
      if (ids.length === 0) return [];
      const have = new Set((db.prepare(`SELECT id FROM blobs WHERE id IN ${inList(ids.length)}`).pluck().all(...ids) as string[]));
      return ids.filter((id) => !have.has(id));
    },
    async putBlobs(batch) {
      // Several durable writes at once: their fsyncs share the filesystem's journal commits,
      // where one at a time costs a few journal commits per blob.
      for (let i = 0; i < batch.length; i += BLOB_WRITES_AT_ONCE) {
        const part = batch.slice(i, i + BLOB_WRITES_AT_ONCE);
        const ids = await Promise.all(part.map((b) => blobs.write(b.content)));
        part.forEach(({ record }, k) => {
          if (ids[k] !== record.id) throw new TransferError(`blob ${record.id}: content hashes to ${ids[k]}`);
          db.prepare('INSERT INTO blobs (id, size, meta, refs) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO NOTHING').run(record.id, record.size, record.meta);
        });
      }
    },
    async raiseCounter(name, value) {
      db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)').run(name, value);
    },
    async existingAccounts(names) {
      if (names.length === 0) return [];
      return db.prepare(`SELECT name FROM accounts WHERE name IN ${inList(names.length)}`).pluck().all(...names) as string[];
    },
    async accountCount() {
      return db.prepare('SELECT count(*) FROM accounts').pluck().get() as number;
    },
    async commit() {
      end('COMMIT');
    },
    async rollback() {
      end('ROLLBACK');
    },
  };
}
