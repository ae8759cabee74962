import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse.js';
import { findPart, sectionBytes } from './section.js';
import type { MimePart } from './types.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('latin1'));
const body = (raw: Buffer, root: MimePart, part: number[]): string | null => str(sectionBytes(raw, root, { part }));

const SIMPLE = crlf(`From: Alice <alice@example.org>
To: bob@example.com
Subject: Hello
Date: Mon, 7 Feb 1994 21:52:25 -0800

Hi Bob,
see you.
`);

test('simple text message: offsets, defaults, lines', () => {
  const root = parseMessage(SIMPLE);
  const headerLen = SIMPLE.indexOf('\r\n\r\n') + 4;
  assert.equal(root.headerStart, 0);
  assert.equal(root.bodyStart, headerLen);
  assert.equal(root.end, SIMPLE.length);
  assert.equal(root.size, SIMPLE.length - headerLen);
  assert.equal(root.type, 'text');
  assert.equal(root.subtype, 'plain');
  assert.deepEqual(root.params, [['charset', 'us-ascii']]);
  assert.equal(root.encoding, '7BIT');
  assert.equal(root.lines, 2);
  assert.equal(body(SIMPLE, root, []), SIMPLE.toString('latin1'));
  assert.equal(body(SIMPLE, root, [1]), 'Hi Bob,\r\nsee you.\r\n');
  assert.equal(str(sectionBytes(SIMPLE, root, { part: [], text: 'TEXT' })), 'Hi Bob,\r\nsee you.\r\n');
  assert.equal(str(sectionBytes(SIMPLE, root, { part: [], text: 'HEADER' })), SIMPLE.subarray(0, headerLen).toString('latin1'));
  assert.equal(
    str(sectionBytes(SIMPLE, root, { part: [], text: 'HEADER.FIELDS', fields: ['subject', 'FROM'] })),
    'From: Alice <alice@example.org>\r\nSubject: Hello\r\n\r\n',
  );
  assert.equal(
    str(sectionBytes(SIMPLE, root, { part: [], text: 'HEADER.FIELDS.NOT', fields: ['subject', 'from', 'date'] })),
    'To: bob@example.com\r\n\r\n',
  );
  assert.equal(findPart(root, [2]), null);
  assert.equal(sectionBytes(SIMPLE, root, { part: [2] }), null);
  assert.equal(findPart(root, [1, 1]), null);
  // HEADER of a part that is not message/rfc822 is empty (Dovecot)
  assert.equal(str(sectionBytes(SIMPLE, root, { part: [1], text: 'HEADER' })), '');
});

const NESTED = crlf(`From: a@example.org
Subject: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=utf-8

plain body
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>html=20body</p>
--inner--

--outer
Content-Type: application/pdf; name="doc.pdf"
Content-Disposition: attachment; filename="doc.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
epilogue
`);

test('multipart/alternative inside multipart/mixed with attachment', () => {
  const root = parseMessage(NESTED);
  assert.equal(root.type, 'multipart');
  assert.equal(root.subtype, 'mixed');
  assert.equal(root.children.length, 2);
  const alt = root.children[0]!;
  assert.equal(alt.subtype, 'alternative');
  assert.equal(alt.children.length, 2);
  assert.equal(body(NESTED, root, [1, 1]), 'plain body');
  assert.equal(body(NESTED, root, [1, 2]), '<p>html=20body</p>');
  assert.equal(findPart(root, [1, 2])!.encoding, 'QUOTED-PRINTABLE');
  assert.equal(findPart(root, [1, 1])!.lines, 0);
  assert.equal(
    str(sectionBytes(NESTED, root, { part: [1, 2], text: 'MIME' })),
    'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
  );
  // the alternative's body runs through its close delimiter and the blank epilogue line
  assert.equal(
    body(NESTED, root, [1]),
    '--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>html=20body</p>\r\n--inner--\r\n',
  );
  const pdf = findPart(root, [2])!;
  assert.equal(pdf.type, 'application');
  assert.deepEqual(pdf.params, [['name', 'doc.pdf']]);
  assert.deepEqual(pdf.disposition, { type: 'attachment', params: [['filename', 'doc.pdf']] });
  assert.equal(pdf.encoding, 'BASE64');
  assert.equal(body(NESTED, root, [2]), 'JVBERi0xLjQK');
  assert.equal(pdf.lines, 0);
  assert.equal(root.end, NESTED.length);
  assert.equal(findPart(root, [3]), null);
  assert.equal(findPart(root, [1, 3]), null);
});

