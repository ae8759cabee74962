/**
 * The PostgreSQL side of `facteur store copy|verify` (store/transfer/types.ts).
 *
 * Invariants:
 * - The reader's snapshot is one REPEATABLE READ READ ONLY transaction on one connection (the
 *   server refuses any write in it); changeMark reads on a second connection, outside it.
 * - The writer migrates the schema first (schema.ts migrate, as `facteur db migrate`), then runs
 *   everything in one READ COMMITTED transaction on one connection, committed at the end. Its
 *   connections have no statement timeout: one INSERT of a large blob may take long.
 * - Text keys are ordered and compared with COLLATE "C" (UTF-8 byte order, as SQLite's BINARY),
 *   whatever the database's default collation.
 * - Blob digests are computed by the server (sha256(), PostgreSQL 11+): verification does not
 *   pull every body over the network.
 */
import pg from 'pg';
import { CHANGE_MARK, insertStatements, REFERENCED_BLOBS, selectPage } from '../transfer/sql.js';
import { describeUrl } from '../transfer/spec.js';
import { TransferError, type BlobCheck, type BlobRecord, type Column, type RowQuery, type TransferReader, type TransferWriter, type Value } from '../transfer/types.js';
import { mapError, PG_TYPES } from './context.js';
import { migrate, PG_SCHEMA_VERSION } from './schema.js';

const CONNECT_TIMEOUT_MS = 5000;
const BLOB_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'text' }, { name: 'size', type: 'int' }, { name: 'meta', type: 'text' }, { name: 'refs', type: 'int' }, { name: 'content', type: 'bytes' },
];
const collateC = (column: string): string => `${column} COLLATE "C"`;

/** `?` placeholders (transfer/sql.ts) to PostgreSQL's $n. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function newPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: PG_TYPES, application_name: 'facteur store' });
  pool.on('error', () => undefined); // an idle connection dying; the call in flight reports it
  return pool;
}

async function schemaVersion(q: pg.Pool | pg.PoolClient): Promise<number> {
  try {
    const { rows } = await q.query<{ version: number }>('SELECT version FROM facteur_schema');
    return rows.length === 0 ? 0 : Number(rows[0].version);
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return 0; // never migrated
    throw e;
  }
}

async function markOf(q: pg.Pool | pg.PoolClient): Promise<string> {
  const { rows } = await q.query({ text: CHANGE_MARK, rowMode: 'array' });
  return JSON.stringify(rows[0]);
}

export async function openPostgresTransferReader(url: string): Promise<TransferReader> {
  const description = describeUrl(url);
  const pool = newPool(url, 2);
  let client: pg.PoolClient | null = null;
  let startMark: string;
  try {
    const version = await schemaVersion(pool);
    if (version === 0) throw new TransferError(`${description} has no Facteur schema`);
    if (version > PG_SCHEMA_VERSION) throw new TransferError(`${description} has schema version ${version}, newer than this program's ${PG_SCHEMA_VERSION}`);
    if (version < PG_SCHEMA_VERSION) {
      throw new TransferError(`${description} has schema version ${version}, this program's is ${PG_SCHEMA_VERSION}: run facteur db migrate on it first`);
    }
    startMark = await markOf(pool);
    client = await pool.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query('SELECT 1 FROM accounts LIMIT 1'); // the snapshot starts at the first query
  } catch (e) {
    client?.release();
    await pool.end().catch(() => undefined);
    throw mapError(e);
  }
  const db = client;
  let closed = false;
  return {
    description,
    startMark,
    async rows(q: RowQuery) {
      const { sql, params } = selectPage(q, collateC);
      return (await db.query({ text: numbered(sql), values: params, rowMode: 'array' })).rows as Value[][];
    },
    async referencedBlobs(after, limit) {
      return (await db.query<BlobRecord>(numbered(REFERENCED_BLOBS(collateC)), [after ?? '', limit])).rows;
    },
    async blobContents(ids) {
      const { rows } = await db.query<{ id: string; content: Buffer }>('SELECT id, content FROM blobs WHERE id = ANY($1::text[])', [ids]);
      return new Map(rows.map((r) => [r.id, r.content]));
    },
    async blobChecks(ids) {
      const { rows } = await db.query<BlobCheck>(
        `SELECT id, size, meta, encode(sha256(content), 'hex') AS digest FROM blobs WHERE id = ANY($1::text[])`,
        [ids],
      );
      return new Map(rows.map((r) => [r.id, r]));
    },
    changeMark: () => markOf(pool),
    async close() {
      if (closed) return;
      closed = true;
      await db.query('COMMIT').catch(() => undefined);
      db.release();
      await pool.end().catch(() => undefined);
    },
  };
}

export async function openPostgresTransferWriter(url: string): Promise<TransferWriter> {
  const description = describeUrl(url);
  const pool = newPool(url, 1);
  let client: pg.PoolClient | null = null;
  try {
    await migrate(pool);
    client = await pool.connect();
    await client.query('BEGIN');
  } catch (e) {
    client?.release();
    await pool.end().catch(() => undefined);
    throw mapError(e);
  }
  const db = client;
  let open = true;
  const end = async (sql: string): Promise<void> => {
    if (!open) return;
    open = false;
    try {
      await db.query(sql);
    } finally {
      db.release();
      await pool.end().catch(() => undefined);
    }
  };
  return {
    description,
    async insertRows(table, columns, rows) {
      for (const s of insertStatements(table, columns, rows.length)) {
        await db.query(numbered(s.sql), rows.slice(s.from, s.from + s.count).flat());
      }
    },
    async insertReturningId(table, columns, row) {
      const [s] = insertStatements(table, columns, 1, ' RETURNING id');
      return (await db.query<{ id: number }>(numbered(s.sql), row)).rows[0].id;
    },
    async missingBlobs(ids) {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM blobs WHERE id = ANY($1::text[])', [ids]);
      const have = new Set(rows.map((r) => r.id));
      return ids.filter((id) => !have.has(id));
    },
    async putBlobs(batch) {
      const columns = BLOB_COLUMNS;
      for (const s of insertStatements('blobs', columns, batch.length, ' ON CONFLICT (id) DO NOTHING')) {
        const values = batch.slice(s.from, s.from + s.count).flatMap(({ record, content }) => [record.id, record.size, record.meta, 0, content]);
        await db.query(numbered(s.sql), values);
      }
    },
    async raiseCounter(name, value) {
      await db.query(
        'INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = GREATEST(counters.value, excluded.value)',
        [name, value],
      );
    },
    async existingAccounts(names) {
      return (await db.query<{ name: string }>('SELECT name FROM accounts WHERE name = ANY($1::text[])', [names])).rows.map((r) => r.name);
    },
    async accountCount() {
      return Number((await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM accounts')).rows[0].n);
    },
    commit: () => end('COMMIT'),
    rollback: () => end('ROLLBACK'),
  };
}
