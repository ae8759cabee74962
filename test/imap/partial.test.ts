/**
 * Transcript tests of PARTIAL (RFC 9394, RFC 5267 §4.4): RETURN (PARTIAL range) for SEARCH,
 * UID SEARCH, SORT and UID SORT (ranges from the start or, with "-", from the end; reversed
 * ranges; ranges past the result; NIL), its interplay with MIN/MAX/COUNT, SAVE (RFC 9394 §3.2
 * table 1), MODSEQ and UPDATE, the UID FETCH PARTIAL modifier (§3.3) with CHANGEDSINCE (§3.4),
 * and the syntax errors.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, type Reply } from '../support/transcript.js';

async function tagged(c: TestClient, tag: string, text: string): Promise<Reply> {
  c.write(`${tag} ${text}\r\n`);
  return c.readUntilTagged(tag);
}

/** The single untagged line of an OK reply. */
async function one(c: TestClient, tag: string, text: string): Promise<string> {
  const r = await tagged(c, tag, text);
  assertStatus(r, 'OK');
  assert.equal(r.untagged.length, 1, JSON.stringify(r.untagged));
  return r.untagged[0]!;
}

describe('PARTIAL (RFC 9394, RFC 5267 §4.4)', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    // Arrival order 1..5 except that 3 and 4 arrive at the same second (as imaptest's mbox).
    const dates = ['22-Feb-2008 17:06:21 +0000', '22-Feb-2008 17:06:22 +0000', '22-Feb-2008 17:06:23 +0000', '22-Feb-2008 17:06:23 +0000', '22-Feb-2008 17:06:25 +0000'];
    await seedMailbox(
      srv.port,
      'p',
      dates.map((date, i) => ({ body: simpleMessage({ subject: `m${i + 1}` }), date, flags: i % 2 === 0 ? '\\Seen' : '' })),
    );
    // 7 more for the UID FETCH examples; UIDs 6..12.
    await seedMailbox(srv.port, 'f', Array.from({ length: 12 }, (_, i) => ({ body: simpleMessage({ subject: `f${i + 1}` }) })));
    c = await loggedIn(srv.port);
    assertStatus(await c.command('SELECT p'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('SEARCH RETURN (PARTIAL): positions from 1, reversed ranges, past the end, NIL', async () => {
    assert.equal(await one(c, 'P1', 'SEARCH RETURN (PARTIAL 1:1) ALL'), '* ESEARCH (TAG "P1") PARTIAL (1:1 1)');
    assert.equal(await one(c, 'P2', 'SEARCH RETURN (PARTIAL 2:4) ALL'), '* ESEARCH (TAG "P2") PARTIAL (2:4 2:4)');
    // "A range 500:400 is the same as 400:500" (RFC 9394 §4).
    assert.equal(await one(c, 'P3', 'SEARCH RETURN (PARTIAL 4:2) ALL'), '* ESEARCH (TAG "P3") PARTIAL (2:4 2:4)');
    assert.equal(await one(c, 'P4', 'SEARCH RETURN (PARTIAL 1:6) ALL'), '* ESEARCH (TAG "P4") PARTIAL (1:6 1:5)');
    assert.equal(await one(c, 'P5', 'SEARCH RETURN (PARTIAL 6:6) ALL'), '* ESEARCH (TAG "P5") PARTIAL (6:6 NIL)');
    // Positions in the result, not message numbers.
    assert.equal(await one(c, 'P6', 'SEARCH RETURN (PARTIAL 2:3) 1:2,4:5'), '* ESEARCH (TAG "P6") PARTIAL (2:3 2,4)');
    assert.equal(await one(c, 'P7', 'SEARCH RETURN (PARTIAL 2:10) 1:2,4:5'), '* ESEARCH (TAG "P7") PARTIAL (2:10 2,4:5)');
    assert.equal(await one(c, 'P8', 'SEARCH RETURN (PARTIAL 1:2) SEEN'), '* ESEARCH (TAG "P8") PARTIAL (1:2 1,3)');
  });

  test('negative ranges count from the last result (RFC 9394 §3.1)', async () => {
    assert.equal(await one(c, 'N1', 'UID SEARCH RETURN (PARTIAL -1:-1) ALL'), '* ESEARCH (TAG "N1") UID PARTIAL (-1:-1 5)');
    assert.equal(await one(c, 'N2', 'SEARCH RETURN (PARTIAL -1:-100) ALL'), '* ESEARCH (TAG "N2") PARTIAL (-1:-100 1:5)');
    assert.equal(await one(c, 'N3', 'SEARCH RETURN (PARTIAL -3:-2) SEEN'), '* ESEARCH (TAG "N3") PARTIAL (-2:-3 1,3)');
    assert.equal(await one(c, 'N4', 'SEARCH RETURN (PARTIAL -4:-9) SEEN'), '* ESEARCH (TAG "N4") PARTIAL (-4:-9 NIL)');
    assert.equal(await one(c, 'N5', 'SEARCH RETURN (PARTIAL -1:-2) NOT ALL'), '* ESEARCH (TAG "N5") PARTIAL (-1:-2 NIL)');
  });

  test('MIN, MAX and COUNT describe the whole result next to PARTIAL; MODSEQ covers what is returned', async () => {
    assert.equal(await one(c, 'M1', 'SEARCH RETURN (MIN MAX COUNT PARTIAL 2:2) ALL'), '* ESEARCH (TAG "M1") MIN 1 MAX 5 COUNT 5 PARTIAL (2:2 2)');
    const modseqs = new Map<number, number>();
    for (const l of (await c.command('FETCH 1:5 (MODSEQ)')).untagged) {
      const m = /^\* (\d+) FETCH \(MODSEQ \((\d+)\)\)$/.exec(l);
      if (m) modseqs.set(Number(m[1]), Number(m[2]));
    }
    assert.equal(modseqs.size, 5);
    const line = await one(c, 'M2', 'SEARCH RETURN (PARTIAL 2:3) MODSEQ 1');
    assert.equal(line, `* ESEARCH (TAG "M2") PARTIAL (2:3 2:3) MODSEQ ${Math.max(modseqs.get(2)!, modseqs.get(3)!)}`);
    assert.equal(await one(c, 'M3', 'SEARCH RETURN (PARTIAL 9:10) MODSEQ 1'), '* ESEARCH (TAG "M3") PARTIAL (9:10 NIL)');
  });

  test('SAVE with PARTIAL (RFC 9394 §3.2 table 1)', async () => {
    const saved = async (): Promise<string> => (await c.command('UID SEARCH $')).untagged[0]!;
    assert.equal(await one(c, 'S1', 'SEARCH RETURN (SAVE PARTIAL 2:3) ALL'), '* ESEARCH (TAG "S1") PARTIAL (2:3 2:3)');
    assert.equal(await saved(), '* SEARCH 2 3');
    assert.equal(await one(c, 'S2', 'SEARCH RETURN (SAVE PARTIAL 3:4 MIN) ALL'), '* ESEARCH (TAG "S2") MIN 1 PARTIAL (3:4 3:4)');
    assert.equal(await saved(), '* SEARCH 1 3 4');
    assert.equal(await one(c, 'S3', 'SEARCH RETURN (SAVE PARTIAL -1:-2 MAX) ALL'), '* ESEARCH (TAG "S3") MAX 5 PARTIAL (-1:-2 4:5)');
    assert.equal(await saved(), '* SEARCH 4 5');
    assert.equal(await one(c, 'S4', 'SEARCH RETURN (SAVE MIN MAX PARTIAL 3:3) ALL'), '* ESEARCH (TAG "S4") MIN 1 MAX 5 PARTIAL (3:3 3)');
    assert.equal(await saved(), '* SEARCH 1 3 5');
    assert.equal(await one(c, 'S5', 'SEARCH RETURN (SAVE COUNT PARTIAL 1:1) ALL'), '* ESEARCH (TAG "S5") COUNT 5 PARTIAL (1:1 1)');
    assert.equal(await saved(), '* SEARCH 1 2 3 4 5');
    // SAVE does not change what PARTIAL returns, and an empty slice saves nothing of it.
    assert.equal(await one(c, 'S6', 'SEARCH RETURN (SAVE PARTIAL 7:8) ALL'), '* ESEARCH (TAG "S6") PARTIAL (7:8 NIL)');
    assert.equal(await saved(), '* SEARCH');
  });

  test('SORT RETURN (PARTIAL): slices of the sorted result, in sort order (imaptest sort-partial)', async () => {
    assert.equal(await one(c, 'O1', 'SORT RETURN (PARTIAL 1:1) (ARRIVAL) US-ASCII ALL'), '* ESEARCH (TAG "O1") PARTIAL (1:1 1)');
    assert.equal(await one(c, 'O2', 'SORT RETURN (PARTIAL 4:2) (ARRIVAL) US-ASCII ALL'), '* ESEARCH (TAG "O2") PARTIAL (2:4 2:4)');
    // REVERSE ARRIVAL: 5, then 3 and 4 (same arrival, ties by number), 2, 1.
    assert.equal(await one(c, 'O3', 'SORT RETURN (PARTIAL 2:4) (REVERSE ARRIVAL) US-ASCII ALL'), '* ESEARCH (TAG "O3") PARTIAL (2:4 3:4,2)');
    assert.equal(await one(c, 'O4', 'SORT RETURN (PARTIAL 1:6) (REVERSE ARRIVAL) US-ASCII ALL'), '* ESEARCH (TAG "O4") PARTIAL (1:6 5,3:4,2,1)');
    assert.equal(await one(c, 'O5', 'UID SORT RETURN (PARTIAL -1:-2) (REVERSE ARRIVAL) US-ASCII ALL'), '* ESEARCH (TAG "O5") UID PARTIAL (-1:-2 2,1)');
    assert.equal(await one(c, 'O6', 'SORT RETURN (COUNT PARTIAL 9:9) (ARRIVAL) UTF-8 ALL'), '* ESEARCH (TAG "O6") COUNT 5 PARTIAL (9:9 NIL)');
    // SAVE keeps "$" ascending whatever the sort order.
    assert.equal(await one(c, 'O7', 'SORT RETURN (SAVE PARTIAL 1:2) (REVERSE ARRIVAL) UTF-8 ALL'), '* ESEARCH (TAG "O7") PARTIAL (1:2 5,3)');
    assert.equal((await c.command('SEARCH $')).untagged[0], '* SEARCH 3 5');
  });

  test('PARTIAL with UPDATE: the updates cover every result, not only the slice (RFC 5267 §4.4)', async () => {
    const line = await one(c, 'U1', 'SEARCH RETURN (PARTIAL 1:1 UPDATE) UNSEEN');
    assert.equal(line, '* ESEARCH (TAG "U1") PARTIAL (1:1 2)');
    const r = await c.command('STORE 5 -FLAGS.SILENT (\\Seen)');
    assert.deepEqual(r.untagged.filter((l) => l.startsWith('* ESEARCH')), ['* ESEARCH (TAG "U1") ADDTO (0 5)']);
    assertStatus(await c.command('STORE 5 +FLAGS.SILENT (\\Seen)'), 'OK');
    assertStatus(await c.command('CANCELUPDATE "U1"'), 'OK');
  });

  test('syntax errors are BAD (imaptest search-partial, RFC 9394 §4)', async () => {
    for (const cmd of [
      'SEARCH RETURN (PARTIAL 1) ALL',
      'SEARCH RETURN (PARTIAL 1:*) ALL',
      'SEARCH RETURN (PARTIAL *:1) ALL',
      'SEARCH RETURN (PARTIAL 0:3) ALL',
      'SEARCH RETURN (PARTIAL -1:2) ALL',
      'SEARCH RETURN (PARTIAL 1:-2) ALL',
      'SEARCH RETURN (PARTIAL) ALL',
      'SEARCH RETURN (PARTIAL 1:2 ALL) ALL',
      'SEARCH RETURN (ALL PARTIAL 1:2) ALL',
      'SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL',
      'SEARCH RETURN (PARTIAL 1:4294967296) ALL',
      'SORT RETURN (PARTIAL 1) (ARRIVAL) US-ASCII ALL',
      'SORT RETURN (PARTIAL 1:*) (ARRIVAL) US-ASCII ALL',
      'SORT RETURN (PARTIAL *:1) (ARRIVAL) US-ASCII ALL',
    ]) {
      assertStatus(await c.command(cmd), 'BAD');
    }
  });

  test('UID FETCH (PARTIAL): the RFC 9394 §3.3 examples, and with CHANGEDSINCE (§3.4)', async () => {
    const f = await loggedIn(srv.port);
    try {
      assertStatus(await f.command('SELECT f'), 'OK');
      assertStatus(await f.command('STORE 2 +FLAGS.SILENT (\\Deleted)'), 'OK');
      assertStatus(await f.command('EXPUNGE'), 'OK');
      // UIDs 1,3..12 are messages 1..11.
      let r = await f.command('UID FETCH 2:11 (UID FLAGS) (PARTIAL -1:-3)');
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, ['* 8 FETCH (UID 9 FLAGS ())', '* 9 FETCH (UID 10 FLAGS ())', '* 10 FETCH (UID 11 FLAGS ())']);
      r = await f.command('UID FETCH 2:11 (UID FLAGS) (PARTIAL 1:5)');
      assert.deepEqual(
        r.untagged.map((l) => /UID (\d+)/.exec(l)![1]),
        ['3', '4', '5', '6', '7'],
      );
      r = await f.command('UID FETCH 1:* (UID) (PARTIAL 30:40)');
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, []);
      // §3.4: the range is taken first, then CHANGEDSINCE filters it; modifier order is free.
      const m12 = (await f.command('UID FETCH 12 (MODSEQ)')).untagged.find((l) => l.includes('FETCH'))!;
      const base = Number(/MODSEQ \((\d+)\)/.exec(m12)![1]);
      assertStatus(await f.command('UID STORE 4,11 +FLAGS.SILENT (\\Flagged)'), 'OK');
      for (const mods of [`(PARTIAL -1:-3 CHANGEDSINCE ${base})`, `(CHANGEDSINCE ${base} PARTIAL -3:-1)`]) {
        r = await f.command(`UID FETCH 2:12 (UID FLAGS) ${mods}`);
        assertStatus(r, 'OK');
        assert.equal(r.untagged.length, 1, JSON.stringify(r.untagged));
        assert.match(r.untagged[0]!, /^\* 10 FETCH \(UID 11 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);
      }
      // FETCH by message number has no PARTIAL (RFC 9394 §3.3 extends UID FETCH).
      assertStatus(await f.command('FETCH 1:5 (UID) (PARTIAL 1:2)'), 'BAD');
      assertStatus(await f.command('UID FETCH 1:5 (UID) (PARTIAL 1:2 PARTIAL 3:4)'), 'BAD');
      assertStatus(await f.command('UID FETCH 1:5 (UID) (PARTIAL 2)'), 'BAD');
    } finally {
      f.close();
    }
  });
});
