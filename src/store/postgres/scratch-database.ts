/**
 * Throw-away databases for tests: each harness creates its own uniquely named database on the
 * given server and drops it afterwards, so tests never touch data they did not create.
 *
 * Creating a database costs seconds, so a test file creates one and gives each harness its own
 * schema in it (createScratchSchema: the URL sets search_path, so the store's tables, functions
 * and migration record all live in that schema).
 *
 * Invariants: names are facteur_t_<16 hex> (databases) and t_<16 hex> (schemas); drop() of a
 * database terminates leftover connections (FORCE); every drop is idempotent; admin connections
 * live only for the CREATE/DROP statement.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export interface ScratchDatabase {
  name: string;
  /** Connection URL of the new database. */
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Whether a PostgreSQL server answers at `serverUrl`. */
export async function serverReachable(serverUrl: string): Promise<boolean> {
  try {
    await admin(serverUrl, (c) => c.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/** Creates an empty database on the server of `serverUrl` (which names an existing database). */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `facteur_t_${randomBytes(8).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Creates an empty schema in the database of `databaseUrl`; its URL makes it the search_path. */
export async function createScratchSchema(databaseUrl: string): Promise<ScratchDatabase> {
  const name = `t_${randomBytes(8).toString('hex')}`;
  await admin(databaseUrl, (c) => c.query(`CREATE SCHEMA ${name}`));
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}
