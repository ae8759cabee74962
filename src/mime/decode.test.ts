import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse.js';
import { decodeTransfer } from './transfer-encoding.js';
import { decodeEncodedWords } from './encoded-word.js';
import { decodeCharset } from './charset.js';
import { binarySection } from './section.js';
import { allHeaderText, bodyText, headerValues } from './search-text.js';
import { searchFold } from './search-fold.js';
import { parseRfc5322Date } from './date.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

test('base64: whitespace, garbage, padding, concatenation', () => {
  assert.equal(decodeTransfer(Buffer.from('SGVs\r\nbG8g\r\nd29y bGQ='), 'BASE64')!.toString(), 'Hello world');
  assert.equal(decodeTransfer(Buffer.from('SGVs!!bG8*'), 'base64')!.toString(), 'Hello');
  assert.equal(decodeTransfer(Buffer.from('YQ==YmM='), 'BASE64')!.toString(), 'abc');
  assert.equal(decodeTransfer(Buffer.from('YWJj\r\nZ'), 'BASE64')!.toString(), 'abc');
  assert.equal(decodeTransfer(Buffer.from(''), 'BASE64')!.length, 0);
});

test('quoted-printable: soft breaks, bad escapes, trailing whitespace', () => {
  const qp = (s: string) => decodeTransfer(Buffer.from(s, 'latin1'), 'QUOTED-PRINTABLE')!.toString('latin1');
  assert.equal(qp('caf=E9 au lait=\r\n continues\r\nnext  \r\n'), 'caf\xe9 au lait continues\r\nnext\r\n');
  assert.equal(qp('a=\nb'), 'ab');
  assert.equal(qp('a= \t\r\nb'), 'ab');
  assert.equal(qp('100%=zz =4 =3d=3D'), '100%=zz =4 ==');
  assert.equal(qp('end='), 'end');
  assert.equal(qp('x=e9'), 'x\xe9');
});

test('7bit/8bit/binary identity, unknown encoding null', () => {
  const b = Buffer.from([0, 1, 0xff]);
  for (const e of ['7BIT', '8bit', 'Binary', '']) assert.deepEqual(decodeTransfer(b, e), b);
  assert.equal(decodeTransfer(b, 'X-UUENCODE'), null);
});

test('RFC 2047 encoded words: Q and B, UTF-8 and ISO-8859-1, split words, whitespace rules', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard'), 'André Pirard');
  assert.equal(decodeEncodedWords('=?UTF-8?B?w6lsw6h2ZQ==?='), 'élève');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)'), '(ab)');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?='), 'ab');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= b =?ISO-8859-1?Q?c?='), 'a b c');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a_b?='), 'a b');
  // a UTF-8 character split across two B words
  assert.equal(decodeEncodedWords('=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?='), '€');
  assert.equal(decodeEncodedWords('=?utf-8*en?q?hi?='), 'hi');
  assert.equal(decodeEncodedWords('=?x-unknown-cs?Q?caf=C3=A9?='), 'café');
  assert.equal(decodeEncodedWords('=?UTF-8?Q?broken'), '=?UTF-8?Q?broken');
  assert.equal(decodeCharset(Buffer.from([0xe9]), 'windows-1252'), 'é');
  assert.equal(decodeCharset(Buffer.from([0xe9]), 'no-such-charset'), 'é');
});

const MSG = crlf(`From: =?UTF-8?Q?J=C3=B6rg?= <j@x.de>
Subject: =?ISO-8859-1?Q?Caf=E9?=
 =?ISO-8859-1?Q?_cr=E8me?=
X-Note: one
X-Note: two
Content-Type: multipart/mixed; boundary=s

--s
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Cr=E8me br=FBl=E9e
--s
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+RMOpamEgdnU8L3A+
--s
Content-Type: image/png
Content-Transfer-Encoding: base64

aW1hZ2VieXRlcw==
--s
Content-Type: message/rfc822

Subject: =?UTF-8?B?w7xiZXI=?=

inner text
--s
Content-Type: application/octet-stream
Content-Transfer-Encoding: x-uuencode

begin 644 x
--s--
`);

