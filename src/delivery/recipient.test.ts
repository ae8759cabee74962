import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecipient } from './recipient.js';
import { dotStuff } from './smtp-client.js';
import { headerFields, mustNotAutoReply, toCrlf } from './message.js';

test('parseRecipient: subaddress (RFC 5233) and domain handling', () => {
  const strip = { domain: 'strip' as const, delimiters: '+' };
  assert.deepEqual(parseRecipient('alice+lists+x@Example.COM', strip), {
    address: 'alice+lists+x@Example.COM',
    account: 'alice',
    user: 'alice',
    detail: 'lists+x',
    domain: 'example.com',
  });
  assert.equal(parseRecipient('alice@example.com', strip)?.detail, null);
  assert.equal(parseRecipient('alice+@example.com', strip)?.detail, '');
  assert.equal(parseRecipient('bob', strip)?.account, 'bob');
  assert.equal(parseRecipient('bob+x@example.com', { domain: 'keep', delimiters: '+' })?.account, 'bob@example.com');
  assert.equal(parseRecipient('bob-x@example.com', { domain: 'strip', delimiters: '+-' })?.account, 'bob');
  assert.equal(parseRecipient('bob+x@example.com', { domain: 'strip', delimiters: '' })?.account, 'bob+x');
  assert.equal(parseRecipient('"b o"@example.com', strip)?.account, 'b o');
  assert.equal(parseRecipient('+x@example.com', strip), null);
  assert.equal(parseRecipient('a@', strip), null);
});

test('toCrlf and dotStuff (RFC 5321 §4.5.2)', () => {
  assert.equal(toCrlf(Buffer.from('a\nb\r\nc\rd')).toString(), 'a\r\nb\r\nc\r\nd');
  const same = Buffer.from('a\r\n');
  assert.equal(toCrlf(same), same);
  assert.equal(dotStuff(Buffer.from('.a\n..b\nc')).toString(), '..a\r\n...b\r\nc\r\n.\r\n');
  assert.equal(dotStuff(Buffer.from('x\r\n')).toString(), 'x\r\n.\r\n');
});

test('headerFields unfolds and stops at the body; mustNotAutoReply (RFC 3834 §2)', () => {
  const m = Buffer.from('Subject: a\r\n b\r\nX: 1\r\n\r\nSubject: body\r\n');
  assert.deepEqual(headerFields(m, 'subject'), ['a b']);
  assert.equal(mustNotAutoReply(Buffer.from('Subject: x\r\n\r\n'), 'bob@example.org'), false);
  assert.equal(mustNotAutoReply(Buffer.from('Subject: x\r\n\r\n'), ''), true);
  assert.equal(mustNotAutoReply(Buffer.from('Subject: x\r\n\r\n'), 'owner-list@example.org'), true);
  assert.equal(mustNotAutoReply(Buffer.from('Auto-Submitted: no\r\n\r\n'), 'bob@example.org'), false);
  assert.equal(mustNotAutoReply(Buffer.from('Auto-Submitted: auto-replied\r\n\r\n'), 'bob@example.org'), true);
  assert.equal(mustNotAutoReply(Buffer.from('Precedence: bulk\r\n\r\n'), 'bob@example.org'), true);
});
