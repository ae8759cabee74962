/**
 * Transcript tests of SEARCH (RFC 9051 §6.4.4), ESEARCH (RFC 4731), SEARCHRES (RFC 5182),
 * COPY/MOVE with COPYUID (RFC 4315, RFC 6851), EXPUNGE/UID EXPUNGE, CLOSE vs UNSELECT, sequence
 * number validation and UID persistence across restarts (RFC 9051 §2.3.1.1).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, append, simpleMessage, seedMailbox } from '../support/transcript.js';
import { MULTI } from '../support/fixtures.js';

/** Applies "* n EXPUNGE" lines to a seq -> UID list (any valid order of EXPUNGE responses works). */
function applyExpunges(uids: number[], lines: string[]): number[] {
  const out = [...uids];
  for (const l of lines) {
    const m = /^\* (\d+) EXPUNGE$/.exec(l);
    assert.ok(m, `not an EXPUNGE response: ${l}`);
    const n = Number(m[1]);
    assert.ok(n >= 1 && n <= out.length, `EXPUNGE ${n} out of range (${out.length} messages)`);
    out.splice(n - 1, 1);
  }
  return out;
}

const BIG_BODY = 'Lorem ipsum dolor sit amet. '.repeat(200);

/** 1: bob, "Hello", seen, Jan; 2: MULTI (encoded subject, base64 attachment), flagged, Mar; 3: carol, big, X-Priority, Jun; 4: dave, answered, Aug; 5: erin, base64 text/plain body, Sep. */
const SEARCH_MESSAGES = [
  { body: simpleMessage({ from: 'Bob <bob@example.org>', subject: 'Hello there', body: 'apples and pears' }), flags: '\\Seen', date: '10-Jan-2023 09:00:00 +0000' },
  { body: MULTI, flags: '\\Flagged', date: '14-Mar-2023 10:00:00 +0000' },
  { body: simpleMessage({ from: 'Carol <carol@example.net>', subject: 'Meeting notes', body: BIG_BODY, extra: 'X-Priority: 1' }), date: '01-Jun-2023 12:00:00 +0000' },
  { body: simpleMessage({ from: 'dave@example.com', subject: 'Plain', body: 'bananas' }), flags: '\\Answered', date: '20-Aug-2023 12:00:00 +0000' },
  {
    body: simpleMessage({
      from: 'erin@example.com',
      subject: 'Encoded',
      extra: 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64',
      body: Buffer.from('The hidden-needle lives in base64 text, ünïcode too.\r\n', 'utf8').toString('base64'),
    }),
    date: '01-Sep-2023 12:00:00 +0000',
  },
];

