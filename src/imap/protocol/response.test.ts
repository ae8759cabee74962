import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MimePart } from '../../mime/types.js';
import { encodeBodyStructure, encodeEnvelope } from './encode.js';
import { encodeDateTime, parseDateTime } from './datetime.js';
import { ResponseBuilder } from './response.js';
import { encodeSequenceSet } from './sequence-set.js';

const text = (b: ResponseBuilder): string => b.toBuffer().toString('utf8');

test('strings choose quoted or literal', () => {
  assert.equal(text(new ResponseBuilder().string('hello world')), '"hello world"');
  assert.equal(text(new ResponseBuilder().string('a"b\\c')), '"a\\"b\\\\c"');
  assert.equal(text(new ResponseBuilder().string('a\r\nb')), '{4}\r\na\r\nb');
  assert.equal(text(new ResponseBuilder().string('café')), '{5}\r\ncafé');
  assert.equal(text(new ResponseBuilder({ utf8Accept: true }).string('café')), '"café"');
  assert.equal(text(new ResponseBuilder().string('x'.repeat(2000))).slice(0, 8), '{2000}\r\n');
  assert.equal(new ResponseBuilder().string(Buffer.from('a\0b'), { literal8: true }).toBuffer().toString('latin1'), '~{3}\r\na\0b');
  assert.equal(text(new ResponseBuilder().string('plain', { literal: true })), '{5}\r\nplain');
  assert.equal(text(new ResponseBuilder().nstring(null).sp().nstring('')), 'NIL ""');
  assert.equal(text(new ResponseBuilder().astring('abc').sp().astring('NIL').sp().astring('a b')), 'abc "NIL" "a b"');
});

test('builder composes a FETCH response with a binary literal', () => {
  const body = Buffer.from([0xff, 0x00, 0x0d]);
  const b = new ResponseBuilder().raw('* 1 FETCH (UID 5 FLAGS ').flags(['\\Seen', '$Junk']).raw(' BINARY[] ').string(body, { literal8: true }).raw(')').crlf();
  const out = b.toBuffer();
  assert.deepEqual(out, Buffer.concat([Buffer.from('* 1 FETCH (UID 5 FLAGS (\\Seen $Junk) BINARY[] ~{3}\r\n'), body, Buffer.from(')\r\n')]));
});

test('mailbox names', () => {
  assert.equal(text(new ResponseBuilder().mailbox('INBOX')), 'INBOX');
  assert.equal(text(new ResponseBuilder().mailbox('~peter/mail/台北/日本語')), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  assert.equal(text(new ResponseBuilder().mailbox('Sent Items')), '"Sent Items"');
  assert.equal(text(new ResponseBuilder().mailbox('Entwürfe', true)), '"Entwürfe"');
  assert.equal(text(new ResponseBuilder().mailbox('%')), '"%"');
});

test('date-time', () => {
  const ms = Date.UTC(2026, 10, 5, 21, 52, 0);
  assert.equal(text(new ResponseBuilder().dateTime(ms)), '" 5-Nov-2026 21:52:00 +0000"');
  assert.equal(encodeDateTime(Date.UTC(2026, 10, 25, 21, 52, 0)), '25-Nov-2026 21:52:00 +0000');
  assert.equal(encodeDateTime(Date.UTC(1994, 1, 8, 5, 52, 25), -480), ' 7-Feb-1994 21:52:25 -0800');
  assert.equal(parseDateTime('07-Feb-1994 21:52:25 -0800'), Date.UTC(1994, 1, 8, 5, 52, 25));
  assert.equal(parseDateTime(' 7-feb-1994 21:52:25 +0000'), Date.UTC(1994, 1, 7, 21, 52, 25));
  assert.equal(parseDateTime('7-Feb-1994 21:52:25 +0130'), Date.UTC(1994, 1, 7, 20, 22, 25));
  for (const bad of ['07-Feb-1994 24:00:00 +0000', '07-Feb-1994 21:52 +0000', '30-Feb-1994 21:52:25 +0000', '07-Feb-1994 21:52:25 0000', '07-Foo-1994 21:52:25 +0000']) {
    assert.equal(parseDateTime(bad), null, bad);
  }
});

test('encodeSequenceSet', () => {
  assert.equal(encodeSequenceSet([1, 2, 3, 5]), '1:3,5');
  assert.equal(encodeSequenceSet([5, 3, 1, 2, 2]), '1:3,5');
  assert.equal(encodeSequenceSet([]), '');
  assert.equal(encodeSequenceSet([7]), '7');
  assert.equal(encodeSequenceSet([1, 3, 4, 10, 11, 12, 14]), '1,3:4,10:12,14');
});

test('ENVELOPE (RFC 9051 §7.5.2)', () => {
  const b = new ResponseBuilder();
  encodeEnvelope(b, {
    date: 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
    subject: 'IMAP4rev2 WG mtg summary and minutes',
    from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
    sender: null,
    replyTo: [],
    to: [{ name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' }],
    cc: [
      { name: null, adl: null, mailbox: 'minutes', host: 'CNRI.Reston.VA.US' },
      { name: 'John Klensin', adl: null, mailbox: 'KLENSIN', host: 'MIT.EDU' },
    ],
    bcc: null,
    inReplyTo: null,
    messageId: '<B27397-0100000@cac.washington.edu>',
  });
  assert.equal(
    text(b),
    '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
      '(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ' +
      '((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>")',
  );
});

function part(p: Partial<MimePart>): MimePart {
  return {
    headerStart: 0, bodyStart: 0, end: 0, type: 'text', subtype: 'plain', params: [], id: null, description: null, encoding: '7BIT',
    md5: null, disposition: null, language: null, location: null, size: 0, lines: 0, children: [], message: null, envelope: null, ...p,
  };
}

test('BODYSTRUCTURE and BODY', () => {
  const textPart = part({ params: [['charset', 'us-ascii']], size: 3028, lines: 92 });
  const attachment = part({
    type: 'application', subtype: 'pdf', params: [['name', 'résumé.pdf']], encoding: 'base64', size: 100,
    disposition: { type: 'attachment', params: [['filename', 'r.pdf']] }, language: ['en', 'fr'], location: 'http://x/',
  });
  const mixed = part({ type: 'multipart', subtype: 'mixed', params: [['boundary', 'xyz']], children: [textPart, attachment] });
  const ext = new ResponseBuilder();
  encodeBodyStructure(ext, mixed, true);
  assert.equal(
    text(ext),
    '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL)' +
      '("APPLICATION" "PDF" ("NAME" {12}\r\nrésumé.pdf) NIL NIL "BASE64" 100 NIL ("ATTACHMENT" ("FILENAME" "r.pdf")) ("en" "fr") "http://x/")' +
      ' "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL)',
  );
  const basic = new ResponseBuilder();
  encodeBodyStructure(basic, mixed, false);
  assert.equal(
    text(basic),
    '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 3028 92)("APPLICATION" "PDF" ("NAME" {12}\r\nrésumé.pdf) NIL NIL "BASE64" 100) "MIXED")',
  );
  const inner = part({ size: 5, lines: 1, envelope: null });
  const rfc822 = part({ type: 'message', subtype: 'rfc822', size: 50, lines: 4, message: inner });
  const m = new ResponseBuilder();
  encodeBodyStructure(m, rfc822, false);
  assert.equal(text(m), '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 50 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1) 4)');
  const empty = new ResponseBuilder();
  encodeBodyStructure(empty, part({ type: 'multipart', subtype: 'alternative' }), false);
  assert.equal(text(empty), '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 0 0) "ALTERNATIVE")');
});
