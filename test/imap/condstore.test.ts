/**
 * Transcript tests of CONDSTORE (RFC 7162 §3.1, without QRESYNC), built from the RFC's examples:
 * the capability, HIGHESTMODSEQ on SELECT/EXAMINE (§3.1.2.1, Examples 1 and 18), the CONDSTORE
 * enabling commands and the HIGHESTMODSEQ they announce (§3.1, Example 5), STORE UNCHANGEDSINCE
 * with MODIFIED (§3.1.3, Examples 3-11), FETCH MODSEQ and CHANGEDSINCE (§3.1.4, Examples 12-14),
 * SEARCH MODSEQ (§3.1.5-3.1.6, §3.1.10, Examples 15, 16 and 19), STATUS HIGHESTMODSEQ (§3.1.7,
 * Example 17) and LIST RETURN (STATUS (HIGHESTMODSEQ)) (RFC 5819).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, append, simpleMessage, seedMailbox, grep, waitForLine, type Reply } from '../support/transcript.js';

/** The HIGHESTMODSEQ response code values among the untagged lines. */
function highestModSeqs(r: Reply): number[] {
  return r.untagged.flatMap((l) => {
    const m = /^\* OK \[HIGHESTMODSEQ (\d+)\]/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/** seq -> MODSEQ of the FETCH responses. */
function modseqs(r: Reply | string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of Array.isArray(r) ? r : r.untagged) {
    const m = /^\* (\d+) FETCH \(.*MODSEQ \((\d+)\)/.exec(l);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

function statusModSeq(r: Reply): number {
  const m = /HIGHESTMODSEQ (\d+)/.exec(r.untagged.find((l) => l.startsWith('* STATUS')) ?? '');
  assert.ok(m, JSON.stringify(r.untagged));
  return Number(m[1]);
}

const FIVE = [1, 2, 3, 4, 5].map((i) => ({ body: simpleMessage({ subject: `m${i}` }) }));

describe('IMAP CONDSTORE (RFC 7162 §3.1)', () => {
  let srv: TestServer;
  let n = 0;
  const open: TestClient[] = [];
  /** A fresh mailbox with five messages (no \Recent left for later sessions). */
  async function box(): Promise<string> {
    const name = `cs${++n}`;
    await seedMailbox(srv.port, name, FIVE);
    return name;
  }
  async function client(): Promise<TestClient> {
    const c = await loggedIn(srv.port);
    open.push(c);
    return c;
  }
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('CONDSTORE is advertised (RFC 7162 §3.1.1)', async () => {
    const c = await TestClient.connect(srv.port);
    open.push(c);
    assert.match(c.greeting, /\[CAPABILITY [^\]]*\bCONDSTORE\b/);
    await c.login('alice', 'wonderland-pass');
    const r = await c.command('CAPABILITY');
    assert.match(r.untagged[0]!, /^\* CAPABILITY .*\bCONDSTORE\b/);
  });

  test('SELECT always sends HIGHESTMODSEQ, never NOMODSEQ; FETCH FLAGS has no MODSEQ until enabled (Example 1)', async () => {
    const name = await box();
    const c = await client();
    const st = await c.command(`STATUS ${name} (HIGHESTMODSEQ)`);
    const sel = await c.command(`SELECT ${name}`);
    assertStatus(sel, 'OK', 'READ-WRITE');
    assert.deepEqual(highestModSeqs(sel), [statusModSeq(st)]);
    assert.deepEqual(grep(sel, /NOMODSEQ/), []);
    // STATUS (HIGHESTMODSEQ) in the authenticated state already made this session CONDSTORE-aware
    // (RFC 7162 §3.1), so FLAGS comes with MODSEQ.
    assert.match((await c.command('FETCH 1 (FLAGS)')).untagged[0]!, /^\* 1 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$/);

    const d = await client();
    const sel2 = await d.command(`EXAMINE ${name}`);
    assertStatus(sel2, 'OK', 'READ-ONLY');
    assert.equal(highestModSeqs(sel2).length, 1);
    assert.deepEqual((await d.command('FETCH 1 (FLAGS)')).untagged, ['* 1 FETCH (FLAGS ())']);
  });

  test('SELECT/EXAMINE (CONDSTORE) enables CONDSTORE without a second HIGHESTMODSEQ (Example 18)', async () => {
    const name = await box();
    const c = await client();
    const sel = await c.command(`SELECT ${name} (CONDSTORE)`);
    assertStatus(sel, 'OK', 'READ-WRITE');
    const [hms] = highestModSeqs(sel);
    assert.equal(highestModSeqs(sel).length, 1);
    // no announcement by a later enabling command: this was the first one
    const f = await c.command('FETCH 1:5 (MODSEQ)');
    assert.deepEqual(highestModSeqs(f), []);
    assert.equal(f.untagged.length, 5);
    for (const m of modseqs(f).values()) assert.ok(m >= 1 && m <= hms!, `${m} vs ${hms}`);
    const fl = await c.command('FETCH 2 (FLAGS)');
    assert.match(fl.untagged[0]!, /^\* 2 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$/);

    const d = await client();
    const ex = await d.command(`EXAMINE ${name} (CONDSTORE)`);
    assertStatus(ex, 'OK', 'READ-ONLY');
    assert.deepEqual(highestModSeqs(ex), [hms]);
    assert.match((await d.command('FETCH 3 FLAGS')).untagged[0]!, /MODSEQ \(\d+\)\)$/);
    // an unknown select parameter is still a BAD
    assertStatus(await d.command(`SELECT ${name} (QRESYNC (1 2))`), 'BAD');
  });

  test('ENABLE CONDSTORE answers ENABLED CONDSTORE once (RFC 5161, RFC 9051 §6.3.1)', async () => {
    const name = await box();
    const c = await client();
    const en = await c.command('ENABLE CONDSTORE');
    assertStatus(en, 'OK');
    assert.deepEqual(en.untagged, ['* ENABLED CONDSTORE']);
    assert.deepEqual((await c.command('ENABLE CONDSTORE')).untagged, ['* ENABLED']);
    const both = await c.command('ENABLE IMAP4rev2 CONDSTORE X-UNKNOWN');
    assert.deepEqual(both.untagged, ['* ENABLED IMAP4rev2']);
    const sel = await c.command(`SELECT ${name}`);
    assert.equal(highestModSeqs(sel).length, 1);
    assert.match((await c.command('FETCH 1 (FLAGS)')).untagged[0]!, /^\* 1 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$/);
  });

  test('the first enabling command with a mailbox selected announces HIGHESTMODSEQ first (§3.1, Example 5)', async () => {
    const name = await box();
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const [hms] = highestModSeqs(sel);
    // STORE ... UNCHANGEDSINCE as the first enabling command
    const s = await c.command(`STORE 5 (UNCHANGEDSINCE ${hms}) -FLAGS.SILENT (\\Deleted)`);
    assertStatus(s, 'OK');
    assert.equal(s.untagged.length, 2, JSON.stringify(s.untagged));
    assert.equal(s.untagged[0], `* OK [HIGHESTMODSEQ ${hms}] Highest mod-sequence`);
    // nothing changed (\Deleted was not set), the test passed: FETCH with MODSEQ anyway (§3.1.3 MUST)
    assert.match(s.untagged[1]!, /^\* 5 FETCH \(UID 5 MODSEQ \(\d+\)\)$/);
    // later enabling commands announce nothing
    assert.deepEqual(highestModSeqs(await c.command('FETCH 1 (MODSEQ)')), []);
    assert.deepEqual(highestModSeqs(await c.command('SEARCH MODSEQ 1')), []);
    assert.deepEqual(highestModSeqs(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`)), []);

    // STATUS (HIGHESTMODSEQ) is an enabling command too (§3.1)
    const d = await client();
    await d.command(`EXAMINE ${name}`);
    const st = await d.command(`STATUS ${name} (MESSAGES HIGHESTMODSEQ)`);
    assert.equal(st.untagged.length, 2, JSON.stringify(st.untagged));
    assert.equal(st.untagged[0], `* OK [HIGHESTMODSEQ ${hms}] Highest mod-sequence`);
    assert.equal(st.untagged[1], `* STATUS "${name}" (MESSAGES 5 HIGHESTMODSEQ ${hms})`);
  });

  test('FETCH MODSEQ (Example 13); every change raises the message modseq and HIGHESTMODSEQ (§3.1, §3.1.7)', async () => {
    const name = await box();
    const c = await client();
    await c.command(`SELECT ${name}`);
    const before = modseqs(await c.command('FETCH 1:3 (MODSEQ)'));
    assert.equal(before.size, 3);
    const s = await c.command('STORE 2 +FLAGS (\\Flagged)');
    const m2 = modseqs(s).get(2)!;
    assert.match(s.untagged[0]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);
    assert.ok(m2 > Math.max(...before.values()));
    const st = await c.command(`STATUS ${name} (HIGHESTMODSEQ)`);
    assert.equal(statusModSeq(st), m2);
    // setting a flag already set does not change the modseq (§3.1.11)
    const again = await c.command('STORE 2 +FLAGS (\\Flagged)');
    assert.equal(modseqs(again).get(2), m2);
    // a later STORE gets a larger modseq (§3.1)
    const s3 = await c.command('STORE 3 +FLAGS (\\Seen)');
    assert.ok(modseqs(s3).get(3)! > m2);
    const after = modseqs(await c.command('FETCH 1:3 (MODSEQ)'));
    assert.equal(after.get(1), before.get(1));
    assert.equal(after.get(2), m2);
  });

  test('FETCH that sets \\Seen reports UID, FLAGS and MODSEQ once CONDSTORE is enabled (§3.2.4 via §3.1.4.2)', async () => {
    const name = await box();
    const c = await client();
    await c.command(`SELECT ${name} (CONDSTORE)`);
    const f = await c.command('FETCH 4 (BODY[HEADER.FIELDS (SUBJECT)])');
    assert.equal(f.untagged.length, 1);
    assert.match(f.untagged[0]!, /^\* 4 FETCH \(UID 4 BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{15\}\r\nSubject: m4\r\n\r\n FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    // a FETCH that changes nothing gets no unrequested items
    assert.deepEqual((await c.command('FETCH 4 (RFC822.SIZE)')).untagged.map((l) => l.replace(/\d+\)$/, 'n)')), ['* 4 FETCH (RFC822.SIZE n)']);
  });

  test('UID FETCH (CHANGEDSINCE) after a flag change (Example 12)', async () => {
    const name = await box();
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const [hms] = highestModSeqs(sel);
    // nothing changed since HIGHESTMODSEQ
    const none = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${hms})`);
    assertStatus(none, 'OK');
    assert.deepEqual(none.untagged, [`* OK [HIGHESTMODSEQ ${hms}] Highest mod-sequence`]);
    await c.command('STORE 2,4 +FLAGS.SILENT ($Processed)');
    const changed = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${hms})`);
    const lines = grep(changed, /FETCH/);
    assert.equal(lines.length, 2, JSON.stringify(changed.untagged));
    assert.match(lines[0]!, /^\* 2 FETCH \(UID 2 FLAGS \(\$Processed\) MODSEQ \((\d+)\)\)$/);
    assert.match(lines[1]!, /^\* 4 FETCH \(UID 4 FLAGS \(\$Processed\) MODSEQ \((\d+)\)\)$/);
    // CHANGEDSINCE 0: every message; message-number FETCH works too
    assert.equal(grep(await c.command('FETCH 1:* (UID) (CHANGEDSINCE 0)'), /MODSEQ/).length, 5);
    // RFC 7162 §3.2.6: VANISHED belongs to QRESYNC and needs UID FETCH; CHANGEDSINCE needs a value
    assertStatus(await c.command('FETCH 1:* (FLAGS) (CHANGEDSINCE)'), 'BAD');
  });

  test('two sessions: unsolicited FETCH carries MODSEQ only for the CONDSTORE-aware one (Example 14)', async () => {
    const name = await box();
    const a = await client();
    const b = await client();
    const plain = await client();
    await a.command(`SELECT ${name} (CONDSTORE)`);
    await b.command(`SELECT ${name} (CONDSTORE)`);
    await plain.command(`SELECT ${name}`);
    const s = await a.command('STORE 4 +FLAGS.SILENT (\\Deleted)');
    assertStatus(s, 'OK');
    // .SILENT: no FLAGS, but the new MODSEQ (A160 in Example 14)
    assert.equal(s.untagged.length, 1, JSON.stringify(s.untagged));
    const m = /^\* 4 FETCH \(UID 4 MODSEQ \((\d+)\)\)$/.exec(s.untagged[0]!);
    assert.ok(m, s.untagged[0]);
    const nb = await b.command('NOOP');
    assert.deepEqual(nb.untagged, [`* 4 FETCH (UID 4 FLAGS (\\Deleted) MODSEQ (${m[1]}))`]);
    assert.deepEqual((await plain.command('NOOP')).untagged, ['* 4 FETCH (UID 4 FLAGS (\\Deleted))']);
    // A does not hear about its own change again
    assert.deepEqual((await a.command('NOOP')).untagged, []);
    // during IDLE the change arrives at once, with MODSEQ
    const tag = b.nextTag();
    b.write(`${tag} IDLE\r\n`);
    await waitForLine(b, /^\+ /);
    const s2 = await a.command('STORE 4 -FLAGS (\\Deleted)');
    const m2 = modseqs(s2).get(4)!;
    assert.ok(m2 > Number(m[1]));
    const { line } = await waitForLine(b, /FETCH/);
    assert.equal(line, `* 4 FETCH (UID 4 FLAGS () MODSEQ (${m2}))`);
    b.write('DONE\r\n');
    assertStatus(await b.readUntilTagged(tag), 'OK');
  });

  test('UID STORE UNCHANGEDSINCE: all pass (Example 3), then a conflict with another session (Examples 6, 7, 10)', async () => {
    const name = await box();
    const a = await client();
    const b = await client();
    const [hms] = highestModSeqs(await a.command(`SELECT ${name} (CONDSTORE)`));
    await b.command(`SELECT ${name} (CONDSTORE)`);
    const ok = await a.command(`UID STORE 4,2,3 (UNCHANGEDSINCE ${hms}) +FLAGS.SILENT (\\Deleted)`);
    assertStatus(ok, 'OK');
    assert.match(ok.tagged, /Conditional STORE completed/);
    assert.deepEqual(ok.untagged.map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (n)')), [
      '* 2 FETCH (UID 2 MODSEQ (n))',
      '* 3 FETCH (UID 3 MODSEQ (n))',
      '* 4 FETCH (UID 4 MODSEQ (n))',
    ]);
    const stored = modseqs(ok);
    // B changes message 5 meanwhile; A's conditional store with the old value fails for 5 only
    assertStatus(await b.command('STORE 5 +FLAGS (\\Answered)'), 'OK');
    const cond = await a.command(`UID STORE 1,5 (UNCHANGEDSINCE ${hms}) +FLAGS.SILENT ($Processed)`);
    assertStatus(cond, 'OK', 'MODIFIED');
    assert.deepEqual(codeArgs(cond, 'MODIFIED'), ['5']);
    // message 1 passed; message 5 failed and gets its current FLAGS and MODSEQ (Example 10)
    const lines = grep(cond, /FETCH/);
    assert.equal(lines.length, 2, JSON.stringify(cond.untagged));
    assert.match(lines[0]!, /^\* 1 FETCH \(UID 1 MODSEQ \(\d+\)\)$/);
    const m5 = /^\* 5 FETCH \(UID 5 FLAGS \(\\Answered\) MODSEQ \((\d+)\)\)$/.exec(lines[1]!);
    assert.ok(m5, lines[1]);
    // message 5 was not changed
    const f = await a.command('UID FETCH 5 (FLAGS MODSEQ)');
    assert.deepEqual(grep(f, /FETCH/), [`* 5 FETCH (UID 5 FLAGS (\\Answered) MODSEQ (${m5[1]}))`]);
    // retrying with the new modseq succeeds (Example 9, b108)
    const retry = await a.command(`UID STORE 5 (UNCHANGEDSINCE ${m5[1]}) +FLAGS.SILENT ($Processed)`);
    assertStatus(retry, 'OK');
    assert.ok(!/MODIFIED/.test(retry.tagged));
    // the changes of message 2..4 kept their modseqs
    assert.deepEqual([...modseqs(await a.command('FETCH 2:4 (MODSEQ)')).values()], [...stored.values()]);
  });

  test('STORE UNCHANGEDSINCE: +FLAGS already in place is no conflict (RFC 7162 §3.1.12)', async () => {
    const name = await box();
    const a = await client();
    const b = await client();
    await a.command(`SELECT ${name} (CONDSTORE)`);
    await b.command(`SELECT ${name}`);
    assertStatus(await a.command('UID STORE 2 +FLAGS.SILENT ($Processed)'), 'OK');
    const hms = statusModSeq(await a.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    // Another session changes a flag A does not touch, on 2 and 3.
    assertStatus(await b.command('STORE 2,3 +FLAGS.SILENT (\\Answered)'), 'OK');
    const r = await a.command(`UID STORE 2,3 (UNCHANGEDSINCE ${hms}) +FLAGS.SILENT ($Processed)`);
    // 3 lacks $Processed: a real conflict; 2 has it already: no MODIFIED, its state is reported.
    assertStatus(r, 'OK', 'MODIFIED');
    assert.deepEqual(codeArgs(r, 'MODIFIED'), ['3']);
    const lines = grep(r, /FETCH/).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (n)'));
    assert.deepEqual(lines, ['* 2 FETCH (UID 2 FLAGS ($Processed \\Answered) MODSEQ (n))', '* 3 FETCH (UID 3 FLAGS (\\Answered) MODSEQ (n))']);
    // -FLAGS of a flag no message has: no conflict at all.
    const minus = await a.command(`UID STORE 2,3 (UNCHANGEDSINCE ${hms}) -FLAGS.SILENT ($Absent)`);
    assertStatus(minus, 'OK');
    assert.ok(!/MODIFIED/.test(minus.tagged), minus.tagged);
    // Nothing was stored by either.
    const f = grep(await a.command('UID FETCH 2,3 (FLAGS)'), /FETCH/).map((l) => l.replace(/ MODSEQ \(\d+\)/, ''));
    assert.deepEqual(f, ['* 2 FETCH (UID 2 FLAGS ($Processed \\Answered))', '* 3 FETCH (UID 3 FLAGS (\\Answered))']);
    // UNCHANGEDSINCE 0 still always fails (§3.1.3).
    assert.deepEqual(codeArgs(await a.command('UID STORE 2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($Processed)'), 'MODIFIED'), ['2']);
  });

  test('STORE UNCHANGEDSINCE reports MODIFIED as sequence numbers; UNCHANGEDSINCE 0 always fails (Examples 6, 8)', async () => {
    const name = await box();
    const a = await client();
    const b = await client();
    await a.command(`SELECT ${name}`);
    await b.command(`SELECT ${name}`);
    const hms = statusModSeq(await a.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    await b.command('STORE 3,5 +FLAGS (\\Seen)');
    const r = await a.command(`STORE 5,1,3 (UNCHANGEDSINCE ${hms}) +FLAGS (\\Deleted)`);
    assertStatus(r, 'OK', 'MODIFIED');
    assert.deepEqual(codeArgs(r, 'MODIFIED'), ['3,5']);
    const fetches = grep(r, /FETCH/).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (n)'));
    assert.deepEqual(fetches, [
      '* 1 FETCH (UID 1 FLAGS (\\Deleted) MODSEQ (n))',
      '* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (n))',
      '* 5 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (n))',
    ]);
    // UNCHANGEDSINCE 0 fails for every message, set or not (Example 8)
    const zero = await a.command('STORE 2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)');
    assertStatus(zero, 'OK', 'MODIFIED');
    assert.deepEqual(codeArgs(zero, 'MODIFIED'), ['2']);
    assert.ok(!grep(await a.command('FETCH 2 (FLAGS)'), /MDNSent/).length);
    // read-only mailbox: NO [READ-ONLY], nothing stored
    const ro = await client();
    await ro.command(`EXAMINE ${name}`);
    assertStatus(await ro.command(`STORE 2 (UNCHANGEDSINCE ${hms}) +FLAGS ($X)`), 'NO', 'READ-ONLY');
  });

  test('SEARCH MODSEQ: (MODSEQ n) is the highest of the matches, none when nothing matches (Examples 15, 16)', async () => {
    const name = await box();
    const c = await client();
    await c.command(`SELECT ${name} (CONDSTORE)`);
    const s2 = modseqs(await c.command('STORE 2 +FLAGS (\\Draft)')).get(2)!;
    const s5 = modseqs(await c.command('STORE 5 +FLAGS (\\Draft)')).get(5)!;
    assert.ok(s5 > s2);
    const r = await c.command(`SEARCH MODSEQ "/flags/\\\\draft" all ${s2}`);
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [`* SEARCH 2 5 (MODSEQ ${s5})`]);
    const u = await c.command(`UID SEARCH MODSEQ ${s2} NOT UID 5`);
    assert.deepEqual(u.untagged, [`* SEARCH 2 (MODSEQ ${s2})`]);
    const none = await c.command(`SEARCH OR NOT MODSEQ 1 LARGER 50000`);
    assert.deepEqual(none.untagged, ['* SEARCH']);
    // a search without MODSEQ has no MODSEQ in its reply
    assert.deepEqual((await c.command('SEARCH DRAFT')).untagged, ['* SEARCH 2 5']);
    // SEARCH MODSEQ is an enabling command: a fresh session hears HIGHESTMODSEQ first (§3.1)
    const d = await client();
    const [hms] = highestModSeqs(await d.command(`SELECT ${name}`));
    const first = await d.command('SEARCH MODSEQ 1 DRAFT');
    assert.deepEqual(first.untagged, [`* OK [HIGHESTMODSEQ ${hms}] Highest mod-sequence`, `* SEARCH 2 5 (MODSEQ ${s5})`]);
    // entry-type must be priv, shared or all (RFC 7162 §7)
    assertStatus(await c.command(`SEARCH MODSEQ "/flags/\\\\draft" nope ${s2}`), 'BAD');
  });

  test('ESEARCH with MODSEQ (Example 19, RFC 4731 §3.2)', async () => {
    const name = await box();
    const c = await client();
    await c.command(`SELECT ${name} (CONDSTORE)`);
    const m1 = modseqs(await c.command('STORE 1 +FLAGS (\\Seen)')).get(1)!;
    const m3 = modseqs(await c.command('STORE 3 +FLAGS (\\Seen)')).get(3)!;
    const m2 = modseqs(await c.command('STORE 2 +FLAGS (\\Seen)')).get(2)!;
    const all = await c.command(`SEARCH RETURN (ALL) MODSEQ ${m1}`);
    assert.deepEqual(grep(all, /ESEARCH/), [`* ESEARCH (TAG "${all.tagged.split(' ')[0]}") ALL 1:3 MODSEQ ${m2}`]);
    const min = await c.command(`SEARCH RETURN (MIN) MODSEQ ${m1}`);
    assert.match(grep(min, /ESEARCH/)[0]!, new RegExp(` MIN 1 MODSEQ ${m1}$`));
    const max = await c.command(`SEARCH RETURN (MAX) MODSEQ ${m1}`);
    assert.match(grep(max, /ESEARCH/)[0]!, new RegExp(` MAX 3 MODSEQ ${m3}$`));
    const count = await c.command(`UID SEARCH RETURN (COUNT) MODSEQ ${m1}`);
    assert.match(grep(count, /ESEARCH/)[0]!, new RegExp(` UID COUNT 3 MODSEQ ${m2}$`));
    const none = await c.command(`SEARCH RETURN (ALL) MODSEQ ${m2 + 1000}`);
    assert.match(grep(none, /ESEARCH/)[0]!, /^\* ESEARCH \(TAG "[^"]+"\)$/);
  });

  test('STATUS HIGHESTMODSEQ (Example 17) and LIST RETURN (STATUS (HIGHESTMODSEQ)) follow appends and stores', async () => {
    const name = await box();
    const c = await client();
    const h0 = statusModSeq(await c.command(`STATUS ${name} (UIDNEXT MESSAGES HIGHESTMODSEQ)`));
    assertStatus(await append(c, name, simpleMessage({ subject: 'm6' })), 'OK');
    const h1 = statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`));
    assert.ok(h1 > h0);
    const l = await c.command(`LIST "" ${name} RETURN (STATUS (MESSAGES HIGHESTMODSEQ))`);
    assert.ok(l.untagged.includes(`* STATUS "${name}" (MESSAGES 6 HIGHESTMODSEQ ${h1})`), JSON.stringify(l.untagged));
    await c.command(`SELECT ${name}`);
    const s = await c.command('STORE 6 +FLAGS (\\Flagged)');
    const m6 = modseqs(s).get(6)!;
    assert.ok(m6 > h1);
    assert.equal(statusModSeq(await c.command(`STATUS ${name} (HIGHESTMODSEQ)`)), m6);
    // a new SELECT reports the new value
    assert.deepEqual(highestModSeqs(await c.command(`EXAMINE ${name}`)), [m6]);
  });
});
