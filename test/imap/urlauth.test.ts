/**
 * Transcript tests of URLAUTH (RFC 4467) and URLAUTH=BINARY (RFC 5524): the RFCs' GENURLAUTH,
 * RESETKEY and URLFETCH examples rebuilt on a seeded mailbox, every access identifier across two
 * users, EXPIRE, tampering, RESETKEY revocation, the extended URLFETCH parameters (BINARY with
 * literal8, BODYPARTSTRUCTURE, unknown encodings, missing parts), CATENATE with a URLAUTH URL,
 * and the BAD answers for malformed input.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, append, seedMailbox, type Reply } from '../support/transcript.js';

const HELLO_B64 = 'aGVs\r\nbG8gd29y\r\nbGQ=\r\n'; // "hello world" in three lines
const NUL_DATA = Buffer.from([0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x00, 0xff]);

const MESSAGE = [
  'From: Joe <joe@example.com>',
  'To: Fred <fred@example.com>',
  'Subject: URLAUTH parts',
  'Date: Sat, 24 Mar 2007 23:00:00 +0200',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'Si vis pacem, para bellum.',
  '--b1',
  'Content-Type: text/x-myown; charset=us-ascii',
  'Content-Transfer-Encoding: base64',
  '',
  HELLO_B64,
  '--b1',
  'Content-Type: image/png',
  'Content-Transfer-Encoding: base64',
  '',
  NUL_DATA.toString('base64'),
  '--b1',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: x-unprintable',
  '',
  'nothing to see here',
  '--b1--',
  '',
].join('\r\n');

/** The URLs of one "* GENURLAUTH" response (quoted strings). */
function generated(r: Reply): string[] {
  assertStatus(r, 'OK');
  const lines = r.untagged.filter((l) => l.startsWith('* GENURLAUTH '));
  assert.equal(lines.length, 1, JSON.stringify(r.untagged));
  return [...lines[0].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
}

/** The one "* URLFETCH" line of a reply. */
function fetchLine(r: Reply): string {
  assertStatus(r, 'OK');
  const lines = r.untagged.filter((l) => l.startsWith('* URLFETCH '));
  assert.equal(lines.length, 1, JSON.stringify(r.untagged));
  return lines[0];
}

/** The data URLFETCH returned for a single unextended URL: null for NIL. */
function fetched(r: Reply, url: string): string | null {
  const line = fetchLine(r);
  const head = `* URLFETCH "${url}" `;
  assert.ok(line.startsWith(head), `${line} should start with ${head}`);
  const rest = line.slice(head.length);
  if (rest === 'NIL') return null;
  if (rest === '""') return '';
  const m = /^\{(\d+)\}\r\n/.exec(rest);
  assert.ok(m, rest);
  const data = rest.slice(m[0].length);
  assert.equal(Buffer.byteLength(data, 'latin1'), Number(m[1]));
  return data;
}

describe('URLAUTH (RFC 4467) and URLAUTH=BINARY (RFC 5524)', () => {
  let srv: TestServer;
  let joe: TestClient;
  let fred: TestClient;
  let submit: TestClient;
  let v = '';
  const base = () => `imap://alice@127.0.0.1/INBOX;UIDVALIDITY=${v}/;UID=1`;
  const gen = async (c: TestClient, rump: string): Promise<string> => {
    const [url] = generated(await c.command(`GENURLAUTH "${rump}" INTERNAL`));
    return url;
  };

  before(async () => {
    srv = await startTestServer({
      users: [['alice', 'wonderland-pass'], ['fred', 'fred-pass'], ['msa', 'msa-pass']],
      urlauthSubmitUsers: 'msa',
    });
    const [r] = await seedMailbox(srv.port, 'INBOX', [{ body: MESSAGE }]);
    v = codeArgs(r, 'APPENDUID')[0];
    joe = await loggedIn(srv.port);
    fred = await TestClient.connect(srv.port);
    await fred.login('fred', 'fred-pass');
    submit = await TestClient.connect(srv.port);
    await submit.login('msa', 'msa-pass');
  });
  after(async () => {
    for (const c of [joe, fred, submit]) c?.close();
    await srv?.stop();
  });

  test('URLAUTH and URLAUTH=BINARY are advertised once logged in; SELECT reports URLMECH', async () => {
    const r = await joe.command('CAPABILITY');
    assert.match(r.untagged[0], / URLAUTH /);
    assert.match(r.untagged[0], / URLAUTH=BINARY/);
    const s = await joe.command('EXAMINE INBOX');
    assertStatus(s, 'OK');
    assert.ok(s.untagged.includes('* OK [URLMECH INTERNAL] URLAUTH mechanisms'), JSON.stringify(s.untagged));
    assertStatus(await joe.command('CLOSE'), 'OK');
  });

  test('RFC 4467 §7 GENURLAUTH / URLFETCH example: submit+fred, fetched by the submission server', async () => {
    const rump = `${base()}/;SECTION=1;URLAUTH=submit+fred`;
    const url = await gen(joe, rump);
    assert.match(url, /^imap:\/\/alice@127\.0\.0\.1\/INBOX;UIDVALIDITY=\d+\/;UID=1\/;SECTION=1;URLAUTH=submit\+fred:internal:01[0-9a-f]{64}$/);
    assert.equal(url.slice(0, rump.length), rump);
    // The token is deterministic for the key and the URL.
    assert.equal(await gen(joe, rump), url);
    assert.equal(fetched(await submit.command(`URLFETCH "${url}"`), url), 'Si vis pacem, para bellum.');
    // Neither fred himself, nor the owner, is a submission entity.
    assert.equal(fetched(await fred.command(`URLFETCH "${url}"`), url), null);
    assert.equal(fetched(await joe.command(`URLFETCH "${url}"`), url), null);
  });

  test('access identifiers: user+name, authuser, anonymous (RFC 4467 §3)', async () => {
    const forFred = await gen(joe, `${base()}/;SECTION=1;URLAUTH=user+fred`);
    assert.equal(fetched(await fred.command(`URLFETCH "${forFred}"`), forFred), 'Si vis pacem, para bellum.');
    assert.equal(fetched(await submit.command(`URLFETCH "${forFred}"`), forFred), null);
    assert.equal(fetched(await joe.command(`URLFETCH "${forFred}"`), forFred), null);
    for (const access of ['authuser', 'anonymous', 'AuthUser']) {
      const url = await gen(joe, `${base()}/;SECTION=1;URLAUTH=${access}`);
      for (const c of [joe, fred, submit]) assert.equal(fetched(await c.command(`URLFETCH "${url}"`), url), 'Si vis pacem, para bellum.');
    }
    // The whole message, without a section.
    const whole = await gen(joe, `${base()};URLAUTH=authuser`);
    assert.equal(fetched(await fred.command(`URLFETCH "${whole}"`), whole), MESSAGE);
  });

  test('tampering, wrong mechanism, unknown owner or mailbox, and rump URLs give NIL', async () => {
    const url = await gen(joe, `${base()}/;SECTION=1;URLAUTH=authuser`);
    const flip = url.slice(0, -1) + (url.endsWith('0') ? '1' : '0');
    const other = url.replace(';SECTION=1;', ';SECTION=2;');
    const user = url.replace('URLAUTH=authuser', 'URLAUTH=anonymous');
    const mech = url.replace(':internal:', ':xsample:');
    const owner = url.replace('imap://alice@', 'imap://fred@');
    const rump = url.slice(0, url.indexOf(':internal:'));
    const noSuchBox = url.replace('/INBOX;', '/Nowhere;');
    // Case-folding the token's hex digits is harmless; case-folding the URL is not (§6).
    const upperToken = url.replace(/:internal:([0-9a-f]+)$/, (_, t: string) => `:INTERNAL:${t.toUpperCase()}`);
    const upperUrl = url.replace('INBOX', 'inbox');
    for (const bad of [flip, other, user, mech, owner, rump, noSuchBox, upperUrl]) {
      assert.equal(fetched(await fred.command(`URLFETCH "${bad}"`), bad), null, bad);
    }
    assert.equal(fetched(await fred.command(`URLFETCH "${upperToken}"`), upperToken), 'Si vis pacem, para bellum.');
  });

  test('EXPIRE: a future date works, a past one gives NIL (RFC 4467 §3)', async () => {
    const future = await gen(joe, `${base()}/;SECTION=1;EXPIRE=2099-01-01T00:00:00Z;URLAUTH=authuser`);
    assert.equal(fetched(await fred.command(`URLFETCH "${future}"`), future), 'Si vis pacem, para bellum.');
    const past = await gen(joe, `${base()}/;SECTION=1;EXPIRE=2001-01-01T00:00:00+02:00;URLAUTH=authuser`);
    assert.equal(fetched(await fred.command(`URLFETCH "${past}"`), past), null);
    // Changing the date invalidates the token.
    const moved = past.replace('2001-01-01', '2099-01-01');
    assert.equal(fetched(await fred.command(`URLFETCH "${moved}"`), moved), null);
  });

  test('RESETKEY of a mailbox revokes its URLs only; RESETKEY revokes all (RFC 4467 §7)', async () => {
    assertStatus(await joe.command('CREATE Other'), 'OK');
    assertStatus(await append(joe, 'Other', MESSAGE), 'OK');
    const inInbox = await gen(joe, `${base()}/;SECTION=1;URLAUTH=authuser`);
    const inOther = await gen(joe, 'imap://alice@127.0.0.1/Other/;UID=1/;SECTION=1;URLAUTH=authuser');
    const r = await joe.command('RESETKEY Other INTERNAL');
    assertStatus(r, 'OK', 'URLMECH');
    assert.match(r.tagged, /\[URLMECH INTERNAL\]/);
    assert.equal(fetched(await fred.command(`URLFETCH "${inOther}"`), inOther), null);
    assert.equal(fetched(await fred.command(`URLFETCH "${inInbox}"`), inInbox), 'Si vis pacem, para bellum.');
    // A new URL for Other works again, with a different token.
    const again = await gen(joe, 'imap://alice@127.0.0.1/Other/;UID=1/;SECTION=1;URLAUTH=authuser');
    assert.notEqual(again, inOther);
    assert.equal(fetched(await fred.command(`URLFETCH "${again}"`), again), 'Si vis pacem, para bellum.');
    const all = await joe.command('RESETKEY');
    assertStatus(all, 'OK');
    for (const u of [inInbox, again]) assert.equal(fetched(await fred.command(`URLFETCH "${u}"`), u), null);
    assertStatus(await joe.command('RESETKEY Nowhere'), 'NO', 'NONEXISTENT');
    assertStatus(await joe.command('RESETKEY INBOX XSAMPLE'), 'BAD');
  });

  test('GENURLAUTH answers BAD for invalid URLs (RFC 4467 §7 examples) and generates nothing', async () => {
    const cases = [
      `"${base()}/;SECTION=1" INTERNAL`, // missing access identifier
      `"imap://127.0.0.1/INBOX/;UID=1/;SECTION=1;URLAUTH=submit+fred" INTERNAL`, // missing owner
      `"imap://fred@127.0.0.1/INBOX/;UID=1;URLAUTH=authuser" INTERNAL`, // another user's key table
      `"imap://alice@127.0.0.1/Nowhere/;UID=1;URLAUTH=authuser" INTERNAL`, // no such mailbox
      `"imap://alice@127.0.0.1/INBOX;URLAUTH=authuser" INTERNAL`, // a whole mailbox
      `"${base()};URLAUTH=user+" INTERNAL`, // empty user id
      `"${base()};URLAUTH=everyone" INTERNAL`,
      `"${base()};EXPIRE=tomorrow;URLAUTH=authuser" INTERNAL`,
      `"${base()};URLAUTH=authuser" XSAMPLE`,
      `"${base()};URLAUTH=authuser:internal:${'0'.repeat(32)}" INTERNAL`, // already authorised
      `"${base()};URLAUTH=authuser" INTERNAL "imap://alice@127.0.0.1/Nowhere/;UID=1;URLAUTH=authuser" INTERNAL`,
      `"${base()};URLAUTH=authuser"`, // syntax: no mechanism
      '', // syntax: no argument
    ];
    for (const args of cases) {
      const r = await joe.command(`GENURLAUTH${args === '' ? '' : ' ' + args}`);
      assertStatus(r, 'BAD');
      assert.deepEqual(r.untagged.filter((l) => l.startsWith('* GENURLAUTH')), [], args);
    }
    // Two pairs at once; the mechanism is case-insensitive.
    const urls = generated(await joe.command(`GENURLAUTH "${base()};URLAUTH=authuser" internal "${base()}/;SECTION=1;URLAUTH=anonymous" INTERNAL`));
    assert.equal(urls.length, 2);
  });

  test('URLFETCH: several URLs in one response, NIL for bad ones, plain own URLs; not before login', async () => {
    const good = await gen(joe, `${base()}/;SECTION=1;URLAUTH=authuser`);
    const r = await fred.command(`URLFETCH "${good}" "imap://alice@127.0.0.1/INBOX/;UID=99;URLAUTH=authuser:internal:${'0'.repeat(66)}" "not a url" "${good}/;PARTIAL=4.5"`);
    const line = fetchLine(r);
    assert.equal(
      line,
      `* URLFETCH "${good}" {26}\r\nSi vis pacem, para bellum. "imap://alice@127.0.0.1/INBOX/;UID=99;URLAUTH=authuser:internal:${'0'.repeat(66)}" NIL "not a url" NIL "${good}/;PARTIAL=4.5" NIL`,
    );
    // ;PARTIAL= inside the authorised URL (RFC 5550 URL-PARTIAL in the rump).
    const partial = await gen(joe, `${base()}/;SECTION=1/;PARTIAL=7.5;URLAUTH=authuser`);
    assert.equal(fetched(await fred.command(`URLFETCH "${partial}"`), partial), 'pacem');
    // A URL without URLAUTH resolves with the session's own access only.
    const own = `imap://alice@127.0.0.1/INBOX/;UID=1/;SECTION=1`;
    assert.equal(fetched(await joe.command(`URLFETCH "${own}"`), own), 'Si vis pacem, para bellum.');
    assert.equal(fetched(await fred.command(`URLFETCH "${own}"`), own), null);
    const fresh = await TestClient.connect(srv.port);
    assertStatus(await fresh.command(`URLFETCH "${good}"`), 'BAD');
    fresh.close();
    assertStatus(await fred.command('URLFETCH'), 'BAD');
  });

  test('RFC 5524 §4: BINARY, BODYPARTSTRUCTURE and BODY', async () => {
    const part = (n: number) => gen(joe, `${base()}/;SECTION=${n};URLAUTH=anonymous`);
    const p2 = await part(2);
    let line = fetchLine(await fred.command(`URLFETCH ("${p2}" BINARY)`));
    assert.equal(line, `* URLFETCH "${p2}" (BINARY {11}\r\nhello world)`);
    line = fetchLine(await fred.command(`URLFETCH ("${p2}" BODYPARTSTRUCTURE)`));
    assert.equal(line, `* URLFETCH "${p2}" (BODYPARTSTRUCTURE ("TEXT" "X-MYOWN" ("CHARSET" "us-ascii") NIL NIL "BASE64" 22 3 NIL NIL NIL NIL))`);
    line = fetchLine(await fred.command(`URLFETCH ("${p2}" binary bodypartstructure)`));
    assert.equal(
      line,
      `* URLFETCH "${p2}" (BODYPARTSTRUCTURE ("TEXT" "X-MYOWN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 0 NIL NIL NIL NIL)) (BINARY {11}\r\nhello world)`,
    );
    line = fetchLine(await fred.command(`URLFETCH ("${p2}" BODYPARTSTRUCTURE BODY)`));
    assert.equal(
      line,
      `* URLFETCH "${p2}" (BODYPARTSTRUCTURE ("TEXT" "X-MYOWN" ("CHARSET" "us-ascii") NIL NIL "BASE64" 22 3 NIL NIL NIL NIL)) (BODY {22}\r\n${HELLO_B64})`,
    );
    // NUL octets: literal8 and the BINARY identity encoding.
    const p3 = await part(3);
    const r3 = await fred.command(`URLFETCH ("${p3}" BINARY BODYPARTSTRUCTURE)`);
    line = fetchLine(r3);
    assert.equal(
      line,
      `* URLFETCH "${p3}" (BODYPARTSTRUCTURE ("IMAGE" "PNG" NIL NIL NIL "BINARY" 8 NIL NIL NIL NIL)) (BINARY ~{8}\r\n${NUL_DATA.toString('latin1')})`,
    );
    // An unknown transfer encoding: the structure as is, BINARY NIL.
    const p4 = await part(4);
    line = fetchLine(await fred.command(`URLFETCH ("${p4}" BODYPARTSTRUCTURE BINARY)`));
    assert.equal(line, `* URLFETCH "${p4}" (BODYPARTSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "X-UNPRINTABLE" 19 0 NIL NIL NIL NIL)) (BINARY NIL)`);
    // A part that does not exist: NIL instead of metadata.
    const p200 = await part(200);
    assert.equal(fetchLine(await fred.command(`URLFETCH ("${p200}" BODYPARTSTRUCTURE BODY)`)), `* URLFETCH "${p200}" NIL`);
    // No parameters in parentheses behaves as unextended.
    assert.equal(fetchLine(await fred.command(`URLFETCH ("${p2}")`)), `* URLFETCH "${p2}" {22}\r\n${HELLO_B64}`);
    // Mixed simple and extended URLs in one command.
    assert.equal(
      fetchLine(await fred.command(`URLFETCH "${p2}" ("${p2}" BINARY)`)),
      `* URLFETCH "${p2}" {22}\r\n${HELLO_B64} "${p2}" (BINARY {11}\r\nhello world)`,
    );
    // A header section has no BODYPARTSTRUCTURE or BINARY form, but BODY works.
    const hdr = await gen(joe, `${base()}/;SECTION=2.MIME;URLAUTH=anonymous`);
    assert.equal(fetchLine(await fred.command(`URLFETCH ("${hdr}" BINARY)`)), `* URLFETCH "${hdr}" NIL`);
    assert.match(fetchLine(await fred.command(`URLFETCH ("${hdr}" BODY)`)), /\(BODY \{\d+\}\r\nContent-Type: text\/x-myown/);
  });

  // Dovecot's pre-2016 imaptest script urlauth-binary expected a message/rfc822 part to come back
  // with every nested part decoded and one combined metadata list; upstream fixed the script
  // (imaptest 831af47, b701d96). RFC 5524 §3.2 BINARY removes the part's own transfer encoding
  // only, as FETCH BINARY does (RFC 9051 §6.4.5), and §5 puts each metadata item in its own list.
  test('RFC 5524: a message/rfc822 part is returned as stored; quoted-printable is decoded', async () => {
    const inner = [
      'From: sub@example.org',
      'Subject: inner',
      'Content-Type: multipart/alternative; boundary="sub1"',
      '',
      '--sub1',
      'Content-Type: text/x-myown; charset=us-ascii',
      'Content-Transfer-Encoding: base64',
      '',
      HELLO_B64,
      '--sub1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      // "--sub1--" encoded across soft line breaks must not end the multipart
      'caf=C3=A9 and an encoded boundary:',
      '--=',
      'sub=',
      '=31--',
      '',
      '--sub1--',
      '',
    ].join('\r\n');
    const outer = ['From: user@example.org', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer', 'Content-Type: message/rfc822', '', inner, '--outer--', ''].join('\r\n');
    const [r] = await seedMailbox(srv.port, 'Nested', [{ body: outer }]);
    const nv = codeArgs(r, 'APPENDUID')[0];
    const part = (s: string) => gen(joe, `imap://alice@127.0.0.1/Nested;UIDVALIDITY=${nv}/;UID=1/;SECTION=${s};URLAUTH=anonymous`);

    const p1 = await part('1');
    const size = Buffer.byteLength(inner);
    let line = fetchLine(await fred.command(`URLFETCH ("${p1}" BINARY BODYPARTSTRUCTURE)`));
    const head = `* URLFETCH "${p1}" (BODYPARTSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ${size} `;
    assert.ok(line.startsWith(head), line);
    // the nested parts are described, and returned, with their own encodings untouched
    assert.ok(line.includes('"BASE64" 22 3') && line.includes('"QUOTED-PRINTABLE"'), line);
    assert.ok(line.endsWith(`) (BINARY {${size}}\r\n${inner})`), line);
    assert.equal(fetchLine(await fred.command(`URLFETCH ("${p1}" BODY)`)), `* URLFETCH "${p1}" (BODY {${size}}\r\n${inner})`);

    const p12 = await part('1.2');
    const decoded = Buffer.from('café and an encoded boundary:\r\n--sub1--\r\n', 'utf8');
    line = fetchLine(await fred.command(`URLFETCH ("${p12}" BODYPARTSTRUCTURE BINARY)`));
    assert.equal(
      line,
      `* URLFETCH "${p12}" (BODYPARTSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" ${decoded.length} 0 NIL NIL NIL NIL)) ` +
        `(BINARY {${decoded.length}}\r\n${decoded.toString('latin1')})`,
    );
  });

  test('URLFETCH parameters: BAD for duplicates, BODY with BINARY, unknown ones', async () => {
    const url = await gen(joe, `${base()}/;SECTION=2;URLAUTH=anonymous`);
    for (const params of ['BINARY BINARY', 'BODY BINARY', 'BINARY BODY', 'XYZZY', 'BODYPARTSTRUCTURE BODYPARTSTRUCTURE']) {
      assertStatus(await fred.command(`URLFETCH ("${url}" ${params})`), 'BAD');
    }
    assertStatus(await fred.command(`URLFETCH ("${url}" BINARY`), 'BAD');
  });

  test('CATENATE accepts a URLAUTH URL from another user (RFC 4469 §5)', async () => {
    const url = await gen(joe, `${base()}/;SECTION=1;URLAUTH=user+fred`);
    const text = 'From: fred@example.com\r\nSubject: forwarded\r\n\r\n';
    const tag = fred.nextTag();
    fred.write(`${tag} APPEND INBOX CATENATE (TEXT {${text.length}+}\r\n${text} URL "${url}")\r\n`);
    const r = await fred.readUntilTagged(tag);
    assertStatus(r, 'OK');
    assertStatus(await fred.command('SELECT INBOX'), 'OK');
    const f = await fred.command('FETCH 1 BODY.PEEK[]');
    assert.match(f.untagged[0], /Subject: forwarded\r\n\r\nSi vis pacem, para bellum\.\)$/);
    // The same URL, tampered, is BADURL.
    const t2 = fred.nextTag();
    const bad = url.slice(0, -2) + '00';
    fred.write(`${t2} APPEND INBOX CATENATE (URL "${bad}")\r\n`);
    assertStatus(await fred.readUntilTagged(t2), 'NO', 'BADURL');
    assertStatus(await fred.command('CLOSE'), 'OK');
  });
});

describe('RESETKEY announces URLMECH to other sessions (RFC 4467 §7)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv?.stop();
  });

  test('sessions with the mailbox selected get "* OK [URLMECH INTERNAL]"; others and the issuer do not', async () => {
    const issuer = await loggedIn(srv.port);
    const watcher = await loggedIn(srv.port);
    const elsewhere = await loggedIn(srv.port);
    try {
      assertStatus(await issuer.command('CREATE Other'), 'OK');
      for (const [c, box] of [[issuer, 'INBOX'], [watcher, 'INBOX'], [elsewhere, 'Other']] as const) assertStatus(await c.command(`SELECT ${box}`), 'OK');
      const own = await issuer.command('RESETKEY INBOX');
      assertStatus(own, 'OK', 'URLMECH');
      assert.deepEqual(own.untagged, []);
      assert.ok((await watcher.command('NOOP')).untagged.includes('* OK [URLMECH INTERNAL] URLAUTH key reset'));
      assert.deepEqual((await elsewhere.command('NOOP')).untagged, []);
      // Announced once.
      assert.deepEqual((await watcher.command('NOOP')).untagged, []);
      // RESETKEY without a mailbox affects every mailbox.
      assertStatus(await issuer.command('RESETKEY'), 'OK');
      assert.ok((await watcher.command('NOOP')).untagged.includes('* OK [URLMECH INTERNAL] URLAUTH key reset'));
      assert.ok((await elsewhere.command('NOOP')).untagged.includes('* OK [URLMECH INTERNAL] URLAUTH key reset'));
    } finally {
      for (const c of [issuer, watcher, elsewhere]) c.close();
    }
  });
});
