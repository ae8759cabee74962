/**
 * Transcript tests of UTF8=ACCEPT (RFC 6855): ENABLE (§3), raw UTF-8 mailbox names in
 * CREATE/LIST/SELECT/STATUS, the APPEND UTF8 (literal8) data extension (§4) and its refusal
 * before ENABLE, 8-bit headers refused without ENABLE (§4 NO), ENVELOPE as UTF-8 quoted strings,
 * SEARCH with UTF-8 strings and the CHARSET rule (§3 BAD); and imapflow, which enables
 * UTF8=ACCEPT on its own once it is advertised.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, grep } from '../support/transcript.js';

const NAME = 'Données/日本語';

const MESSAGE = [
  'From: Jörg Müller <jörg@bücher.example>',
  'To: 山田 <yamada@例え.jp>',
  'Subject: Grüße aus Köln',
  'Date: Mon, 7 Feb 1994 21:52:25 -0800',
  'Message-ID: <utf8-1@example.org>',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Schöne Grüße ✓',
  '',
].join('\r\n');

/** "UTF8 (~{n+}\r\n<bytes>)" with a non-synchronizing literal8 (RFC 7888, RFC 6855 §4). */
function utf8Data(message: string): string {
  return `UTF8 (~{${Buffer.byteLength(message)}+}\r\n${message})`;
}

describe('UTF8=ACCEPT (RFC 6855)', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer({ utf8Accept: true });
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('advertised, and APPEND UTF8 before ENABLE is BAD', async () => {
    const cap = await c.command('CAPABILITY');
    assert.match(cap.untagged.join(' '), / UTF8=ACCEPT\b/);
    assert.doesNotMatch(cap.untagged.join(' '), /UTF8=ONLY/);
    assertStatus(await c.command(`APPEND INBOX ${utf8Data(MESSAGE)}`), 'BAD');
  });

  test('without ENABLE, 8-bit header octets in a plain APPEND are NO (RFC 6855 §4)', async () => {
    const r = await c.command(`APPEND INBOX {${Buffer.byteLength(MESSAGE)}+}\r\n${MESSAGE}`);
    assertStatus(r, 'NO');
  });

  test('ENABLE UTF8=ACCEPT answers ENABLED once', async () => {
    const r = await c.command('ENABLE UTF8=ACCEPT');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* ENABLED UTF8=ACCEPT']);
    assert.deepEqual((await c.command('ENABLE UTF8=ACCEPT')).untagged, ['* ENABLED']);
  });

  test('mailbox names are raw UTF-8 in CREATE, LIST, STATUS and SELECT', async () => {
    assertStatus(await c.command(`CREATE "${NAME}"`), 'OK');
    const list = await c.command('LIST "" "Données*"');
    assert.ok(list.untagged.includes(`* LIST (\\HasNoChildren) "/" "${NAME}"`), JSON.stringify(list.untagged));
    assert.ok(list.untagged.includes('* LIST (\\HasChildren) "/" "Données"'), JSON.stringify(list.untagged));
    // "&" is an ordinary character now, not the start of a modified UTF-7 sequence.
    assertStatus(await c.command('CREATE "R&D"'), 'OK');
    assert.ok((await c.command('LIST "" "R&D"')).untagged.includes('* LIST (\\HasNoChildren) "/" "R&D"'));
    const st = await c.command(`STATUS "${NAME}" (MESSAGES)`);
    assert.deepEqual(grep(st, /^\* STATUS/), [`* STATUS "${NAME}" (MESSAGES 0)`]);
  });

  test('APPEND UTF8 (literal8) with 8-bit headers; ENVELOPE comes back as UTF-8 quoted strings', async () => {
    const r = await c.command(`APPEND "${NAME}" (\\Seen) ${utf8Data(MESSAGE)}`);
    assertStatus(r, 'OK', 'APPENDUID');
    assertStatus(await c.command(`SELECT "${NAME}"`), 'OK');
    const f = await c.command('FETCH 1 ENVELOPE');
    assertStatus(f, 'OK');
    const line = f.untagged.join('\n');
    assert.match(line, /"Grüße aus Köln"/);
    assert.match(line, /\("Jörg Müller" NIL "jörg" "bücher\.example"\)/);
    assert.match(line, /\("山田" NIL "yamada" "例え\.jp"\)/);
    assert.doesNotMatch(line, /\{\d+\}/, 'no literal needed for UTF-8 strings');
    // The message is stored as sent.
    const body = await c.command('FETCH 1 BODY.PEEK[]');
    const m = /\{(\d+)\}\r\n/.exec(body.untagged[0]);
    assert.ok(m);
    assert.equal(Number(m[1]), Buffer.byteLength(MESSAGE));
  });

  test('a plain APPEND with 8-bit headers is accepted after ENABLE', async () => {
    const msg = MESSAGE.replace('Grüße aus Köln', 'Zweite Grüße');
    assertStatus(await c.command(`APPEND "${NAME}" {${Buffer.byteLength(msg)}+}\r\n${msg}`), 'OK');
  });

  test('SEARCH with UTF-8 strings; a non-UTF-8 CHARSET is BAD (RFC 6855 §3)', async () => {
    assertStatus(await c.command('NOOP'), 'OK');
    const s = await c.command('SEARCH SUBJECT "Grüße aus"');
    assertStatus(s, 'OK');
    assert.deepEqual(grep(s, /^\* SEARCH/), ['* SEARCH 1']);
    assert.deepEqual(grep(await c.command('SEARCH FROM "Müller"'), /^\* SEARCH/), ['* SEARCH 1 2']);
    assert.deepEqual(grep(await c.command('SEARCH BODY "Schöne"'), /^\* SEARCH/), ['* SEARCH 1 2']);
    assertStatus(await c.command('SEARCH RETURN (SAVE) SUBJECT "Grüße aus"'), 'OK');
    assertStatus(await c.command('SEARCH RETURN (SAVE) CHARSET ISO-8859-1 SUBJECT "x"'), 'BAD');
    // RFC 5182 §2.1: the BAD search left "$" as it was; a NO with SAVE empties it.
    assert.deepEqual(grep(await c.command('SEARCH $'), /^\* SEARCH/), ['* SEARCH 1']);
    assertStatus(await c.command('SEARCH RETURN (SAVE) CHARSET X-NO-SUCH-CHARSET SUBJECT "x"'), 'NO', 'BADCHARSET');
    assert.deepEqual(grep(await c.command('SEARCH $'), /^\* SEARCH/), ['* SEARCH']);
    assertStatus(await c.command('SEARCH CHARSET UTF-8 SUBJECT "Zweite"'), 'OK');
  });

  test('UTF8 (literal8) is also a CATENATE part (RFC 6855 §4 cat-part)', async () => {
    const r = await c.command(`APPEND "${NAME}" CATENATE (${utf8Data(MESSAGE.replace('Grüße aus Köln', 'Dritte'))})`);
    assertStatus(r, 'OK', 'APPENDUID');
    assertStatus(await c.command(`APPEND "${NAME}" CATENATE (UTF8 ({3+}\r\nabc))`), 'BAD');
  });

  test('ENABLE UTF8=ACCEPT is not valid in the selected state', async () => {
    assertStatus(await c.command('ENABLE UTF8=ACCEPT'), 'BAD');
  });
});