test('search text: header values, header block, body text', () => {
  const root = parseMessage(MSG);
  assert.deepEqual(headerValues(MSG, root, 'subject'), ['Café crème']);
  assert.deepEqual(headerValues(MSG, root, 'X-NOTE'), ['one', 'two']);
  assert.deepEqual(headerValues(MSG, root, 'from'), ['Jörg <j@x.de>']);
  assert.deepEqual(headerValues(MSG, root, 'absent'), []);
  assert.match(allHeaderText(MSG, root), /^From: Jörg <j@x\.de>\nSubject: Café crème\n/);
  const text = bodyText(MSG, root);
  assert.equal(text, 'Crème brûlée\n<p>Déja vu</p>\nSubject: über\ninner text');
  assert.equal(text.includes('imagebytes'), false);
});

test('BINARY sections', () => {
  const root = parseMessage(MSG);
  assert.deepEqual(binarySection(MSG, root, [1]), { data: Buffer.from('Cr\xe8me br\xfbl\xe9e', 'latin1') });
  assert.deepEqual(binarySection(MSG, root, [3]), { data: Buffer.from('imagebytes') });
  assert.deepEqual(binarySection(MSG, root, [5]), { error: 'UNKNOWN-CTE' });
  assert.equal(binarySection(MSG, root, [6]), null);
  assert.deepEqual(binarySection(MSG, root, []), { data: MSG });
  assert.deepEqual(binarySection(MSG, root, [4, 1]), { data: Buffer.from('inner text') });
});

test('searchFold: simple case folding only', () => {
  assert.equal(searchFold('HeLLo'), 'hello');
  assert.equal(searchFold('ÉCOLE'), 'école');
  assert.equal(searchFold('ΣΊΣΥΦΟΣ'), searchFold('σίσυφος'));
  assert.equal(searchFold('ς'), searchFold('Σ'));
  assert.equal(searchFold('ſ'), 's');
  assert.equal(searchFold('Straße'), 'straße');
  assert.equal(searchFold('İ').length, 1);
  assert.equal(searchFold('ı'), 'ı');
  assert.equal(searchFold(' a\tb '), ' a\tb ');
});

test('RFC 5322 dates, strict and obsolete forms', () => {
  const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);
  assert.equal(parseRfc5322Date('Fri, 21 Nov 1997 09:55:06 -0600'), utc(1997, 11, 21, 15, 55, 6));
  assert.equal(parseRfc5322Date('21 Nov 97 09:55:06 GMT'), utc(1997, 11, 21, 9, 55, 6));
  assert.equal(parseRfc5322Date('Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)'), utc(1969, 2, 14, 3, 2));
  assert.equal(parseRfc5322Date('1 Jan 05 00:00 EST'), utc(2005, 1, 1, 5));
  assert.equal(parseRfc5322Date('Tue, 1 Jul 2003 10:52:37 +0200'), utc(2003, 7, 1, 8, 52, 37));
  assert.equal(parseRfc5322Date('1 Jan 2000 12:00:00 A'), utc(2000, 1, 1, 12));
  assert.equal(parseRfc5322Date('Mon Jan  2 15:04:05 2006'), utc(2006, 1, 2, 15, 4, 5));
  assert.equal(parseRfc5322Date('1 Jan 103 00:00 +0000'), utc(2003, 1, 1));
  assert.equal(parseRfc5322Date('garbage'), null);
  assert.equal(parseRfc5322Date('31 Feb 2020 10:00 +0000'), null);
  assert.equal(parseRfc5322Date('1 Jan 2020 25:00 +0000'), null);
  assert.equal(parseRfc5322Date(''), null);
});