const FORWARD = crlf(`From: fwd@example.org
Subject: Fwd
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

see attached
--b1
Content-Type: message/rfc822
Content-Description: forwarded

From: Carol <carol@example.net>
Subject: inner
Content-Type: multipart/alternative; boundary=b2

--b2
Content-Type: text/plain

inner plain
--b2
Content-Type: text/html

<b>inner</b>
--b2--
--b1--
`);

test('message/rfc822 attachment containing a multipart', () => {
  const root = parseMessage(FORWARD);
  assert.equal(root.children.length, 2);
  const rfc = findPart(root, [2])!;
  assert.equal(rfc.type, 'message');
  assert.equal(rfc.subtype, 'rfc822');
  assert.equal(rfc.description, 'forwarded');
  const msg = rfc.message!;
  assert.equal(msg.headerStart, rfc.bodyStart);
  assert.equal(msg.end, rfc.end);
  assert.equal(msg.envelope!.subject, 'inner');
  assert.deepEqual(msg.envelope!.from, [{ name: 'Carol', adl: null, mailbox: 'carol', host: 'example.net' }]);
  assert.equal(body(FORWARD, root, [2, 1]), 'inner plain');
  assert.equal(body(FORWARD, root, [2, 2]), '<b>inner</b>');
  assert.equal(findPart(root, [2, 3]), null);
  const expectedInner =
    'From: Carol <carol@example.net>\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n--b2\r\nContent-Type: text/html\r\n\r\n<b>inner</b>\r\n--b2--';
  assert.equal(body(FORWARD, root, [2]), expectedInner);
  assert.equal(rfc.lines, 12);
  assert.equal(
    str(sectionBytes(FORWARD, root, { part: [2], text: 'HEADER' })),
    'From: Carol <carol@example.net>\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n',
  );
  assert.equal(
    str(sectionBytes(FORWARD, root, { part: [2], text: 'HEADER.FIELDS', fields: ['Subject'] })),
    'Subject: inner\r\n\r\n',
  );
  assert.equal(str(sectionBytes(FORWARD, root, { part: [2], text: 'TEXT' })), expectedInner.slice(expectedInner.indexOf('--b2')));
  assert.equal(
    str(sectionBytes(FORWARD, root, { part: [2], text: 'MIME' })),
    'Content-Type: message/rfc822\r\nContent-Description: forwarded\r\n\r\n',
  );
  assert.equal(str(sectionBytes(FORWARD, root, { part: [2, 1], text: 'MIME' })), 'Content-Type: text/plain\r\n\r\n');
  assert.equal(root.envelope!.subject, 'Fwd');
  assert.equal(findPart(root, [1])!.envelope, null);
});

