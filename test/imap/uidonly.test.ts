/**
 * Transcript tests of UIDONLY (RFC 9586): ENABLE UIDONLY, BAD [UIDREQUIRED] for every command
 * that names or returns message sequence numbers, UIDFETCH responses (own FETCH/STORE, other
 * sessions' flag changes, QRESYNC resynchronisation), VANISHED for every expunge (own EXPUNGE,
 * UID EXPUNGE, MOVE, other sessions'), EXISTS kept, and the interplay with CONDSTORE, QRESYNC,
 * SEARCHRES, ESEARCH and COPYUID.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, grep, waitForLine } from '../support/transcript.js';

describe('IMAP UIDONLY (RFC 9586)', () => {
  let srv: TestServer;
  let n = 0;
  const open: TestClient[] = [];
  async function box(count = 5): Promise<string> {
    const name = `uo${++n}`;
    await seedMailbox(srv.port, name, Array.from({ length: count }, (_, i) => ({ body: simpleMessage({ subject: `m${i + 1}` }) })));
    return name;
  }
  async function client(enable: string | null = 'UIDONLY'): Promise<TestClient> {
    const c = await loggedIn(srv.port);
    open.push(c);
    if (enable) {
      const r = await c.command(`ENABLE ${enable}`);
      assertStatus(r, 'OK');
    }
    return c;
  }
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('UIDONLY is advertised; ENABLE reports it once; ENABLE is refused in the selected state', async () => {
    const c = await client(null);
    const caps = grep(await c.command('CAPABILITY'), /^\* CAPABILITY /)[0]!.split(' ');
    assert.ok(caps.includes('UIDONLY'), caps.join(' '));
    assert.deepEqual((await c.command('ENABLE UIDONLY')).untagged, ['* ENABLED UIDONLY']);
    assert.deepEqual((await c.command('ENABLE uidonly')).untagged, ['* ENABLED']);
    assertStatus(await c.command(`SELECT ${await box(1)}`), 'OK');
    assertStatus(await c.command('ENABLE UIDONLY'), 'BAD');
  });

  test('every sequence-number form is BAD [UIDREQUIRED]; nothing is changed by them', async () => {
    const name = await box(3);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    assertStatus(sel, 'OK');
    assert.ok(sel.untagged.includes('* 3 EXISTS'), JSON.stringify(sel.untagged));
    assert.equal(grep(sel, /\[UNSEEN /).length, 0, 'UNSEEN carries a sequence number');
    for (const cmd of [
      'FETCH 1 (FLAGS)',
      'FETCH 1:* UID',
      'STORE 1 +FLAGS (\\Deleted)',
      'SEARCH ALL',
      'SEARCH RETURN (SAVE) ALL',
      'COPY 1 INBOX',
      'MOVE 1 INBOX',
      'SORT (DATE) UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      'UID SEARCH 1:2',
      'UID SEARCH UID 1:* NOT 2',
      'UID SEARCH OR SEEN (1)',
      'UID SORT (DATE) UTF-8 1',
      'UID THREAD ORDEREDSUBJECT UTF-8 1:*',
    ]) {
      assertStatus(await c.command(cmd), 'BAD', 'UIDREQUIRED');
    }
    const replace = await c.command('REPLACE 1 INBOX {4+}\r\nx: y');
    assertStatus(replace, 'BAD', 'UIDREQUIRED');
    // The refused STORE, COPY and MOVE did nothing.
    const f = await c.command('UID FETCH 1:* (FLAGS)');
    assert.deepEqual(f.untagged, ['* 1 UIDFETCH (FLAGS ())', '* 2 UIDFETCH (FLAGS ())', '* 3 UIDFETCH (FLAGS ())']);
    // UID forms work; UIDs in search programs are fine.
    assert.deepEqual(grep(await c.command('UID SEARCH UID 2:* NOT UID 3'), /^\* (E)?SEARCH/), ['* SEARCH 2']);
    assertStatus(await c.command('UID SORT (REVERSE ARRIVAL) UTF-8 ALL'), 'OK');
  });

  test('UID FETCH answers UIDFETCH; the UID item only when asked for; UID STORE too', async () => {
    const name = await box(2);
    const c = await client();
    assertStatus(await c.command(`SELECT ${name}`), 'OK');
    assert.deepEqual((await c.command('UID FETCH 2 (UID FLAGS)')).untagged, ['* 2 UIDFETCH (UID 2 FLAGS ())']);
    assert.deepEqual((await c.command('UID FETCH 1:* RFC822.SIZE')).untagged.length, 2);
    assert.match((await c.command('UID FETCH 1 RFC822.SIZE')).untagged[0]!, /^\* 1 UIDFETCH \(RFC822\.SIZE \d+\)$/);
    // BODY[] sets \Seen: FLAGS is added, no UID item.
    const body = await c.command('UID FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]');
    assert.deepEqual(body.untagged, ['* 1 UIDFETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: m1\r\n\r\n FLAGS (\\Seen))']);
    const st = await c.command('UID STORE 2 +FLAGS (\\Flagged)');
    assert.deepEqual(st.untagged, ['* 2 UIDFETCH (FLAGS (\\Flagged))']);
    assert.deepEqual((await c.command('UID STORE 2 -FLAGS.SILENT (\\Flagged)')).untagged, []);
  });

  test('expunges are VANISHED (own EXPUNGE, UID EXPUNGE, MOVE with COPYUID); EXISTS for arrivals', async () => {
    const name = await box(5);
    const c = await client();
    assertStatus(await c.command(`SELECT ${name}`), 'OK');
    assertStatus(await c.command('UID STORE 1,3 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assert.deepEqual(grep(await c.command('UID EXPUNGE 3'), /VANISHED|EXPUNGE/), ['* VANISHED 3']);
    assert.deepEqual(grep(await c.command('EXPUNGE'), /VANISHED|EXPUNGE/), ['* VANISHED 1']);
    const mv = await c.command('UID MOVE 4:5 INBOX');
    assertStatus(mv, 'OK');
    assert.equal(grep(mv, /^\* OK \[COPYUID \d+ 4:5 \d+:\d+\]/).length, 1, JSON.stringify(mv.untagged));
    assert.deepEqual(grep(mv, /VANISHED|EXPUNGE/), ['* VANISHED 4:5']);
    // Another session's append, flag change and expunge.
    const other = await client(null);
    assertStatus(await other.command(`SELECT ${name}`), 'OK');
    assertStatus(await other.command('UID STORE 2 +FLAGS (\\Answered)'), 'OK');
    const tag = other.nextTag();
    const msg = simpleMessage({ subject: 'late' });
    other.write(`${tag} APPEND ${name} {${Buffer.byteLength(msg)}+}\r\n${msg}\r\n`);
    assertStatus(await other.readUntilTagged(tag), 'OK');
    const noop = await c.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 2 EXISTS', '* 0 RECENT', '* 2 UIDFETCH (FLAGS (\\Answered))']);
    assertStatus(await other.command('UID STORE 2 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await other.command('UID EXPUNGE 2'), 'OK');
    assert.deepEqual((await c.command('NOOP')).untagged, ['* VANISHED 2']);
    // And during IDLE.
    c.write('I1 IDLE\r\n');
    await waitForLine(c, /^\+ /);
    assertStatus(await other.command('UID STORE 6 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await other.command('UID EXPUNGE 6'), 'OK');
    await waitForLine(c, /^\* VANISHED 6$/);
    c.write('DONE\r\n');
    await waitForLine(c, /^I1 OK/);
  });

  test('with CONDSTORE and QRESYNC: MODSEQ in UIDFETCH, resync answers UIDFETCH, seq-match data is UIDREQUIRED', async () => {
    const name = await box(4);
    const c = await client('QRESYNC UIDONLY');
    const sel = await c.command(`SELECT ${name}`);
    const validity = Number(/UIDVALIDITY (\d+)/.exec(sel.untagged.join('\n'))![1]);
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    const st = await c.command('UID STORE 2 +FLAGS (\\Seen)');
    assert.match(st.untagged[0]!, /^\* 2 UIDFETCH \(FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    const cs = await c.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`);
    assert.deepEqual(cs.untagged.map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (m)')), ['* 2 UIDFETCH (FLAGS (\\Seen) MODSEQ (m))']);
    assertStatus(await c.command('UID STORE 3 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('UID EXPUNGE 3'), 'OK');
    assertStatus(await c.command('UNSELECT'), 'OK');
    const bad = await c.command(`SELECT ${name} (QRESYNC (${validity} ${modseq} 1:4 (1:2 1:2)))`);
    assertStatus(bad, 'BAD', 'UIDREQUIRED');
    const re = await c.command(`SELECT ${name} (QRESYNC (${validity} ${modseq} 1:4))`);
    assertStatus(re, 'OK');
    assert.deepEqual(grep(re, /VANISHED|FETCH/).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (m)')), [
      '* VANISHED (EARLIER) 3',
      '* 2 UIDFETCH (FLAGS (\\Seen) MODSEQ (m))',
    ]);
  });

  test('SEARCHRES and ESEARCH: UID SEARCH RETURN (SAVE) feeds "$" to UID commands; ESEARCH speaks UIDs', async () => {
    const name = await box(4);
    const c = await client();
    assertStatus(await c.command(`SELECT ${name}`), 'OK');
    assertStatus(await c.command('UID STORE 2,4 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.deepEqual((await c.command('UID SEARCH RETURN (SAVE) FLAGGED')).untagged, []);
    assert.deepEqual((await c.command('UID FETCH $ (FLAGS)')).untagged, ['* 2 UIDFETCH (FLAGS (\\Flagged))', '* 4 UIDFETCH (FLAGS (\\Flagged))']);
    const es = await c.command('UID SEARCH RETURN (MIN COUNT ALL) FLAGGED');
    assert.match(es.untagged[0]!, /^\* ESEARCH \(TAG "[^"]+"\) UID MIN 2 COUNT 2 ALL 2,4$/);
    assertStatus(await c.command('UID COPY $ INBOX'), 'OK');
  });
});
