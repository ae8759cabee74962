/**
 * Transcript tests of CATENATE (RFC 4469) with URL-PARTIAL (RFC 5550 §5.7.1) and IMAP URLs
 * (RFC 5092): the RFC 4469 Appendix A examples rebuilt on a seeded mailbox, relative and
 * absolute URL forms, ;PARTIAL=, UTF-8 mailbox names, BADURL / TOOBIG / TRYCREATE errors, and
 * MULTIAPPEND (RFC 3502) atomicity with mixed CATENATE and plain messages.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, append, simpleMessage, seedMailbox, type Reply } from '../support/transcript.js';
import { MULTI } from '../support/fixtures.js';

/** A non-synchronizing literal (RFC 7888), small enough for LITERAL- too. */
function litp(s: string): string {
  return `{${Buffer.byteLength(s)}+}\r\n${s}`;
}

/** The data of the single FETCH item whose reply is a literal or "" in the reply. */
function literalOf(r: Reply): string {
  assert.equal(r.untagged.length, 1, JSON.stringify(r.untagged));
  const line = r.untagged[0];
  const m = /\{(\d+)\}\r\n/.exec(line);
  if (m === null) {
    assert.match(line, /\] ""\)$/);
    return '';
  }
  return line.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1]));
}

async function body(c: TestClient, uidFetch: string): Promise<string> {
  const r = await c.command(uidFetch);
  assertStatus(r, 'OK');
  return literalOf(r);
}

async function messages(c: TestClient, mailbox: string): Promise<number> {
  const r = await c.command(`STATUS ${mailbox} (MESSAGES)`);
  const m = /MESSAGES (\d+)/.exec(r.untagged.join(' '));
  assert.ok(m, JSON.stringify(r));
  return Number(m[1]);
}

