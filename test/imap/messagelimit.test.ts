/**
 * Transcript tests of MESSAGELIMIT and SAVELIMIT (RFC 9738, as read in
 * docs/decisions/0018-messagelimit-rfc9738.md) with a limit of 3: the capability, FETCH / STORE /
 * MOVE / UID EXPUNGE / SEARCH processing the highest UIDs from the highest down with
 * [MESSAGELIMIT n lowest-uid], the untagged NO when the tagged line has a code of its own, COPY
 * and MULTIAPPEND refused whole, SORT and THREAD refused, UIDAFTER/UIDBEFORE, PARTIAL FETCH, and
 * SAVELIMIT mode where only COPY and APPEND are limited.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, grep, type Reply } from '../support/transcript.js';

/** Creates `mb` holding `count` messages (UIDs 1..count), subjects "m1".."m<count>". */
async function fill(c: TestClient, mb: string, count: number): Promise<void> {
  assertStatus(await c.command(`CREATE ${mb}`), 'OK');
  for (let i = 1; i <= count; i++) assertStatus(await append(c, mb, simpleMessage({ subject: `m${i}${i % 2 === 0 ? ' even' : ''}` })), 'OK');
}

/** The UIDs of the FETCH (or UIDFETCH) responses of a reply, in the order sent. */
const fetchedUids = (r: Reply): number[] => grep(r, / FETCH \(/).map((l) => Number(/UID (\d+)/.exec(l)![1]));

/** The tagged line's [MESSAGELIMIT ...] arguments, or null when it has none. */
function limitOf(r: Reply): string | null {
  const m = /^\S+ \S+ \[MESSAGELIMIT ([^\]]*)\]/.exec(r.tagged);
  return m === null ? null : m[1]!;
}

/** A MULTIAPPEND of `count` messages into `mb` (LITERAL+). */
async function multiAppend(c: TestClient, mb: string, count: number): Promise<Reply> {
  const msgs = Array.from({ length: count }, (_, i) => simpleMessage({ subject: `multi ${i}` }));
  const tag = c.nextTag();
  c.write(`${tag} APPEND ${mb} ${msgs.map((m) => `{${Buffer.byteLength(m)}+}\r\n${m}`).join(' ')}\r\n`);
  return c.readUntilTagged(tag);
}

const messages = async (c: TestClient, mb: string): Promise<string> => (await c.command(`STATUS ${mb} (MESSAGES)`)).untagged[0]!;

