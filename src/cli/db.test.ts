// `facteur db migrate` and `facteur db check`, in-process, through the real composition root
// (src/main.ts): SQLite in a temporary data directory, PostgreSQL in a scratch database on the
// local server (FACTEUR_TEST_PG_URL; skipped, loudly, when none answers). Corruptions are made
// with raw SQL and file deletion, as a crash or a careless operator would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LocalChangeBus } from '../store/bus.js';
import type { MailStore } from '../store/types.js';
import { blobIdOf, FsBlobStore } from '../store/blobs/fs-blob-store.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { migrationSql, SCHEMA_VERSION } from '../store/sqlite/schema.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { PG_SCHEMA_VERSION } from '../store/postgres/schema.js';
import { createScratchSchema } from '../store/postgres/scratch-database.js';
import { runCli, type CliRun } from './run.test-support.js';
import { scratchDatabaseForFile } from '../store/postgres/scratch.test-support.js';

const run = (argv: string[]): Promise<CliRun> => runCli(argv);

/** alice with two messages in INBOX (UIDs 1, 2) and a copy of the first in Archive. */
async function populate(store: MailStore): Promise<string[]> {
  const rec = await store.createAccount('alice', '{PLAIN}secret');
  const actor = { accountId: rec.id, name: rec.name };
  await store.createMailbox(actor, 'Projects');
  const msg = (text: string) => ({
    content: Buffer.from(`From: a@example.org\r\nSubject: ${text}\r\n\r\nBody of ${text}\r\n`),
    flags: [],
    internalDate: Date.UTC(2024, 0, 2),
    meta: `meta:${text}`,
  });
  await store.append(actor, 'INBOX', [msg('one'), msg('two')]);
  await store.append(actor, 'Projects', [msg('one')]);
  await store.close();
  return [msg('one').content, msg('two').content].map(blobIdOf);
}

test('help names the db commands', async () => {
  const h = await run(['--help']);
  assert.match(h.out, /db migrate/);
  assert.match(h.out, /db check/);
  const d = await run(['help', 'db']);
  assert.equal(d.code, 0);
  assert.match(d.out, /Usage: facteur db <migrate\|check>/);
  const bad = await run(['db', 'frobnicate']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown db command 'frobnicate'/);
  const extra = await run(['db', 'check', 'extra', '--data', '/nonexistent']);
  assert.equal(extra.code, 1);
  assert.match(extra.err, /unexpected argument 'extra'/);
});

