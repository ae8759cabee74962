/**
 * Transcript tests of ESORT (RFC 5267 §3): SORT / UID SORT with RETURN options answered by an
 * ESEARCH response, the order-preserving ALL set (§3.2), the §3.3 example, empty results, SAVE
 * and "$" (RFC 5182), and the MODSEQ result option (RFC 7162 §3.1.10, RFC 4731 §3.2).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, seedMailbox, type Reply } from '../support/transcript.js';

function message(subject: string, date: string, bodyLength: number): string {
  return [`From: a@example.org`, `Subject: ${subject}`, `Date: ${date}`, '', 'x'.repeat(bodyLength), ''].join('\r\n');
}

/**
 * seq/UID: size rank, sent date, flags
 * 1: 3rd smallest, 4 Jan, $Junk
 * 2: 2nd smallest, 1 Jan, \Flagged
 * 3: largest,      2 Jan, \Deleted
 * 4: smallest,     3 Jan, \Flagged
 * 5: 4th,          5 Jan
 * (SIZE) = 4 2 1 5 3; (DATE) = 2 3 4 1 5; (REVERSE DATE) = 5 1 4 3 2
 */
const MESSAGES = [
  { body: message('one', 'Wed, 4 Jan 2023 10:00:00 +0000', 300), flags: '$Junk' },
  { body: message('two', 'Sun, 1 Jan 2023 10:00:00 +0000', 50), flags: '\\Flagged' },
  { body: message('three', 'Mon, 2 Jan 2023 10:00:00 +0000', 1000), flags: '\\Deleted' },
  { body: message('four', 'Tue, 3 Jan 2023 10:00:00 +0000', 10), flags: '\\Flagged' },
  { body: message('five', 'Thu, 5 Jan 2023 10:00:00 +0000', 500) },
];

/** Sends `text` under `tag` and returns the reply. */
async function tagged(c: TestClient, tag: string, text: string): Promise<Reply> {
  c.write(`${tag} ${text}\r\n`);
  return c.readUntilTagged(tag);
}

function esearch(r: Reply): string[] {
  return r.untagged.filter((l) => l.startsWith('* ESEARCH'));
}

