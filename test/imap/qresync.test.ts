/**
 * Transcript tests of QRESYNC (RFC 7162 §3.2), built from the RFC's examples: the capability and
 * ENABLE QRESYNC (§3.2.2-3.2.3), SELECT/EXAMINE (QRESYNC ...) with VANISHED (EARLIER) and
 * FETCH (UID FLAGS MODSEQ) (§3.2.5.1, example A03), known-uids and seq-match-data (§3.2.5.2),
 * the UIDVALIDITY mismatch (§3.2.5, example A02), UID FETCH (CHANGEDSINCE m VANISHED) (§3.2.6,
 * Example 1), VANISHED instead of EXPUNGE for EXPUNGE / UID EXPUNGE / MOVE and other sessions'
 * expunges (§3.2.7, §3.2.9, §3.2.10.2, RFC 6851 §4.4), CLOSE (§3.2.8) and CLOSED (§3.2.11).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, simpleMessage, seedMailbox, grep, waitForLine, type Reply } from '../support/transcript.js';

function highestModSeq(r: Reply): number {
  const l = r.untagged.find((x) => /^\* OK \[HIGHESTMODSEQ \d+\]/.test(x));
  assert.ok(l, JSON.stringify(r.untagged));
  return Number(/HIGHESTMODSEQ (\d+)/.exec(l)![1]);
}

function uidValidity(r: Reply): number {
  const l = r.untagged.find((x) => /^\* OK \[UIDVALIDITY \d+\]/.test(x));
  assert.ok(l, JSON.stringify(r.untagged));
  return Number(/UIDVALIDITY (\d+)/.exec(l)![1]);
}

function statusModSeq(r: Reply): number {
  const m = /HIGHESTMODSEQ (\d+)/.exec(r.untagged.find((l) => l.startsWith('* STATUS')) ?? '');
  assert.ok(m, JSON.stringify(r.untagged));
  return Number(m[1]);
}

/** The untagged lines that report expunges, of either kind. */
const expungeLines = (r: Reply | string[]): string[] => grep(r, /^\* (VANISHED|\d+ EXPUNGE)\b/);

