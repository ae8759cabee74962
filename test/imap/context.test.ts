/**
 * Transcript tests of CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): RETURN (UPDATE) contexts
 * whose results follow the mailbox through ESEARCH ADDTO / REMOVEFROM, whoever changes it (this
 * session or another, also during IDLE); flag changes re-evaluate the whole program; REMOVEFROM
 * precedes the EXPUNGE it is caused by and ADDTO follows EXISTS; SORT contexts carry positions;
 * CANCELUPDATE, tag reuse, the NOUPDATE limit, and contexts ending with the mailbox.
 */
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, seedMailbox, waitForLine, type Reply } from '../support/transcript.js';
import { MAX_UPDATE_CONTEXTS } from '../../src/wire/limits.js';

async function tagged(c: TestClient, tag: string, text: string): Promise<Reply> {
  c.write(`${tag} ${text}\r\n`);
  return c.readUntilTagged(tag);
}

function esearch(r: Reply | string[]): string[] {
  return (Array.isArray(r) ? r : r.untagged).filter((l) => l.startsWith('* ESEARCH'));
}

/** A message whose size grows with `pad`, so SORT (SIZE) orders by it. */
function sized(subject: string, pad: number): string {
  return simpleMessage({ subject, body: 'x'.repeat(pad) });
}

