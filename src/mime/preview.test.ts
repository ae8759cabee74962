/**
 * Unit tests of the RFC 8970 preview generation (preview.ts): part choice, decoding, HTML
 * stripping, whitespace, and the length limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse.js';
import { finish, htmlToText, messagePreview, PREVIEW_MAX_CHARS, PREVIEW_SOURCE_BYTES } from './preview.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const preview = (raw: Buffer): string => messagePreview(raw, parseMessage(raw));

test('plain text: line breaks and whitespace runs collapse to single spaces, trimmed', () => {
  const raw = crlf('Subject: x\n\n  Hello   there,\n\n\tsee you\ttomorrow.  \n\n');
  assert.equal(preview(raw), 'Hello there, see you tomorrow.');
  // A message without Content-Type is text/plain (RFC 2045 §5.2).
  assert.equal(preview(crlf('From: a@b\n\nJust text\n')), 'Just text');
});

test('quoted-printable and base64 are decoded; charsets are converted to Unicode', () => {
  const qp = crlf(
    'Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 cr=E8me, soft=\n break\n',
  );
  assert.equal(preview(qp), 'Café crème, soft break');
  const text = 'Grüße aus Köln — ça va? 日本語';
  const b64 = Buffer.from(text, 'utf8').toString('base64').replace(/(.{20})/g, '$1\r\n');
  const raw = crlf(`Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n${b64}\n`);
  assert.equal(preview(raw), text);
  const koi = Buffer.concat([crlf('Content-Type: text/plain; charset=koi8-r\n\n'), Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4])]);
  assert.equal(preview(koi), 'Привет');
  const bad = crlf('Content-Type: text/plain\nContent-Transfer-Encoding: x-unknown\n\nhidden\n');
  assert.equal(preview(bad), '');
});

test('html: tags, comments, script/style/head removed; entities decoded; block tags separate words', () => {
  const html =
    '<html><head><title>T</title><style>p { color: red }</style></head><body>' +
    '<!-- note --><p>Hello&nbsp;<b>W</b>orld &amp; friends</p><div>Price: &euro;5 &lt;ok&gt; &#x1F600; &#233;t&eacute;</div>' +
    '<script>alert("x")</script><br>Bye&hellip;</body></html>';
  const raw = crlf(`Content-Type: text/html; charset=utf-8\n\n${html}\n`);
  assert.equal(preview(raw), 'Hello World & friends Price: €5 <ok> 😀 été Bye…');
  assert.equal(htmlToText('<a href="x>y">link</a> &unknown; &#0;'), 'link &unknown; \ufffd');
});

test('multipart/alternative prefers text/plain; html is used only when there is no text/plain', () => {
  const alt = crlf(
    'Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>From <i>HTML</i></p>\n' +
      '--b\nContent-Type: text/plain\n\nFrom plain\n--b--\n',
  );
  assert.equal(preview(alt), 'From plain');
  const htmlOnly = crlf(
    'Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/alternative; boundary=b\n\n' +
      '--b\nContent-Type: text/html\n\n<p>Only <i>HTML</i></p>\n--b--\n' +
      '--m\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--m--\n',
  );
  assert.equal(preview(htmlOnly), 'Only HTML');
  // An empty text/plain alternative falls back to the HTML one.
  const emptyPlain = crlf(
    'Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/html\n\n<b>Rich</b>\n--b--\n',
  );
  assert.equal(preview(emptyPlain), 'Rich');
});

test('no text part, attachments and encrypted bodies give the empty string (RFC 8970 §3.2)', () => {
  const image = crlf('Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n');
  assert.equal(preview(image), '');
  const attached = crlf(
    'Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nattached\n--m--\n',
  );
  assert.equal(preview(attached), '');
  const pgp = crlf(
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=e\n\n' +
      '--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n--e--\n',
  );
  assert.equal(preview(pgp), '');
  const inner = crlf('Content-Type: message/rfc822\n\nSubject: inner\n\nInner text\n');
  assert.equal(preview(inner), '');
});

test(`long text is cut to ${PREVIEW_MAX_CHARS} characters (code points, never above 256)`, () => {
  const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  const p = preview(crlf(`\n${words}\n`));
  assert.ok(Array.from(p).length <= PREVIEW_MAX_CHARS);
  assert.ok(words.startsWith(p));
  assert.ok(PREVIEW_MAX_CHARS <= 256);
  // Astral characters count as one each and are never split.
  const emoji = '😀'.repeat(300);
  const e = finish(emoji);
  assert.equal(Array.from(e).length, PREVIEW_MAX_CHARS);
  assert.equal(e, '😀'.repeat(PREVIEW_MAX_CHARS));
  assert.equal(finish('a\u0000b\u0007c\r\nd\u00a0e\u200bf'), 'a b c d ef');
});

test('a body larger than the examined prefix still previews its start, UTF-8 intact', () => {
  const line = 'Ünïcödé text line with accents éèà\n';
  const body = line.repeat(Math.ceil((PREVIEW_SOURCE_BYTES * 1.5) / Buffer.byteLength(line)));
  const b64 = Buffer.from(body, 'utf8').toString('base64').replace(/(.{76})/g, '$1\r\n');
  const raw = Buffer.concat([crlf('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n'), Buffer.from(b64)]);
  const p = preview(raw);
  assert.ok(p.startsWith('Ünïcödé text line with accents éèà Ünïcödé'), p);
  assert.equal(Array.from(p).length, PREVIEW_MAX_CHARS);
});