describe('IMAP QRESYNC (RFC 7162 §3.2)', () => {
  let srv: TestServer;
  let n = 0;
  const open: TestClient[] = [];
  /** A fresh mailbox with `count` messages, UIDs 1..count (no \Recent left for later sessions). */
  async function box(count = 10): Promise<string> {
    const name = `qr${++n}`;
    await seedMailbox(srv.port, name, Array.from({ length: count }, (_, i) => ({ body: simpleMessage({ subject: `m${i + 1}` }) })));
    return name;
  }
  async function client(enable: string | null = 'QRESYNC'): Promise<TestClient> {
    const c = await loggedIn(srv.port);
    open.push(c);
    if (enable) assertStatus(await c.command(`ENABLE ${enable}`), 'OK');
    return c;
  }
  /** Another session deletes and expunges the given UIDs; returns the expunge's modseq. */
  async function expungeElsewhere(name: string, uids: string): Promise<number> {
    const d = await client(null);
    assertStatus(await d.command(`SELECT ${name}`), 'OK');
    assertStatus(await d.command(`UID STORE ${uids} +FLAGS.SILENT (\\Deleted)`), 'OK');
    assertStatus(await d.command(`UID EXPUNGE ${uids}`), 'OK');
    const ms = statusModSeq(await d.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    await d.command('LOGOUT');
    return ms;
  }
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('QRESYNC and CONDSTORE are advertised; ENABLE QRESYNC enables CONDSTORE too (§3.2.2, §3.2.3)', async () => {
    const c = await TestClient.connect(srv.port);
    open.push(c);
    await c.login('alice', 'wonderland-pass');
    const cap = await c.command('CAPABILITY');
    assert.match(cap.untagged[0]!, /^\* CAPABILITY .*\bQRESYNC\b/);
    assert.match(cap.untagged[0]!, /\bCONDSTORE\b/);
    assert.match(cap.untagged[0]!, /\bENABLE\b/);
    const en = await c.command('ENABLE QRESYNC');
    assertStatus(en, 'OK');
    assert.deepEqual(en.untagged, ['* ENABLED QRESYNC']);
    assert.deepEqual((await c.command('ENABLE QRESYNC CONDSTORE')).untagged, ['* ENABLED']);
    // QRESYNC made the session CONDSTORE-aware: FLAGS comes with MODSEQ (§3.2.3 -> §3.1)
    const name = await box(2);
    const sel = await c.command(`SELECT ${name}`);
    assert.equal(grep(sel, /HIGHESTMODSEQ/).length, 1);
    assert.match((await c.command('FETCH 1 (FLAGS)')).untagged[0]!, /^\* 1 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$/);

    // "ENABLE QRESYNC CONDSTORE" has the same result and names both (§3.2.3)
    const d = await client(null);
    assert.deepEqual((await d.command('ENABLE QRESYNC CONDSTORE')).untagged, ['* ENABLED QRESYNC CONDSTORE']);
    const e = await client(null);
    assert.deepEqual((await e.command('ENABLE CONDSTORE QRESYNC')).untagged, ['* ENABLED CONDSTORE QRESYNC']);
  });

  test('the QRESYNC parameter and the VANISHED modifier are BAD without ENABLE QRESYNC (§3.2.3, §3.2.5, §3.2.6)', async () => {
    const name = await box(3);
    const c = await client('CONDSTORE');
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    const hms = highestModSeq(sel);
    const q = await c.command(`SELECT ${name} (QRESYNC (${uv} ${hms}))`);
    assertStatus(q, 'BAD');
    assert.deepEqual(q.untagged, []);
    // the mailbox stays selected (nothing was opened or closed)
    assertStatus(await c.command('FETCH 1 (UID)'), 'OK');
    assertStatus(await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${hms} VANISHED)`), 'BAD');
    assertStatus(await c.command(`EXAMINE ${name} (QRESYNC (${uv} ${hms}))`), 'BAD');
    // and after ENABLE QRESYNC (authenticated state) the same parameter works
    const d = await client();
    assertStatus(await d.command(`SELECT ${name} (QRESYNC (${uv} ${hms}))`), 'OK', 'READ-WRITE');
    // syntax errors are BAD too, and leave the mailbox selected
    assertStatus(await d.command(`SELECT ${name} (QRESYNC (${uv} ${hms} 1:*))`), 'BAD');
    assertStatus(await d.command('FETCH 1 (UID)'), 'OK');
  });

  test('SELECT (QRESYNC (uidvalidity modseq)): VANISHED (EARLIER) then FETCH (UID FLAGS MODSEQ) (§3.2.5.1, example A03)', async () => {
    const name = await box(10);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    const hms = highestModSeq(sel);
    assertStatus(await c.command('LOGOUT'), 'OK');

    const d = await client(null);
    await d.command(`SELECT ${name}`);
    await d.command('UID STORE 2 +FLAGS.SILENT (\\Seen $Forwarded)');
    await d.command('UID STORE 3,5,7 +FLAGS.SILENT (\\Deleted)');
    await d.command('EXPUNGE');
    await d.command('UID STORE 9 +FLAGS.SILENT (\\Answered)');
    const now = statusModSeq(await d.command(`STATUS ${name} (HIGHESTMODSEQ)`));

    const e = await client();
    const r = await e.command(`SELECT ${name} (QRESYNC (${uv} ${hms}))`);
    assertStatus(r, 'OK', 'READ-WRITE');
    // the usual responses first (§3.2.5: opened "as if no parameters were specified")
    assert.ok(r.untagged.includes('* 7 EXISTS'), JSON.stringify(r.untagged));
    assert.equal(highestModSeq(r), now);
    const tail = r.untagged.slice(r.untagged.findIndex((l) => l.startsWith('* VANISHED')));
    assert.equal(tail[0], '* VANISHED (EARLIER) 3,5,7');
    assert.equal(tail.length, 3, JSON.stringify(r.untagged));
    assert.match(tail[1]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Seen \$Forwarded\) MODSEQ \((\d+)\)\)$/);
    assert.match(tail[2]!, /^\* 6 FETCH \(UID 9 FLAGS \(\\Answered\) MODSEQ \((\d+)\)\)$/);
    for (const l of tail.slice(1)) {
      const m = Number(/MODSEQ \((\d+)\)/.exec(l)![1]);
      assert.ok(m > hms && m <= now, l);
    }
    assert.deepEqual(grep(r, /EXPUNGE/), []);
    // the view is exactly the 7 remaining messages, and nothing is repeated at the next NOOP
    assert.deepEqual((await e.command('NOOP')).untagged, []);
    const uids = (await e.command('FETCH 1:* (UID)')).untagged.map((l) => Number(/UID (\d+)/.exec(l)![1]));
    assert.deepEqual(uids, [1, 2, 4, 6, 8, 9, 10]);

    // nothing changed since the current HIGHESTMODSEQ: no VANISHED, no FETCH
    const f = await client();
    const same = await f.command(`EXAMINE ${name} (QRESYNC (${uv} ${now}))`);
    assertStatus(same, 'OK', 'READ-ONLY');
    assert.deepEqual(grep(same, /VANISHED|FETCH/), []);
  });

  test('known-uids restricts both VANISHED (EARLIER) and FETCH (§3.2.5.1)', async () => {
    const name = await box(10);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    const hms = highestModSeq(sel);
    await c.command('UID STORE 2,8 +FLAGS.SILENT (\\Flagged)');
    await c.command('UID STORE 3,5,7 +FLAGS.SILENT (\\Deleted)');
    await c.command('EXPUNGE');

    const d = await client();
    const low = await d.command(`SELECT ${name} (QRESYNC (${uv} ${hms} 1:4))`);
    const lowLines = grep(low, /VANISHED|FETCH/);
    assert.equal(lowLines.length, 2, JSON.stringify(lowLines));
    assert.equal(lowLines[0], '* VANISHED (EARLIER) 3');
    assert.match(lowLines[1]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);
    const high = await d.command(`SELECT ${name} (QRESYNC (${uv} ${hms} 5:6,9:10))`);
    // CLOSED first (§3.2.11), then only UID 5 vanished; UIDs 7 and 8 were not named
    assert.match(high.untagged[0]!, /^\* OK \[CLOSED\]/);
    assert.deepEqual(grep(high, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 5']);
    // a known-uids set naming only UIDs that never vanished: nothing to report
    const none = await d.command(`SELECT ${name} (QRESYNC (${uv} ${hms} 1,4,6))`);
    assert.deepEqual(grep(none, /VANISHED|FETCH/), []);
  });

  test('a wrong UIDVALIDITY ignores the remaining parameters: no VANISHED, no FETCH (§3.2.5, example A02)', async () => {
    const name = await box(4);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    await c.command('STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    await c.command('STORE 3 +FLAGS.SILENT (\\Seen)');
    await c.command('EXPUNGE');
    const d = await client();
    const r = await d.command(`SELECT ${name} (QRESYNC (${uv + 1} 1 1:100))`);
    assertStatus(r, 'OK', 'READ-WRITE');
    assert.deepEqual(grep(r, /VANISHED|FETCH|EXPUNGE/), []);
    assert.ok(r.untagged.includes('* 2 EXISTS'));
    assert.equal(uidValidity(r), uv);
  });

  test('seq-match-data narrows VANISHED (EARLIER) to UIDs above the last matching pair (§3.2.5.2)', async () => {
    const name = await box(10);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    await c.command('UID STORE 3,5,7 +FLAGS.SILENT (\\Deleted)');
    // a modseq from before the expunge but after the \Deleted flags: only expunges to report
    const ms = statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    await c.command('EXPUNGE');
    // remaining: seq 1..7 = UIDs 1,2,4,6,8,9,10
    const d = await client();
    const plain = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} 1:10))`);
    assert.deepEqual(grep(plain, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 3,5,7']);
    // 3 -> 4 matches: the client knows every expunge up to UID 4
    const m1 = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} 1:10 (1:3 1,2,4)))`);
    assert.deepEqual(grep(m1, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 5,7']);
    // (3,4) matches, (4,7) does not (seq 4 is UID 6): the floor stays 4, later pairs are ignored
    const m2 = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} 1:10 (3:5 4,7,8)))`);
    assert.deepEqual(grep(m2, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 5,7']);
    // (5,8) matches: nothing at or below 8 vanished that the client does not know of
    const m3 = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} 1:10 (5 8)))`);
    assert.deepEqual(grep(m3, /VANISHED|FETCH/), []);
    // a first pair that does not match: no narrowing at all
    const m4 = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} (2 3)))`);
    assert.deepEqual(grep(m4, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 3,5,7']);
    // a pair beyond the mailbox size does not match either
    const m5 = await d.command(`EXAMINE ${name} (QRESYNC (${uv} ${ms} 1:10 (99 200)))`);
    assert.deepEqual(grep(m5, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 3,5,7']);
  });

  test('EXPUNGE and UID EXPUNGE answer VANISHED and HIGHESTMODSEQ (§3.2.7, §3.2.9, §3.2.10.2 example)', async () => {
    const name = await box(11);
    const c = await client();
    await c.command(`SELECT ${name}`);
    await c.command('STORE 3,4,7,11 +FLAGS.SILENT (\\Deleted)');
    const ex = await c.command('EXPUNGE');
    assertStatus(ex, 'OK', 'HIGHESTMODSEQ');
    assert.deepEqual(ex.untagged, ['* VANISHED 3:4,7,11']);
    const [hms] = codeArgs(ex, 'HIGHESTMODSEQ');
    assert.equal(Number(hms), statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`)));
    // continuing the example: 504 and 508 are here messages 2 and 4, UIDs 2 and 6
    await c.command('STORE 2,4 +FLAGS.SILENT (\\Deleted)');
    const ex2 = await c.command('EXPUNGE');
    assert.deepEqual(ex2.untagged, ['* VANISHED 2,6']);
    assert.ok(Number(codeArgs(ex2, 'HIGHESTMODSEQ')[0]) > Number(hms));
    // the view shrank accordingly
    const uids = (await c.command('FETCH 1:* (UID)')).untagged.map((l) => /^\* (\d+) FETCH \(UID (\d+)\)$/.exec(l)!.slice(1).join('='));
    assert.deepEqual(uids, ['1=1', '2=5', '3=8', '4=9', '5=10']);
    // UID EXPUNGE removes only the named \Deleted messages (§3.2.9)
    await c.command('UID STORE 5,8,10 +FLAGS.SILENT (\\Deleted)');
    const ue = await c.command('UID EXPUNGE 1:8');
    assertStatus(ue, 'OK', 'HIGHESTMODSEQ');
    assert.deepEqual(ue.untagged, ['* VANISHED 5,8']);
    // nothing expunged: no VANISHED and no HIGHESTMODSEQ (only "if at least one message got expunged")
    const nothing = await c.command('UID EXPUNGE 1:8');
    assertStatus(nothing, 'OK');
    assert.deepEqual(nothing.untagged, []);
    assert.doesNotMatch(nothing.tagged, /HIGHESTMODSEQ/);
  });

  test('MOVE answers COPYUID, VANISHED and HIGHESTMODSEQ (RFC 6851 §4.4)', async () => {
    const name = await box(5);
    const dest = await box(0);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const mv = await c.command(`MOVE 2:3 ${dest}`);
    assertStatus(mv, 'OK', 'HIGHESTMODSEQ');
    assert.equal(mv.untagged.length, 2, JSON.stringify(mv.untagged));
    assert.match(mv.untagged[0]!, /^\* OK \[COPYUID \d+ 2:3 1:2\]/);
    assert.equal(mv.untagged[1], '* VANISHED 2:3');
    const um = await c.command(`UID MOVE 5 ${dest}`);
    assert.deepEqual(expungeLines(um), ['* VANISHED 5']);
    assert.deepEqual((await c.command('FETCH 1:* (UID)')).untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 4)']);
  });

  test('another session\'s expunge arrives as VANISHED at a safe point, never during FETCH/STORE/SEARCH (§3.2.10.2)', async () => {
    const name = await box(5);
    const c = await client();
    const h0 = highestModSeq(await c.command(`SELECT ${name}`));
    const gone = await expungeElsewhere(name, '2,4');
    // withheld during FETCH, STORE and SEARCH (RFC 9051 §7.5.1 applies to VANISHED, §3.2.10.2)
    const f = await c.command('FETCH 1:5 (UID)');
    assert.deepEqual(expungeLines(f), []);
    assertStatus(f, 'NO', 'EXPUNGEISSUED');
    // ... and meanwhile HIGHESTMODSEQ stays below the withheld expunge (§3.2, §6 example), even
    // after a STORE whose MODSEQ is above it
    assert.deepEqual(grep(f, /HIGHESTMODSEQ/), [`* OK [HIGHESTMODSEQ ${h0}] VANISHED delayed`]);
    const st = await c.command('STORE 1 +FLAGS (\\Seen)');
    assert.deepEqual(expungeLines(st), []);
    assert.ok(Number(/MODSEQ \((\d+)\)/.exec(st.untagged[0]!)![1]) > gone, JSON.stringify(st.untagged));
    assert.equal(st.untagged[st.untagged.length - 1], `* OK [HIGHESTMODSEQ ${h0}] VANISHED delayed`);
    assert.ok(h0 < gone);
    assert.deepEqual(expungeLines(await c.command('SEARCH ALL')), []);
    const noop = await c.command('NOOP');
    assert.deepEqual(expungeLines(noop), ['* VANISHED 2,4']);
    assert.deepEqual(grep(noop, /EXISTS|HIGHESTMODSEQ/), []);
    // sequence numbers follow: 3 messages, UIDs 1, 3, 5
    assert.deepEqual((await c.command('FETCH 1:* (UID)')).untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)', '* 3 FETCH (UID 5)']);
    assert.deepEqual(expungeLines(await c.command('NOOP')), []);
  });

  test('IDLE pushes VANISHED for another session\'s expunge (§3.2.10)', async () => {
    const name = await box(3);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const tag = c.nextTag();
    c.write(`${tag} IDLE\r\n`);
    assert.match(await c.readLine(), /^\+ /);
    await expungeElsewhere(name, '1');
    const v = await waitForLine(c, /^\* (VANISHED|\d+ EXPUNGE)/, 2000);
    assert.equal(v.line, '* VANISHED 1');
    for (const l of v.skipped) assert.match(l, /^\* 1 FETCH \(UID 1 FLAGS \(\\Deleted\) MODSEQ \(\d+\)\)$/);
    c.write('DONE\r\n');
    const done = await c.readUntilTagged(tag);
    assertStatus(done, 'OK');
    assert.deepEqual((await c.command('FETCH 1:* (UID)')).untagged, ['* 1 FETCH (UID 2)', '* 2 FETCH (UID 3)']);
  });

  test('UID FETCH ... (CHANGEDSINCE m VANISHED): VANISHED (EARLIER) first, only the set\'s UIDs expunged after m (§3.2.6, Example 1)', async () => {
    const name = await box(10);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const m0 = highestModSeq(sel);
    await c.command('UID STORE 2,6 +FLAGS.SILENT (\\Deleted)');
    await c.command('UID STORE 4 +FLAGS.SILENT (\\Seen)');
    await c.command('EXPUNGE');
    const m1 = statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    await c.command('UID STORE 10 +FLAGS.SILENT (\\Deleted)');
    await c.command('UID EXPUNGE 10');

    const r = await c.command(`UID FETCH 1:8 (FLAGS) (CHANGEDSINCE ${m0} VANISHED)`);
    assertStatus(r, 'OK');
    assert.equal(r.untagged[0], '* VANISHED (EARLIER) 2,6');
    assert.equal(r.untagged.length, 2, JSON.stringify(r.untagged));
    assert.match(r.untagged[1]!, /^\* 3 FETCH \(UID 4 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    // "*" covers the expunged highest UID as well
    const all = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m0} VANISHED)`);
    assert.equal(all.untagged[0], '* VANISHED (EARLIER) 2,6,10');
    // only UIDs expunged after m: with m1 the first expunge is not reported
    const later = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m1} VANISHED)`);
    assert.deepEqual(later.untagged, ['* VANISHED (EARLIER) 10']);
    // a set naming no vanished UID: no VANISHED response at all
    const some = await c.command(`UID FETCH 3:5,7:9 (FLAGS) (CHANGEDSINCE ${m0} VANISHED)`);
    assert.deepEqual(grep(some, /VANISHED/), []);
    assert.equal(grep(some, /FETCH/).length, 1);
    // without VANISHED only the FETCH responses (§3.1.4.1)
    assert.deepEqual(grep(await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m0})`), /VANISHED/), []);
  });

  test('UID FETCH VANISHED does not report as EARLIER a message the view still shows; plain VANISHED follows', async () => {
    const name = await box(4);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const m0 = highestModSeq(sel);
    await expungeElsewhere(name, '3');
    const r = await c.command(`UID FETCH 1:* (UID) (CHANGEDSINCE ${m0} VANISHED)`);
    assertStatus(r, 'OK');
    // UID 3 is still message 3 for this client; it is announced by VANISHED (no EARLIER) at a safe point
    assert.deepEqual(grep(r, /VANISHED \(EARLIER\)/), []);
    assert.deepEqual(expungeLines(await c.command('NOOP')), ['* VANISHED 3']);
    const again = await c.command(`UID FETCH 1:* (UID) (CHANGEDSINCE ${m0} VANISHED)`);
    assert.equal(again.untagged[0], '* VANISHED (EARLIER) 3');
  });

  test('CLOSE sends no VANISHED; a later SELECT (QRESYNC) reports those expunges (§3.2.8)', async () => {
    const name = await box(4);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = uidValidity(sel);
    const m0 = highestModSeq(sel);
    await c.command('UID STORE 1,4 +FLAGS.SILENT (\\Deleted)');
    const m1 = statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    const cl = await c.command('CLOSE');
    assertStatus(cl, 'OK');
    assert.deepEqual(cl.untagged, []);
    assert.doesNotMatch(cl.tagged, /HIGHESTMODSEQ/);
    const r = await c.command(`SELECT ${name} (QRESYNC (${uv} ${m1}))`);
    // not after CLOSE: no mailbox was selected (§3.2.11)
    assert.deepEqual(grep(r, /CLOSED/), []);
    assert.deepEqual(grep(r, /VANISHED|FETCH/), ['* VANISHED (EARLIER) 1,4']);
    const r0 = await c.command(`SELECT ${name} (QRESYNC (${uv} ${m0}))`);
    assert.deepEqual(grep(r0, /VANISHED/), ['* VANISHED (EARLIER) 1,4']);
  });

  test('CLOSED separates the two mailboxes on an implicit close, for rev1 and rev2 clients (§3.2.11)', async () => {
    const a = await box(1);
    const b = await box(1);
    for (const enable of [null, 'IMAP4rev2 QRESYNC']) {
      const c = await client(enable);
      await c.command(`SELECT ${a}`);
      const r = await c.command(`EXAMINE ${b}`);
      assertStatus(r, 'OK', 'READ-ONLY');
      assert.match(r.untagged[0]!, /^\* OK \[CLOSED\]/);
      assert.equal(grep(r, /CLOSED/).length, 1);
    }
  });

  test('EXPUNGE responses are never sent once QRESYNC is enabled, also to a rev2 client (§3.2.10)', async () => {
    const name = await box(6);
    const dest = await box(0);
    const c = await client('IMAP4rev2 QRESYNC');
    await c.command(`SELECT ${name}`);
    await expungeElsewhere(name, '1');
    const lines: string[] = [];
    lines.push(...(await c.command('NOOP')).untagged);
    await c.command('STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    lines.push(...(await c.command('EXPUNGE')).untagged);
    lines.push(...(await c.command(`MOVE 1 ${dest}`)).untagged);
    assert.deepEqual(grep(lines, /EXPUNGE/), []);
    assert.deepEqual(expungeLines(lines), ['* VANISHED 1', '* VANISHED 2:3', '* VANISHED 4']);
    assert.deepEqual((await c.command('UID FETCH 1:* (UID)')).untagged, ['* 1 FETCH (UID 5)', '* 2 FETCH (UID 6)']);
  });
});
