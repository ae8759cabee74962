// Every table of both schemas is either copied by `facteur store copy` (steps.ts) or listed as
// deliberately not copied: a helper adding a table must decide which, or this fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrateSqliteDataDir } from '../sqlite/index.js';
import { migratePostgres } from '../postgres/index.js';
import { DATABASE_FILE } from '../sqlite/schema.js';
import { createScratchDatabase, serverReachable } from '../postgres/scratch-database.js';
import { COPIED_TABLES, NOT_COPIED_TABLES } from './steps.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function unaccounted(tables: string[]): string[] {
  return tables.filter((t) => !COPIED_TABLES.includes(t) && !(t in NOT_COPIED_TABLES)).sort();
}

test('sqlite: every table is copied or deliberately left out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-steps-'));
  try {
    await migrateSqliteDataDir(dir);
    const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    db.close();
    assert.ok(tables.includes('messages'));
    assert.deepEqual(unaccounted(tables), [], 'add a step in src/store/transfer/steps.ts (or list the table in NOT_COPIED_TABLES)');
    for (const t of COPIED_TABLES) assert.ok(tables.includes(t), `${t} is copied but not in the SQLite schema`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('postgres: every table is copied or deliberately left out', async (t) => {
  if (!(await serverReachable(PG_SERVER))) {
    t.skip(`no PostgreSQL server at ${PG_SERVER}`);
    return;
  }
  const scratch = await createScratchDatabase(PG_SERVER);
  try {
    await migratePostgres(scratch.url);
    const c = new pg.Client({ connectionString: scratch.url });
    await c.connect();
    const { rows } = await c.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
    await c.end();
    const tables = rows.map((r) => r.name);
    assert.deepEqual(unaccounted(tables), [], 'add a step in src/store/transfer/steps.ts (or list the table in NOT_COPIED_TABLES)');
    for (const name of COPIED_TABLES) assert.ok(tables.includes(name), `${name} is copied but not in the PostgreSQL schema`);
  } finally {
    await scratch.drop();
  }
});
