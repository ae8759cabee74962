/**
 * PostgreSQL restarted under load loses nothing acknowledged (issue "Scale out").
 *
 * Two nodes (startServer from src/main.ts) share one PostgreSQL server of this test's own
 * (test/support/private-postgres.ts). Four IMAP clients, two per node, APPEND without pause and
 * one LMTP client delivers through node 2, while the server is stopped and started twice: once
 * in fast mode (connections terminated, clean shutdown), once in immediate mode (a crash: WAL
 * recovery at start).
 *
 * Checked: during the outages only temporary errors (IMAP NO [UNAVAILABLE], LMTP 4xx, or a
 * dropped connection; never BAD, another NO or a 5xx); service resumes through both nodes; then
 * every acknowledged message (APPEND tagged OK [APPENDUID], LMTP 250) is in INBOX with the
 * acknowledged UID, every UID appears once, UIDNEXT lies above them, and the consistency check
 * (`facteur db check`) finds nothing.
 *
 * Runs in the isolated, sequential last step of `npm test` (scripts/run-tests.mjs): it is heavy
 * and its outages must not coincide with other tests' timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStore, openStore, startServer } from '../../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { silentLogger } from '../../src/observability/log.js';
import { freePort } from '../support/ports.js';
import { TestClient } from '../support/client.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { startPrivatePostgres, unavailableReason, type PrivatePostgres, type StopMode } from '../support/private-postgres.js';

const USER = 'alice';
const PASS = 'restart-pass';
/** How long the database stays down in each outage. */
const OUTAGE_MS = 1500;
/** Acknowledgements each writer must collect after an outage to count as recovered. */
const ACKS_AFTER_OUTAGE = 3;
const RECOVERY_LIMIT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ack {
  subject: string;
  uid: number | null;
}

/** What one writer saw: acknowledgements, temporary failures, and anything else (a defect). */
class Writer {
  readonly acks: Ack[] = [];
  temporary = 0;
  dropped = 0;
  readonly unexpected: string[] = [];
  constructor(readonly name: string) {}
}

