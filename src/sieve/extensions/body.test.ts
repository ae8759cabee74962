import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, message, run, summary } from '../test-support.js';

const MULTI = message(
  'From: a@b.c\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"',
  [
    'preamble',
    '--BB',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=C3=A9 au lait',
    '--BB',
    'Content-Type: text/html',
    '',
    '<b>bold</b> move',
    '--BB',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    'c2VjcmV0IGJ5dGVz',
    '--BB--',
    '',
  ].join('\r\n'),
);

test('body (RFC 5173): :text, :content and :raw transforms', async () => {
  const yes = async (t: string): Promise<boolean> => summary(await run(`require "body"; if ${t} { discard; }`, { message: MULTI }))[0] === 'discard';
  assert.equal(await yes('body :contains "café"'), true, ':text decodes quoted-printable and the charset');
  assert.equal(await yes('body :text :contains "<b>bold"'), true);
  assert.equal(await yes('body :text :contains "secret"'), false, ':text excludes non-text parts');
  assert.equal(await yes('body :content "application" :contains "secret bytes"'), true);
  assert.equal(await yes('body :content "text/html" :contains "café"'), false);
  assert.equal(await yes('body :content "text/html" :matches "*bold*"'), true);
  assert.equal(await yes('body :content "" :contains "secret"'), true);
  assert.equal(await yes('body :raw :contains "c2VjcmV0IGJ5dGVz"'), true);
  assert.equal(await yes('body :raw :contains "secret"'), false);
  assert.equal(await yes('body :raw :contains "Caf=C3=A9"'), true);
});

test('body: signature checks', () => {
  assert.deepEqual(errorsOf('require "body"; if body :raw :text "x" {}'), ["1:30 tag ':text' conflicts with ':raw' (only one body-transform)"]);
  assert.deepEqual(errorsOf('if body "x" {}'), ['1:4 test \'body\' requires the "body" extension (missing require)']);
});

const RFC_EXAMPLE = message(
  'From: Whomever\nTo: Someone\nDate: Whenever\nSubject: whatever\nContent-Type: multipart/mixed; boundary=outer',
  [
    'This is a multi-part message in MIME format.',
    '',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    'This is a nested multi-part message in MIME format.',
    '',
    '--inner',
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    'Hello',
    '',
    '--inner',
    'Content-Type: text/html; charset="us-ascii"',
    '',
    '<html><body>Hello</body></html>',
    '',
    '--inner--',
    '',
    'This is the end of the inner MIME multipart.',
    '',
    '--outer',
    'Content-Type: message/rfc822',
    '',
    'From: Someone Else',
    'Subject: hello request',
    '',
    'Please say Hello',
    '',
    '--outer--',
    '',
    'This is the end of the outer MIME multipart.',
    '',
  ].join('\r\n'),
);

test('body :content on the RFC 5173 §5.2 example', async () => {
  const yes = async (t: string): Promise<boolean> =>
    summary(await run(`require "body"; if ${t} { discard; }`, { message: RFC_EXAMPLE }))[0] === 'discard';
  assert.equal(await yes('body :content "multipart" :contains "MIME"'), true);
  assert.equal(await yes('body :content "multipart" :contains "end of the inner"'), true, 'epilogue of the inner part');
  assert.equal(await yes('body :content "multipart" :contains "end of the outer"'), true, 'epilogue of the outer part');
  assert.equal(await yes('body :content "multipart" :contains "Hello"'), false, 'nested parts are not part of a multipart');
  assert.equal(await yes('body :content "multipart" :contains "Content-Type"'), false);
  assert.equal(await yes('body :content "text/plain" :matches "Hello*"'), true);
  assert.equal(await yes('body :content "text/html" :contains "<body>Hello"'), true);
  assert.equal(await yes('body :content "message/rfc822" :contains "hello request"'), true);
  assert.equal(await yes('body :content "message/rfc822" :contains "Please say"'), false, 'only the nested header');
  assert.equal(await yes('body :content "text" :contains "Please say"'), true, 'descends into the nested message');
  assert.equal(await yes('body :content ["/plain", "text/", "text/plain/x"] :contains "Hello"'), false, 'malformed types match nothing');
});
