/**
 * The PostgreSQL server tests use (FACTEUR_TEST_PG_URL, else the local one with trust auth) and a
 * scratch database on it for one test file, dropped when the file's tests are done. Without a
 * reachable server, `skip` is the reason the PostgreSQL tests give (they skip loudly).
 */
import { after } from 'node:test';
import { createScratchDatabase, serverReachable, type ScratchDatabase } from './scratch-database.js';

export const TEST_PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function scratchDatabaseForFile(): Promise<{ scratch: ScratchDatabase | null; skip: string | false }> {
  if (!(await serverReachable(TEST_PG_SERVER))) return { scratch: null, skip: `no PostgreSQL server at ${TEST_PG_SERVER}` };
  const scratch = await createScratchDatabase(TEST_PG_SERVER);
  after(async () => {
    await scratch.drop();
  });
  return { scratch, skip: false };
}