async function waitFor(what: string, pred: () => boolean, limitMs = RECOVERY_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** APPENDs one message after another through `port` until `stop()`; reconnects when cut off. */
async function imapWriter(w: Writer, port: number, stopped: () => boolean): Promise<void> {
  let c: TestClient | null = null;
  let n = 0;
  while (!stopped()) {
    try {
      if (c === null) {
        c = await TestClient.connect(port);
        const r = await c.command(`LOGIN ${USER} ${PASS}`, 30_000);
        if (!/ OK /.test(r.tagged)) {
          if (/ NO \[UNAVAILABLE\]/.test(r.tagged)) w.temporary++;
          else w.unexpected.push(`LOGIN: ${r.tagged}`);
          c.close();
          c = null;
          await sleep(100);
          continue;
        }
      }
      const subject = `${w.name}-${n++}`;
      const msg = `From: ${w.name}@example.org\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;
      const r = await c.command(`APPEND INBOX {${Buffer.byteLength(msg)}+}\r\n${msg}`, 30_000);
      const ok = /^\S+ OK \[APPENDUID \d+ (\d+)\]/.exec(r.tagged);
      if (ok !== null) w.acks.push({ subject, uid: Number(ok[1]) });
      else if (/^\S+ NO \[UNAVAILABLE\]/.test(r.tagged)) {
        w.temporary++;
        await sleep(100);
      } else w.unexpected.push(`APPEND: ${r.tagged}`);
    } catch {
      // The connection was cut (or a reply never came): a temporary failure, reconnect.
      w.dropped++;
      c?.close();
      c = null;
      await sleep(100);
    }
  }
  c?.close();
}

/** Delivers one message per transaction through LMTP until `stop()`. */
async function lmtpWriter(w: Writer, port: number, stopped: () => boolean): Promise<void> {
  let c: LmtpTestClient | null = null;
  let n = 0;
  const expect = (r: { code: number; text: string }, step: string, ok: number): boolean => {
    if (r.code === ok) return true;
    if (r.code >= 400 && r.code < 500) w.temporary++;
    else w.unexpected.push(`${step}: ${r.text}`);
    return false;
  };
  while (!stopped()) {
    try {
      if (c === null) {
        c = await LmtpTestClient.connect(port);
        if (!expect(await c.command('LHLO restart.test'), 'LHLO', 250)) throw new Error('LHLO refused');
      }
      const subject = `${w.name}-${n++}`;
      const msg = `From: sender@example.org\r\nTo: ${USER}@example.com\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;
      if (!expect(await c.command('MAIL FROM:<sender@example.org>'), 'MAIL', 250)) throw new Error('MAIL refused');
      if (!expect(await c.command(`RCPT TO:<${USER}@example.com>`), 'RCPT', 250)) {
        await c.command('RSET');
        await sleep(100);
        continue;
      }
      if (!expect(await c.command('DATA'), 'DATA', 354)) throw new Error('DATA refused');
      c.write(dotStuffed(msg));
      const r = await c.read(30_000);
      if (expect(r, 'end of DATA', 250)) w.acks.push({ subject, uid: null });
      else await sleep(100);
    } catch {
      w.dropped++;
      c?.close();
      c = null;
      await sleep(100);
    }
  }
  c?.close();
}

/** Every message of INBOX as subject -> UIDs, read through `port`, with the STATUS UIDNEXT. */
async function inbox(port: number): Promise<{ bySubject: Map<string, number[]>; uids: number[]; uidNext: number }> {
  const c = await TestClient.connect(port);
  try {
    await c.login(USER, PASS);
    const st = await c.command('STATUS INBOX (UIDNEXT MESSAGES)');
    const uidNext = Number(/UIDNEXT (\d+)/.exec(st.untagged.join('\n'))?.[1]);
    assert.match((await c.command('SELECT INBOX')).tagged, / OK /);
    const r = await c.command('UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])', 60_000);
    assert.match(r.tagged, / OK /);
    const bySubject = new Map<string, number[]>();
    const uids: number[] = [];
    for (const line of r.untagged) {
      const uid = /[( ]UID (\d+)/.exec(line);
      const subject = /Subject: (\S+)/i.exec(line);
      if (uid === null || subject === null) continue;
      uids.push(Number(uid[1]));
      bySubject.set(subject[1]!, [...(bySubject.get(subject[1]!) ?? []), Number(uid[1])]);
    }
    return { bySubject, uids, uidNext };
  } finally {
    c.close();
  }
}

const skip = (await unavailableReason()) ?? false;

test('PostgreSQL stopped and started under IMAP and LMTP load through two nodes: nothing acknowledged is lost', { skip, timeout: 300_000 }, async (t) => {
  let pg: PrivatePostgres | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-restart-'));
  const nodes: Array<{ close(): Promise<void> }> = [];
  try {
    pg = await startPrivatePostgres();
    const base: Config = {
      ...DEFAULT_CONFIG,
      dataDir,
      store: pg.url,
      host: '127.0.0.1',
      allowCleartextAuth: true,
      logLevel: 'silent',
      managesievePort: 0,
      lmtpPort: 0,
    };
    const setup = await openStore(base);
    await setup.createAccount(USER, await hashPassword(PASS));
    await setup.close();
    const configs: Config[] = [];
    for (let i = 0; i < 2; i++) {
      const config: Config = { ...base, imapPort: await freePort(), imapsPort: await freePort(), lmtpPort: i === 1 ? await freePort() : 0 };
      configs.push(config);
      nodes.push(await startServer(config, silentLogger));
    }

    let stop = false;
    const stopped = (): boolean => stop;
    const writers: Writer[] = [];
    const loops: Array<Promise<void>> = [];
    for (let i = 0; i < 4; i++) {
      const w = new Writer(`imap${i}`);
      writers.push(w);
      loops.push(imapWriter(w, configs[i % 2]!.imapPort, stopped));
    }
    const lmtp = new Writer('lmtp');
    writers.push(lmtp);
    loops.push(lmtpWriter(lmtp, configs[1]!.lmtpPort, stopped));

    const recovered = async (what: string): Promise<void> => {
      const marks = writers.map((w) => w.acks.length);
      await waitFor(what, () => writers.every((w, i) => w.acks.length >= marks[i]! + ACKS_AFTER_OUTAGE));
    };
    try {
      await recovered('the first acknowledgements');
      for (const mode of ['fast', 'immediate'] as StopMode[]) {
        await pg.stop(mode);
        await sleep(OUTAGE_MS);
        await pg.start();
        await recovered(`every writer to recover after the ${mode} restart`);
      }
    } finally {
      stop = true;
      await Promise.all(loops);
    }

    for (const w of writers) t.diagnostic(`${w.name}: ${w.acks.length} acknowledged, ${w.temporary} temporary errors, ${w.dropped} dropped connections`);
    for (const w of writers) assert.deepEqual(w.unexpected, [], `${w.name}: only temporary failures`);
    const failures = writers.reduce((n, w) => n + w.temporary + w.dropped, 0);
    assert.ok(failures > 0, 'the outages were seen by the writers (otherwise this test tested nothing)');

    // Read back through each node.
    for (const config of configs) {
      const { bySubject, uids, uidNext } = await inbox(config.imapPort);
      assert.equal(new Set(uids).size, uids.length, 'every UID once');
      assert.ok(uidNext > Math.max(...uids), `UIDNEXT ${uidNext} above every UID`);
      for (const w of writers) {
        for (const ack of w.acks) {
          const found = bySubject.get(ack.subject);
          assert.ok(found !== undefined, `${ack.subject} acknowledged, then lost`);
          assert.equal(found.length, 1, `${ack.subject} stored once`);
          if (ack.uid !== null) assert.equal(found[0], ack.uid, `${ack.subject} under its APPENDUID`);
        }
      }
    }
    const report = await checkStore(base);
    assert.deepEqual(report.problems, [], 'facteur db check is clean');
    assert.ok(report.checked.messages >= writers.reduce((n, w) => n + w.acks.length, 0));
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
    await pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
