import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSaslMechanism, decodeSaslBase64 } from './sasl.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

test('PLAIN with initial response (RFC 4616 §4 examples)', () => {
  const m = createSaslMechanism('plain')!;
  assert.deepEqual(m.step(b('\0tim\0tanstaaftanstaaf')), { type: 'done', user: 'tim', password: 'tanstaaftanstaaf' });
  assert.equal(m.step(b('x')).type, 'error');
  const same = createSaslMechanism('PLAIN')!;
  assert.deepEqual(same.step(b('Kurt\0Kurt\0xipj3plmq')), { type: 'done', user: 'Kurt', password: 'xipj3plmq' });
});

test('PLAIN without initial response sends an empty challenge first', () => {
  const m = createSaslMechanism('PLAIN')!;
  const c = m.step(null);
  assert.equal(c.type, 'challenge');
  assert.equal(c.type === 'challenge' && c.data.length, 0);
  assert.deepEqual(m.step(b('\0ö\0pw')), { type: 'done', user: 'ö', password: 'pw' });
});

test('PLAIN rejects malformed messages and proxy authorization', () => {
  for (const bad of ['tim', 'tim\0pw', '\0\0pw', '\0tim\0', '\0a\0b\0c', 'Ursel\0Kurt\0xipj3plmq']) {
    assert.equal(createSaslMechanism('PLAIN')!.step(b(bad)).type, 'error', JSON.stringify(bad));
  }
  assert.equal(createSaslMechanism('PLAIN')!.step(Buffer.from([0, 0xff, 0, 0x61])).type, 'error');
});

test('LOGIN prompts for user name then password', () => {
  const m = createSaslMechanism('LOGIN')!;
  const c1 = m.step(null);
  assert.deepEqual(c1, { type: 'challenge', data: b('Username:') });
  assert.deepEqual(m.step(b('alice')), { type: 'challenge', data: b('Password:') });
  assert.deepEqual(m.step(b('s3cret')), { type: 'done', user: 'alice', password: 's3cret' });
  assert.equal(m.step(b('more')).type, 'error');
  const ir = createSaslMechanism('login')!;
  assert.deepEqual(ir.step(b('bob')), { type: 'challenge', data: b('Password:') });
  assert.deepEqual(ir.step(b('')), { type: 'done', user: 'bob', password: '' });
  assert.equal(createSaslMechanism('LOGIN')!.step(b('a\0b')).type, 'error');
});

test('unknown mechanisms are null', () => {
  assert.equal(createSaslMechanism('CRAM-MD5'), null);
});

test('strict base64', () => {
  assert.deepEqual(decodeSaslBase64('AHRpbQB0YW5zdGFhZnRhbnN0YWFm'), b('\0tim\0tanstaaftanstaaf'));
  assert.deepEqual(decodeSaslBase64('='), Buffer.alloc(0));
  assert.deepEqual(decodeSaslBase64(''), Buffer.alloc(0));
  for (const bad of ['YWJj ', 'YW Jj', 'YWJ', 'YWJj=', 'YR==', '!!!!', 'YWJj\r\n', 'YQ']) {
    assert.equal(decodeSaslBase64(bad), null, JSON.stringify(bad));
  }
});
