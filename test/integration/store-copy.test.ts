// Moving an installation to PostgreSQL (docs/decisions/0013): a SQLite data directory filled
// through a real server (IMAP APPEND/COPY/STORE/EXPUNGE, subscriptions; Sieve scripts through the
// store) is copied with `facteur store copy` (the CLI entry, in-process), then a server on the
// PostgreSQL copy must answer exactly as the SQLite one did: same UIDVALIDITY, UIDNEXT,
// HIGHESTMODSEQ, MAILBOXID, flags, modseqs, bodies, EMAILID/THREADID, and the same VANISHED
// (EARLIER) to a QRESYNC client that last synced before the expunge (RFC 7162 §3.2.5.1), and the
// same METADATA annotations (RFC 5464: mailbox and server, /private and /shared), and the same
// private \Seen of a grantee in another account's mailbox (decision 0019).
// Skipped, loudly, when no PostgreSQL server answers at FACTEUR_TEST_PG_URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main.js';
import { createScratchDatabase, serverReachable, type ScratchDatabase } from '../../src/store/postgres/scratch-database.js';
import { startTestServer, USER } from '../support/server.js';
import { TestClient, append, assertStatus, codeArgs, grep, loggedIn, simpleMessage, type Reply } from '../support/transcript.js';
import { runCli, type CliRun } from '../../src/cli/run.test-support.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const cli = (argv: string[]): Promise<CliRun> => runCli(argv);

const ok = (r: Reply): Reply => {
  assertStatus(r, 'OK');
  return r;
};

const highestModSeq = (r: Reply): number => Number(/HIGHESTMODSEQ (\d+)/.exec(grep(r, /HIGHESTMODSEQ/)[0] ?? '')?.[1]);

/**
 * Everything a client can observe of alice's store, without changing it (EXAMINE, BODY.PEEK,
 * STATUS): the mailbox list and subscriptions, each mailbox's status and messages, and the
 * QRESYNC resynchronisation of INBOX from `since`.
 */
async function observe(port: number, uidValidity: number, since: number): Promise<string[]> {
  const c = await loggedIn(port);
  try {
    ok(await c.command('ENABLE QRESYNC'));
    const seen: string[] = [];
    seen.push(...ok(await c.command('LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE)')).untagged.sort());
    for (const box of ['INBOX', 'Work', 'Sent']) {
      seen.push(...ok(await c.command(`STATUS ${box} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ MAILBOXID)`)).untagged);
      seen.push(...ok(await c.command(`EXAMINE ${box}`)).untagged);
      seen.push(...ok(await c.command('UID FETCH 1:* (UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE EMAILID THREADID SAVEDATE BODY.PEEK[])')).untagged);
      ok(await c.command('UNSELECT'));
    }
    // RFC 5464 annotations: mailbox /private and /shared, server /private and /shared.
    seen.push(...ok(await c.command('GETMETADATA (DEPTH infinity) Work (/private /shared)')).untagged);
    seen.push(...ok(await c.command('GETMETADATA "" (DEPTH infinity) (/private /shared)')).untagged);
    seen.push('-- QRESYNC --', ...ok(await c.command(`EXAMINE INBOX (QRESYNC (${uidValidity} ${since}))`)).untagged);
    return seen;
  } finally {
    c.close();
  }
}

