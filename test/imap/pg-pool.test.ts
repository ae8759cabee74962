/**
 * The PostgreSQL pool limits over real sockets: with every pooled connection busy, commands fail
 * temporarily (IMAP NO [UNAVAILABLE], LMTP 451) once --pg-connect-timeout has passed, and a
 * statement stuck behind a lock is cancelled by --pg-statement-timeout; nothing hangs, and the
 * server serves normally once the database is free again.
 *
 * The pool is made busy deterministically: --pg-pool-max 1, and this test holds the INBOX row
 * lock in its own transaction, so the server's one connection waits inside an APPEND. Outcomes
 * only are asserted, never durations.
 *
 * Runs against FACTEUR_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) in a
 * database of its own, dropped at the end; skipped, loudly, when no server answers there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, startServer } from '../../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { silentLogger } from '../../src/observability/log.js';
import { createScratchSchema } from '../../src/store/postgres/scratch-database.js';
import { freePort } from '../support/ports.js';
import { LmtpTestClient } from '../support/lmtp-client.js';
import { assertStatus, simpleMessage, TestClient } from '../support/transcript.js';
import { scratchDatabaseForFile } from '../../src/store/postgres/scratch.test-support.js';

const { scratch, skip } = await scratchDatabaseForFile();

const USER = 'alice';
const PASS = 'wonderland-pass';

interface Running {
  config: Config;
  /** A client of the server's database (same schema), for the lock the test holds. */
  admin: pg.Client;
  stop(): Promise<void>;
}

async function start(pool: Pick<Config, 'pgPoolMax' | 'pgConnectTimeout' | 'pgStatementTimeout'>): Promise<Running> {
  if (scratch === null) throw new Error(String(skip));
  const schema = await createScratchSchema(scratch.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-pgpool-'));
  const config: Config = {
    ...DEFAULT_CONFIG,
    dataDir,
    store: schema.url,
    host: '127.0.0.1',
    imapPort: await freePort(),
    imapsPort: 0,
    managesievePort: 0,
    lmtpPort: await freePort(),
    allowCleartextAuth: true,
    logLevel: 'silent',
    ...pool,
  };
  const setup = await openStore(config);
  await setup.createAccount(USER, await hashPassword(PASS));
  await setup.close();
  const server = await startServer(config, silentLogger);
  const admin = new pg.Client({ connectionString: schema.url });
  await admin.connect();
  return {
    config,
    admin,
    async stop() {
      await admin.end().catch(() => undefined);
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    },
  };
}

async function login(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  await c.login(USER, PASS);
  return c;
}

/** Takes the INBOX row lock in an open transaction of the admin client (what a slow node does). */
async function lockInbox(admin: pg.Client): Promise<void> {
  await admin.query('BEGIN');
  const { rowCount } = await admin.query("SELECT 1 FROM mailboxes WHERE name = 'INBOX' FOR UPDATE");
  assert.equal(rowCount, 1);
}

/** Polls until one of the server's connections waits for a lock (the APPEND got the pool). */
async function untilServerWaitsOnLock(admin: pg.Client): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await admin.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'facteur' AND wait_event_type = 'Lock'",
    );
    if (Number(rows[0].n) > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('the server never waited for the INBOX lock');
}

/** Sends an APPEND with a non-synchronizing literal (LITERAL+, RFC 7888) without awaiting it. */
function sendAppend(c: TestClient, message: string): string {
  const tag = c.nextTag();
  c.write(`${tag} APPEND INBOX {${Buffer.byteLength(message)}+}\r\n${message}\r\n`);
  return tag;
}

describe('PostgreSQL pool limits', { skip }, () => {
  test('an exhausted pool answers NO [UNAVAILABLE] and LMTP 451 after the connect timeout, then recovers', async () => {
    // Statements may wait long (the held lock must outlive the others' connect timeouts).
    const s = await start({ pgPoolMax: 1, pgConnectTimeout: 200, pgStatementTimeout: 60_000 });
    const holder = await login(s.config.imapPort);
    const other = await login(s.config.imapPort);
    try {
      await lockInbox(s.admin);
      const tag = sendAppend(holder, simpleMessage({ subject: 'held' }));
      await untilServerWaitsOnLock(s.admin);

      // The pool's only connection is inside that APPEND: others get a temporary failure.
      const status = await other.command('STATUS INBOX (MESSAGES)', 30_000);
      assertStatus(status, 'NO', 'UNAVAILABLE');
      const sel = await other.command('SELECT INBOX', 30_000);
      assertStatus(sel, 'NO', 'UNAVAILABLE');

      const lmtp = await LmtpTestClient.connect(s.config.lmtpPort);
      try {
        assert.equal((await lmtp.command('LHLO client.example')).code, 250);
        assert.equal((await lmtp.command('MAIL FROM:<bob@example.org>')).code, 250);
        const rcpt = await lmtp.command(`RCPT TO:<${USER}@example.com>`);
        assert.equal(rcpt.code, 451, rcpt.text);
        assert.match(rcpt.text, /^451 4\.\d+\.\d+ /);
      } finally {
        lmtp.sock.destroy();
      }

      // The lock goes away: the waiting APPEND completes, and everybody is served again.
      await s.admin.query('ROLLBACK');
      assertStatus(await holder.readUntilTagged(tag, 30_000), 'OK');
      const after = await other.command('STATUS INBOX (MESSAGES)', 30_000);
      assertStatus(after, 'OK');
      assert.match(after.untagged.join('\n'), /MESSAGES 1\)/);

      const lmtp2 = await LmtpTestClient.connect(s.config.lmtpPort);
      try {
        assert.equal((await lmtp2.command('LHLO client.example')).code, 250);
        assert.equal((await lmtp2.command('MAIL FROM:<bob@example.org>')).code, 250);
        assert.equal((await lmtp2.command(`RCPT TO:<${USER}@example.com>`)).code, 250);
        assert.equal((await lmtp2.command('DATA')).code, 354);
        const data = await lmtp2.command(`${simpleMessage({ subject: 'after' })}.`);
        assert.equal(data.code, 250, data.text);
      } finally {
        lmtp2.sock.destroy();
      }
    } finally {
      holder.close();
      other.close();
      await s.stop();
    }
  });

  test('a statement stuck behind a lock is cancelled by the statement timeout: NO [UNAVAILABLE], nothing stored', async () => {
    const s = await start({ pgPoolMax: 2, pgConnectTimeout: 5000, pgStatementTimeout: 300 });
    const c = await login(s.config.imapPort);
    try {
      await lockInbox(s.admin);
      const tag = sendAppend(c, simpleMessage({ subject: 'cancelled' }));
      assertStatus(await c.readUntilTagged(tag, 30_000), 'NO', 'UNAVAILABLE');
      await s.admin.query('ROLLBACK');

      const status = await c.command('STATUS INBOX (MESSAGES)', 30_000);
      assertStatus(status, 'OK');
      assert.match(status.untagged.join('\n'), /MESSAGES 0\)/);
      const tag2 = sendAppend(c, simpleMessage({ subject: 'accepted' }));
      assertStatus(await c.readUntilTagged(tag2, 30_000), 'OK');
    } finally {
      c.close();
      await s.stop();
    }
  });
});