describe('IMAP ESORT (RFC 5267 §3)', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    await seedMailbox(srv.port, 'esort', MESSAGES);
    c = await loggedIn(srv.port);
    assertStatus(await c.command('SELECT esort'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('CAPABILITY advertises ESORT with SEARCHRES', async () => {
    const r = await c.command('CAPABILITY');
    const caps = r.untagged.find((l) => l.startsWith('* CAPABILITY '))!.split(' ');
    assert.ok(caps.includes('ESORT'));
    assert.ok(caps.includes('SEARCHRES'));
  });

  test('RFC 5267 §3.3 example: UID SORT RETURN () is ALL, in sort order, no descending range', async () => {
    const r = await tagged(c, 'E01', 'UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "E01") UID ALL 5,4,2']);
    const all = await tagged(c, 'E02', 'UID SORT RETURN () (REVERSE DATE) UTF-8 ALL');
    assert.deepEqual(all.untagged, ['* ESEARCH (TAG "E02") UID ALL 5,1,4,3,2']);
  });

  test('MIN/MAX are the first/last message in sort order; COUNT; ALL keeps order', async () => {
    const r = await tagged(c, 'A1', 'SORT RETURN (MIN MAX COUNT ALL) (SIZE) UTF-8 ALL');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "A1") MIN 4 MAX 3 COUNT 5 ALL 4,2,1,5,3']);
    assert.deepEqual((await tagged(c, 'A2', 'SORT RETURN (MIN) (REVERSE SIZE) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "A2") MIN 3']);
    assert.deepEqual((await tagged(c, 'A3', 'SORT RETURN (MAX) (REVERSE SIZE) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "A3") MAX 4']);
    assert.deepEqual((await tagged(c, 'A4', 'SORT RETURN (COUNT) (SIZE) UTF-8 FLAGGED')).untagged, ['* ESEARCH (TAG "A4") COUNT 2']);
  });

  test('ALL uses ranges only for ascending runs (RFC 5267 §3.2)', async () => {
    assert.deepEqual((await tagged(c, 'R1', 'SORT RETURN (ALL) (DATE) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "R1") ALL 2:4,1,5']);
    // imaptest esort: arrival order of 5 messages is "1:5"
    assert.deepEqual((await tagged(c, 'R2', 'sort return (all) (arrival) us-ascii 1:5')).untagged, ['* ESEARCH (TAG "R2") ALL 1:5']);
    assert.deepEqual((await tagged(c, 'R3', 'SORT RETURN (ALL) (REVERSE ARRIVAL) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "R3") ALL 5,4,3,2,1']);
  });

  test('empty result: only the correlator (and COUNT 0)', async () => {
    const r = await tagged(c, 'N1', 'SORT RETURN (MIN MAX ALL) (SIZE) UTF-8 SUBJECT nothing-matches');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "N1")']);
    const u = await tagged(c, 'N2', 'UID SORT RETURN (MIN COUNT ALL) (SIZE) UTF-8 SUBJECT nothing-matches');
    assert.deepEqual(u.untagged, ['* ESEARCH (TAG "N2") UID COUNT 0']);
    assert.deepEqual((await tagged(c, 'N3', 'SORT RETURN () (SIZE) UTF-8 SUBJECT nothing-matches')).untagged, ['* ESEARCH (TAG "N3")']);
  });

  test('without RETURN the classic SORT reply is unchanged', async () => {
    assert.deepEqual((await c.command('SORT (SIZE) UTF-8 ALL')).untagged, ['* SORT 4 2 1 5 3']);
  });

  test('SAVE alone is silent and "$" then holds the result (RFC 5182)', async () => {
    const r = await tagged(c, 'S1', 'SORT RETURN (SAVE) (REVERSE SIZE) UTF-8 FLAGGED');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, []);
    const f = await c.command('FETCH $ (UID)');
    assertStatus(f, 'OK');
    assert.deepEqual(f.untagged, ['* 2 FETCH (UID 2)', '* 4 FETCH (UID 4)']);
    assert.deepEqual((await c.command('UID SEARCH $')).untagged, ['* SEARCH 2 4']);
  });

  test('SAVE with MIN/MAX saves the first/last sorted messages; with ALL/COUNT all of them', async () => {
    const r = await tagged(c, 'S2', 'SORT RETURN (SAVE MIN) (REVERSE SIZE) UTF-8 ALL');
    assert.deepEqual(r.untagged, ['* ESEARCH (TAG "S2") MIN 3']);
    assert.deepEqual((await c.command('UID SEARCH $')).untagged, ['* SEARCH 3']);
    await tagged(c, 'S3', 'SORT RETURN (SAVE MIN MAX) (DATE) UTF-8 ALL');
    assert.deepEqual((await c.command('UID SEARCH $')).untagged, ['* SEARCH 2 5']);
    const s4 = await tagged(c, 'S4', 'UID SORT RETURN (SAVE COUNT) (DATE) UTF-8 NOT FLAGGED');
    assert.deepEqual(s4.untagged, ['* ESEARCH (TAG "S4") UID COUNT 3']);
    assert.deepEqual((await c.command('UID SEARCH $')).untagged, ['* SEARCH 1 3 5']);
    // "$" in the SORT criteria themselves
    assert.deepEqual((await tagged(c, 'S5', 'SORT RETURN (ALL) (REVERSE DATE) UTF-8 $')).untagged, ['* ESEARCH (TAG "S5") ALL 5,1,3']);
    await tagged(c, 'S6', 'SORT RETURN (SAVE) (SIZE) UTF-8 SUBJECT nothing-matches');
    assert.deepEqual((await c.command('UID SEARCH $')).untagged, ['* SEARCH']);
  });

  test('RETURN with an unknown charset is NO [BADCHARSET]', async () => {
    const r = await tagged(c, 'B1', 'SORT RETURN (ALL) (SIZE) X-NO-SUCH-CHARSET ALL');
    assertStatus(r, 'NO', 'BADCHARSET');
    assert.deepEqual(esearch(r), []);
  });

  test('RETURN syntax errors are BAD (CONTEXT/PARTIAL/UPDATE: test/imap/context.test.ts)', async () => {
    for (const bad of [
      'SORT RETURN (PARTIAL 1:2 ALL) (SIZE) UTF-8 ALL',
      'SORT RETURN (NOSUCH) (SIZE) UTF-8 ALL',
      'SORT RETURN (ALL) UTF-8 ALL',
      'SORT RETURN ALL (SIZE) UTF-8 ALL',
    ]) {
      assertStatus(await c.command(bad), 'BAD');
    }
  });

  test('MODSEQ criterion: the MODSEQ result option (RFC 7162 §3.1.10, RFC 4731 §3.2)', async () => {
    assertStatus(await c.command('STORE 3 +FLAGS.SILENT (\\Seen)'), 'OK');
    const modseqOf = async (seq: number): Promise<number> => {
      const f = await c.command(`FETCH ${seq} (MODSEQ)`);
      return Number(/MODSEQ \((\d+)\)/.exec(f.untagged.find((l) => l.startsWith(`* ${seq} FETCH`))!)![1]);
    };
    const r = await tagged(c, 'M1', 'SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1');
    assertStatus(r, 'OK');
    const m3 = await modseqOf(3);
    const m4 = await modseqOf(4);
    assert.ok(m4 < m3);
    assert.deepEqual(esearch(r), [`* ESEARCH (TAG "M1") ALL 2:4,1,5 MODSEQ ${m3}`]);
    // MAX alone: the mod-sequence of that message (4, the smallest, last in REVERSE SIZE)
    const max = await tagged(c, 'M2', 'SORT RETURN (MAX) (REVERSE SIZE) UTF-8 MODSEQ 1');
    assert.deepEqual(esearch(max), [`* ESEARCH (TAG "M2") MAX 4 MODSEQ ${m4}`]);
    // empty result: no MODSEQ
    const none = await tagged(c, 'M3', `UID SORT RETURN (COUNT) (SIZE) UTF-8 MODSEQ ${m3 + 1}`);
    assert.deepEqual(esearch(none), ['* ESEARCH (TAG "M3") UID COUNT 0']);
  });

  test('UID SORT answers UIDs once they differ from sequence numbers', async () => {
    assertStatus(await c.command('STORE 1:* -FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('EXPUNGE'), 'OK');
    // remaining UIDs 2..5 are now seq 1..4; (SIZE) = UIDs 4 2 5 3
    assert.deepEqual((await tagged(c, 'U1', 'SORT RETURN (MIN MAX ALL) (SIZE) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "U1") MIN 3 MAX 2 ALL 3,1,4,2']);
    assert.deepEqual((await tagged(c, 'U2', 'UID SORT RETURN (MIN MAX ALL) (SIZE) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "U2") UID MIN 4 MAX 3 ALL 4,2,5,3']);
    assert.deepEqual((await tagged(c, 'U3', 'UID SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL')).untagged, ['* ESEARCH (TAG "U3") UID ALL 2:5']);
  });
});
