import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './mutf7.js';

test('RFC 3501 §5.1.3 examples', () => {
  assert.equal(decodeModifiedUtf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
  assert.equal(encodeModifiedUtf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  assert.equal(encodeModifiedUtf7('&'), '&-');
  assert.equal(decodeModifiedUtf7('Tom &- Jerry'), 'Tom & Jerry');
  assert.equal(encodeModifiedUtf7('Entwürfe'), 'Entw&APw-rfe');
  assert.equal(encodeModifiedUtf7('😀'), '&2D3eAA-');
  assert.equal(decodeModifiedUtf7('&2D3eAA-'), '😀');
  assert.equal(decodeModifiedUtf7(''), '');
});

test('non-canonical and malformed forms are rejected', () => {
  for (const bad of [
    '&Jjo', // unterminated
    '&', // lone shift
    '&AGE-', // encoded printable ASCII "a"
    '&U,BTFw-&ZeVnLIqe-', // two adjacent shifts
    '&U,BTF2-', // non-zero padding bits
    '&U,BTFw8-', // extra base64 character
    '&2D0-', // lone high surrogate
    '&3gA-', // lone low surrogate
    '&U/BTFw-', // "/" is not modified base64
    'a\u00e9b', // 8-bit
    'a\tb', // control
  ]) {
    assert.equal(decodeModifiedUtf7(bad), null, bad);
  }
});

test('round trip', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      assert.equal(decodeModifiedUtf7(encodeModifiedUtf7(s)), s);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (s) => {
      const decoded = decodeModifiedUtf7(s);
      if (decoded !== null) assert.equal(encodeModifiedUtf7(decoded), s);
    }),
  );
});
