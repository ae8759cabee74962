/**
 * PostgreSQL backend of `facteur db migrate` / `facteur db check` (issue #6).
 *
 * Invariants:
 * - checkPool runs every query in one REPEATABLE READ READ ONLY transaction: one snapshot, and
 *   the server itself refuses any write. Blob content lives in the blob row, so a blob row is
 *   all a message needs (no files to check).
 * - migratePostgres reuses schema.ts migrate (advisory lock per migration), so `db migrate` on
 *   several nodes at once applies each migration exactly once.
 * - The standalone functions use a one-connection pool of their own and always end it.
 */
import pg from 'pg';
import { runChecks, type ConsistencyReport, type MigrationResult } from '../consistency.js';
import { StoreError } from '../errors.js';
import { mapError, PG_TYPES } from './context.js';
import { migrate, PG_SCHEMA_VERSION } from './schema.js';

/** How long the maintenance commands wait for a connection before UNAVAILABLE. */
const CONNECT_TIMEOUT_MS = 5000;

async function schemaVersion(q: pg.Pool | pg.PoolClient): Promise<number> {
  try {
    const { rows } = await q.query<{ version: string }>('SELECT version FROM facteur_schema');
    return rows.length === 0 ? 0 : Number(rows[0].version);
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return 0; // undefined_table: never migrated
    throw e;
  }
}

/** The consistency checks on the database of `pool`. */
export async function checkPool(pool: pg.Pool): Promise<ConsistencyReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const version = await schemaVersion(client);
      if (version === 0) throw new StoreError('NONEXISTENT', 'the database has no schema yet (run facteur db migrate)');
      const { rows: cols } = await client.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'mailboxes' AND column_name = 'message_count'`,
      );
      const { rows: seen } = await client.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'seen_marks'`,
      );
      const report = await runChecks(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows, {
        usageCounters: cols.length > 0,
        seenMarks: seen.length > 0,
      });
      if (version !== PG_SCHEMA_VERSION) {
        report.problems.unshift({ where: 'schema', problem: `version ${version}, this program's is ${PG_SCHEMA_VERSION} (run facteur db migrate)` });
      }
      return report;
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: PG_TYPES, application_name: 'facteur db' });
  pool.on('error', () => undefined); // an idle connection dying; the call in flight reports it
  try {
    return await fn(pool);
  } catch (e) {
    throw mapError(e);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** `facteur db check` on the database at `url`. */
export function checkPostgres(url: string): Promise<ConsistencyReport> {
  return withPool(url, checkPool);
}

/** `facteur db migrate` on the database at `url`: the schema version before and after. */
export function migratePostgres(url: string): Promise<MigrationResult> {
  return withPool(url, async (pool) => {
    const before = await migrate(pool);
    return { before, after: await schemaVersion(pool) };
  });
}
