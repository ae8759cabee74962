/**
 * Crash test (DESIGN "How we test" 6): a child process appends and expunges in a loop and is
 * killed with SIGKILL; after reopening the store, every acknowledged append that was not
 * acknowledged as expunged is present with its exact content, no message row references a
 * missing blob file, and blob reference counts match the message rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LocalChangeBus } from '../../src/store/bus.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { CRASH_ACCOUNT, crashContent } from './content.js';

const CHILD = fileURLToPath(new URL('./append-child.js', import.meta.url));
const ROUNDS = 3;
const RUN_MS = 1000;
const MIN_ACKS = 10;
const GIVE_UP_MS = 20000;

async function runChildAndKill(dataDir: string): Promise<string> {
  const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = Date.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  while (out.split('\n').filter((l) => l.startsWith('A ')).length < MIN_ACKS && child.exitCode === null) {
    if (Date.now() - started > GIVE_UP_MS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `child ended on its own: ${err}`);
  return out;
}

for (let round = 1; round <= ROUNDS; round++) {
  test(`kill -9 during appends loses nothing acknowledged (round ${round})`, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-crash-'));
    try {
      const setup = await openSqliteStore({ dataDir, bus: new LocalChangeBus() });
      await setup.createAccount(CRASH_ACCOUNT, '{PLAIN}x');
      await setup.close();

      const out = await runChildAndKill(dataDir);
      // Only complete lines were acknowledged; a torn last line is ignored.
      const lines = out.split('\n').slice(0, -1);
      const appended = new Map<number, number>();
      const expunged = new Set<number>();
      // An expunge under way when the child was killed may or may not have committed.
      const inDoubt = new Set<number>();
      for (const l of lines) {
        const [kind, a, b] = l.split(' ');
        if (kind === 'A') appended.set(Number(a), Number(b));
        else if (kind === 'X') inDoubt.add(Number(a));
        else if (kind === 'E') {
          expunged.add(Number(a));
          inDoubt.delete(Number(a));
        }
      }
      assert.ok(appended.size >= MIN_ACKS, `only ${appended.size} acknowledged appends`);

      const store = await openSqliteStore({ dataDir, bus: new LocalChangeBus() });
      try {
        const acc = await store.getAccount(CRASH_ACCOUNT);
        assert.ok(acc);
        const actor = { accountId: acc.id, name: acc.name };
        const inbox = await store.getMailbox(actor, 'INBOX');
        assert.ok(inbox);
        const rows = new Map((await store.listMessages(actor, inbox.id)).map((r) => [r.uid as number, r]));
        for (const [uid, i] of appended) {
          if (expunged.has(uid)) {
            assert.ok(!rows.has(uid), `UID ${uid} was acknowledged as expunged`);
            continue;
          }
          const row = rows.get(uid);
          if (!row && inDoubt.has(uid)) continue;
          assert.ok(row, `acknowledged UID ${uid} lost`);
          assert.deepEqual(await store.readBlob(actor, row.blobId), crashContent(i), `content of UID ${uid}`);
          assert.equal(row.internalDate, 1_700_000_000_000 + i);
        }
        for (const row of rows.values()) {
          // Throws CORRUPTED if a row references a missing file.
          const bytes = await store.readBlob(actor, row.blobId);
          assert.equal(bytes.length, row.size);
        }
        assert.ok(inbox.uidNext > Math.max(...appended.keys()));
      } finally {
        await store.close();
      }

      const db = new Database(path.join(dataDir, 'facteur.sqlite'), { readonly: true });
      try {
        const bad = db
          .prepare(
            `SELECT b.id, b.refs, (SELECT count(*) FROM messages m WHERE m.blob_id = b.id) AS n
             FROM blobs b WHERE b.refs <> (SELECT count(*) FROM messages m WHERE m.blob_id = b.id)`,
          )
          .all();
        assert.deepEqual(bad, [], 'blob reference counts match message rows');
        const missing = (db.prepare('SELECT DISTINCT blob_id FROM messages').pluck().all() as string[]).filter(
          (id) => !fs.existsSync(path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id)),
        );
        assert.deepEqual(missing, []);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