test('sqlite: db migrate creates the schema, then reports it up to date', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-db-'));
  try {
    const first = await run(['db', 'migrate', '--data', dir]);
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out, `schema version 0 -> ${SCHEMA_VERSION}\n`);
    const again = await run(['db', 'migrate', '--data', dir]);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, `schema version ${SCHEMA_VERSION}: up to date\n`);
    const clean = await run(['db', 'check', '--data', dir]);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.equal(clean.out, 'no problems found; 0 mailbox(es), 0 message(s), 0 blob(s) checked\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: db check reports an old schema without migrating it; db migrate applies the rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-db-'));
  try {
    const db = new Database(join(dir, 'facteur.sqlite'));
    db.exec(migrationSql(1));
    db.pragma('user_version = 1');
    db.close();
    const old = await run(['db', 'check', '--data', dir]);
    assert.equal(old.code, 1, old.out + old.err);
    assert.equal(old.out, `schema: version 1, this program's is ${SCHEMA_VERSION} (run facteur db migrate)\n` +
      '1 problem(s) found; 0 mailbox(es), 0 message(s), 0 blob(s) checked\n');
    const up = await run(['db', 'migrate', '--data', dir]);
    assert.equal(up.code, 0, up.err);
    assert.equal(up.out, `schema version 1 -> ${SCHEMA_VERSION}\n`);
    assert.equal((await run(['db', 'check', '--data', dir])).code, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: db check on a data directory without a database fails in one line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-db-'));
  try {
    const r = await run(['db', 'check', '--data', join(dir, 'nothing')]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^facteur: no database at .*facteur\.sqlite \(NONEXISTENT\)\n$/);
    assert.equal(existsSync(join(dir, 'nothing')), false, 'check creates nothing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: db check is clean on a healthy store, then reports each corruption and exits 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-db-'));
  try {
    const [one, two] = await populate(await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() }));
    const clean = await run(['db', 'check', '--data', dir]);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.equal(clean.out, 'no problems found; 7 mailbox(es), 3 message(s), 2 blob(s) checked\n');

    // Corrupt: the blob file of "two" vanishes; INBOX UID 1 jumps above UIDNEXT.
    await rm(new FsBlobStore(dir).pathOf(two));
    const db = new Database(join(dir, 'facteur.sqlite'));
    db.prepare("UPDATE messages SET uid = 50 WHERE uid = 1 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'INBOX')").run();
    db.close();
    const bad = await run(['db', 'check', '--data', dir]);
    assert.equal(bad.code, 1, bad.out + bad.err);
    assert.equal(
      bad.out,
      `alice/INBOX uid 2: blob file ${two} missing from the blob directory\n` +
        `alice/INBOX uid 50: UID not below the mailbox's UIDNEXT 3\n` +
        '2 problem(s) found; 7 mailbox(es), 3 message(s), 2 blob(s) checked\n',
    );

    // More: a wrong reference count, a MODSEQ above HIGHESTMODSEQ, an expunged UID still present
    // and one never assigned.
    const db2 = new Database(join(dir, 'facteur.sqlite'));
    db2.prepare('UPDATE blobs SET refs = 7 WHERE id = ?').run(one);
    db2.prepare("UPDATE messages SET modseq = 1000 WHERE uid = 1 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'Projects')").run();
    db2.prepare("INSERT INTO expunged (mailbox_id, uid, modseq) SELECT id, 2, 1 FROM mailboxes WHERE name = 'INBOX'").run();
    db2.prepare("INSERT INTO expunged (mailbox_id, uid, modseq) SELECT id, 9, 1 FROM mailboxes WHERE name = 'Projects'").run();
    // A quota usage counter (RFC 9208) that no longer matches the mailbox.
    const octets = db2.prepare("SELECT message_octets FROM mailboxes WHERE name = 'Projects'").pluck().get() as number;
    db2.prepare("UPDATE mailboxes SET message_count = 9 WHERE name = 'Projects'").run();
    // A seen mark (decision 0019) left behind by a writer without foreign keys enforced.
    db2.pragma('foreign_keys = OFF');
    db2.prepare("INSERT INTO seen_marks (mailbox_id, uid, account_id) SELECT id, 77, account_id FROM mailboxes WHERE name = 'Projects'").run();
    db2.close();
    const worse = await run(['db', 'check', '--data', dir]);
    assert.equal(worse.code, 1);
    const lines = worse.out.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, -1).sort(), [
      `alice/Projects uid 1: MODSEQ 1000 above the mailbox's HIGHESTMODSEQ 2`,
      `alice/Projects uid 9: expunge history UID not below the mailbox's UIDNEXT 2`,
      `alice/INBOX uid 2: blob file ${two} missing from the blob directory`,
      `alice/INBOX uid 2: in the expunge history but still present as a message`,
      `alice/INBOX uid 50: UID not below the mailbox's UIDNEXT 3`,
      `blob ${one}: reference count 7, but 2 message(s) reference it`,
      `alice/Projects: quota usage counters say 9 messages, ${octets} octets; the mailbox holds 1, ${octets}`,
      `alice/Projects uid 77: seen mark of alice on a message that no longer exists`,
    ].sort());
    assert.match(lines.at(-1) ?? '', /^8 problem\(s\) found;/);

    // The check changed nothing: the same problems are there, and the store method agrees.
    const store = await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() });
    try {
      const report = await store.checkConsistency();
      assert.equal(report.problems.length, 8);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const { scratch, skip } = await scratchDatabaseForFile();

test('postgres: db migrate, db check clean, then corruptions reported with exit 1', { skip }, async () => {
  assert.ok(scratch);
  const url = scratch.url;
  const first = await run(['db', 'migrate', '--store', url]);
  assert.equal(first.code, 0, first.err);
  assert.equal(first.out, `schema version 0 -> ${PG_SCHEMA_VERSION}\n`);
  const again = await run(['db', 'migrate', '--store', url]);
  assert.equal(again.out, `schema version ${PG_SCHEMA_VERSION}: up to date\n`);

  const [one] = await populate(await openPostgresStore({ url, bus: new LocalChangeBus() }));
  const clean = await run(['db', 'check', '--store', url]);
  assert.equal(clean.code, 0, clean.out + clean.err);
  assert.equal(clean.out, 'no problems found; 7 mailbox(es), 3 message(s), 2 blob(s) checked\n');

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("UPDATE messages SET uid = 50 WHERE uid = 1 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'INBOX')");
    await c.query('UPDATE blobs SET refs = 7 WHERE id = $1', [one]);
    await c.query("UPDATE messages SET modseq = 1000 WHERE uid = 1 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'Projects')");
    await c.query("INSERT INTO expunged (mailbox_id, uid, modseq) SELECT id, 2, 1 FROM mailboxes WHERE name = 'INBOX'");
    await c.query("UPDATE mailboxes SET message_octets = message_octets + 5 WHERE name = 'Projects'");
    // A seen mark (decision 0019) on no message: only with foreign-key triggers off (superuser).
    await c.query('SET session_replication_role = replica');
    await c.query("INSERT INTO seen_marks (mailbox_id, uid, account_id) SELECT id, 77, account_id FROM mailboxes WHERE name = 'Projects'");
    await c.query('RESET session_replication_role');
  } finally {
    await c.end();
  }
  const bad = await run(['db', 'check', '--store', url]);
  assert.equal(bad.code, 1, bad.out + bad.err);
  const lines = bad.out.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, -1).sort(), [
    `alice/Projects uid 1: MODSEQ 1000 above the mailbox's HIGHESTMODSEQ 2`,
    `alice/INBOX uid 2: in the expunge history but still present as a message`,
    `alice/INBOX uid 50: UID not below the mailbox's UIDNEXT 3`,
    `blob ${one}: reference count 7, but 2 message(s) reference it`,
    lines.find((l) => l.startsWith('alice/Projects: quota usage counters say 1 messages, ')) ?? 'no quota usage problem',
    `alice/Projects uid 77: seen mark of alice on a message that no longer exists`,
  ].sort());
  assert.match(lines.join('\n'), /alice\/Projects: quota usage counters say 1 messages, (\d+) octets; the mailbox holds 1, (?!\1)\d+/);
  assert.match(lines.at(-1) ?? '', /^6 problem\(s\) found; 7 mailbox\(es\), 3 message\(s\), 2 blob\(s\) checked$/);

  const store = await openPostgresStore({ url, bus: new LocalChangeBus() });
  try {
    assert.equal((await store.checkConsistency()).problems.length, 6);
  } finally {
    await store.close();
  }
});

