/**
 * Quota usage lookup on a large account (RFC 9208 usage is read from per-mailbox counters kept
 * by triggers, never by scanning messages): fills one account with N messages through the
 * domain store, then times getAccountQuota and a quota-checked one-message append.
 *
 *   node dist/bench/quota-usage.js [N] [postgres://...]   (default 100000, SQLite in a temp dir)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalChangeBus } from '../src/store/bus.js';
import { domainStore } from '../src/store/domain.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { createScratchDatabase } from '../src/store/postgres/scratch-database.js';
import type { MailStore, NewMessage } from '../src/store/types.js';

const N = Number(process.argv[2] ?? 100_000);
const pgServer = process.argv[3];
const BATCH = 1000;

const msg = (i: number): NewMessage => ({
  content: Buffer.from(`From: a@example.org\r\nSubject: message ${i}\r\n\r\nBody ${i} ${'x'.repeat(i % 200)}\r\n`),
  flags: [],
  internalDate: Date.now(),
  meta: '',
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-bench-quota-'));
  const scratch = pgServer === undefined ? null : await createScratchDatabase(pgServer);
  const bus = new LocalChangeBus();
  const backend = scratch === null ? await openSqliteStore({ dataDir: dir, bus }) : await openPostgresStore({ url: scratch.url, bus });
  const store: MailStore = domainStore(backend, { quota: { defaults: { storage: 0, messages: 10 * N, mailboxes: 0 }, admins: new Set() } });
  try {
    const rec = await store.createAccount('alice', '{PLAIN}x');
    const actor = { accountId: rec.id, name: rec.name };
    for (let i = 0; i < N; i += BATCH) {
      await store.append(actor, 'INBOX', Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => msg(i + j)));
    }
    const runs = 200;
    let t = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await store.getAccountQuota('alice');
    const lookupMs = Number(process.hrtime.bigint() - t) / 1e6 / runs;
    t = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await store.append(actor, 'Archive', [msg(N + i)]);
    const appendMs = Number(process.hrtime.bigint() - t) / 1e6 / runs;
    const q = await store.getAccountQuota('alice');
    console.log(
      JSON.stringify({ backend: scratch === null ? 'sqlite' : 'postgres', messages: q.usage.messages, storage: q.usage.storage, usageLookupMs: +lookupMs.toFixed(3), checkedAppendMs: +appendMs.toFixed(3) }),
    );
  } finally {
    await store.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