test('message/rfc822 holding a single-part message: N.1 is its body', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=x

--x
Content-Type: message/rfc822

Subject: one

body of one
--x--
`);
  const root = parseMessage(raw);
  const one = findPart(root, [1, 1])!;
  assert.equal(one, root.children[0]!.message);
  assert.equal(body(raw, root, [1, 1]), 'body of one');
  assert.equal(findPart(root, [1, 1, 1]), null);
});

test('bare LF message', () => {
  const raw = Buffer.from('Subject: lf\nContent-Type: multipart/mixed; boundary=z\n\npre\n--z\n\nfirst\nline2\n--z\nContent-Type: text/plain\n\nsecond\n--z--\n');
  const root = parseMessage(raw);
  assert.equal(root.bodyStart, raw.indexOf('\n\n') + 2);
  assert.equal(root.children.length, 2);
  assert.equal(body(raw, root, [1]), 'first\nline2');
  assert.equal(findPart(root, [1])!.lines, 1);
  assert.equal(str(sectionBytes(raw, root, { part: [1], text: 'MIME' })), '\n');
  assert.equal(body(raw, root, [2]), 'second');
  assert.equal(str(sectionBytes(raw, root, { part: [2], text: 'MIME' })), 'Content-Type: text/plain\n\n');
  assert.equal(str(sectionBytes(raw, root, { part: [], text: 'HEADER.FIELDS', fields: ['subject'] })), 'Subject: lf\n\r\n');
});

test('truncated multipart without closing delimiter', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=t

--t
Content-Type: text/plain

one
--t
Content-Type: text/plain

two, cut off`);
  const root = parseMessage(raw);
  assert.equal(root.children.length, 2);
  assert.equal(body(raw, root, [2]), 'two, cut off');
  assert.equal(root.children[1]!.end, raw.length);
  assert.equal(root.end, raw.length);
});

test('missing header/body separator: header-only message', () => {
  const raw = crlf('From: x@example.org\nSubject: only headers\n');
  const root = parseMessage(raw);
  assert.equal(root.bodyStart, raw.length);
  assert.equal(root.size, 0);
  assert.equal(str(sectionBytes(raw, root, { part: [], text: 'TEXT' })), '');
  assert.equal(root.envelope!.subject, 'only headers');
  const noEol = Buffer.from('Subject: x');
  const r2 = parseMessage(noEol);
  assert.equal(r2.bodyStart, noEol.length);
  assert.equal(str(sectionBytes(noEol, r2, { part: [], text: 'HEADER.FIELDS', fields: ['subject'] })), 'Subject: x\r\n\r\n');
});

test('header-less part and part header ended by a delimiter', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=h

--h
Content-Type: text/plain
--h

no header here
--h--`);
  const root = parseMessage(raw);
  assert.equal(root.children.length, 2);
  const first = root.children[0]!;
  assert.equal(str(sectionBytes(raw, root, { part: [1], text: 'MIME' })), 'Content-Type: text/plain');
  assert.equal(first.size, 0);
  assert.equal(body(raw, root, [2]), 'no header here');
  assert.equal(str(sectionBytes(raw, root, { part: [2], text: 'MIME' })), '\r\n');
});

test('boundaries that are prefixes of each other', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary="ab"

--ab
Content-Type: multipart/alternative; boundary="abc"

--abc
Content-Type: text/plain

A
--abc
Content-Type: text/plain

B
--ab
Content-Type: text/plain

C
--ab--
`);
  const root = parseMessage(raw);
  assert.equal(root.children.length, 2);
  assert.equal(root.children[0]!.children.length, 2);
  assert.equal(body(raw, root, [1, 1]), 'A');
  assert.equal(body(raw, root, [1, 2]), 'B');
  assert.equal(body(raw, root, [2]), 'C');
});

test('same boundary reused in nested part, and invalid/missing boundaries', () => {
  const missing = crlf('Content-Type: multipart/mixed\n\n--x\n\nbody\n');
  const r = parseMessage(missing);
  assert.equal(r.type, 'multipart');
  assert.equal(r.children.length, 0);
  assert.equal(r.end, missing.length);
  const none = crlf('Content-Type: multipart/mixed; boundary=q\n\nno delimiters at all\n');
  const r2 = parseMessage(none);
  assert.equal(r2.children.length, 0);
  assert.equal(r2.end, none.length);
});

