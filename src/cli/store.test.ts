// `facteur store copy` and `facteur store verify`, in-process through the real composition root
// (src/main.ts): a SQLite data directory filled through the store API is copied to a scratch
// PostgreSQL database and back, tampered copies are caught, refusals and bad arguments give clear
// messages. (test/integration/store-copy.test.ts does the same through a real IMAP server.)
// PostgreSQL tests skip, loudly, when no server answers at FACTEUR_TEST_PG_URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { LocalChangeBus } from '../store/bus.js';
import type { Actor, MailStore } from '../store/types.js';
import { asUid } from '../store/types.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { createScratchDatabase, createScratchSchema, serverReachable, type ScratchDatabase } from '../store/postgres/scratch-database.js';
import { openSqliteTransferReader, openSqliteTransferWriter } from '../store/sqlite/transfer.js';
import { copyStore } from '../store/transfer/copy.js';
import { TransferError } from '../store/transfer/types.js';
import { verifyStores } from '../store/transfer/verify.js';
import { runCli, type CliRun } from './run.test-support.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const run = (argv: string[]): Promise<CliRun> => runCli(argv);

const msg = (text: string, flags: string[] = [], messageId?: string) => ({
  content: Buffer.from(`From: a@example.org\r\nSubject: ${text}\r\nMessage-ID: <${messageId ?? text}@example.org>\r\n\r\nBody of ${text}\r\n`),
  flags,
  internalDate: Date.UTC(2024, 0, 2),
  meta: `meta:${text}`,
  threading: { messageId: `${messageId ?? text}@example.org`, references: [], subject: text },
});

/** Two accounts with every kind of data the store keeps. */
async function populate(store: MailStore): Promise<void> {
  const a = await store.createAccount('alice', '{PLAIN}secret');
  const alice: Actor = { accountId: a.id, name: a.name };
  const b = await store.createAccount('bob', '{PLAIN}other');
  const bob: Actor = { accountId: b.id, name: b.name };
  await store.createMailbox(alice, 'Ünïcode/Child');
  await store.append(alice, 'INBOX', [msg('one', ['\\Seen', 'Work']), msg('two'), msg('three', ['\\Flagged']), msg('four')]);
  const inbox = (await store.getMailbox(alice, 'INBOX'))!;
  await store.copy(alice, inbox.id, [asUid(1), asUid(2)], 'Archive');
  await store.storeFlags(alice, inbox.id, [asUid(2)], 'add', ['\\Deleted']);
  await store.expunge(alice, inbox.id, [asUid(2)]);
  await store.setSubscribed(alice, 'Junk', false);
  await store.setSubscribed(alice, 'Ünïcode/Child', true);
  await store.putSieveScript(alice, 'main', 'keep;');
  await store.putSieveScript(alice, 'spare', 'discard;');
  await store.setActiveSieveScript(alice, 'main');
  await store.putDeliveryMark(alice, 'vacation', 'someone@example.org', Date.now() + 86_400_000);
  await store.urlAuthKey(alice, inbox.id, true);
  await store.append(bob, 'INBOX', [msg('one', ['$Junk'])]); // the same blob as alice's "one"
  // Quota limits (decision 0010): one set, one unlimited, one left to the operator's default.
  await store.setAccountQuota('alice', { storage: 1000, messages: 'unlimited' });
  // RFC 5464 annotations: alice's mailbox /private and /shared, bob's /private one on alice's
  // INBOX (a grantee's: another account's id in the row), alice's server /private, the server's /shared.
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  await store.setMetadata(alice, 'INBOX', [{ name: '/private/comment', value: text('mine') }, { name: '/shared/comment', value: text('ours') }]);
  await store.setMetadata(alice, 'INBOX', [{ name: '/private/comment', value: text("bob's note") }], bob.accountId);
  await store.setMetadata(alice, null, [{ name: '/private/vendor/facteur/theme', value: Buffer.from([0, 1, 2]) }]);
  await store.setServerMetadata([{ name: '/shared/comment', value: text('motd') }]);
  await store.close();
}