describe('MESSAGELIMIT (RFC 9738)', () => {
  let srv: TestServer;
  let c: TestClient;

  before(async () => {
    srv = await startTestServer({ config: { imapMessageLimit: 3 } });
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  test('MESSAGELIMIT=3 is advertised once authenticated, SAVELIMIT never', async () => {
    const caps = (await c.command('CAPABILITY')).untagged[0]!.split(' ');
    assert.ok(caps.includes('MESSAGELIMIT=3'), caps.join(' '));
    assert.ok(!caps.some((x) => x.startsWith('SAVELIMIT')), caps.join(' '));
    const anon = await TestClient.connect(srv.port);
    const pre = (await anon.command('CAPABILITY')).untagged[0]!;
    anon.close();
    assert.doesNotMatch(pre, /MESSAGELIMIT|SAVELIMIT/);
  });

  test('FETCH and UID FETCH process the 3 highest UIDs, highest first, OK [MESSAGELIMIT 3 lowest]', async () => {
    await fill(c, 'Fetch', 7);
    assertStatus(await c.command('SELECT Fetch'), 'OK');
    const r = await c.command('UID FETCH 1:* (FLAGS)');
    assert.equal(limitOf(r), '3 5', r.tagged);
    assertStatus(r, 'OK');
    assert.deepEqual(fetchedUids(r), [7, 6, 5]);
    const s = await c.command('FETCH 2:6 (UID)');
    assert.equal(limitOf(s), '3 4', s.tagged);
    assert.deepEqual(grep(s, /FETCH/).map((l) => Number(l.split(' ')[1])), [6, 5, 4]);
    // Within the limit: ascending, no code.
    const t = await c.command('UID FETCH 5:* (UID)');
    assert.match(t.tagged, /^\S+ OK Fetch completed$/);
    assert.deepEqual(fetchedUids(t), [5, 6, 7]);
  });

  test('a client repeating UID FETCH 1:<lowest-1> until no code sees every message exactly once', async () => {
    assertStatus(await c.command('SELECT Fetch'), 'OK');
    const seen: number[] = [];
    let set = '1:*';
    for (let round = 0; round < 10; round++) {
      const r = await c.command(`UID FETCH ${set} (UID)`);
      assertStatus(r, 'OK');
      seen.push(...fetchedUids(r));
      const code = limitOf(r);
      if (code === null) break;
      const lowest = Number(code.split(' ')[1]);
      assert.deepEqual(fetchedUids(r).at(-1), lowest, 'the code names the lowest UID sent');
      set = `1:${lowest - 1}`;
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1]);
  });

  test('FETCH with PARTIAL wider than the limit is NO [MESSAGELIMIT 3] and sends nothing', async () => {
    assertStatus(await c.command('SELECT Fetch'), 'OK');
    const r = await c.command('UID FETCH 1:* (UID) (PARTIAL 1:4)');
    assertStatus(r, 'NO', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3');
    assert.deepEqual(r.untagged, []);
    const ok = await c.command('UID FETCH 1:* (UID) (PARTIAL -1:-3)');
    assert.match(ok.tagged, /^\S+ OK Fetch completed$/);
    assert.deepEqual(fetchedUids(ok), [5, 6, 7]);
  });

  test('STORE changes the 3 highest UIDs, reported highest first', async () => {
    await fill(c, 'Store', 7);
    assertStatus(await c.command('SELECT Store'), 'OK');
    const r = await c.command('STORE 1:7 +FLAGS (\\Flagged)');
    assertStatus(r, 'OK', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3 5');
    assert.deepEqual(grep(r, /FETCH/).map((l) => Number(l.split(' ')[1])), [7, 6, 5]);
    // UIDBEFORE / UIDAFTER keep both searches within the limit.
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 4 FLAGGED')).untagged, ['* SEARCH 5 6 7']);
    assert.deepEqual((await c.command('UID SEARCH UIDBEFORE 5 UIDAFTER 1 FLAGGED')).untagged, ['* SEARCH']);
  });

  test('STORE UNCHANGEDSINCE: MODIFIED keeps the tagged line, MESSAGELIMIT goes in an untagged NO before it', async () => {
    await fill(c, 'Cond', 5);
    assertStatus(await c.command('SELECT Cond'), 'OK');
    const before = await c.command('UID FETCH 5 (MODSEQ)');
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(before.untagged.join(' '))![1]);
    assertStatus(await c.command('UID STORE 5 +FLAGS.SILENT (\\Seen)'), 'OK');
    const r = await c.command(`UID STORE 1:5 (UNCHANGEDSINCE ${modseq}) +FLAGS.SILENT (\\Flagged)`);
    assertStatus(r, 'OK', 'MODIFIED 5');
    assert.match(r.untagged.at(-1)!, /^\* NO \[MESSAGELIMIT 3 3\] /, JSON.stringify(r.untagged));
    assert.deepEqual((await c.command('UID SEARCH UID 3:4 FLAGGED')).untagged, ['* SEARCH 3 4']);
    assert.deepEqual((await c.command('UID SEARCH UIDBEFORE 3 FLAGGED')).untagged, ['* SEARCH']);
  });

  test('UID EXPUNGE counts only the \\Deleted messages of its set, removes the highest first', async () => {
    await fill(c, 'Exp', 9);
    assertStatus(await c.command('SELECT Exp'), 'OK');
    for (const set of ['1:2', '4', '5:6', '7:8']) assertStatus(await c.command(`UID STORE ${set} +FLAGS.SILENT (\\Deleted)`), 'OK');
    // Four messages, three of them \Deleted: within the limit.
    const a = await c.command('UID EXPUNGE 1:4');
    assert.match(a.tagged, /^\S+ OK EXPUNGE completed$/);
    assert.deepEqual(grep(a, /EXPUNGE$/), ['* 4 EXPUNGE', '* 2 EXPUNGE', '* 1 EXPUNGE']);
    // Left: UIDs 3 5 6 7 8 9 (seq 1-6); \Deleted 5 6 7 8: the three highest go, highest first.
    const b = await c.command('UID EXPUNGE 1:*');
    assertStatus(b, 'OK', 'MESSAGELIMIT');
    assert.equal(limitOf(b), '3 6');
    assert.deepEqual(grep(b, /EXPUNGE$/), ['* 5 EXPUNGE', '* 4 EXPUNGE', '* 3 EXPUNGE']);
    const rest = await c.command('UID EXPUNGE 1:5');
    assert.match(rest.tagged, /^\S+ OK EXPUNGE completed$/);
    assert.deepEqual(grep(rest, /EXPUNGE$/), ['* 2 EXPUNGE']);
    assert.deepEqual((await c.command('UID SEARCH ALL')).untagged, ['* SEARCH 3 9']);
  });

  test('UID EXPUNGE under QRESYNC: HIGHESTMODSEQ keeps the tagged line, MESSAGELIMIT goes untagged', async () => {
    await fill(c, 'ExpQ', 5);
    const q = await loggedIn(srv.port);
    try {
      assertStatus(await q.command('ENABLE QRESYNC'), 'OK');
      assertStatus(await q.command('SELECT ExpQ'), 'OK');
      assertStatus(await q.command('UID STORE 1:3 +FLAGS.SILENT (\\Deleted)'), 'OK');
      assertStatus(await q.command('UID STORE 4:5 +FLAGS.SILENT (\\Deleted)'), 'OK');
      const r = await q.command('UID EXPUNGE 1:*');
      assertStatus(r, 'OK', 'HIGHESTMODSEQ');
      assert.deepEqual(grep(r, /^\* VANISHED /), ['* VANISHED 3:5']);
      assert.match(r.untagged.at(-1)!, /^\* NO \[MESSAGELIMIT 3 3\] /, JSON.stringify(r.untagged));
    } finally {
      q.close();
    }
  });

  test('MOVE moves the 3 highest UIDs: COPYUID untagged, EXPUNGE highest first, OK [MESSAGELIMIT 3 lowest]', async () => {
    await fill(c, 'Mv', 5);
    assertStatus(await c.command('CREATE MvDest'), 'OK');
    assertStatus(await c.command('SELECT Mv'), 'OK');
    const r = await c.command('UID MOVE 1:* MvDest');
    assertStatus(r, 'OK', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3 3');
    assert.match(r.untagged[0]!, /^\* OK \[COPYUID \d+ 3:5 1:3\]/);
    assert.deepEqual(r.untagged.slice(1), ['* 5 EXPUNGE', '* 4 EXPUNGE', '* 3 EXPUNGE']);
    assert.equal(await messages(c, 'MvDest'), '* STATUS "MvDest" (MESSAGES 3)');
  });

  test('COPY is atomic: more than 3 messages is NO [MESSAGELIMIT 3 uid] and copies nothing', async () => {
    await fill(c, 'Cp', 5);
    assertStatus(await c.command('CREATE CpDest'), 'OK');
    assertStatus(await c.command('SELECT Cp'), 'OK');
    const r = await c.command('UID COPY 1:* CpDest');
    assertStatus(r, 'NO', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3 3');
    const s = await c.command('COPY 1:4 CpDest');
    assertStatus(s, 'NO', 'MESSAGELIMIT');
    assert.equal(await messages(c, 'CpDest'), '* STATUS "CpDest" (MESSAGES 0)');
    assertStatus(await c.command('COPY 3:5 CpDest'), 'OK', 'COPYUID');
    assert.equal(await messages(c, 'CpDest'), '* STATUS "CpDest" (MESSAGES 3)');
  });

  test('MULTIAPPEND of more than 3 messages is NO [MESSAGELIMIT 3] and stores nothing', async () => {
    assertStatus(await c.command('CREATE Multi'), 'OK');
    const r = await multiAppend(c, 'Multi', 4);
    assertStatus(r, 'NO', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3');
    assert.equal(await messages(c, 'Multi'), '* STATUS "Multi" (MESSAGES 0)');
    assertStatus(await multiAppend(c, 'Multi', 3), 'OK', 'APPENDUID');
    assert.equal(await messages(c, 'Multi'), '* STATUS "Multi" (MESSAGES 3)');
  });

  test('SEARCH searches the 3 highest-UID candidates: results highest first, the code names the lowest searched', async () => {
    await fill(c, 'Srch', 7);
    assertStatus(await c.command('SELECT Srch'), 'OK');
    const all = await c.command('UID SEARCH ALL');
    assert.deepEqual(all.untagged, ['* SEARCH 7 6 5']);
    assert.equal(limitOf(all), '3 5');
    // The limit counts messages searched, not matches: of 5..7 only 6 is "even".
    const even = await c.command('SEARCH SUBJECT even');
    assert.deepEqual(even.untagged, ['* SEARCH 6']);
    assert.equal(limitOf(even), '3 5');
    // Top-level UIDBEFORE narrows the candidates to 1..4, still one too many.
    const before = await c.command('UID SEARCH UIDBEFORE 5 SUBJECT even');
    assert.deepEqual(before.untagged, ['* SEARCH 4 2']);
    assert.equal(limitOf(before), '3 2');
    // Within the limit: ascending, no code.
    const within = await c.command('UID SEARCH 2:4 ALL');
    assert.deepEqual(within.untagged, ['* SEARCH 2 3 4']);
    assert.match(within.tagged, /^\S+ OK Search completed$/);
    // A key below the top level does not narrow the candidates.
    const nested = await c.command('UID SEARCH NOT UIDAFTER 2');
    assert.deepEqual(nested.untagged, ['* SEARCH']);
    assert.equal(limitOf(nested), '3 5');
  });

  test('ESEARCH result options and "$" describe the searched messages only', async () => {
    assertStatus(await c.command('SELECT Srch'), 'OK');
    const tag = c.nextTag();
    c.write(`${tag} UID SEARCH RETURN (MIN MAX COUNT ALL) ALL\r\n`);
    const r = await c.readUntilTagged(tag);
    assert.deepEqual(r.untagged, [`* ESEARCH (TAG "${tag}") UID MIN 5 MAX 7 COUNT 3 ALL 5:7`]);
    assert.equal(limitOf(r), '3 5');
    const save = await c.command('UID SEARCH RETURN (SAVE) SUBJECT m');
    assert.equal(limitOf(save), '3 5');
    const f = await c.command('UID FETCH $ (UID)');
    assert.match(f.tagged, /^\S+ OK Fetch completed$/);
    assert.deepEqual(fetchedUids(f), [5, 6, 7]);
    // MULTISEARCH: the cut mailbox gets its own untagged NO after its ESEARCH response.
    const m = await c.command('ESEARCH IN (mailboxes (Srch Multi)) RETURN (COUNT) ALL');
    assert.match(m.untagged[0]!, /^\* ESEARCH \(TAG "\S+" MAILBOX "Srch" UIDVALIDITY \d+\) UID COUNT 3$/);
    assert.match(m.untagged[1]!, /^\* NO \[MESSAGELIMIT 3 5\] .*"Srch"/);
    assert.match(m.untagged[2]!, /^\* ESEARCH \(TAG "\S+" MAILBOX "Multi" UIDVALIDITY \d+\) UID COUNT 3$/);
    assert.equal(m.untagged.length, 3, JSON.stringify(m.untagged));
    assertStatus(m, 'OK');
  });

  test('SORT and THREAD over more than 3 candidates are NO [MESSAGELIMIT 3]; UIDAFTER/UIDBEFORE narrow them', async () => {
    assertStatus(await c.command('SELECT Srch'), 'OK');
    for (const cmd of ['UID SORT (SUBJECT) UTF-8 ALL', 'SORT (ARRIVAL) UTF-8 SUBJECT even', 'UID THREAD REFERENCES UTF-8 ALL', 'THREAD ORDEREDSUBJECT UTF-8 ALL']) {
      const r = await c.command(cmd);
      assertStatus(r, 'NO', 'MESSAGELIMIT');
      assert.equal(limitOf(r), '3', cmd);
      assert.deepEqual(r.untagged, [], cmd);
    }
    const sorted = await c.command('UID SORT (REVERSE SUBJECT) UTF-8 UIDAFTER 4');
    assert.deepEqual(sorted.untagged, ['* SORT 7 6 5']);
    assertStatus(sorted, 'OK');
    const threads = await c.command('UID THREAD ORDEREDSUBJECT UTF-8 UIDBEFORE 4');
    assertStatus(threads, 'OK');
    assert.equal(threads.untagged.length, 1);
    assert.deepEqual(threads.untagged[0]!.match(/\d+/g)!.map(Number).sort(), [1, 2, 3]);
    // ESORT RETURN (SAVE) refused: "$" is emptied (RFC 5182 §2.1).
    assertStatus(await c.command('UID SEARCH RETURN (SAVE) UID 7'), 'OK');
    assertStatus(await c.command('UID SORT RETURN (SAVE) (ARRIVAL) UTF-8 ALL'), 'NO', 'MESSAGELIMIT');
    assert.deepEqual(fetchedUids(await c.command('UID FETCH $ (UID)')), []);
  });

  test('UIDAFTER and UIDBEFORE: one UID each, never wrapping like "*"; anything else is BAD', async () => {
    assertStatus(await c.command('SELECT Srch'), 'OK');
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 6')).untagged, ['* SEARCH 7']);
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 7')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 4294967295')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('UID SEARCH UIDBEFORE 1')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('SEARCH UIDBEFORE 3')).untagged, ['* SEARCH 1 2']);
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 2 UIDBEFORE 5')).untagged, ['* SEARCH 3 4']);
    assert.deepEqual((await c.command('UID SEARCH UID 1:3 NOT UIDBEFORE 2')).untagged, ['* SEARCH 2 3']);
    assert.deepEqual((await c.command('UID SEARCH UIDAFTER 5 OR UIDBEFORE 7 SUBJECT nothing')).untagged, ['* SEARCH 6']);
    for (const arg of ['1:5', '0', '*', '$', '5,6', '4294967296', 'x']) {
      for (const key of ['UIDAFTER', 'UIDBEFORE']) assertStatus(await c.command(`UID SEARCH ${key} ${arg}`), 'BAD');
    }
    assertStatus(await c.command('UID SEARCH UIDAFTER'), 'BAD');
    assertStatus(await c.command('UID SEARCH UIDBEFORE'), 'BAD');
    assertStatus(await c.command('UID SEARCH (UIDAFTER 5)'), 'OK');
  });

  test('UIDAFTER/UIDBEFORE under UIDONLY are UID keys: allowed', async () => {
    const u = await loggedIn(srv.port);
    try {
      assertStatus(await u.command('ENABLE UIDONLY'), 'OK');
      assertStatus(await u.command('SELECT Srch'), 'OK');
      const r = await u.command('UID SEARCH RETURN (ALL) UIDAFTER 3 UIDBEFORE 6');
      assertStatus(r, 'OK');
      assert.match(r.untagged.join('\n'), /ALL 4:5$/);
      const f = await u.command('UID FETCH 1:* (FLAGS)');
      assert.equal(limitOf(f), '3 5');
      assert.deepEqual(grep(f, /UIDFETCH/).map((l) => Number(l.split(' ')[1])), [7, 6, 5]);
    } finally {
      u.close();
    }
  });

  test('EXPUNGE, CLOSE and STATUS are never limited', async () => {
    await fill(c, 'Whole', 9);
    assertStatus(await c.command('SELECT Whole'), 'OK');
    assertStatus(await c.command('UID STORE 1:2 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('UID STORE 3:4 +FLAGS.SILENT (\\Deleted)'), 'OK');
    const r = await c.command('EXPUNGE');
    assert.match(r.tagged, /^\S+ OK EXPUNGE completed$/);
    assert.deepEqual(grep(r, /EXPUNGE$/), ['* 4 EXPUNGE', '* 3 EXPUNGE', '* 2 EXPUNGE', '* 1 EXPUNGE']);
    assert.equal(await messages(c, 'Whole'), '* STATUS "Whole" (MESSAGES 5)');
    assertStatus(await c.command('STORE 1:3 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('STORE 4:5 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assert.match((await c.command('CLOSE')).tagged, /^\S+ OK /);
    assert.equal(await messages(c, 'Whole'), '* STATUS "Whole" (MESSAGES 0)');
  });
});

describe('SAVELIMIT (RFC 9738 §3): only COPY and APPEND are limited', () => {
  let srv: TestServer;
  let c: TestClient;

  before(async () => {
    srv = await startTestServer({ config: { imapSaveLimit: 3 } });
    c = await loggedIn(srv.port);
    await fill(c, 'Box', 5);
    assertStatus(await c.command('CREATE Dest'), 'OK');
    assertStatus(await c.command('SELECT Box'), 'OK');
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  test('SAVELIMIT=3 is advertised, MESSAGELIMIT is not', async () => {
    const caps = (await c.command('CAPABILITY')).untagged[0]!.split(' ');
    assert.ok(caps.includes('SAVELIMIT=3'), caps.join(' '));
    assert.ok(!caps.some((x) => x.startsWith('MESSAGELIMIT')), caps.join(' '));
  });

  test('FETCH, STORE, SEARCH and SORT process every message', async () => {
    const f = await c.command('UID FETCH 1:* (UID)');
    assert.match(f.tagged, /^\S+ OK Fetch completed$/);
    assert.deepEqual(fetchedUids(f), [1, 2, 3, 4, 5]);
    const s = await c.command('STORE 1:5 +FLAGS (\\Flagged)');
    assert.match(s.tagged, /^\S+ OK Store completed$/);
    assert.equal(grep(s, /FETCH/).length, 5);
    assert.deepEqual((await c.command('UID SEARCH FLAGGED')).untagged, ['* SEARCH 1 2 3 4 5']);
    assert.deepEqual((await c.command('UID SORT (REVERSE SUBJECT) UTF-8 ALL')).untagged, ['* SORT 5 4 3 2 1']);
  });

  test('COPY and MULTIAPPEND of more than 3 messages are NO [MESSAGELIMIT 3 ...]; MOVE is not limited', async () => {
    const r = await c.command('UID COPY 1:* Dest');
    assertStatus(r, 'NO', 'MESSAGELIMIT');
    assert.equal(limitOf(r), '3 3');
    assertStatus(await multiAppend(c, 'Dest', 4), 'NO', 'MESSAGELIMIT');
    assert.equal(await messages(c, 'Dest'), '* STATUS "Dest" (MESSAGES 0)');
    assertStatus(await c.command('COPY 1:3 Dest'), 'OK', 'COPYUID');
    const m = await c.command('UID MOVE 1:4 Dest');
    assert.match(m.tagged, /^\S+ OK MOVE completed$/);
    assert.equal(grep(m, /EXPUNGE$/).length, 4);
    assert.equal(await messages(c, 'Dest'), '* STATUS "Dest" (MESSAGES 7)');
  });
});