describe('IMAP SEARCH', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    await seedMailbox(srv.port, 'srch', SEARCH_MESSAGES);
    c = await loggedIn(srv.port);
    assertStatus(await c.command('SELECT srch'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  const cases: Array<[string, string]> = [
    ['ALL', '1 2 3 4 5'],
    ['UNSEEN', '2 3 4 5'],
    ['SEEN', '1'],
    ['FLAGGED', '2'],
    ['FROM carol', '3'],
    ['FROM "example.org"', '1 2'],
    // RFC 9051 §6.4.4: SUBJECT matches the decoded RFC 2047 text, case-insensitively
    ['SUBJECT hello', '1 2'],
    ['SUBJECT "wörld"', '2'],
    // BODY searches decoded content: the needle is only inside message 5's base64 text body
    ['BODY hidden-needle', '5'],
    ['BODY bananas', '4'],
    ['BODY carol', ''],
    // TEXT covers header and body: carol is in message 2's To and message 3's From
    ['TEXT carol', '2 3'],
    ['TEXT bananas', '4'],
    ['HEADER X-Priority 1', '3'],
    ['HEADER X-Priority ""', '3'],
    ['HEADER Message-ID multi-1', '2'],
    ['LARGER 4000', '3'],
    ['SMALLER 400', '1 4 5'],
    ['SINCE 1-Mar-2023', '2 3 4 5'],
    ['BEFORE 1-Mar-2023', '1'],
    ['ON 14-Mar-2023', '2'],
    ['SENTBEFORE 1-Jan-2000', '1 3 4 5'],
    ['UID 2:3', '2 3'],
    ['UID 3:*', '3 4 5'],
    ['2:3', '2 3'],
    ['*', '5'],
    ['OR FROM carol SUBJECT hello', '1 2 3'],
    ['NOT SEEN', '2 3 4 5'],
    ['(OR FLAGGED ANSWERED) NOT FROM carol', '2 4'],
    ['NOT (OR SEEN (FLAGGED))', '3 4 5'],
    ['ANSWERED UNFLAGGED', '4'],
    ['KEYWORD $Nothing', ''],
    ['UNKEYWORD $Nothing 1:2', '1 2'],
  ];
  for (const [criteria, expected] of cases) {
    test(`SEARCH ${criteria} -> ${expected || '(none)'}`, async () => {
      const r = await c.command(`SEARCH ${criteria}`);
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, [expected ? `* SEARCH ${expected}` : '* SEARCH']);
    });
  }

  test('UID SEARCH answers UIDs', async () => {
    const r = await c.command('UID SEARCH UNSEEN');
    assert.deepEqual(r.untagged, ['* SEARCH 2 3 4 5']);
  });

  test('SEARCH CHARSET UTF-8 with a synchronizing literal (RFC 9051 §6.4.4)', async () => {
    const tag = c.nextTag();
    const needle = Buffer.from('wörld', 'utf8');
    c.write(`${tag} SEARCH CHARSET UTF-8 SUBJECT {${needle.length}}\r\n`);
    assert.match(await c.readLine(), /^\+ /);
    c.write(Buffer.concat([needle, Buffer.from('\r\n')]));
    const r = await c.readUntilTagged(tag);
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* SEARCH 2']);
  });

  test('SEARCH with an unknown charset: NO [BADCHARSET] (RFC 9051 §6.4.4)', async () => {
    const r = await c.command('SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT x');
    assertStatus(r, 'NO', 'BADCHARSET');
  });

  test('ESEARCH RETURN (MIN MAX COUNT ALL) (RFC 4731 §3.1)', async () => {
    const tag = c.nextTag();
    c.write(`${tag} SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN\r\n`);
    const r = await c.readUntilTagged(tag);
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [`* ESEARCH (TAG "${tag}") MIN 2 MAX 5 COUNT 4 ALL 2:5`]);
    const t2 = c.nextTag();
    c.write(`${t2} UID SEARCH RETURN (COUNT) KEYWORD $Nothing\r\n`);
    assert.deepEqual((await c.readUntilTagged(t2)).untagged, [`* ESEARCH (TAG "${t2}") UID COUNT 0`]);
    const t3 = c.nextTag();
    c.write(`${t3} SEARCH RETURN () SEEN\r\n`);
    assert.deepEqual((await c.readUntilTagged(t3)).untagged, [`* ESEARCH (TAG "${t3}") ALL 1`]);
  });

  test('after ENABLE IMAP4rev2, SEARCH answers ESEARCH, never SEARCH (RFC 9051 §6.4.4, §7.3.4)', async () => {
    const d = await loggedIn(srv.port);
    try {
      assertStatus(await d.command('ENABLE IMAP4rev2'), 'OK');
      assertStatus(await d.command('EXAMINE srch'), 'OK');
      let tag = d.nextTag();
      d.write(`${tag} SEARCH UNSEEN\r\n`);
      assert.deepEqual((await d.readUntilTagged(tag)).untagged, [`* ESEARCH (TAG "${tag}") ALL 2:5`]);
      tag = d.nextTag();
      d.write(`${tag} UID SEARCH FROM carol\r\n`);
      assert.deepEqual((await d.readUntilTagged(tag)).untagged, [`* ESEARCH (TAG "${tag}") UID ALL 3`]);
      tag = d.nextTag();
      d.write(`${tag} SEARCH KEYWORD $Nothing\r\n`);
      assert.deepEqual((await d.readUntilTagged(tag)).untagged, [`* ESEARCH (TAG "${tag}")`]);
    } finally {
      d.close();
    }
  });

  test('SEARCHRES: SEARCH RETURN (SAVE) then FETCH $ (RFC 5182)', async () => {
    const r = await c.command('SEARCH RETURN (SAVE) FROM bob');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [], 'SAVE alone returns no ESEARCH (RFC 5182 §2.1)');
    const f = await c.command('FETCH $ (UID)');
    assertStatus(f, 'OK');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 2)']);
    const u = await c.command('UID SEARCH UID $ NOT SEEN');
    assert.deepEqual(u.untagged, ['* SEARCH 2']);
  });

  test('invalid search syntax is BAD; an invalid sequence number is BAD', async () => {
    assertStatus(await c.command('SEARCH NOSUCHKEY'), 'BAD');
    assertStatus(await c.command('SEARCH SINCE 32-Foo-2023'), 'BAD');
    assertStatus(await c.command('SEARCH OR SEEN'), 'BAD');
    // RFC 9051 §9 (seq-number): 0 is never a valid message sequence number
    assertStatus(await c.command('FETCH 0 FLAGS'), 'BAD');
    // RFC 3501 §9: sequence numbers beyond the mailbox size are an error
    assertStatus(await c.command('FETCH 99 FLAGS'), 'BAD');
    assertStatus(await c.command('STORE 6 +FLAGS (\\Seen)'), 'BAD');
    assertStatus(await c.command('FETCH 1:x FLAGS'), 'BAD');
    // UIDs that do not exist are simply not reported (RFC 9051 §6.4.9)
    const u = await c.command('UID FETCH 99 FLAGS');
    assertStatus(u, 'OK');
    assert.deepEqual(u.untagged, []);
  });
});