const counter = async (dataDir: string): Promise<number> => {
  const db = new Database(join(dataDir, 'facteur.sqlite'), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM counters WHERE name = 'uidvalidity'").pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
};

/**
 * The database file's SHA-256 and every file name under the data directory, but SQLite's WAL
 * files: any reader of a WAL database creates them (the shared-memory index), without data.
 */
async function fingerprint(dir: string): Promise<{ database: string; files: string[]; wal: number }> {
  const wal = await stat(join(dir, 'facteur.sqlite-wal')).then((s) => s.size, () => 0);
  return {
    database: createHash('sha256').update(await readFile(join(dir, 'facteur.sqlite'))).digest('hex'),
    files: (await readdir(dir, { recursive: true })).filter((f) => !/-(wal|shm)$/.test(f)).sort(),
    wal,
  };
}

test('help and bad arguments give clear messages', async () => {
  const h = await run(['help', 'store']);
  assert.equal(h.code, 0);
  assert.match(h.out, /Usage: facteur store copy --from STORE --to STORE/);
  assert.match((await run(['--help'])).out, /store copy --from S --to S/);
  const cases: Array<[string[], RegExp]> = [
    [['store', 'frobnicate'], /unknown store command 'frobnicate' \(expected copy or verify\)/],
    [['store', 'copy', '--to', 'sqlite:/tmp/x'], /--from is required: sqlite:DIR or postgres:\/\//],
    [['store', 'copy', '--from', 'sqlite:/tmp/x'], /--to is required/],
    [['store', 'copy', '--from', '/var/lib/facteur', '--to', 'sqlite:/tmp/x'], /--from: expected sqlite:DIR or postgres:\/\/USER@HOST:PORT\/DATABASE, got "\/var\/lib\/facteur"/],
    [['store', 'copy', '--from', 'sqlite:', '--to', 'sqlite:/tmp/x'], /--from sqlite: needs the data directory/],
    [['store', 'copy', '--from', 'sqlite:/tmp/x', '--to', 'postgres://u:hunter2@h'], /--to: the PostgreSQL URL names no database/],
    [['store', 'copy', '--from', 'sqlite:/tmp/x', '--to', 'sqlite:/tmp/./x'], /--from and --to name the same store/],
    [['store', 'copy', '--from', 'sqlite:/a', '--to', 'sqlite:/b', '--frob'], /store copy: Unknown option '--frob'/],
    [['store', 'copy', '--from', 'sqlite:/a', '--to', 'sqlite:/b', 'extra'], /store copy: Unexpected argument 'extra'/],
    [['store', 'verify', '--from', 'sqlite:/a', '--to', 'sqlite:/b', '--allow-live'], /store verify: Unknown option '--allow-live'/],
    [['store', 'copy', '--from', 'sqlite:/a', '--to', 'sqlite:/b', '--progress-every', 'lots'], /--progress-every: expected a number/],
    [['store', 'copy', '--from', 'sqlite:/a', '--to', 'sqlite:/b', '--verify-only', '--no-verify'], /contradict/],
    [['store', 'copy', '--from', 'sqlite:/nonexistent-facteur', '--to', 'sqlite:/tmp/y'], /no Facteur database at \/nonexistent-facteur\/facteur\.sqlite/],
  ];
  for (const [argv, expected] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err, expected, argv.join(' '));
    assert.doesNotMatch(r.err, /hunter2|at .*\.js:\d+/, 'no password, no stack trace');
  }
});

test('sqlite -> sqlite: copy, verify, blobs shared, refusals, and a changing source is not committed', async () => {
  const src = await mkdtemp(join(tmpdir(), 'facteur-copy-src-'));
  const dst = await mkdtemp(join(tmpdir(), 'facteur-copy-dst-'));
  const other = await mkdtemp(join(tmpdir(), 'facteur-copy-other-'));
  try {
    await populate(await openSqliteStore({ dataDir: src, bus: new LocalChangeBus() }));
    const sourceBefore = await fingerprint(src);
    const r = await run(['store', 'copy', '--from', `sqlite:${src}`, '--to', `sqlite:${dst}`, '--progress-every', '2']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /copied 2 account\(s\), \d+ mailbox\(es\), 6 message\(s\), 4 blob\(s\)/);
    assert.match(r.out, /verified: no differences; compared 2 account\(s\), \d+ mailbox\(es\), 6 message\(s\), 4 blob\(s\)/);
    assert.match(r.err, /account alice: \d+ mailbox\(es\), 5 message\(s\)/);
    assert.match(r.err, /messages: \d+ copied/);
    // Four distinct bodies, four files: the copies and bob's identical message share them.
    const files = (await readdir(join(dst, 'blobs'), { recursive: true })).filter((f) => /[0-9a-f]{64}$/.test(f));
    assert.equal(files.length, 4);
    assert.equal(await counter(dst), await counter(src));
    assert.equal((await run(['db', 'check', '--data', dst])).code, 0);
    // Quota settings are copied; usage, counted by the destination's triggers, is the source's.
    const [srcQuota, dstQuota] = await Promise.all([src, dst].map(async (dir) => {
      const s = await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() });
      try {
        return await Promise.all(['alice', 'bob'].map((n) => s.getAccountQuota(n)));
      } finally {
        await s.close();
      }
    }));
    assert.deepEqual(dstQuota, srcQuota);
    assert.deepEqual(dstQuota![0]!.settings, { storage: 1000, messages: 'unlimited', mailboxes: null });
    assert.equal(dstQuota![0]!.usage.messages, 5);
    // The source was only read: same database bytes, same files.
    assert.deepEqual(await fingerprint(src), sourceBefore);

    // A destination with accounts is refused, and stays as it was.
    const again = await run(['store', 'copy', '--from', `sqlite:${src}`, '--to', `sqlite:${dst}`]);
    assert.equal(again.code, 1);
    assert.match(again.err, /already holds 2 account\(s\); copy into an empty store, or pass --merge/);
    const clash = await run(['store', 'copy', '--from', `sqlite:${src}`, '--to', `sqlite:${dst}`, '--merge']);
    assert.equal(clash.code, 1);
    assert.match(clash.err, /--merge: 2 account\(s\) exist in both stores \(alice, bob\); nothing was copied/);
    assert.equal((await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${dst}`])).code, 0);

    // A changed byte in a destination blob file is caught, and named.
    const file = files.map((f) => join(dst, 'blobs', f)).sort()[0];
    const original = await readFile(file);
    await writeFile(file, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original[original.length - 1] ^ 1])]));
    const tampered = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${dst}`]);
    assert.equal(tampered.code, 1, tampered.out);
    const id = file.slice(-64);
    assert.match(tampered.out, new RegExp(`^blob ${id}: destination content SHA-256 [0-9a-f]{64} differs from the source's ${id}$`, 'm'));
    await writeFile(file, original);

    // --merge beside other accounts: carol stays, the source's accounts arrive.
    const o = await openSqliteStore({ dataDir: other, bus: new LocalChangeBus() });
    await o.createAccount('carol', '{PLAIN}c');
    await o.close();
    const merged = await run(['store', 'copy', '--from', `sqlite:${src}`, '--to', `sqlite:${other}`, '--merge']);
    assert.equal(merged.code, 0, merged.err + merged.out);
    const strict = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${other}`]);
    assert.equal(strict.code, 1);
    assert.match(strict.out, /^account carol: only in the destination$/m);
    assert.equal((await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${other}`, '--merge'])).code, 0);

    // A source written to during the copy: refused, nothing committed.
    const fresh = await mkdtemp(join(tmpdir(), 'facteur-copy-live-'));
    try {
      const reader = await openSqliteTransferReader(src);
      const writer = await openSqliteTransferWriter(fresh);
      const live = await openSqliteStore({ dataDir: src, bus: new LocalChangeBus() });
      const alice = (await live.getAccount('alice'))!;
      await live.append({ accountId: alice.id, name: 'alice' }, 'INBOX', [msg('late')]);
      await live.close();
      await assert.rejects(copyStore(reader, writer, { merge: false, allowLive: false, progressEvery: 0, progress: () => undefined }), (e: unknown) => {
        assert.ok(e instanceof TransferError);
        assert.match(e.message, /the source changed during the copy .*nothing was written to the destination/);
        return true;
      });
      await reader.close();
      const db = new Database(join(fresh, 'facteur.sqlite'), { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM accounts').pluck().get(), 0);
      db.close();
      // --allow-live: the snapshot is committed, with a warning, and verifies against itself.
      const snapshot = await openSqliteTransferReader(src);
      const late = await openSqliteStore({ dataDir: src, bus: new LocalChangeBus() });
      await late.append({ accountId: alice.id, name: 'alice' }, 'INBOX', [msg('later still')]);
      await late.close();
      const warnings: string[] = [];
      const s = await copyStore(snapshot, await openSqliteTransferWriter(fresh), { merge: false, allowLive: true, progressEvery: 0, progress: (l) => warnings.push(l) });
      assert.equal(s.sourceChanged, true);
      assert.equal(s.messages, 7);
      assert.ok(warnings.some((w) => /warning: the source changed during the copy/.test(w)), JSON.stringify(warnings));
      const destination = await openSqliteTransferReader(fresh);
      const report = await verifyStores(snapshot, destination, { merge: false, progressEvery: 0, progress: () => undefined });
      assert.equal(report.total, 0, JSON.stringify(report.differences));
      await Promise.all([snapshot.close(), destination.close()]);
      // ... while the source as it is now has one message more.
      const now = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${fresh}`]);
      assert.equal(now.code, 1);
      assert.match(now.out, /^alice\/INBOX uid 6: missing from the destination$/m);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  } finally {
    for (const d of [src, dst, other]) await rm(d, { recursive: true, force: true });
  }
});

describe('with PostgreSQL', async () => {
  const reachable = await serverReachable(PG_SERVER);
  if (!reachable) console.log(`# SKIPPED: no PostgreSQL server at ${PG_SERVER}`);
  let db: ScratchDatabase;
  before(async () => {
    if (reachable) db = await createScratchDatabase(PG_SERVER);
  });
  after(async () => {
    if (reachable) await db.drop();
  });

  test('sqlite -> postgres -> sqlite round trip; verification catches a changed flag and a changed blob byte', { skip: !reachable }, async () => {
    const src = await mkdtemp(join(tmpdir(), 'facteur-copy-src-'));
    const back = await mkdtemp(join(tmpdir(), 'facteur-copy-back-'));
    const schema = await createScratchSchema(db.url);
    try {
      await populate(await openSqliteStore({ dataDir: src, bus: new LocalChangeBus() }));
      const r = await run(['store', 'copy', '--from', `sqlite:${src}`, '--to', schema.url]);
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /verified: no differences; compared 2 account\(s\), \d+ mailbox\(es\), 6 message\(s\), 4 blob\(s\)/);
      assert.equal((await run(['db', 'check', '--store', schema.url])).code, 0);

      // The PostgreSQL store serves what SQLite had.
      const pgStore = await openPostgresStore({ url: schema.url, bus: new LocalChangeBus() });
      try {
        const alice = (await pgStore.getAccount('alice'))!;
        const actor = { accountId: alice.id, name: 'alice' };
        assert.equal((await pgStore.getActiveSieveScript(actor))?.name, 'main');
        assert.deepEqual((await pgStore.listSubscriptions(actor)).sort(), ['Archive', 'Drafts', 'INBOX', 'Sent', 'Trash', 'Ünïcode/Child']);
        assert.equal(await pgStore.hasDeliveryMark(actor, 'vacation', 'someone@example.org', Date.now()), true);
        const inbox = (await pgStore.getMailbox(actor, 'INBOX'))!;
        assert.ok((await pgStore.urlAuthKey(actor, inbox.id, false)) !== null);
        assert.deepEqual((await pgStore.listMessages(actor, inbox.id)).map((m) => m.uid), [1, 3, 4]);
        const archive = (await pgStore.getMailbox(actor, 'Archive'))!;
        assert.equal(archive.specialUse, '\\Archive');
        const quota = await pgStore.getAccountQuota('alice');
        assert.deepEqual(quota.settings, { storage: 1000, messages: 'unlimited', mailboxes: null });
        const sizes = (await Promise.all((await pgStore.listMailboxes(actor)).map((m) => pgStore.listMessages(actor, m.id)))).flat();
        assert.deepEqual(quota.usage, { storage: sizes.reduce((n, m) => n + m.size, 0), messages: 5, mailboxes: (await pgStore.listMailboxes(actor)).length });
        const bob = (await pgStore.getAccount('bob'))!;
        const shown = (es: Array<{ name: string; value: Buffer }>) => es.map((e) => `${e.name}=${e.value.toString('hex')}`);
        const hex = (t: string) => Buffer.from(t).toString('hex');
        const all = ['/private', '/shared'];
        assert.deepEqual(shown(await pgStore.getMetadata(actor, 'INBOX', all, 'infinity')), [`/private/comment=${hex('mine')}`, `/shared/comment=${hex('ours')}`]);
        assert.deepEqual(shown(await pgStore.getMetadata(actor, 'INBOX', all, 'infinity', bob.id)), [`/private/comment=${hex("bob's note")}`, `/shared/comment=${hex('ours')}`]);
        assert.deepEqual(shown(await pgStore.getMetadata(actor, null, all, 'infinity')), ['/private/vendor/facteur/theme=000102', `/shared/comment=${hex('motd')}`]);
        assert.deepEqual(shown(await pgStore.getMetadata({ accountId: bob.id, name: 'bob' }, null, all, 'infinity')), [`/shared/comment=${hex('motd')}`]);
      } finally {
        await pgStore.close();
      }

      // Back to a new SQLite directory: the reverse direction, verified too; and PostgreSQL to
      // PostgreSQL (another schema).
      const rev = await run(['store', 'copy', '--from', schema.url, '--to', `sqlite:${back}`]);
      assert.equal(rev.code, 0, rev.err + rev.out);
      assert.equal((await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', `sqlite:${back}`])).code, 0);
      const second = await createScratchSchema(db.url);
      try {
        const p2p = await run(['store', 'copy', '--from', schema.url, '--to', second.url]);
        assert.equal(p2p.code, 0, p2p.err + p2p.out);
        assert.match(p2p.out, /verified: no differences/);
      } finally {
        await second.drop();
      }

      // Tampering with the destination is caught and named.
      const c = new pg.Client({ connectionString: schema.url });
      await c.connect();
      try {
        await c.query(`UPDATE messages SET flags = '["\\\\Seen"]' WHERE uid = 3 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'INBOX' AND account_id = (SELECT id FROM accounts WHERE name = 'alice'))`);
        const flagged = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.equal(flagged.code, 1, flagged.out);
        assert.match(flagged.out, /^alice\/INBOX uid 3: flags: source .*Flagged.*, destination .*Seen.*$/m);
        assert.match(flagged.out, /verification FAILED: 1 difference\(s\)/);
        const { rows } = await c.query<{ id: string }>(`SELECT id FROM blobs ORDER BY id LIMIT 1`);
        await c.query(`UPDATE blobs SET content = set_byte(content, 0, get_byte(content, 0) # 1) WHERE id = $1`, [rows[0].id]);
        const bytes = await run(['store', 'copy', '--verify-only', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.equal(bytes.code, 1, bytes.out);
        assert.match(bytes.out, new RegExp(`^blob ${rows[0].id}: destination content SHA-256 [0-9a-f]{64} differs from the source's ${rows[0].id}$`, 'm'));
        assert.match(bytes.out, /verification FAILED: 2 difference\(s\)/);
        await c.query(`UPDATE sieve_scripts SET active = NOT active`);
        const sieve = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.match(sieve.out, /^alice Sieve scripts name="main": active: source true, destination false$/m);
        await c.query(`DELETE FROM messages WHERE uid = 1 AND mailbox_id = (SELECT id FROM mailboxes WHERE name = 'Archive' AND account_id = (SELECT id FROM accounts WHERE name = 'alice'))`);
        const lost = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.match(lost.out, /^alice\/Archive uid 1: missing from the destination$/m);
        assert.match(lost.out, /^alice\/Archive: messages: 2 in the source, 1 in the destination$/m);
        await c.query(`UPDATE quota_settings SET storage = 5 WHERE account_id = (SELECT id FROM accounts WHERE name = 'alice')`);
        const quota = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.match(quota.out, /^alice quota settings.*storage: source 1000, destination 5$/m);
        // A changed annotation value, a lost one and a moved one are named.
        await c.query(`UPDATE metadata SET value = 'changed' WHERE name = '/private/comment' AND account_id = (SELECT id FROM accounts WHERE name = 'bob')`);
        await c.query(`UPDATE metadata SET value = 'changed' WHERE name = '/shared/comment' AND mailbox_id IS NULL`);
        await c.query(`DELETE FROM metadata WHERE name = '/private/vendor/facteur/theme'`);
        const annotations = await run(['store', 'verify', '--from', `sqlite:${src}`, '--to', schema.url]);
        assert.equal(annotations.code, 1, annotations.out);
        assert.match(annotations.out, /^alice\/INBOX annotations name="\/private\/comment" account_id="bob": value differs$/m);
        assert.doesNotMatch(annotations.out, /account_id="alice"/);
        assert.match(annotations.out, /^server \/shared annotations name="\/shared\/comment": value differs$/m);
        assert.match(annotations.out, /^alice server annotations name="\/private\/vendor\/facteur\/theme": missing from the destination$/m);
      } finally {
        await c.end();
      }
    } finally {
      await schema.drop();
      for (const d of [src, back]) await rm(d, { recursive: true, force: true });
    }
  });
});
