/**
 * Two servers on one data directory (as two worker processes or nodes would be): a client IDLEing
 * on one sees, within a second, the messages appended, flagged and expunged through the other
 * (the SQLite change feed carries events between processes; docs/decisions/0001).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { TestClient, waitForLine } from '../support/transcript.js';

/** The first line matching `re` within `timeoutMs` (the lines before it are dropped). */
const readUntil = async (c: TestClient, re: RegExp, timeoutMs: number): Promise<string> => (await waitForLine(c, re, timeoutMs)).line;

/** Two servers on one fresh data directory, as two worker processes would be; stopped after. */
async function withTwoServers(fn: (a: TestServer, b: TestServer) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-shared-'));
  const a = await startTestServer({ dataDir });
  const b = await startTestServer({ dataDir, users: [] });
  try {
    await fn(a, b);
  } finally {
    await b.stop();
    await a.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('IDLE on server B reports APPEND, STORE and EXPUNGE made through server A', async () => {
  await withTwoServers(async (a, b) => {
    const writer = await TestClient.connect(a.port);
    await writer.login(USER, PASS);
    const idler = await TestClient.connect(b.port);
    await idler.login(USER, PASS);
    assert.match((await idler.command('SELECT INBOX')).untagged.join('\n'), /\* 0 EXISTS/);
    idler.write('I1 IDLE\r\n');
    assert.match(await idler.readLine(), /^\+ /);

    const r = await writer.command('APPEND INBOX {21+}\r\nSubject: x\r\n\r\nhello\r\n');
    assert.match(r.tagged, /OK \[APPENDUID \d+ 1\]/);
    assert.equal(await readUntil(idler, /EXISTS/, 1000), '* 1 EXISTS');

    await writer.command('SELECT INBOX');
    await writer.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.match(await readUntil(idler, /FETCH/, 1000), /^\* 1 FETCH \(UID 1 FLAGS \(\\Deleted/);
    await writer.command('EXPUNGE');
    assert.equal(await readUntil(idler, /EXPUNGE/, 1000), '* 1 EXPUNGE');

    idler.write('DONE\r\n');
    assert.match((await idler.readUntilTagged('I1')).tagged, /^I1 OK/);
    writer.close();
    idler.close();
  });
});

test('a METADATA change is announced once, also after another process commits (change feed)', async () => {
  await withTwoServers(async (a, b) => {
    const watcher = await TestClient.connect(a.port);
    await watcher.login(USER, PASS);
    const setter = await TestClient.connect(a.port);
    await setter.login(USER, PASS);
    const other = await TestClient.connect(b.port);
    await other.login(USER, PASS);
    assert.match((await watcher.command('NOTIFY SET (personal (MessageNew MessageExpunge MailboxMetadataChange))')).tagged, /OK/);
    // Written by server A: A's own bus announces it at once.
    assert.match((await setter.command('SETMETADATA INBOX (/shared/comment "once")')).tagged, /OK/);
    assert.equal(await readUntil(watcher, /^\* METADATA /, 2000), '* METADATA "INBOX" /shared/comment');
    // Server B commits: A's feed poll now reads every newer row, its own METADATA row included,
    // which it must not announce again (RFC 5465 §5.7: each event is a response to the client).
    assert.match((await other.command('APPEND INBOX {21+}\r\nSubject: x\r\n\r\nhello\r\n')).tagged, /OK/);
    const seen: string[] = [];
    for (;;) {
      const line = await watcher.readLine(2000);
      seen.push(line);
      if (line.startsWith('* STATUS "INBOX"')) break;
    }
    // A replayed duplicate would be pending or sent by now (one feed poll replays both rows).
    seen.push(...(await watcher.command('NOOP')).untagged);
    assert.deepEqual(seen.filter((l) => l.startsWith('* METADATA')), [], seen.join(' | '));
    watcher.close();
    setter.close();
    other.close();
  });
});