describe('imapflow with UTF8=ACCEPT', () => {
  let srv: TestServer;
  let f: ImapFlow;
  before(async () => {
    srv = await startTestServer({ utf8Accept: true });
    f = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, auth: { user: USER, pass: PASS }, logger: false, tls: { rejectUnauthorized: false } });
    await f.connect();
  });
  after(async () => {
    await f.logout().catch(() => undefined);
    await srv.stop();
  });

  test('enables it, and UTF-8 names, 8-bit headers and searches work', async () => {
    assert.ok(f.enabled.has('UTF8=ACCEPT'), JSON.stringify([...f.enabled]));
    await f.mailboxCreate(NAME);
    const names = (await f.list()).map((m) => m.path);
    assert.ok(names.includes(NAME), JSON.stringify(names));
    await f.append(NAME, Buffer.from(MESSAGE, 'utf8'));
    const lock = await f.getMailboxLock(NAME);
    try {
      const msg = await f.fetchOne('1', { envelope: true });
      assert.ok(msg !== false);
      assert.equal(msg.envelope?.subject, 'Grüße aus Köln');
      assert.equal(msg.envelope?.from?.[0]?.address, 'jörg@bücher.example');
      assert.deepEqual(await f.search({ subject: 'Köln' }), [1]);
    } finally {
      lock.release();
    }
  });
});

describe('UTF8=ACCEPT off (the default; docs/decisions/0004)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('not advertised, ENABLE ignores it, and 8-bit header APPENDs from rev1 clients are stored as sent', async () => {
    const c = await loggedIn(srv.port);
    try {
      const caps = await c.command('CAPABILITY');
      assert.ok(!/UTF8=ACCEPT/.test(caps.untagged.join(' ')), caps.untagged.join(' '));
      const en = await c.command('ENABLE UTF8=ACCEPT');
      assert.deepEqual(en.untagged, ['* ENABLED']);
      const bytes = Buffer.byteLength(MESSAGE);
      const r = await c.command(`APPEND INBOX {${bytes}+}\r\n${MESSAGE}`);
      assertStatus(r, 'OK');
      await c.command('SELECT INBOX');
      const f = await c.command('FETCH 1 RFC822.SIZE');
      assert.match(f.untagged.join('\n'), new RegExp(`RFC822.SIZE ${bytes}\\)`));
    } finally {
      c.close();
    }
  });
});
