import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthorizedUrl, parseImapMessageUrl } from './imap-url.js';

test('RFC 4469 §3 example URLs (relative, absolute path)', () => {
  assert.deepEqual(parseImapMessageUrl('/Drafts;UIDVALIDITY=385759045/;UID=20/;SECTION=HEADER'), {
    server: null,
    mailbox: 'Drafts',
    uidValidity: 385759045,
    uid: 20,
    section: { part: [], text: 'HEADER' },
    partial: null,
  });
  assert.deepEqual(parseImapMessageUrl('/Drafts;UIDVALIDITY=385759045/;UID=30')?.uid, 30);
  assert.deepEqual(parseImapMessageUrl('/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2')?.section, { part: [1, 2] });
  assert.deepEqual(parseImapMessageUrl('/INBOX/;UID=20/;SECTION=1.2.MIME')?.section, { part: [1, 2], text: 'MIME' });
});

test('keys are case-insensitive, inbox is normalised (RFC 5092 §11)', () => {
  const u = parseImapMessageUrl('/inbox;uidvalidity=7/;uid=3/;section=text/;partial=10.20');
  assert.deepEqual(u, { server: null, mailbox: 'INBOX', uidValidity: 7, uid: 3, section: { part: [], text: 'TEXT' }, partial: { offset: 10, length: 20 } });
});

test(';PARTIAL= offset with and without length (RFC 5092 partial-range, URL-PARTIAL)', () => {
  assert.deepEqual(parseImapMessageUrl('/a/;UID=1/;PARTIAL=0')?.partial, { offset: 0, length: null });
  assert.deepEqual(parseImapMessageUrl('/a/;UID=1/;PARTIAL=100000.1')?.partial, { offset: 100000, length: 1 });
  assert.equal(parseImapMessageUrl('/a/;UID=1/;PARTIAL=1.0'), null); // length is nz-number
  assert.equal(parseImapMessageUrl('/a/;UID=1/;PARTIAL=x'), null);
  assert.equal(parseImapMessageUrl('/a/;UID=1/;PARTIAL=1/;SECTION=1'), null); // out of order
});

test('HEADER.FIELDS with percent-encoded list', () => {
  assert.deepEqual(parseImapMessageUrl('/a/;UID=1/;SECTION=1.HEADER.FIELDS%20(FROM%20TO)')?.section, {
    part: [1],
    text: 'HEADER.FIELDS',
    fields: ['FROM', 'TO'],
  });
  assert.equal(parseImapMessageUrl('/a/;UID=1/;SECTION=HEADER.FIELDS'), null);
  assert.equal(parseImapMessageUrl('/a/;UID=1/;SECTION=BOGUS'), null);
  assert.equal(parseImapMessageUrl('/a/;UID=1/;SECTION=0'), null);
  assert.equal(parseImapMessageUrl('/a/;UID=1/;SECTION=MIME'), null); // MIME needs a part
});

test('mailbox names are percent-encoded UTF-8, with hierarchy, never mUTF-7 (RFC 5092 §3)', () => {
  assert.equal(parseImapMessageUrl('/Entw%C3%BCrfe/;UID=1')?.mailbox, 'Entwürfe');
  assert.equal(parseImapMessageUrl('/a/b%20c/d/;UID=1')?.mailbox, 'a/b c/d');
  assert.equal(parseImapMessageUrl('/Tom%20&%20Jerry/;UID=1')?.mailbox, 'Tom & Jerry');
  assert.equal(parseImapMessageUrl('/Entw&APw-rfe/;UID=1')?.mailbox, 'Entw&APw-rfe');
  assert.equal(parseImapMessageUrl('/%FF/;UID=1'), null); // not UTF-8
  assert.equal(parseImapMessageUrl('/a%2/;UID=1'), null); // bad escape
  assert.equal(parseImapMessageUrl('/a b/;UID=1'), null); // space must be encoded
});

test('absolute and network-path URLs carry the server', () => {
  assert.deepEqual(parseImapMessageUrl('imap://alice@example.com/INBOX/;UID=5')?.server, { user: 'alice', host: 'example.com', port: null });
  assert.deepEqual(parseImapMessageUrl('IMAP://a%40b;AUTH=*@Host:143/x/;UID=5')?.server, { user: 'a@b', host: 'host', port: 143 });
  assert.deepEqual(parseImapMessageUrl('//bob@[::1]/x/;UID=5')?.server, { user: 'bob', host: '[::1]', port: null });
  assert.deepEqual(parseImapMessageUrl('imap://host/x/;UID=5')?.server, { user: null, host: 'host', port: null });
  assert.equal(parseImapMessageUrl('imap://alice@host'), null);
  assert.equal(parseImapMessageUrl('imap://alice@host/'), null);
  assert.equal(parseImapMessageUrl('imap://alice@host/;UID=5'), null);
});

