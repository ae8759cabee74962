/**
 * Transcript tests of REPLACE and UID REPLACE (RFC 8508): the capability (§3.1), the §3.2 and
 * §3.3 examples (replacement in the selected mailbox and into another one), the untagged
 * APPENDUID before the expunge (§4.3), VANISHED and HIGHESTMODSEQ once QRESYNC is enabled (§4.5),
 * CATENATE (§4.2, the §4.2 example), APPEND-sized literals, and the errors - each of which must
 * leave the replaced message in place and send no EXPUNGE (§3.4).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, grep, type Reply } from '../support/transcript.js';

/** RFC 8508 §3.2 example message (CRLF line ends). */
const NEW_YEAR = [
  'Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)',
  'From: Fritz Schmidt <fritz.ze@example.org>',
  'Subject: happy new year !!',
  'To: miss.mitzy@example.org',
  'Message-Id: <B238822388-0100000@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
  '',
  'Just saw the best fireworks show. Wish you were here.',
  '',
].join('\r\n');

/** Sends "<tag> <head> {n}" with a synchronizing literal, as in the RFC examples. */
async function withLiteral(c: TestClient, head: string, message: string): Promise<Reply & { cont: string }> {
  const tag = c.nextTag();
  c.write(`${tag} ${head} {${Buffer.byteLength(message)}}\r\n`);
  const cont = await c.readLine();
  if (!cont.startsWith('+')) return { tagged: cont, untagged: [], cont };
  c.write(message + '\r\n');
  return { ...(await c.readUntilTagged(tag)), cont };
}

const expungeLines = (r: Reply): string[] => grep(r, /^\* (VANISHED|\d+ EXPUNGE)\b/);

function appendUid(r: Reply): { validity: number; uid: number } {
  const l = r.untagged.find((x) => /^\* OK \[APPENDUID \d+ \d+\]/.test(x));
  assert.ok(l, JSON.stringify(r.untagged));
  const m = /APPENDUID (\d+) (\d+)/.exec(l)!;
  return { validity: Number(m[1]), uid: Number(m[2]) };
}

async function uids(c: TestClient): Promise<string[]> {
  return (await c.command('UID SEARCH ALL')).untagged[0]!.split(' ').slice(2);
}