describe('IMAP COPY, MOVE, EXPUNGE, CLOSE, UID persistence', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  async function seed(name: string, n: number): Promise<string> {
    const r = await seedMailbox(srv.port, name, Array.from({ length: n }, (_, i) => ({ body: simpleMessage({ subject: `${name} ${i + 1}` }) })));
    return codeArgs(r[0], 'APPENDUID')[0];
  }

  test('COPY answers COPYUID; COPY to a missing mailbox: NO [TRYCREATE] (RFC 4315 §3, RFC 9051 §6.4.7)', async () => {
    await seed('csrc', 3);
    assertStatus(await c.command('CREATE cdst'), 'OK');
    const dstValidity = /UIDVALIDITY (\d+)/.exec((await c.command('STATUS cdst (UIDVALIDITY)')).untagged[0])![1];
    assertStatus(await c.command('SELECT csrc'), 'OK');
    const r = await c.command('COPY 2:3 cdst');
    assertStatus(r, 'OK', 'COPYUID');
    assert.deepEqual(codeArgs(r, 'COPYUID'), [dstValidity, '2:3', '1:2']);
    assert.deepEqual((await c.command('STATUS cdst (MESSAGES)')).untagged, ['* STATUS "cdst" (MESSAGES 2)']);
    const m = await c.command('COPY 1 missing-box');
    assertStatus(m, 'NO', 'TRYCREATE');
    // copies keep flags; the source is untouched
    assertStatus(await c.command('STORE 1 +FLAGS (\\Flagged)'), 'OK');
    const r2 = await c.command('UID COPY 1 cdst');
    assert.deepEqual(codeArgs(r2, 'COPYUID'), [dstValidity, '1', '3']);
    assertStatus(await c.command('EXAMINE cdst'), 'OK');
    assert.deepEqual((await c.command('UID FETCH 3 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).untagged.map((l) => l.replace(' \\Recent', '')), [
      '* 3 FETCH (UID 3 FLAGS (\\Flagged) BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: csrc 1\r\n\r\n)',
    ]);
  });

  test('MOVE: untagged OK [COPYUID], then EXPUNGE, then tagged OK (RFC 6851 §4.3)', async () => {
    await seed('msrc', 4);
    assertStatus(await c.command('CREATE mdst'), 'OK');
    const dstValidity = /UIDVALIDITY (\d+)/.exec((await c.command('STATUS mdst (UIDVALIDITY)')).untagged[0])![1];
    assertStatus(await c.command('SELECT msrc'), 'OK');
    const r = await c.command('MOVE 2:3 mdst');
    assertStatus(r, 'OK');
    assert.deepEqual(applyExpunges([1, 2, 3, 4], r.untagged.slice(1)), [1, 4]);
    assert.match(r.untagged[0], new RegExp(`^\\* OK \\[COPYUID ${dstValidity} 2:3 1:2\\]`));
    const f = await c.command('FETCH 1:* UID');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 4)']);
    const u = await c.command('UID MOVE 4 mdst');
    assert.match(u.untagged[0] ?? '', new RegExp(`^\\* OK \\[COPYUID ${dstValidity} 4 3\\]`));
    assert.deepEqual(u.untagged.slice(1), ['* 2 EXPUNGE']);
    assertStatus(await c.command('MOVE 1 missing-box'), 'NO', 'TRYCREATE');
    assert.deepEqual((await c.command('STATUS mdst (MESSAGES)')).untagged, ['* STATUS "mdst" (MESSAGES 3)']);
  });

  test('EXPUNGE reports each removed message; UID EXPUNGE only the given UIDs (RFC 9051 §6.4.3, RFC 4315 §2.1)', async () => {
    await seed('exp', 5);
    assertStatus(await c.command('SELECT exp'), 'OK');
    assertStatus(await c.command('STORE 1,3,4,5 +FLAGS.SILENT (\\Deleted)'), 'OK');
    const u = await c.command('UID EXPUNGE 3:4');
    assertStatus(u, 'OK');
    assert.deepEqual(applyExpunges([1, 2, 3, 4, 5], u.untagged), [1, 2, 5]);
    const e = await c.command('EXPUNGE');
    assertStatus(e, 'OK');
    assert.deepEqual(applyExpunges([1, 2, 5], e.untagged), [2]);
    assert.deepEqual((await c.command('FETCH 1:* UID')).untagged, ['* 1 FETCH (UID 2)']);
  });

  test('CLOSE expunges silently; UNSELECT does not expunge (RFC 9051 §6.4.1, §6.4.2)', async () => {
    await seed('clo', 3);
    assertStatus(await c.command('SELECT clo'), 'OK');
    assertStatus(await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    const u = await c.command('UNSELECT');
    assertStatus(u, 'OK');
    assert.deepEqual(u.untagged, []);
    assert.deepEqual((await c.command('STATUS clo (MESSAGES DELETED)')).untagged, ['* STATUS "clo" (MESSAGES 3 DELETED 1)']);
    assertStatus(await c.command('SELECT clo'), 'OK');
    const cl = await c.command('CLOSE');
    assertStatus(cl, 'OK');
    assert.deepEqual(cl.untagged, [], 'CLOSE sends no EXPUNGE responses');
    assert.deepEqual((await c.command('STATUS clo (MESSAGES DELETED)')).untagged, ['* STATUS "clo" (MESSAGES 2 DELETED 0)']);
    // CLOSE on a read-only mailbox expunges nothing
    assertStatus(await c.command('SELECT clo'), 'OK');
    assertStatus(await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('EXAMINE clo'), 'OK');
    assertStatus(await c.command('CLOSE'), 'OK');
    assert.deepEqual((await c.command('STATUS clo (MESSAGES)')).untagged, ['* STATUS "clo" (MESSAGES 2)']);
    // back in the authenticated state
    assertStatus(await c.command('FETCH 1 FLAGS'), 'BAD');
  });

  test('UIDs are never reused after expunging the highest message and restarting (RFC 9051 §2.3.1.1)', async () => {
    // our own directory: the helper deletes only directories it created
    const dataDir = mkdtempSync(join(tmpdir(), 'facteur-uid-'));
    const s1 = await startTestServer({ dataDir });
    let s2: TestServer | undefined;
    try {
      const d = await loggedIn(s1.port);
      const validity = codeArgs((await seedMailbox(s1.port, 'keep', [{ body: simpleMessage() }, { body: simpleMessage() }, { body: simpleMessage() }]))[0], 'APPENDUID')[0];
      assertStatus(await d.command('SELECT keep'), 'OK');
      assertStatus(await d.command('UID STORE 3 +FLAGS.SILENT (\\Deleted)'), 'OK');
      assert.deepEqual((await d.command('EXPUNGE')).untagged, ['* 3 EXPUNGE']);
      d.close();
      await s1.stop();
      s2 = await startTestServer({ dataDir });
      const e = await loggedIn(s2.port);
      try {
        assert.deepEqual((await e.command('STATUS keep (UIDNEXT UIDVALIDITY MESSAGES)')).untagged, [`* STATUS "keep" (UIDNEXT 4 UIDVALIDITY ${validity} MESSAGES 2)`]);
        const r = await append(e, 'keep', simpleMessage());
        assert.deepEqual(codeArgs(r, 'APPENDUID'), [validity, '4']);
      } finally {
        e.close();
      }
    } finally {
      await s2?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