test('multipart/digest children default to message/rfc822', () => {
  const raw = crlf(`Content-Type: multipart/digest; boundary=d

--d

Subject: first

one
--d
Content-Type: text/plain

explicit
--d--
`);
  const root = parseMessage(raw);
  const a = root.children[0]!;
  assert.equal(a.type, 'message');
  assert.equal(a.subtype, 'rfc822');
  assert.equal(a.message!.envelope!.subject, 'first');
  assert.equal(body(raw, root, [1, 1]), 'one');
  assert.equal(root.children[1]!.type, 'text');
});

test('8-bit and NUL bytes keep offsets exact', () => {
  const raw = Buffer.concat([
    Buffer.from('Subject: caf\xe9\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n', 'latin1'),
    Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]),
  ]);
  const root = parseMessage(raw);
  assert.equal(root.envelope!.subject, 'caf\xe9');
  assert.deepEqual(sectionBytes(raw, root, { part: [1] }), Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]));
  assert.equal(root.lines, 1);
  const utf8 = Buffer.from('Subject: café\r\n\r\nx', 'utf8');
  assert.equal(parseMessage(utf8).envelope!.subject, 'café');
});

test('Content-* fields: RFC 2231 continuations, language, location, md5, id', () => {
  const raw = crlf(`Content-Type: application/octet-stream;
 name*0*=utf-8''%E2%82%AC%20rates;
 name*1=" for 2024.txt"
Content-Disposition: ATTACHMENT; filename*=iso-8859-1'fr'caf%E9.txt; size=12
Content-Language: en, fr (french)
Content-Location: http://example.org/
 a/b
Content-ID: <part1@example.org> (comment)
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
Content-Transfer-Encoding: Base64

QUJD
`);
  const root = parseMessage(raw);
  assert.deepEqual(root.params, [['name', '€ rates for 2024.txt']]);
  assert.deepEqual(root.disposition, { type: 'ATTACHMENT', params: [['filename', 'café.txt'], ['size', '12']] });
  assert.deepEqual(root.language, ['en', 'fr']);
  assert.equal(root.location, 'http://example.org/a/b');
  assert.equal(root.id, '<part1@example.org>');
  assert.equal(root.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
  assert.equal(root.encoding, 'BASE64');
  assert.equal(root.lines, 0);
});

test('tolerant Content-Type: missing semicolons, unquoted values, bad types', () => {
  const root = parseMessage(crlf('Content-Type: TEXT/Plain charset=UTF-8 format=flowed\n\nx'));
  assert.equal(root.subtype, 'plain');
  assert.deepEqual(root.params, [['charset', 'UTF-8'], ['format', 'flowed']]);
  const bad = parseMessage(crlf('Content-Type: garbage\n\nx'));
  assert.equal(bad.type, 'text');
  assert.deepEqual(bad.params, [['charset', 'us-ascii']]);
  const q = parseMessage(crlf('Content-Type: text/plain; name="a \\"quoted\\" name"; x=1\n\nx'));
  // an explicit text Content-Type without charset keeps its parameters as written
  assert.deepEqual(q.params, [['name', 'a "quoted" name'], ['x', '1']]);
  const dup = parseMessage(crlf(`Content-Type: text/plain; filename="plain.txt"; filename*=utf-8''%C3%A9.txt\n\nx`));
  assert.deepEqual(dup.params, [['filename', 'é.txt']]);
});

test('HEADER.FIELDS keeps original folding and order; delimiter padding tolerated', () => {
  const raw = crlf(`Subject: a long
	folded subject
X-Other: 1
subject: second
Content-Type: multipart/mixed; boundary=pad

--pad 	
Content-Type: text/plain

padded
--pad--junk after close
`);
  const root = parseMessage(raw);
  assert.equal(
    str(sectionBytes(raw, root, { part: [], text: 'HEADER.FIELDS', fields: ['SUBJECT'] })),
    'Subject: a long\r\n\tfolded subject\r\nsubject: second\r\n\r\n',
  );
  assert.equal(root.envelope!.subject, 'a long\tfolded subject');
  assert.equal(root.children.length, 1);
  assert.equal(body(raw, root, [1]), 'padded');
});
