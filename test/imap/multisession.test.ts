/**
 * Two connections on one mailbox: what session B learns of session A's changes, and when.
 * RFC 9051 §5.2 (mailbox size and message status updates), §7.5.1 (EXPUNGE MUST NOT be sent
 * during FETCH, STORE or SEARCH), §6.1.2 (NOOP), RFC 2177 / RFC 9051 §6.3.13 (IDLE).
 */
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, seedMailbox, waitForLine } from '../support/transcript.js';

describe('IMAP multiple sessions on one mailbox', () => {
  let srv: TestServer;
  let a: TestClient;
  let b: TestClient;
  let box = '';
  let n = 0;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });
  // each test gets a fresh mailbox with 3 messages; A is rev1, B is rev2 (no \Recent noise)
  beforeEach(async () => {
    box = `shared${++n}`;
    await seedMailbox(srv.port, box, [{ body: simpleMessage({ subject: 's1' }) }, { body: simpleMessage({ subject: 's2' }) }, { body: simpleMessage({ subject: 's3' }) }]);
    a = await loggedIn(srv.port);
    b = await loggedIn(srv.port);
    assertStatus(await b.command('ENABLE IMAP4rev2'), 'OK');
    assertStatus(await a.command(`SELECT ${box}`), 'OK');
    const sel = await b.command(`SELECT ${box}`);
    assert.ok(sel.untagged.includes('* 3 EXISTS'), JSON.stringify(sel.untagged));
  });
  afterEach(() => {
    a.close();
    b.close();
  });

  test('B sees EXISTS at its next NOOP after A appends', async () => {
    assertStatus(await append(a, box, simpleMessage({ subject: 's4' })), 'OK');
    const r = await b.command('NOOP');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* 4 EXISTS']);
    // and nothing more at the following NOOP
    assert.deepEqual((await b.command('NOOP')).untagged, []);
    const f = await b.command('FETCH 4 BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    assert.deepEqual(f.untagged, ['* 4 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: s4\r\n\r\n)']);
  });

  test('B sees FETCH FLAGS at its next NOOP after A stores', async () => {
    assertStatus(await a.command('STORE 2 +FLAGS (\\Flagged $Team)'), 'OK');
    const r = await b.command('NOOP');
    assertStatus(r, 'OK');
    // B learns the new keyword from FLAGS/PERMANENTFLAGS before the FETCH that uses it (RFC 9051 §7.3.5).
    assert.equal(r.untagged.length, 3, JSON.stringify(r.untagged));
    assert.match(r.untagged[0]!, /^\* FLAGS \(.*\$Team\)$/);
    assert.match(r.untagged[1]!, /^\* OK \[PERMANENTFLAGS \(.*\$Team \\\*\)\]/);
    assert.match(r.untagged[2]!, /^\* 2 FETCH \((?:UID 2 )?FLAGS \(\\Flagged \$Team\)\)$/);
    assert.deepEqual((await b.command('NOOP')).untagged, []);
  });

  test('EXPUNGE by A is withheld during B\'s FETCH, STORE and SEARCH, and sent at NOOP (RFC 9051 §7.5.1)', async () => {
    assertStatus(await a.command('STORE 2 +FLAGS.SILENT (\\Deleted)'), 'OK');
    const ex = await a.command('EXPUNGE');
    assert.deepEqual(ex.untagged, ['* 2 EXPUNGE']);

    const f = await b.command('FETCH 1:3 (FLAGS)');
    assert.ok(!f.untagged.some((l) => /EXPUNGE/.test(l)), `EXPUNGE during FETCH: ${JSON.stringify(f.untagged)}`);
    // B's sequence numbers are unchanged: message 3 is still s3
    const f3 = await b.command('FETCH 3 BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    assert.ok(!f3.untagged.some((l) => /EXPUNGE/.test(l)), JSON.stringify(f3.untagged));
    assert.ok(f3.untagged.some((l) => l.includes('Subject: s3')), JSON.stringify(f3.untagged));

    const s = await b.command('STORE 1 +FLAGS (\\Seen)');
    assertStatus(s, 'OK');
    assert.ok(!s.untagged.some((l) => /EXPUNGE/.test(l)), `EXPUNGE during STORE: ${JSON.stringify(s.untagged)}`);
    assert.ok(s.untagged.some((l) => /^\* 1 FETCH \((?:UID 1 )?FLAGS \(\\Seen\)\)$/.test(l)), JSON.stringify(s.untagged));

    const tag = b.nextTag();
    b.write(`${tag} SEARCH ALL\r\n`);
    const se = await b.readUntilTagged(tag);
    assertStatus(se, 'OK');
    assert.ok(!se.untagged.some((l) => /EXPUNGE/.test(l)), `EXPUNGE during SEARCH: ${JSON.stringify(se.untagged)}`);

    const noop = await b.command('NOOP');
    assertStatus(noop, 'OK');
    assert.deepEqual(noop.untagged, ['* 2 EXPUNGE']);
    const after = await b.command('FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    assert.deepEqual(after.untagged.map((l) => l.replace(/^.*\r\nSubject: (\w+)\r\n\r\n\)$/s, '$1')), ['s1', 's3']);
  });

  test('FETCH/STORE naming a message A expunged: the rest answered, then NO [EXPUNGEISSUED]; .SILENT and UID forms OK (RFC 2180 §4.1.2, §4.2)', async () => {
    assertStatus(await a.command('STORE 2 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('EXPUNGE'), 'OK');

    // §4.1.2: FETCH responses for the messages that still exist, then a tagged NO in the RFC's words
    const f = await b.command('FETCH 1:3 (UID)');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)', '* 3 FETCH (UID 3)']);
    assert.match(f.tagged, / NO \[EXPUNGEISSUED\] Some of the requested messages no longer exist$/);
    // §4.2.3: STORE sets and reports the others, then NO
    const s = await b.command('STORE 1:3 +FLAGS (\\Flagged)');
    assert.deepEqual(s.untagged, ['* 1 FETCH (FLAGS (\\Flagged))', '* 3 FETCH (FLAGS (\\Flagged))']);
    assert.match(s.tagged, / NO \[EXPUNGEISSUED\] Some of the messages no longer exist$/);
    // §4.2.1: .SILENT completes OK; UID FETCH ignores a UID that no longer exists (RFC 9051 §6.4.9)
    assertStatus(await b.command('STORE 1:3 +FLAGS.SILENT (\\Seen)'), 'OK');
    const uf = await b.command('UID FETCH 1:3 (FLAGS)');
    assertStatus(uf, 'OK');
    assert.deepEqual(uf.untagged, ['* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen))', '* 3 FETCH (UID 3 FLAGS (\\Flagged \\Seen))']);

    assert.deepEqual((await b.command('NOOP')).untagged, ['* 2 EXPUNGE']);
    assertStatus(await b.command('FETCH 1:2 (UID)'), 'OK');
  });

  test('EXPUNGE is also delivered before the tagged response of an unrelated command (CHECK)', async () => {
    assertStatus(await a.command('STORE 3 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('EXPUNGE'), 'OK');
    const r = await b.command('CHECK');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* 3 EXPUNGE']);
  });

  test('IDLE: B receives EXISTS within 1 s of A\'s APPEND and EXPUNGE of A\'s expunge; DONE ends with OK', async () => {
    const tag = b.nextTag();
    b.write(`${tag} IDLE\r\n`);
    assert.match(await b.readLine(), /^\+ /);
    assertStatus(await append(a, box, simpleMessage({ subject: 's4' })), 'OK');
    const ex = await waitForLine(b, /^\* \d+ EXISTS$/, 1000);
    assert.equal(ex.line, '* 4 EXISTS');
    assert.deepEqual(ex.skipped, []);

    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('EXPUNGE'), 'OK');
    const exp = await waitForLine(b, /EXPUNGE$/, 1000);
    assert.equal(exp.line, '* 1 EXPUNGE');
    // the \Deleted flag change may legitimately be announced first (a FETCH of message 1)
    for (const l of exp.skipped) assert.match(l, /^\* 1 FETCH \((?:UID 1 )?FLAGS \(\\Deleted\)\)$/);

    b.write('DONE\r\n');
    const done = await b.readUntilTagged(tag);
    assertStatus(done, 'OK');
    assert.deepEqual(done.untagged, []);
    // the view is in sync: 3 messages s2, s3, s4
    const f = await b.command('FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    assert.deepEqual(f.untagged.map((l) => l.replace(/^.*\r\nSubject: (\w+)\r\n\r\n\)$/s, '$1')), ['s2', 's3', 's4']);
  });

  test('IDLE: a flag change by A arrives as FETCH; anything but DONE ends IDLE with BAD', async () => {
    const tag = b.nextTag();
    b.write(`${tag} IDLE\r\n`);
    assert.match(await b.readLine(), /^\+ /);
    assertStatus(await a.command('STORE 3 +FLAGS (\\Answered)'), 'OK');
    const f = await waitForLine(b, /FETCH/, 1000);
    assert.match(f.line, /^\* 3 FETCH \((?:UID 3 )?FLAGS \(\\Answered\)\)$/);
    b.write('NOT-DONE\r\n');
    assertStatus(await b.readUntilTagged(tag), 'BAD');
    assertStatus(await b.command('NOOP'), 'OK');
  });

  test('rev1 session sees EXISTS and RECENT for a message A appended (RFC 3501 §7.3.1-2)', async () => {
    const c = await loggedIn(srv.port);
    try {
      // A leaves the mailbox (B is rev2 and claims nothing), so c is the one session to be told
      assertStatus(await a.command('UNSELECT'), 'OK');
      assertStatus(await c.command(`SELECT ${box}`), 'OK');
      assertStatus(await append(a, box, simpleMessage({ subject: 's4' })), 'OK');
      const r = await c.command('NOOP');
      assert.deepEqual(r.untagged, ['* 4 EXISTS', '* 1 RECENT']);
    } finally {
      c.close();
    }
  });
});