test('relative forms without a mailbox (base = selected mailbox, RFC 4469 §3)', () => {
  assert.deepEqual(parseImapMessageUrl(';UID=9/;SECTION=2'), { server: null, mailbox: null, uidValidity: null, uid: 9, section: { part: [2] }, partial: null });
  assert.deepEqual(parseImapMessageUrl('Sent/;UID=9')?.mailbox, 'Sent');
  assert.deepEqual(parseImapMessageUrl(';SECTION=1')?.uid, null);
});

test('everything that does not name one message is rejected', () => {
  for (const bad of [
    '',
    '/',
    '//x',
    '/INBOX',
    '/INBOX;UIDVALIDITY=5',
    '/INBOX?SUBJECT%20x',
    '/INBOX/;UID=0',
    '/INBOX/;UID=x',
    '/INBOX/;UID=99999999999',
    '/INBOX;UIDVALIDITY=0/;UID=1',
    '/INBOX/;UID=1;URLAUTH=anonymous',
    '/INBOX/;UID=1/;URLAUTH=anonymous:internal:0123',
    '/INBOX/;UID=1/;EXPIRE=2000-01-01T00:00:00Z',
    '/INBOX/;UID=1/;UID=2',
    'http://example.com/INBOX/;UID=1',
    '/INBOX/;UID=1#frag',
  ]) {
    assert.equal(parseImapMessageUrl(bad), null, bad);
  }
});

test('URLAUTH URLs (RFC 4467 §9): rump, access, mechanism, token, EXPIRE', () => {
  const full = 'imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038';
  const a = parseAuthorizedUrl(full);
  assert.ok(a);
  assert.equal(a.rump, 'imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred');
  assert.deepEqual(a.access, { kind: 'submit', user: 'fred' });
  assert.equal(a.mechanism, 'INTERNAL');
  assert.equal(a.token, '91354a473744909de610943775f92038');
  assert.equal(a.url.server.user, 'joe');
  assert.equal(a.url.mailbox, 'INBOX');
  assert.equal(a.url.uid, 20);
  assert.deepEqual(a.url.section, { part: [1, 2] });
  assert.equal(a.expire, null);
  // The rump form (GENURLAUTH's argument) and the imaptest form without "/" before ;URLAUTH.
  const rump = parseAuthorizedUrl('imap://joe@example.com/INBOX/;UID=20;URLAUTH=user+j%40x');
  assert.deepEqual([rump?.mechanism, rump?.token, rump?.access], [null, null, { kind: 'user', user: 'j@x' }]);
  const exp = parseAuthorizedUrl('imap://joe@h/a/;UID=1;EXPIRE=2030-02-03T04:05:06.5+01:00;URLAUTH=anonymous');
  assert.equal(exp?.expire, Date.UTC(2030, 1, 3, 3, 5, 6, 500));
  assert.equal(exp?.rump, 'imap://joe@h/a/;UID=1;EXPIRE=2030-02-03T04:05:06.5+01:00;URLAUTH=anonymous');
  for (const bad of [
    'imap://h/a/;UID=1;URLAUTH=anonymous', // no owner (RFC 4467 §7 a776)
    'imap://joe@h/a/;UID=1/;SECTION=1.2', // no URLAUTH
    'imap://joe@h/a;URLAUTH=anonymous', // a whole mailbox
    'imap://joe@h/a/;UID=1;URLAUTH=everyone',
    'imap://joe@h/a/;UID=1;URLAUTH=user+',
    'imap://joe@h/a/;UID=1;URLAUTH=anonymous:internal:1234', // token shorter than 128 bits
    'imap://joe@h/a/;UID=1;URLAUTH=anonymous:internal:' + 'g'.repeat(32),
    'imap://joe@h/a/;UID=1;URLAUTH=anonymous:in_ternal:' + '0'.repeat(32),
    'imap://joe@h/a/;UID=1;EXPIRE=2030-13-01T00:00:00Z;URLAUTH=anonymous',
    'imap://joe@h/a/;UID=1;EXPIRE=2030-01-01;URLAUTH=anonymous',
    '/a/;UID=1;URLAUTH=anonymous', // authimapurl is absolute
    '//joe@h/a/;UID=1;URLAUTH=anonymous',
  ]) {
    assert.equal(parseAuthorizedUrl(bad), null, bad);
  }
});