test('postgres: db migrate from several nodes at once applies each migration once', { skip }, async () => {
  assert.ok(scratch);
  const schema = await createScratchSchema(scratch.url);
  try {
    const runs = await Promise.all([1, 2, 3].map(() => run(['db', 'migrate', '--store', schema.url])));
    for (const r of runs) {
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^schema version (\\d+ -> ${PG_SCHEMA_VERSION}|${PG_SCHEMA_VERSION}: up to date)\n$`));
    }
    // The version is read under the migration lock: exactly one run found the empty schema.
    assert.equal(runs.filter((r) => r.out === `schema version 0 -> ${PG_SCHEMA_VERSION}\n`).length, 1, runs.map((r) => r.out).join(''));
    const c = new pg.Client({ connectionString: schema.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ version: string }>('SELECT version FROM facteur_schema');
      assert.deepEqual(rows.map((r) => Number(r.version)), [PG_SCHEMA_VERSION]);
    } finally {
      await c.end();
    }
    assert.equal((await run(['db', 'check', '--store', schema.url])).code, 0);
  } finally {
    await schema.drop();
  }
});

test('postgres: an unreachable store is one line and exit 1', async () => {
  // Port 1 on localhost: nothing listens there, so the connection is refused at once.
  for (const sub of ['migrate', 'check']) {
    const r = await run(['db', sub, '--store', 'postgres://postgres@127.0.0.1:1/facteur']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^facteur: database unreachable: .*\(UNAVAILABLE\)\n$/);
  }
});