describe('facteur store copy: SQLite installation moved to PostgreSQL', async () => {
  const reachable = await serverReachable(PG_SERVER);
  if (!reachable) console.log(`# SKIPPED: no PostgreSQL server at ${PG_SERVER}`);
  let db: ScratchDatabase;
  const dirs: string[] = [];
  before(async () => {
    if (reachable) db = await createScratchDatabase(PG_SERVER);
  });
  after(async () => {
    if (reachable) await db.drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('clients see the same mailboxes, messages and sync state on the copy', { skip: !reachable }, async () => {
    const sqliteDir = await mkdtemp(join(tmpdir(), 'facteur-move-sqlite-'));
    const pgDir = await mkdtemp(join(tmpdir(), 'facteur-move-pg-'));
    dirs.push(sqliteDir, pgDir);

    // 1. A SQLite installation used through IMAP.
    const old = await startTestServer({ dataDir: sqliteDir, config: { store: 'sqlite' } });
    let validity: number;
    let syncedAt: number;
    let before: string[];
    try {
      // The operator's server /shared entry (`facteur metadata set`), before any client looks.
      const admin = await openStore(old.config);
      await admin.setServerMetadata([{ name: '/shared/comment', value: Buffer.from('maintenance on Sunday') }]);
      await admin.close();
      const c = await loggedIn(old.port);
      ok(await c.command('ENABLE QRESYNC'));
      ok(await c.command('CREATE Work'));
      ok(await c.command('SUBSCRIBE Work'));
      ok(await c.command('CREATE Scratch'));
      for (let i = 1; i <= 5; i++) {
        ok(await append(c, 'INBOX', simpleMessage({ subject: `message ${i}`, body: `body ${i} ${'x'.repeat(i * 100)}` }), i === 1 ? '\\Seen' : i === 3 ? 'Important' : ''));
      }
      ok(await append(c, 'Scratch', simpleMessage({ subject: 'to be deleted' })));
      ok(await c.command('DELETE Scratch')); // leaves a gap in the source's mailbox ids
      const examined = ok(await c.command('EXAMINE INBOX'));
      validity = Number(codeArgs({ tagged: grep(examined, /UIDVALIDITY/)[0], untagged: [] }, 'UIDVALIDITY')[0]);
      syncedAt = highestModSeq(examined); // a QRESYNC client's last sync
      ok(await c.command('SELECT INBOX'));
      ok(await c.command('UID COPY 1:3 Work'));
      ok(await c.command('UID STORE 2 +FLAGS.SILENT (\\Flagged $Label)'));
      ok(await c.command('UID STORE 4 +FLAGS.SILENT (\\Deleted)'));
      ok(await c.command('UID EXPUNGE 4'));
      ok(await c.command('UID STORE 5 +FLAGS.SILENT (\\Answered)'));
      ok(await c.command('UNSELECT'));
      ok(await c.command('SETMETADATA Work (/private/comment "my work" /shared/comment "our work")'));
      ok(await c.command('SETMETADATA "" (/private/vendor/facteur/theme "dark")'));
      ok(await c.command('LOGOUT'));
      c.close();
      before = await observe(old.port, validity, syncedAt);
    } finally {
      await old.stop();
    }
    // Sieve scripts through the store, as ManageSieve would store them.
    const store = await openStore(old.config);
    const alice = (await store.getAccount(USER))!;
    const actor = { accountId: alice.id, name: USER };
    await store.putSieveScript(actor, 'filters', 'require "fileinto"; if header :contains "subject" "work" { fileinto "Work"; }');
    await store.putSieveScript(actor, 'old', 'keep;');
    await store.setActiveSieveScript(actor, 'filters');
    await store.close();

    // 2. The move.
    const copied = await cli(['store', 'copy', '--from', `sqlite:${sqliteDir}`, '--to', db.url]);
    assert.equal(copied.code, 0, copied.err + copied.out);
    assert.match(copied.out, /^copied 1 account\(s\), 7 mailbox\(es\), 7 message\(s\), 4 blob\(s\)/m);
    assert.match(copied.out, /^verified: no differences/m);
    assert.match(copied.err, /account alice: 7 mailbox\(es\), 7 message\(s\)/);
    const verified = await cli(['store', 'verify', '--from', `sqlite:${sqliteDir}`, '--to', db.url]);
    assert.equal(verified.code, 0, verified.out);

    // 3. A server on the PostgreSQL copy: same password, same everything.
    const moved = await startTestServer({ dataDir: pgDir, users: [], config: { store: db.url } });
    try {
      const after = await observe(moved.port, validity, syncedAt);
      assert.deepEqual(after, before);
      assert.ok(after.includes('* METADATA Work (/private/comment "my work" /shared/comment "our work")'), JSON.stringify(after));
      assert.ok(after.includes('* METADATA "" (/private/vendor/facteur/theme "dark" /shared/comment "maintenance on Sunday")'), JSON.stringify(after));
      // And what that means for a QRESYNC client that last synced before the changes.
      const resync = after.slice(after.indexOf('-- QRESYNC --'));
      assert.ok(resync.includes('* VANISHED (EARLIER) 4'), JSON.stringify(resync));
      assert.ok(resync.some((l) => /^\* \d+ FETCH \(UID 5 .*\\Answered/.test(l) || /^\* \d+ FETCH \(.*\\Answered.*UID 5/.test(l)), JSON.stringify(resync));
      assert.ok(resync.some((l) => /^\* \d+ FETCH \(.*UID 2\b.*/.test(l) && /\\Flagged/.test(l)), JSON.stringify(resync));
      assert.ok(!resync.some((l) => /UID (1|3)\b/.test(l)), 'unchanged messages are not reported');

      // New mail continues the UID and modseq sequences instead of reusing them.
      const c = await loggedIn(moved.port);
      const appended = ok(await append(c, 'INBOX', simpleMessage({ subject: 'after the move' })));
      assert.deepEqual(codeArgs(appended, 'APPENDUID'), [String(validity), '6']);
      c.close();
      const pgStore = await openStore(moved.config);
      try {
        const pgAlice = (await pgStore.getAccount(USER))!;
        const active = await pgStore.getActiveSieveScript({ accountId: pgAlice.id, name: USER });
        assert.equal(active?.name, 'filters');
        assert.match(active?.source ?? '', /fileinto "Work"/);
        assert.deepEqual((await pgStore.listSieveScripts({ accountId: pgAlice.id, name: USER })).map((s) => s.name).sort(), ['filters', 'old']);
      } finally {
        await pgStore.close();
      }
    } finally {
      await moved.stop();
    }
  });

  test('grantees\' private \\Seen (seen marks, decision 0019) are copied and verified', { skip: !reachable }, async () => {
    const sqliteDir = await mkdtemp(join(tmpdir(), 'facteur-move-seen-sqlite-'));
    const pgDir = await mkdtemp(join(tmpdir(), 'facteur-move-seen-pg-'));
    dirs.push(sqliteDir, pgDir);
    const target = await createScratchDatabase(PG_SERVER);
    const users: Array<[string, string]> = [['alice', 'alice-pass'], ['bob', 'bob-pass']];
    /** Flags of bob's Team as each user sees them. */
    const views = async (port: number): Promise<string[]> => {
      const out: string[] = [];
      for (const [user, box] of [['bob', 'Team'], ['alice', '"Other Users/bob/Team"']] as const) {
        const c = await TestClient.connect(port);
        try {
          ok(await c.login(user, `${user}-pass`));
          ok(await c.command(`EXAMINE ${box}`));
          out.push(...ok(await c.command('UID FETCH 1:* (FLAGS)')).untagged.map((l) => `${user}: ${l.replace(/\\Recent ?/, '')}`));
        } finally {
          c.close();
        }
      }
      return out;
    };
    try {
      const old = await startTestServer({ dataDir: sqliteDir, users, config: { store: 'sqlite' } });
      let before: string[];
      try {
        const bob = await TestClient.connect(old.port);
        ok(await bob.login('bob', 'bob-pass'));
        ok(await bob.command('CREATE Team'));
        for (let i = 1; i <= 3; i++) ok(await append(bob, 'Team', simpleMessage({ subject: `team ${i}` }), i === 3 ? '\\Seen' : ''));
        ok(await bob.command('SETACL Team alice lrs'));
        bob.close();
        const alice = await TestClient.connect(old.port);
        ok(await alice.login('alice', 'alice-pass'));
        ok(await alice.command('SELECT "Other Users/bob/Team"'));
        ok(await alice.command('UID STORE 1:2 +FLAGS.SILENT (\\Seen)'));
        alice.close();
        before = await views(old.port);
      } finally {
        await old.stop();
      }
      // alice has seen 1 and 2, bob only 3 (his \\Seen, not alice's).
      assert.deepEqual(before, [
        'bob: * 1 FETCH (UID 1 FLAGS ())',
        'bob: * 2 FETCH (UID 2 FLAGS ())',
        'bob: * 3 FETCH (UID 3 FLAGS (\\Seen))',
        'alice: * 1 FETCH (UID 1 FLAGS (\\Seen))',
        'alice: * 2 FETCH (UID 2 FLAGS (\\Seen))',
        'alice: * 3 FETCH (UID 3 FLAGS ())',
      ]);
      const copied = await cli(['store', 'copy', '--from', `sqlite:${sqliteDir}`, '--to', target.url]);
      assert.equal(copied.code, 0, copied.err + copied.out);
      assert.match(copied.out, /^verified: no differences/m);
      const moved = await startTestServer({ dataDir: pgDir, users: [], config: { store: target.url } });
      try {
        assert.deepEqual(await views(moved.port), before);
      } finally {
        await moved.stop();
      }
    } finally {
      await target.drop();
    }
  });
});