describe('CONTEXT=SEARCH / CONTEXT=SORT (RFC 5267 §4)', () => {
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
  // A fresh mailbox per test: s1..s5, message 2 and 4 \Flagged; sizes grow with the number.
  beforeEach(async () => {
    box = `ctx${++n}`;
    await seedMailbox(srv.port, box, [
      { body: sized('s1', 10) },
      { body: sized('s2', 20), flags: '\\Flagged' },
      { body: sized('s3', 30) },
      { body: sized('s4', 40), flags: '\\Flagged' },
      { body: sized('s5', 50) },
    ]);
    a = await loggedIn(srv.port);
    b = await loggedIn(srv.port);
    for (const c of [a, b]) {
      assertStatus(await c.command('ENABLE IMAP4rev2'), 'OK');
      assertStatus(await c.command(`SELECT ${box}`), 'OK');
    }
  });
  afterEach(() => {
    a.close();
    b.close();
  });

  test('CAPABILITY lists CONTEXT=SEARCH, CONTEXT=SORT and PARTIAL, with ESEARCH, SORT and ESORT', async () => {
    const caps = (await a.command('CAPABILITY')).untagged[0]!.split(' ');
    for (const c of ['CONTEXT=SEARCH', 'CONTEXT=SORT', 'PARTIAL', 'ESEARCH', 'SORT', 'ESORT']) assert.ok(caps.includes(c), c);
  });

  test('§4.2: CONTEXT is a hint; RETURN (CONTEXT COUNT) answers COUNT, RETURN (CONTEXT) answers ALL', async () => {
    assert.deepEqual((await tagged(a, 'A01', 'SEARCH RETURN (CONTEXT COUNT) UNFLAGGED')).untagged, ['* ESEARCH (TAG "A01") COUNT 3']);
    assert.deepEqual((await tagged(a, 'A02', 'SEARCH RETURN (CONTEXT) UNFLAGGED')).untagged, ['* ESEARCH (TAG "A02") ALL 1,3,5']);
  });

  test('§4.3: another session\'s flag changes arrive as ADDTO / REMOVEFROM after the FETCH, criteria re-evaluated', async () => {
    const r = await tagged(b, 'B01', 'UID SEARCH RETURN (UPDATE COUNT) DELETED KEYWORD $Junk');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "B01") UID COUNT 0']);
    assertStatus(r, 'OK');
    assertStatus(await a.command('STORE 3:4 +FLAGS ($Junk \\Deleted)'), 'OK');
    let noop = await b.command('NOOP');
    assert.deepEqual(noop.untagged.slice(-1), ['* ESEARCH (TAG "B01") UID ADDTO (0 3:4)']);
    assert.equal(noop.untagged.filter((l) => / FETCH /.test(l)).length, 2);
    // Message 4 loses $Junk: it no longer matches DELETED KEYWORD $Junk.
    assertStatus(await a.command('STORE 4 -FLAGS ($Junk)'), 'OK');
    noop = await b.command('NOOP');
    assert.deepEqual(esearch(noop), ['* ESEARCH (TAG "B01") UID REMOVEFROM (0 4)']);
    // A change that keeps message 3 matching sends nothing for the context.
    assertStatus(await a.command('STORE 3 +FLAGS (\\Seen)'), 'OK');
    noop = await b.command('NOOP');
    assert.deepEqual(esearch(noop), []);
    assert.equal(noop.untagged.length, 1);
    // §4.3: the tag names a live context, so reusing it for UPDATE is BAD and has no effect.
    assertStatus(await tagged(b, 'B01', 'SORT RETURN (UPDATE) (SIZE) UTF-8 FLAGGED'), 'BAD');
  });

  test('own STORE / EXPUNGE / APPEND (the imaptest search-context-update sequence, message numbers)', async () => {
    const s = await tagged(a, 'C1', 'SEARCH RETURN (UPDATE) BODY x SEEN');
    // UPDATE alone returns no result data, only the correlator.
    assert.deepEqual(s.untagged, ['* ESEARCH (TAG "C1")']);
    let r = await a.command('STORE 1,2,4 +FLAGS (\\Seen)');
    assert.equal(r.untagged.length, 4);
    assert.match(r.untagged[2]!, /^\* 4 FETCH/);
    assert.equal(r.untagged[3], '* ESEARCH (TAG "C1") ADDTO (0 1:2,4)');
    r = await a.command('STORE 1,2 -FLAGS.SILENT (\\Seen)');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "C1") REMOVEFROM (0 1:2)']);
    assertStatus(await a.command('STORE 3:5 +FLAGS.SILENT (\\Deleted)'), 'OK');
    r = await a.command('EXPUNGE');
    // RFC 5267 §4.3.4: REMOVEFROM while message 4 still has its number, then the EXPUNGEs.
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "C1") REMOVEFROM (0 4)', '* 5 EXPUNGE', '* 4 EXPUNGE', '* 3 EXPUNGE']);
    r = await append(a, box, sized('s6', 60), '\\Seen');
    // §4.3.3: ADDTO after the EXISTS that makes the number valid.
    assert.deepEqual(r.untagged, ['* 3 EXISTS', '* ESEARCH (TAG "C1") ADDTO (0 3)']);
    assertStatus(await a.command('CANCELUPDATE "C1"'), 'OK');
    r = await a.command('STORE 1 +FLAGS (\\Seen)');
    assert.deepEqual(esearch(r), []);
    // The tag is free again.
    assertStatus(await tagged(a, 'C1', 'SEARCH RETURN (UPDATE) SEEN'), 'OK');
  });

  test('a flag change re-evaluates content keys: OR SEEN SUBJECT s2 keeps s2 when \\Seen goes', async () => {
    assertStatus(await a.command('STORE 1,2 +FLAGS.SILENT (\\Seen)'), 'OK');
    const s = await tagged(b, 'D1', 'SEARCH RETURN (UPDATE ALL) OR SEEN SUBJECT s2');
    assert.deepEqual(esearch(s), ['* ESEARCH (TAG "D1") ALL 1:2']);
    assertStatus(await a.command('STORE 3:5 +FLAGS.SILENT (\\Seen)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "D1") ADDTO (0 3:5)']);
    assertStatus(await a.command('STORE 1:5 -FLAGS.SILENT (\\Seen)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "D1") REMOVEFROM (0 1,3:5)']);
  });

  test('another session\'s expunge: REMOVEFROM at once (even during FETCH), EXPUNGE only when allowed', async () => {
    const s = await tagged(b, 'E1', 'UID SEARCH RETURN (UPDATE ALL) FLAGGED');
    assert.deepEqual(esearch(s), ['* ESEARCH (TAG "E1") UID ALL 2,4']);
    const t = await tagged(b, 'E2', 'SEARCH RETURN (UPDATE) FLAGGED');
    assert.deepEqual(esearch(t), ['* ESEARCH (TAG "E2")']);
    assertStatus(await a.command('STORE 2 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('EXPUNGE'), 'OK');
    // FETCH may not carry EXPUNGE (RFC 9051 §7.5.1), but the contexts learn now (RFC 5267 A.3).
    const f = await b.command('FETCH 1 (UID)');
    assert.ok(!f.untagged.some((l) => /EXPUNGE/.test(l)), JSON.stringify(f.untagged));
    assert.deepEqual(esearch(f).sort(), ['* ESEARCH (TAG "E1") UID REMOVEFROM (0 2)', '* ESEARCH (TAG "E2") REMOVEFROM (0 2)']);
    // The EXPUNGE comes at NOOP, without a second REMOVEFROM.
    const noop = await b.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 2 EXPUNGE']);
    // Message numbers after the expunge: old 4 is now 3.
    assertStatus(await a.command('UID STORE 5 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')).sort(), ['* ESEARCH (TAG "E1") UID ADDTO (0 5)', '* ESEARCH (TAG "E2") ADDTO (0 4)']);
  });

  test('with QRESYNC the REMOVEFROM precedes the VANISHED of the same messages', async () => {
    const q = await loggedIn(srv.port);
    try {
      assertStatus(await q.command('ENABLE QRESYNC'), 'OK');
      assertStatus(await q.command(`SELECT ${box}`), 'OK');
      assertStatus(await tagged(q, 'Q1', 'UID SEARCH RETURN (UPDATE) UNFLAGGED'), 'OK');
      assertStatus(await a.command('STORE 1,2 +FLAGS.SILENT (\\Deleted)'), 'OK');
      assertStatus(await a.command('EXPUNGE'), 'OK');
      const noop = await q.command('NOOP');
      const lines = noop.untagged.filter((l) => !/ FETCH /.test(l));
      assert.deepEqual(lines, ['* ESEARCH (TAG "Q1") UID REMOVEFROM (0 1)', '* VANISHED 1:2']);
      // Own UID EXPUNGE too.
      assertStatus(await q.command('UID STORE 3 +FLAGS.SILENT (\\Deleted)'), 'OK');
      const r = await q.command('UID EXPUNGE 3');
      assert.deepEqual(r.untagged.filter((l) => !/ FETCH /.test(l)), ['* ESEARCH (TAG "Q1") UID REMOVEFROM (0 3)', '* VANISHED 3']);
    } finally {
      q.close();
    }
  });

  test('IDLE: an APPEND by another session gives EXISTS, then ADDTO; an expunge REMOVEFROM, then EXPUNGE', async () => {
    assert.deepEqual(esearch(await tagged(b, 'I1', 'SEARCH RETURN (UPDATE COUNT) UNFLAGGED')), ['* ESEARCH (TAG "I1") COUNT 3']);
    const tag = b.nextTag();
    b.write(`${tag} IDLE\r\n`);
    assert.match(await b.readLine(), /^\+ /);
    assertStatus(await append(a, box, sized('s6', 60)), 'OK');
    const ex = await waitForLine(b, /^\* 6 EXISTS$/);
    assert.deepEqual(ex.skipped, []);
    assert.equal(await b.readLine(), '* ESEARCH (TAG "I1") ADDTO (0 6)');
    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('EXPUNGE'), 'OK');
    const rm = await waitForLine(b, /^\* ESEARCH/);
    assert.equal(rm.line, '* ESEARCH (TAG "I1") REMOVEFROM (0 1)');
    assert.equal(await b.readLine(), '* 1 EXPUNGE');
    b.write('DONE\r\n');
    assertStatus(await b.readUntilTagged(tag), 'OK');
  });

  test('SORT context: ADDTO and REMOVEFROM carry positions in the sorted result', async () => {
    // (REVERSE SIZE): 5 4 3 2 1 by UID.
    const s = await tagged(b, 'S1', 'UID SORT RETURN (UPDATE ALL) (REVERSE SIZE) UTF-8 UNDELETED');
    assert.deepEqual(esearch(s), ['* ESEARCH (TAG "S1") UID ALL 5,4,3,2,1']);
    // New messages of sizes between 3 and 4 (uid 6), and largest (uid 7).
    assertStatus(await append(a, box, sized('s6', 35)), 'OK');
    assertStatus(await append(a, box, sized('s7', 99)), 'OK');
    let noop = await b.command('NOOP');
    // Result becomes 7 5 4 6 3 2 1: insert 7 at position 1, 6 at position 4.
    assert.deepEqual(esearch(noop), ['* ESEARCH (TAG "S1") UID ADDTO (1 7 4 6)']);
    // Remove 4 and 6 (consecutive, positions 3-4) and 2 (position 6 before, 4 after the first removal).
    assertStatus(await a.command('UID STORE 2,4,6 +FLAGS.SILENT (\\Deleted)'), 'OK');
    noop = await b.command('NOOP');
    assert.deepEqual(esearch(noop), ['* ESEARCH (TAG "S1") UID REMOVEFROM (3 4,6 4 2)']);
    // Mixed: 6 comes back (position 3 of 7 5 6 3 1), 5 leaves (position 2 of 7 5 3 1).
    assertStatus(await a.command('UID STORE 6 -FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await a.command('UID STORE 5 +FLAGS.SILENT (\\Deleted)'), 'OK');
    noop = await b.command('NOOP');
    assert.deepEqual(esearch(noop), ['* ESEARCH (TAG "S1") UID REMOVEFROM (2 5) ADDTO (2 6)']);
    const check = await tagged(b, 'S2', 'UID SORT RETURN (ALL) (REVERSE SIZE) UTF-8 UNDELETED');
    assert.deepEqual(esearch(check), ['* ESEARCH (TAG "S2") UID ALL 7,6,3,1']);
  });

  test('SORT context in message numbers: ascending runs keep the sorted-set form', async () => {
    const s = await tagged(b, 'S3', 'SORT RETURN (UPDATE) (SIZE) UTF-8 UNFLAGGED');
    assert.deepEqual(esearch(s), ['* ESEARCH (TAG "S3")']);
    assertStatus(await a.command('STORE 2,4 -FLAGS.SILENT (\\Flagged)'), 'OK');
    // 1 3 5 -> 1 2 3 4 5: 2 at position 2, 4 at position 4.
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "S3") ADDTO (2 2 4 4)']);
    assertStatus(await a.command('STORE 1:3 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "S3") REMOVEFROM (1 1:3)']);
  });

  test('§4.3.1: past the limit of live contexts the search is answered with NO [NOUPDATE] and no updates', async () => {
    for (let i = 0; i < MAX_UPDATE_CONTEXTS; i++) {
      const r = await tagged(b, `L${i}`, 'SEARCH RETURN (UPDATE) FLAGGED');
      assert.deepEqual(r.untagged, [`* ESEARCH (TAG "L${i}")`]);
    }
    const r = await tagged(b, 'L-x', 'UID SORT RETURN (UPDATE COUNT) (SIZE) UTF-8 FLAGGED');
    assertStatus(r, 'OK');
    assert.equal(r.untagged[0], '* ESEARCH (TAG "L-x") UID COUNT 2');
    assert.match(r.untagged[1]!, /^\* NO \[NOUPDATE "L-x"\] /);
    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Flagged)'), 'OK');
    const noop = await b.command('NOOP');
    assert.equal(esearch(noop).length, MAX_UPDATE_CONTEXTS);
    assert.ok(!noop.untagged.some((l) => l.includes('L-x')));
    // Cancelling one makes room again.
    assertStatus(await b.command('CANCELUPDATE "L0" "L1"'), 'OK');
    assert.equal((await tagged(b, 'L-y', 'SEARCH RETURN (UPDATE) FLAGGED')).untagged.length, 1);
  });

  test('contexts end with the mailbox: reselect, CLOSE, UNSELECT', async () => {
    assertStatus(await tagged(b, 'R1', 'SEARCH RETURN (UPDATE) UNSEEN'), 'OK');
    assertStatus(await b.command(`SELECT ${box}`), 'OK');
    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Seen)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), []);
    assertStatus(await b.command('CANCELUPDATE "R1"'), 'BAD');
    // The tag is free in the new selection.
    assertStatus(await tagged(b, 'R1', 'SEARCH RETURN (UPDATE) UNSEEN'), 'OK');
    assertStatus(await b.command('UNSELECT'), 'OK');
    assertStatus(await b.command(`EXAMINE ${box}`), 'OK');
    assertStatus(await a.command('STORE 2 +FLAGS.SILENT (\\Seen)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), []);
  });

  test('CANCELUPDATE: unknown tags are BAD and cancel nothing; syntax; selected state only', async () => {
    assertStatus(await tagged(b, 'K1', 'SEARCH RETURN (UPDATE) UNSEEN'), 'OK');
    assertStatus(await b.command('CANCELUPDATE "K1" "nope"'), 'BAD');
    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Seen)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "K1") REMOVEFROM (0 1)']);
    assertStatus(await b.command('CANCELUPDATE'), 'BAD');
    assertStatus(await b.command('CANCELUPDATE K1'), 'BAD');
    assertStatus(await b.command('CANCELUPDATE {2+}\r\nK1'), 'OK');
    assertStatus(await b.command('UNSELECT'), 'OK');
    assertStatus(await b.command('CANCELUPDATE "K1"'), 'BAD');
  });

  test('the correlator carries the tag as a quoted string, also one with "]"', async () => {
    // RFC 9051 tag = 1*<any ASTRING-CHAR except "+">; '"' is not one, but "\" and "]" are.
    const r = await tagged(b, 'T]1', 'SEARCH RETURN (UPDATE MIN) FLAGGED');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "T]1") MIN 2']);
    assertStatus(await a.command('STORE 1 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.deepEqual(esearch(await b.command('NOOP')), ['* ESEARCH (TAG "T]1") ADDTO (0 1)']);
  });
});
