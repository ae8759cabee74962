/**
 * Transcript tests of message commands: APPEND (UIDPLUS, MULTIAPPEND, literal8, LITERAL+),
 * SELECT/EXAMINE, FETCH (every data item on a known multipart message, byte-exact sections,
 * BINARY) and STORE. RFC 9051 §6.3.2-3, §6.3.12, §6.4.5-6, §7.5.2; RFC 3501 (rev1 \Recent);
 * RFC 4315 (UIDPLUS); RFC 3502 (MULTIAPPEND); RFC 3516 (BINARY); RFC 7888 (LITERAL+).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, codeArgs, append, simpleMessage, seedMailbox } from '../support/transcript.js';
import { MULTI, ATTACHMENT, PART2_MIME, HTML_BODY, INNER_BODY } from '../support/fixtures.js';

const ENVELOPE =
  '("Tue, 14 Mar 2023 10:00:00 +0000" "=?UTF-8?B?SGVsbG8gd8O2cmxk?=" (("Bob Example" NIL "bob" "example.org")) (("Bob Example" NIL "bob" "example.org")) (("Bob Example" NIL "bob" "example.org")) ((NIL NIL "alice" "example.com")("Carol" NIL "carol" "example.net")) ((NIL NIL "dave" "example.com")) NIL NIL "<multi-1@example.org>")';
const INNER_ENVELOPE =
  '("Wed, 01 Feb 2023 08:00:00 +0100" "Inner subject" (("Inner Sender" NIL "inner" "example.com")) (("Inner Sender" NIL "inner" "example.com")) (("Inner Sender" NIL "inner" "example.com")) NIL NIL NIL NIL "<inner-1@example.com>")';
// RFC 9051 §7.5.2 BODYSTRUCTURE with extension data (body-ext-1part / body-ext-mpart).
const BODYSTRUCTURE =
  '(((' +
  '"TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 49 1 NIL NIL NIL NIL)' +
  '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 16 0 NIL NIL NIL NIL)' +
  ' "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)' +
  '("APPLICATION" "OCTET-STREAM" ("NAME" "data.bin") NIL NIL "BASE64" 64 NIL ("ATTACHMENT" ("FILENAME" "data.bin")) NIL NIL)' +
  `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 157 ${INNER_ENVELOPE} ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 17 1 NIL NIL NIL NIL) 6 NIL NIL NIL NIL)` +
  ' "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)';

describe('IMAP messages: APPEND, SELECT, FETCH, STORE', () => {
  let srv: TestServer;
  let c: TestClient;
  let validity = '';
  before(async () => {
    srv = await startTestServer();
    c = await loggedIn(srv.port);
    const [r] = await seedMailbox(srv.port, 'fx', [{ body: MULTI, flags: '\\Flagged', date: '14-Mar-2023 10:00:00 +0000' }]);
    validity = codeArgs(r, 'APPENDUID')[0];
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('APPEND with flags and date-time answers APPENDUID (RFC 4315 §3)', async () => {
    assertStatus(await c.command('CREATE ap'), 'OK');
    const msg = simpleMessage({ subject: 'appended' });
    const r = await append(c, 'ap', msg, '\\Seen $Important', '05-Jan-2024 13:14:15 +0200');
    assertStatus(r, 'OK', 'APPENDUID');
    const [v, uid] = codeArgs(r, 'APPENDUID');
    assert.match(v, /^[1-9]\d*$/);
    assert.equal(uid, '1');
    assert.deepEqual((await c.command('STATUS ap (UIDVALIDITY UIDNEXT MESSAGES)')).untagged, [`* STATUS "ap" (UIDVALIDITY ${v} UIDNEXT 2 MESSAGES 1)`]);
    assertStatus(await c.command('EXAMINE ap'), 'OK', 'READ-ONLY');
    const f = await c.command('FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)');
    // Whether a read-only (EXAMINE) session sees \Recent is left open by RFC 3501 §2.3.2.
    const line = f.untagged.map((l) => l.replace(' \\Recent', ''));
    // The zone need not be preserved (RFC 9051 §2.3.3), the instant must: 13:14:15 +0200 = 11:14:15 +0000.
    const m = /^\* 1 FETCH \(FLAGS \(\\Seen \$Important\) INTERNALDATE "([ \d]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4})" RFC822\.SIZE (\d+)\)$/.exec(line[0] ?? '');
    assert.ok(m && line.length === 1, JSON.stringify(f.untagged));
    assert.equal(new Date(m[1].trim().replace(/^(\d+)-(\w+)-(\d+) /, '$2 $1 $3 ')).toISOString(), '2024-01-05T11:14:15.000Z');
    assert.equal(Number(m[2]), Buffer.byteLength(msg));
    const r2 = await append(c, 'ap', simpleMessage());
    assert.deepEqual(codeArgs(r2, 'APPENDUID'), [v, '2']);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('APPEND to a missing mailbox: NO [TRYCREATE] (RFC 9051 §6.3.12)', async () => {
    const tag = c.nextTag();
    c.write(`${tag} APPEND nosuchbox {5}\r\n`);
    const first = await c.readLine();
    if (first.startsWith('+')) {
      c.write('hello\r\n');
      assertStatus(await c.readUntilTagged(tag), 'NO', 'TRYCREATE');
    } else {
      // the server may refuse before inviting the literal
      assert.match(first, new RegExp(`^${tag} NO \\[TRYCREATE\\]`));
    }
    assertStatus(await c.command('STATUS nosuchbox (MESSAGES)'), 'NO', 'NONEXISTENT');
  });

  test('a synchronizing literal gets "+" before the data is sent (RFC 9051 §7.5)', async () => {
    const msg = simpleMessage({ subject: 'sync' });
    const tag = c.nextTag();
    c.write(`${tag} APPEND ap {${Buffer.byteLength(msg)}}\r\n`);
    assert.match(await c.readLine(), /^\+ /);
    c.write(msg + '\r\n');
    assertStatus(await c.readUntilTagged(tag), 'OK', 'APPENDUID');
  });

  test('MULTIAPPEND with LITERAL+ in one write: APPENDUID with a UID set (RFC 3502, RFC 7888, RFC 4315)', async () => {
    assertStatus(await c.command('CREATE multi'), 'OK');
    const m1 = simpleMessage({ subject: 'm1' });
    const m2 = simpleMessage({ subject: 'm2' });
    const m3 = simpleMessage({ subject: 'm3' });
    const tag = c.nextTag();
    c.write(`${tag} APPEND multi (\\Seen) {${Buffer.byteLength(m1)}+}\r\n${m1} (\\Flagged) "01-Feb-2024 00:00:00 +0000" {${Buffer.byteLength(m2)}+}\r\n${m2} {${Buffer.byteLength(m3)}+}\r\n${m3}\r\n`);
    const r = await c.readUntilTagged(tag);
    assertStatus(r, 'OK', 'APPENDUID');
    assert.deepEqual(r.untagged, [], 'no continuation for LITERAL+');
    assert.equal(codeArgs(r, 'APPENDUID')[1], '1:3');
    assertStatus(await c.command('EXAMINE multi'), 'OK');
    const f = await c.command('FETCH 1:3 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    // (\\Recent under EXAMINE is left open by RFC 3501 §2.3.2)
    assert.deepEqual(f.untagged.map((l) => l.replace(/ ?\\Recent/, '')), [
      '* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: m1\r\n\r\n)',
      '* 2 FETCH (UID 2 FLAGS (\\Flagged) BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: m2\r\n\r\n)',
      '* 3 FETCH (UID 3 FLAGS () BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: m3\r\n\r\n)',
    ]);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('APPEND with a literal8 ~{n} stores the 8-bit bytes exactly (RFC 3516 §4.4)', async () => {
    const msg = Buffer.from('From: a@b.example\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÜmläute ✓ 日本語\r\n', 'utf8');
    const tag = c.nextTag();
    c.write(`${tag} APPEND ap ~{${msg.length}}\r\n`);
    const cont = await c.readLine();
    assert.match(cont, /^\+ /);
    c.write(Buffer.concat([msg, Buffer.from('\r\n')]));
    const r = await c.readUntilTagged(tag);
    assertStatus(r, 'OK', 'APPENDUID');
    const uid = codeArgs(r, 'APPENDUID')[1];
    assertStatus(await c.command('EXAMINE ap'), 'OK');
    const f = await c.command(`UID FETCH ${uid} BODY.PEEK[]`);
    assert.equal(f.untagged.length, 1);
    const m = /^\* \d+ FETCH \((?:UID \d+ )?BODY\[\] \{(\d+)\}\r\n/.exec(f.untagged[0]);
    assert.ok(m, f.untagged[0]);
    assert.equal(Number(m[1]), msg.length);
    const bytes = Buffer.from(f.untagged[0].slice(m[0].length), 'latin1').subarray(0, msg.length);
    assert.ok(bytes.equals(msg), 'BODY[] differs from the appended bytes');
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('SELECT (rev1): EXISTS, RECENT, FLAGS, PERMANENTFLAGS with \\*, UNSEEN, UIDVALIDITY, UIDNEXT, READ-WRITE', async () => {
    await seedMailbox(srv.port, 'sel', [{ body: simpleMessage(), flags: '\\Seen' }, { body: simpleMessage(), flags: '$Work' }]);
    assertStatus(await append(c, 'sel', simpleMessage()), 'OK'); // recent for this session's SELECT
    const st = await c.command('STATUS sel (UIDVALIDITY)');
    const v = /UIDVALIDITY (\d+)/.exec(st.untagged[0])![1];
    const r = await c.command('SELECT sel');
    assertStatus(r, 'OK', 'READ-WRITE');
    const lines = r.untagged.filter((l) => !/HIGHESTMODSEQ|MAILBOXID|URLMECH/.test(l));
    assert.equal(r.untagged.filter((l) => /^\* OK \[MAILBOXID \([A-Za-z0-9_-]+\)\] /.test(l)).length, 1); // RFC 8474 §4.2
    assert.ok(r.untagged.includes('* OK [URLMECH INTERNAL] URLAUTH mechanisms')); // RFC 4467 §8
    assert.deepEqual(lines, [
      '* 3 EXISTS',
      '* 1 RECENT',
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted',
      '* OK [UNSEEN 2] First unseen',
      `* OK [UIDVALIDITY ${v}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
    ]);
    const e = await c.command('EXAMINE sel');
    assertStatus(e, 'OK', 'READ-ONLY');
    assert.ok(e.untagged.includes('* 3 EXISTS'));
    // RFC 9051 §6.3.3: EXAMINE is read-only; STORE must fail
    assertStatus(await c.command('STORE 1 +FLAGS (\\Deleted)'), 'NO');
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('SELECT after ENABLE IMAP4rev2: no RECENT, no UNSEEN, a LIST response (RFC 9051 §6.3.2)', async () => {
    const d = await loggedIn(srv.port);
    try {
      const en = await d.command('ENABLE IMAP4rev2');
      assertStatus(en, 'OK');
      assert.deepEqual(en.untagged, ['* ENABLED IMAP4rev2']);
      const r = await d.command('SELECT sel');
      assertStatus(r, 'OK', 'READ-WRITE');
      assert.ok(r.untagged.includes('* 3 EXISTS'), JSON.stringify(r.untagged));
      assert.ok(!r.untagged.some((l) => /RECENT|\[UNSEEN/.test(l)), JSON.stringify(r.untagged));
      assert.ok(r.untagged.some((l) => /^\* LIST \([^)]*\) "\/" "?sel"?$/.test(l)), JSON.stringify(r.untagged));
      assert.ok(r.untagged.some((l) => l.startsWith('* OK [PERMANENTFLAGS (') && l.includes('\\*)]')));
      const f = await d.command('FETCH 1:* FLAGS');
      assert.deepEqual(f.untagged, ['* 1 FETCH (FLAGS (\\Seen))', '* 2 FETCH (FLAGS ($Work))', '* 3 FETCH (FLAGS ())']);
      // a second SELECT reports [CLOSED] first in rev2 (RFC 9051 §7.1)
      const again = await d.command('EXAMINE sel');
      assert.equal(again.untagged[0].startsWith('* OK [CLOSED]'), true, JSON.stringify(again.untagged));
    } finally {
      d.close();
    }
  });

  test('FETCH FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    const r = await c.command('FETCH 1 (FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE)');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [`* 1 FETCH (UID 1 FLAGS (\\Flagged) INTERNALDATE "14-Mar-2023 10:00:00 +0000" RFC822.SIZE ${Buffer.byteLength(MULTI)} ENVELOPE ${ENVELOPE})`]);
  });

  test('FETCH BODYSTRUCTURE of multipart/mixed with alternative, base64 and message/rfc822 parts', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    const r = await c.command('FETCH 1 BODYSTRUCTURE');
    assert.deepEqual(r.untagged, [`* 1 FETCH (BODYSTRUCTURE ${BODYSTRUCTURE})`]);
  });

  test('FETCH BODY[] is byte-exact; partial BODY[]<0.10>; RFC822.HEADER', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[]')).untagged, [`* 1 FETCH (BODY[] {${MULTI.length}}\r\n${MULTI})`]);
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[]<0.10>')).untagged, [`* 1 FETCH (BODY[]<0> {10}\r\n${MULTI.slice(0, 10)})`]);
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[]<1040.100>')).untagged, [`* 1 FETCH (BODY[]<1040> {${MULTI.length - 1040}}\r\n${MULTI.slice(1040)})`]);
    const hdr = MULTI.slice(0, MULTI.indexOf('\r\n\r\n') + 4);
    assert.deepEqual((await c.command('FETCH 1 RFC822.HEADER')).untagged, [`* 1 FETCH (RFC822.HEADER {${hdr.length}}\r\n${hdr})`]);
  });

  test('FETCH sections: BODY.PEEK[1.2], BODY[2.MIME], HEADER.FIELDS, message/rfc822 sub-parts', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[1.2]')).untagged, [`* 1 FETCH (BODY[1.2] {${HTML_BODY.length}}\r\n${HTML_BODY})`]);
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[2.MIME]')).untagged, [`* 1 FETCH (BODY[2.MIME] {${PART2_MIME.length}}\r\n${PART2_MIME})`]);
    const hf = 'From: "Bob Example" <bob@example.org>\r\nSubject: =?UTF-8?B?SGVsbG8gd8O2cmxk?=\r\n\r\n';
    const r = await c.command('FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject From)]');
    assert.equal(r.untagged.length, 1);
    assert.match(r.untagged[0], /^\* 1 FETCH \(BODY\[HEADER\.FIELDS \((?:Subject From|SUBJECT FROM)\)\] \{80\}\r\n/);
    assert.ok(r.untagged[0].endsWith(`{${hf.length}}\r\n${hf})`), r.untagged[0]);
    assert.deepEqual((await c.command('FETCH 1 BODY.PEEK[3.1]')).untagged, [`* 1 FETCH (BODY[3.1] {${INNER_BODY.length}}\r\n${INNER_BODY})`]);
    const nf = await c.command('FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Subject From To Cc Date Message-ID MIME-Version)]');
    assert.deepEqual(nf.untagged.map((l) => l.slice(l.indexOf('{'))), ['{51}\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n)']);
    // a part that does not exist is empty (RFC 9051 §6.4.5 allows NIL or ""): never an error
    const missing = await c.command('FETCH 1 BODY.PEEK[9]');
    assertStatus(missing, 'OK');
    assert.match(missing.untagged[0], /^\* 1 FETCH \(BODY\[9\] (NIL|""|\{0\}\r\n)\)$/);
  });

  test('FETCH BINARY[2] decodes base64; BINARY[1.1] decodes quoted-printable; BINARY.SIZE (RFC 3516 §4.2)', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    assert.deepEqual((await c.command('FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])')).untagged, [`* 1 FETCH (BINARY[2] {${ATTACHMENT.length}}\r\n${ATTACHMENT} BINARY.SIZE[2] ${ATTACHMENT.length})`]);
    const plain = Buffer.from('Plain body with café and more text\r\nline two', 'utf8');
    const r = await c.command('FETCH 1 BINARY.PEEK[1.1]');
    assert.deepEqual(r.untagged, [`* 1 FETCH (BINARY[1.1] {${plain.length}}\r\n${plain.toString('latin1')})`]);
    assert.deepEqual((await c.command('FETCH 1 BINARY.SIZE[1.1]')).untagged, [`* 1 FETCH (BINARY.SIZE[1.1] ${plain.length})`]);
  });

  test('non-PEEK BODY[] sets \\Seen and the FETCH includes FLAGS (RFC 9051 §6.4.5)', async () => {
    await seedMailbox(srv.port, 'seen', [{ body: simpleMessage({ body: 'x' }) }]);
    assertStatus(await c.command('SELECT seen'), 'OK');
    const r = await c.command('FETCH 1 BODY[TEXT]');
    assert.deepEqual(r.untagged, ['* 1 FETCH (BODY[TEXT] {3}\r\nx\r\n FLAGS (\\Seen))']);
    // already seen: no FLAGS needed any more, but they must be right if sent
    const again = await c.command('FETCH 1 (FLAGS)');
    assert.deepEqual(again.untagged, ['* 1 FETCH (FLAGS (\\Seen))']);
    // EXAMINE never sets \Seen
    await seedMailbox(srv.port, 'seen2', [{ body: simpleMessage() }]);
    assertStatus(await c.command('EXAMINE seen2'), 'OK');
    const ro = await c.command('FETCH 1 BODY[HEADER.FIELDS (TO)]');
    assert.ok(!/FLAGS/.test(ro.untagged[0]), ro.untagged[0]);
    assert.deepEqual((await c.command('FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS ())']);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('STORE +FLAGS, -FLAGS, FLAGS and .SILENT with exact FETCH responses; keywords (RFC 9051 §6.4.6)', async () => {
    await seedMailbox(srv.port, 'st', [{ body: simpleMessage() }, { body: simpleMessage() }, { body: simpleMessage() }]);
    assertStatus(await c.command('SELECT st'), 'OK');
    let r = await c.command('STORE 1:2 +FLAGS (\\Seen \\Flagged)');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* 1 FETCH (FLAGS (\\Seen \\Flagged))', '* 2 FETCH (FLAGS (\\Seen \\Flagged))']);
    r = await c.command('STORE 2 -FLAGS (\\Flagged)');
    assert.deepEqual(r.untagged, ['* 2 FETCH (FLAGS (\\Seen))']);
    r = await c.command('STORE 3 FLAGS (\\Answered $Label1 Custom)');
    // New keywords are announced with FLAGS and PERMANENTFLAGS before they are used (RFC 9051 §7.3.5).
    assert.deepEqual(r.untagged, [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 Custom)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 Custom \\*)] Flags permitted',
      '* 3 FETCH (FLAGS (\\Answered $Label1 Custom))',
    ]);
    r = await c.command('STORE 1 +FLAGS.SILENT (\\Draft)');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, []);
    r = await c.command('UID STORE 1:3 -FLAGS (\\Seen)');
    assert.deepEqual(r.untagged, ['* 1 FETCH (UID 1 FLAGS (\\Flagged \\Draft))', '* 2 FETCH (UID 2 FLAGS ())', '* 3 FETCH (UID 3 FLAGS (\\Answered $Label1 Custom))']);
    r = await c.command('STORE 3 -FLAGS.SILENT ($Label1)');
    assert.deepEqual(r.untagged, []);
    assert.deepEqual((await c.command('FETCH 1:3 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Flagged \\Draft))', '* 2 FETCH (FLAGS ())', '* 3 FETCH (FLAGS (\\Answered Custom))']);
    // keywords are case-insensitive: adding "custom" again changes nothing
    r = await c.command('STORE 3 +FLAGS (custom)');
    assert.deepEqual(r.untagged, ['* 3 FETCH (FLAGS (\\Answered Custom))']);
    // \Recent cannot be altered by the client (RFC 3501 §2.3.2); an unknown system flag must never
    // be stored, since servers MUST NOT generate flag-extension flags (RFC 9051 §9, flag-extension).
    for (const f of ['\\Recent', '\\Bogus']) {
      const sr = await c.command(`STORE 1 +FLAGS (${f})`);
      assert.match(sr.tagged, /^\S+ (OK|NO|BAD) /);
      assert.deepEqual((await c.command('FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Flagged \\Draft))'], `after STORE +FLAGS (${f})`);
    }
    // the new keywords now appear in a new SELECT's FLAGS
    const sel = await c.command('SELECT st');
    assert.ok(sel.untagged.some((l) => l.startsWith('* FLAGS (') && l.includes('Custom')), JSON.stringify(sel.untagged));
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('FETCH macros ALL/FAST and BODY (non-extensible structure)', async () => {
    assertStatus(await c.command('EXAMINE fx'), 'OK');
    const fast = await c.command('FETCH 1 FAST');
    assert.deepEqual(fast.untagged, [`* 1 FETCH (FLAGS (\\Flagged) INTERNALDATE "14-Mar-2023 10:00:00 +0000" RFC822.SIZE ${MULTI.length})`]);
    const body = await c.command('FETCH 1 BODY');
    assert.match(body.untagged[0], /^\* 1 FETCH \(BODY \(\(\("TEXT" "PLAIN" \("CHARSET" "utf-8"\) NIL NIL "QUOTED-PRINTABLE" 49 1\)/);
    assert.ok(!/BOUNDARY/.test(body.untagged[0]), 'BODY must not carry extension data');
    assert.equal(validity.length > 0, true);
  });
});
