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
  assert.deepEqual(errorsOf('require "body"; if body :content "te xt" "x" {}'), ['1:34 invalid content type "te xt"']);
  assert.deepEqual(errorsOf('if body "x" {}'), ['1:4 test \'body\' requires the "body" extension (missing require)']);
});