describe('REPLACE (RFC 8508)', () => {
  let srv: TestServer;
  let n = 0;
  const open: TestClient[] = [];
  async function box(count: number): Promise<string> {
    const name = `rp${++n}`;
    await seedMailbox(srv.port, name, Array.from({ length: count }, (_, i) => ({ body: simpleMessage({ subject: `m${i + 1}` }) })));
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

  test('REPLACE is advertised (§3.1)', async () => {
    const c = await client();
    assert.ok((await c.command('CAPABILITY')).untagged.join(' ').split(' ').includes('REPLACE'));
  });

  test('§3.2 example: REPLACE 4 in the selected mailbox: APPENDUID, EXPUNGE, EXISTS, tagged OK', async () => {
    const name = await box(4);
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const validity = Number(/UIDVALIDITY (\d+)/.exec(sel.untagged.join(' '))![1]);
    const r = await withLiteral(c, `REPLACE 4 ${name} (\\Seen \\Draft)`, NEW_YEAR);
    assert.match(r.cont, /^\+ /);
    assertStatus(r, 'OK');
    assert.match(r.tagged, /REPLACE completed/);
    // §4.3: APPENDUID in an untagged OK before the expunge, not in the tagged OK.
    assert.match(r.untagged[0]!, /^\* OK \[APPENDUID \d+ 5\] /);
    assert.deepEqual(appendUid(r), { validity, uid: 5 });
    assert.deepEqual(expungeLines(r), ['* 4 EXPUNGE']);
    assert.ok(r.untagged.indexOf('* 4 EXPUNGE') > 0);
    assert.deepEqual(grep(r, /EXISTS$/), ['* 4 EXISTS']);
    assert.doesNotMatch(r.tagged, /APPENDUID/);
    assert.deepEqual(await uids(c), ['1', '2', '3', '5']);
    const f = await c.command('UID FETCH 5 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    const flags = /FLAGS \(([^)]*)\)/.exec(f.untagged[0]!)![1]!.split(' ');
    assert.ok(flags.includes('\\Seen') && flags.includes('\\Draft'), f.untagged[0]);
    assert.match(f.untagged.join('\n'), /Subject: happy new year !!/);
  });

  test('§3.3 example: UID REPLACE, with a date-time; a second UID REPLACE of the new UID', async () => {
    const name = await box(3);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const r = await withLiteral(c, `UID REPLACE 2 ${name} (\\Seen \\Draft) "01-Jan-2015 00:06:00 -0500"`, NEW_YEAR);
    assertStatus(r, 'OK');
    assert.equal(appendUid(r).uid, 4);
    assert.deepEqual(expungeLines(r), ['* 2 EXPUNGE']);
    const d = await c.command('UID FETCH 4 (INTERNALDATE)');
    assert.match(d.untagged[0]!, /INTERNALDATE " 1-Jan-2015 05:06:00 \+0000"/);
    const r2 = await withLiteral(c, `UID REPLACE 4 ${name}`, NEW_YEAR.replace('here.', 'here.\r\nHopefully next year you can join us.'));
    assertStatus(r2, 'OK');
    assert.equal(appendUid(r2).uid, 5);
    assert.deepEqual(expungeLines(r2), ['* 3 EXPUNGE']);
    assert.deepEqual(await uids(c), ['1', '3', '5']);
  });

  test('replacing into another mailbox (§3.4: \\Drafts to \\Sent): no EXISTS here, the message is there', async () => {
    const name = await box(2);
    const sent = await box(1);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const r = await withLiteral(c, `REPLACE 1 ${sent} (\\Seen)`, NEW_YEAR);
    assertStatus(r, 'OK');
    assert.equal(appendUid(r).uid, 2);
    assert.deepEqual(expungeLines(r), ['* 1 EXPUNGE']);
    assert.deepEqual(grep(r, /EXISTS$/), []);
    assert.deepEqual(await uids(c), ['2']);
    const st = await c.command(`STATUS ${sent} (MESSAGES UIDNEXT)`);
    assert.match(st.untagged[0]!, /MESSAGES 2 UIDNEXT 3/);
    // Another session watching the source sees the expunge.
    const w = await client();
    await w.command(`SELECT ${sent}`);
    assert.deepEqual(await uids(w), ['1', '2']);
  });

  test('another session with the mailbox selected sees EXPUNGE and EXISTS at its next NOOP', async () => {
    const name = await box(3);
    const c = await client();
    const w = await client();
    await c.command(`SELECT ${name}`);
    await w.command(`SELECT ${name}`);
    assertStatus(await withLiteral(c, `REPLACE 2 ${name}`, NEW_YEAR), 'OK');
    const noop = await w.command('NOOP');
    assert.deepEqual(expungeLines(noop), ['* 2 EXPUNGE']);
    assert.deepEqual(grep(noop, /EXISTS$/), ['* 3 EXISTS']);
  });

  test('§4.5: with QRESYNC enabled the replaced message is reported by VANISHED, and HIGHESTMODSEQ', async () => {
    const name = await box(3);
    const c = await client();
    assertStatus(await c.command('ENABLE QRESYNC'), 'OK');
    await c.command(`SELECT ${name}`);
    const r = await withLiteral(c, `REPLACE 2 ${name} (\\Draft)`, NEW_YEAR);
    assertStatus(r, 'OK', 'HIGHESTMODSEQ');
    assert.match(r.untagged[0]!, /^\* OK \[APPENDUID \d+ 4\]/);
    assert.deepEqual(expungeLines(r), ['* VANISHED 2']);
    assert.deepEqual(grep(r, /EXPUNGE/), []);
    const u = await withLiteral(c, `UID REPLACE 4 ${name}`, NEW_YEAR);
    assert.deepEqual(expungeLines(u), ['* VANISHED 4']);
    const hms = Number(/HIGHESTMODSEQ (\d+)/.exec(u.tagged)![1]);
    const f = await c.command('UID FETCH 1:* (MODSEQ)');
    assert.equal(f.untagged.length, 3, JSON.stringify(f.untagged));
    assert.match(f.untagged[2]!, new RegExp(`UID 5 MODSEQ \\(${hms}\\)|MODSEQ \\(${hms}\\) UID 5`));
  });

  test('§4.2 example: UID REPLACE with CATENATE builds the new message from TEXT and the old one', async () => {
    const name = await box(0);
    const c = await client();
    await c.command(`CREATE ${name}`);
    await c.command(`SELECT ${name}`);
    const first = await withLiteral(c, `APPEND ${name} (\\Seen \\Draft)`, NEW_YEAR);
    assertStatus(first, 'OK');
    await c.command('NOOP');
    const head = 'To: Mitzy <miss.mitzy@example.org>\r\nSubject: My view of the fireworks\r\n';
    const tag = c.nextTag();
    c.write(`${tag} UID REPLACE 1 ${name} CATENATE (TEXT {${head.length}}\r\n`);
    assert.match(await c.readLine(), /^\+ /);
    c.write(`${head} URL "/${name}/;UID=1")\r\n`);
    const r = await c.readUntilTagged(tag);
    assertStatus(r, 'OK');
    assert.equal(appendUid(r).uid, 2);
    assert.deepEqual(expungeLines(r), ['* 1 EXPUNGE']);
    const f = await c.command('UID FETCH 2 (BODY.PEEK[])');
    const body = f.untagged.join('\r\n');
    assert.ok(body.includes(head + NEW_YEAR), body);
  });

  test('messages above the ordinary literal limit are accepted, as for APPEND (APPENDLIMIT)', async () => {
    const name = await box(1);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const big = simpleMessage({ subject: 'big', body: 'x'.repeat(76) + ('\r\n' + 'y'.repeat(76)).repeat(1200) });
    assert.ok(big.length > 64 * 1024);
    const r = await withLiteral(c, `REPLACE 1 ${name}`, big);
    assertStatus(r, 'OK');
    assert.deepEqual(expungeLines(r), ['* 1 EXPUNGE']);
    const f = await c.command('UID FETCH 2 (RFC822.SIZE)');
    assert.match(f.untagged[0]!, new RegExp(`RFC822.SIZE ${Buffer.byteLength(big)}`));
  });

  test('errors leave the message in place and send no EXPUNGE (§3.4)', async () => {
    const name = await box(2);
    const c = await client();
    // Selected state only (§3.5).
    assertStatus(await withLiteral(c, `REPLACE 1 ${name}`, NEW_YEAR), 'BAD');
    await c.command(`SELECT ${name}`);
    // A sequence number not in use is BAD (RFC 9051 §9 seq-number); "*" is the last message.
    const badSeq = await withLiteral(c, `REPLACE 3 ${name}`, NEW_YEAR);
    assertStatus(badSeq, 'BAD');
    // A UID that is not in the mailbox: "can't remove specified message" (§3.2).
    assertStatus(await withLiteral(c, `UID REPLACE 9 ${name}`, NEW_YEAR), 'NO');
    // Missing destination: TRYCREATE (§3.4), nothing expunged.
    const tc = await withLiteral(c, `REPLACE * nonexistent-${name}`, NEW_YEAR);
    assertStatus(tc, 'NO', 'TRYCREATE');
    assert.deepEqual(expungeLines(tc), []);
    // The message cannot be appended (empty): nothing expunged.
    const empty = await c.command(`REPLACE 1 ${name} {0+}\r\n`);
    assertStatus(empty, 'NO');
    assert.deepEqual(expungeLines(empty), []);
    // CATENATE with an unresolvable URL: BADURL, nothing expunged.
    const badUrl = await c.command(`UID REPLACE 1 ${name} CATENATE (URL "/${name}/;UID=77")`);
    assertStatus(badUrl, 'NO', 'BADURL');
    // Syntax: REPLACE takes exactly one message (MULTIAPPEND does not apply, §4.7).
    assertStatus(await c.command(`REPLACE 1 ${name} {1+}\r\nx {1+}\r\ny`), 'BAD');
    assertStatus(await c.command(`REPLACE 0 ${name} {1+}\r\nx`), 'BAD');
    assert.deepEqual(await uids(c), ['1', '2']);
    // Read-only (EXAMINE): NO.
    await c.command(`EXAMINE ${name}`);
    const ro = await withLiteral(c, `REPLACE 1 ${name}`, NEW_YEAR);
    assertStatus(ro, 'NO', 'READ-ONLY');
    assert.deepEqual(expungeLines(ro), []);
    const st = await c.command(`STATUS ${name} (MESSAGES UIDNEXT)`);
    assert.match(st.untagged[0]!, /MESSAGES 2 UIDNEXT 3/);
  });

  test('a message another session expunged (not yet announced here) is NO, nothing appended', async () => {
    const name = await box(2);
    const c = await client();
    await c.command(`SELECT ${name}`);
    const d = await client();
    await d.command(`SELECT ${name}`);
    await d.command('UID STORE 1 +FLAGS.SILENT (\\Deleted)');
    await d.command('UID EXPUNGE 1');
    // Withheld from c during FETCH, so the view still has the message as pending.
    await c.command('FETCH 1 (UID)');
    const r = await withLiteral(c, `REPLACE 1 ${name}`, NEW_YEAR);
    assertStatus(r, 'NO', 'EXPUNGEISSUED');
    assert.deepEqual(grep(r, /APPENDUID/), []);
    const st = await d.command(`STATUS ${name} (MESSAGES UIDNEXT)`);
    assert.match(st.untagged[0]!, /MESSAGES 1 UIDNEXT 3/);
  });
});