describe('CATENATE (RFC 4469) and URL-PARTIAL', () => {
  let srv: TestServer;
  let c: TestClient;
  let v = '';
  let multi: { header: string; mime1: string; part1: string; part2: string; simple: string };
  before(async () => {
    srv = await startTestServer({ users: [['alice', 'wonderland-pass'], ['bob', 'builder-pass']] });
    const [r] = await seedMailbox(srv.port, 'dr', [{ body: MULTI }, { body: simpleMessage({ subject: 'second', body: 'Second body text.' }) }]);
    v = codeArgs(r, 'APPENDUID')[0];
    c = await loggedIn(srv.port);
    assertStatus(await c.command('EXAMINE dr'), 'OK');
    multi = {
      header: await body(c, 'UID FETCH 1 BODY.PEEK[HEADER]'),
      mime1: await body(c, 'UID FETCH 1 BODY.PEEK[1.MIME]'),
      part1: await body(c, 'UID FETCH 1 BODY.PEEK[1]'),
      part2: await body(c, 'UID FETCH 1 BODY.PEEK[2]'),
      simple: await body(c, 'UID FETCH 2 BODY.PEEK[]'),
    };
    assertStatus(await c.command('UNSELECT'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('CATENATE and URL-PARTIAL are advertised (RFC 4469 §5, RFC 5550 §5.7.1)', async () => {
    const caps = (await c.command('CAPABILITY')).untagged.join(' ').split(' ');
    assert.ok(caps.includes('CATENATE'));
    assert.ok(caps.includes('URL-PARTIAL'));
  });

  test('RFC 4469 Appendix A example 1: header, MIME part, forwarded message, TEXT glue', async () => {
    const b = '--------------030308070208000400050907';
    const t1 = `\r\n${b}\r\n`;
    const t2 = `\r\n${b}\r\n`;
    const t3 = `\r\n${b}--\r\n`;
    const r = await c.command(
      `APPEND dr (\\Seen \\Draft $MDNSent) CATENATE (URL "/dr;UIDVALIDITY=${v}/;UID=1/;section=HEADER" TEXT ${litp(t1)}` +
        ` URL "/dr;UIDVALIDITY=${v}/;UID=1/;section=1.MIME" URL "/dr;UIDVALIDITY=${v}/;UID=1/;section=1" TEXT ${litp(t2)}` +
        ` URL "/dr;UIDVALIDITY=${v}/;UID=2" TEXT ${litp(t3)})`,
    );
    assertStatus(r, 'OK', 'APPENDUID');
    assert.deepEqual(codeArgs(r, 'APPENDUID'), [v, '3']);
    assertStatus(await c.command('EXAMINE dr'), 'OK');
    const got = await body(c, 'UID FETCH 3 BODY.PEEK[]');
    assert.equal(got, multi.header + t1 + multi.mime1 + multi.part1 + t2 + multi.simple + t3);
    // parsed like any APPEND: the structure reflects the assembled bytes
    const bs = await c.command('UID FETCH 3 (FLAGS BODYSTRUCTURE)');
    assert.match(bs.untagged[0], /FLAGS \(\\Seen \\Draft \$MDNSent\)/);
    // RFC 4469 §3: catenating never sets \Seen on the sources
    const src = await c.command('UID FETCH 1:2 FLAGS');
    for (const l of src.untagged) assert.doesNotMatch(l, /\\Seen/);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('RFC 4469 Appendix A example 4: a bad URL fails the whole APPEND with BADURL', async () => {
    const before = await messages(c, 'dr');
    const url = `/dr;UIDVALIDITY=${v}/;UID=1/;section=1.5.9`;
    const r = await c.command(`APPEND dr (\\Seen) CATENATE (TEXT ${litp('Subject: digest\r\n\r\n')} URL "/dr;UIDVALIDITY=${v}/;UID=2" URL "${url}" TEXT ${litp('\r\n')})`);
    assertStatus(r, 'NO', 'BADURL');
    assert.ok(r.tagged.includes(`[BADURL ${url}]`), r.tagged);
    assert.equal(await messages(c, 'dr'), before);
  });

  test('relative URLs resolve against the selected mailbox, appending to it works (RFC 4469 §3)', async () => {
    assertStatus(await c.command('CREATE other'), 'OK');
    assertStatus(await c.command('SELECT dr'), 'OK');
    const n = await messages(c, 'dr');
    const r = await c.command(`APPEND dr CATENATE (URL ";UID=2/;SECTION=HEADER" TEXT ${litp('New body\r\n')})`);
    assertStatus(r, 'OK', 'APPENDUID');
    const uid = codeArgs(r, 'APPENDUID')[1];
    assert.ok(r.untagged.includes(`* ${n + 1} EXISTS`), JSON.stringify(r.untagged));
    const header = await body(c, 'UID FETCH 2 BODY.PEEK[HEADER]');
    assert.equal(await body(c, `UID FETCH ${uid} BODY.PEEK[]`), `${header}New body\r\n`);
    // relative mailbox path, absolute path, absolute URL with this user and host
    for (const url of ['dr/;UID=2', `/dr;UIDVALIDITY=${v}/;UID=2`, 'imap://alice@localhost/dr/;UID=2', 'imap://alice;AUTH=*@127.0.0.1:143/dr/;UID=2', '//alice@localhost/dr/;UID=2']) {
      const a = await c.command(`APPEND other CATENATE (URL "${url}")`);
      assertStatus(a, 'OK', 'APPENDUID');
    }
    assertStatus(await c.command('UNSELECT'), 'OK');
    assert.equal(await messages(c, 'other'), 5);
    assertStatus(await c.command('EXAMINE other'), 'OK');
    assert.equal(await body(c, 'FETCH 5 BODY.PEEK[]'), multi.simple);
    assertStatus(await c.command('UNSELECT'), 'OK');
    // ";UID=" alone needs a selected mailbox as base
    assertStatus(await c.command('APPEND other CATENATE (URL ";UID=2")'), 'NO', 'BADURL');
  });

  test(';PARTIAL= takes FETCH <partial> semantics, also after ;SECTION= (RFC 5092 §11, RFC 5550 §5.7.1)', async () => {
    const cases: Array<[string, string]> = [
      [`/dr/;UID=2/;PARTIAL=0.10`, multi.simple.slice(0, 10)],
      [`/dr/;UID=2/;PARTIAL=5`, multi.simple.slice(5)],
      [`/dr/;UID=1/;SECTION=2/;PARTIAL=4.6`, multi.part2.slice(4, 10)],
      [`/dr/;UID=1/;SECTION=HEADER.FIELDS%20(Subject)`, ''],
    ];
    assertStatus(await c.command('EXAMINE dr'), 'OK');
    cases[3][1] = await body(c, 'UID FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject)]');
    assertStatus(await c.command('UNSELECT'), 'OK');
    for (const [url, want] of cases) {
      const r = await c.command(`APPEND other CATENATE (TEXT ${litp('X: 1\r\n\r\n')} URL "${url}" TEXT ${litp('!')})`);
      assertStatus(r, 'OK', 'APPENDUID');
      assertStatus(await c.command('EXAMINE other'), 'OK');
      assert.equal(await body(c, `UID FETCH ${codeArgs(r, 'APPENDUID')[1]} BODY.PEEK[]`), `X: 1\r\n\r\n${want}!`, url);
      assertStatus(await c.command('UNSELECT'), 'OK');
    }
    // an origin past the end contributes nothing (RFC 9051 §6.4.5), as imaptest expects
    assertStatus(await c.command(`APPEND other CATENATE (URL "/dr/;UID=2/;PARTIAL=100000.1" TEXT ${litp('X: 2\r\n\r\nb')})`), 'OK', 'APPENDUID');
  });

  test('mailbox names in URLs are percent-encoded UTF-8, not modified UTF-7 (RFC 5092 §3)', async () => {
    assertStatus(await c.command('CREATE "Entw&APw-rfe"'), 'OK');
    assertStatus(await append(c, '"Entw&APw-rfe"', simpleMessage({ subject: 'umlaut' })), 'OK');
    assertStatus(await c.command('APPEND other CATENATE (URL "/Entw%C3%BCrfe/;UID=1")'), 'OK', 'APPENDUID');
    assertStatus(await c.command('APPEND other CATENATE (URL "/Entw&APw-rfe/;UID=1")'), 'NO', 'BADURL');
  });

  test('URLs that cannot be resolved answer BADURL with the URL, storing nothing (RFC 4469 §4.1)', async () => {
    const before = await messages(c, 'other');
    const bad = [
      'imap://bob@localhost/dr/;UID=1', // another user (bob has no "dr", but any other user is refused)
      'imap://bob@localhost/INBOX/;UID=1',
      'imap://alice@mail.example.net/dr/;UID=1', // another host
      'imap://localhost/dr/;UID=1', // anonymous
      `/dr;UIDVALIDITY=${Number(v) + 1}/;UID=1`, // UIDVALIDITY mismatch
      '/dr', // no UID
      '/dr/;SECTION=1', // no UID
      '/dr/;UID=999', // no such message
      '/dr/;UID=1/;SECTION=9', // no such part
      '/dr/;UID=2/;SECTION=1.MIME.X', // malformed section
      '/nosuch/;UID=1', // no such mailbox
      '/dr?SUBJECT%20x', // a message list, not a message
      'http://example.com/x',
      '/dr/;UID=1/;URLAUTH=anonymous',
    ];
    for (const url of bad) {
      const r = await c.command(`APPEND other CATENATE (TEXT ${litp('A: b\r\n\r\n')} URL "${url}")`);
      assertStatus(r, 'NO', 'BADURL');
      assert.ok(r.tagged.includes(`[BADURL ${url}]`), r.tagged);
    }
    // bob's own INBOX URL works for bob, and alice's messages are BADURL for him
    const bobc = await TestClient.connect(srv.port);
    await bobc.login('bob', 'builder-pass');
    assertStatus(await bobc.command('APPEND INBOX CATENATE (URL "imap://alice@localhost/dr/;UID=1")'), 'NO', 'BADURL');
    assertStatus(await bobc.command('APPEND INBOX CATENATE (URL "/dr/;UID=1")'), 'NO', 'BADURL');
    bobc.close();
    assert.equal(await messages(c, 'other'), before);
  });

  test('a missing destination answers TRYCREATE even when a URL is bad', async () => {
    assertStatus(await c.command('APPEND nosuch CATENATE (URL "/dr;UIDVALIDITY=1/;UID=1")'), 'NO', 'TRYCREATE');
  });

  test('TEXT takes a plain literal: literal8 and NUL are syntax errors (RFC 4469 §5)', async () => {
    assertStatus(await c.command('APPEND other CATENATE (TEXT ~{3+}\r\nA\x00B)'), 'BAD');
    assertStatus(await c.command('APPEND other CATENATE (TEXT "quoted")'), 'BAD');
    assertStatus(await c.command('APPEND other CATENATE ()'), 'BAD');
    assertStatus(await c.command('APPEND other CATENATE (FOO "x")'), 'BAD');
  });

  test('MULTIAPPEND mixes CATENATE and plain messages, all or nothing (RFC 3502 §3)', async () => {
    const n = await messages(c, 'other');
    const ok = await c.command(
      `APPEND other CATENATE (URL "/dr/;UID=2") (\\Flagged) ${litp(simpleMessage({ subject: 'plain' }))} CATENATE (TEXT ${litp('S: x\r\n\r\nhello')})`,
    );
    assertStatus(ok, 'OK', 'APPENDUID');
    assert.equal(codeArgs(ok, 'APPENDUID')[1], `${n + 1}:${n + 3}`);
    const no = await c.command(
      `APPEND other CATENATE (URL "/dr/;UID=2") ${litp(simpleMessage({ subject: 'plain' }))} CATENATE (URL "/dr;UIDVALIDITY=1/;UID=1")`,
    );
    assertStatus(no, 'NO', 'BADURL');
    assert.equal(await messages(c, 'other'), n + 3);
  });

  test('an assembled message over APPENDLIMIT is TOOBIG and nothing is stored (RFC 4469 §4.2)', async () => {
    const caps = (await c.command('CAPABILITY')).untagged.join(' ');
    const limit = Number(/APPENDLIMIT=(\d+)/.exec(caps)?.[1]);
    assert.ok(limit > 0);
    const big = simpleMessage({ subject: 'big', body: 'x'.repeat(Math.ceil(limit / 8)) });
    assertStatus(await c.command('CREATE bigbox'), 'OK');
    assertStatus(await append(c, 'bigbox', big), 'OK');
    const n = await messages(c, 'other');
    const urls = Array.from({ length: 8 }, () => 'URL "/bigbox/;UID=1"').join(' ');
    const r = await c.command(`APPEND other CATENATE (${urls})`, 30000);
    assertStatus(r, 'NO', 'TOOBIG');
    assert.equal(await messages(c, 'other'), n);
  });
});
