import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse.js';
import { parseAddressList, MISSING_DOMAIN, MISSING_MAILBOX } from './address.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const a = (name: string | null, mailbox: string | null, host: string | null, adl: string | null = null) => ({ name, adl, mailbox, host });

test('envelope of a typical message, folded fields, Sender/Reply-To default to From', () => {
  const raw = crlf(`Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
From: Terry Gray <gray@cac.washington.edu>
Subject: IMAP4rev1 WG mtg summary
 and minutes
To: imap@cac.washington.edu
cc: minutes@CNRI.Reston.VA.US,
\tJohn Klensin <KLENSIN@MIT.EDU>
Message-Id: <B27397-0100000@cac.washington.edu>
In-Reply-To: <x@y>

body`);
  const env = parseMessage(raw).envelope!;
  assert.equal(env.date, 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)');
  assert.equal(env.subject, 'IMAP4rev1 WG mtg summary and minutes');
  assert.deepEqual(env.from, [a('Terry Gray', 'gray', 'cac.washington.edu')]);
  assert.deepEqual(env.sender, env.from);
  assert.deepEqual(env.replyTo, env.from);
  assert.deepEqual(env.to, [a(null, 'imap', 'cac.washington.edu')]);
  assert.deepEqual(env.cc, [a(null, 'minutes', 'CNRI.Reston.VA.US'), a('John Klensin', 'KLENSIN', 'MIT.EDU')]);
  assert.equal(env.bcc, null);
  assert.equal(env.inReplyTo, '<x@y>');
  assert.equal(env.messageId, '<B27397-0100000@cac.washington.edu>');
});

test('explicit Sender and Reply-To, missing fields are null', () => {
  const env = parseMessage(crlf('From: a@x\nSender: s@x\nReply-To: r@x\n\n')).envelope!;
  assert.deepEqual(env.sender, [a(null, 's', 'x')]);
  assert.deepEqual(env.replyTo, [a(null, 'r', 'x')]);
  assert.equal(env.subject, null);
  assert.equal(env.date, null);
  const none = parseMessage(crlf('Subject: s\n\n')).envelope!;
  assert.equal(none.from, null);
  assert.equal(none.sender, null);
});

test('group syntax (RFC 9051 §7.5.2 markers)', () => {
  assert.deepEqual(parseAddressList('undisclosed-recipients:;'), [a(null, 'undisclosed-recipients', null), a(null, null, null)]);
  assert.deepEqual(parseAddressList('A Group: Ed Jones <c@a.test>, joe@where.test; , John <jdoe@one.test>'), [
    a(null, 'A Group', null),
    a('Ed Jones', 'c', 'a.test'),
    a(null, 'joe', 'where.test'),
    a(null, null, null),
    a('John', 'jdoe', 'one.test'),
  ]);
  // an unterminated group is closed
  assert.deepEqual(parseAddressList('team: x@y'), [a(null, 'team', null), a(null, 'x', 'y'), a(null, null, null)]);
});

test('quoted display names with escapes, comments dropped, encoded words kept', () => {
  assert.deepEqual(parseAddressList('"Doe, John \\"JD\\"" <jd@example.com>'), [a('Doe, John "JD"', 'jd', 'example.com')]);
  assert.deepEqual(parseAddressList('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>'), [
    a('Pete', 'pete', 'silly.test'),
  ]);
  assert.deepEqual(parseAddressList('=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>'), [
    a('=?ISO-8859-1?Q?Andr=E9?= Pirard', 'PIRARD', 'vm1.ulg.ac.be'),
  ]);
  assert.deepEqual(parseAddressList('<@route1,@route2:user@host>'), [a(null, 'user', 'host', '@route1,@route2')]);
  assert.deepEqual(parseAddressList('"quoted local"@example.org'), [a(null, 'quoted local', 'example.org')]);
});

test('addresses without domain and junk (Dovecot placeholders)', () => {
  assert.deepEqual(parseAddressList('root'), [a(null, 'root', MISSING_DOMAIN)]);
  assert.deepEqual(parseAddressList('Root User <root>'), [a('Root User', 'root', MISSING_DOMAIN)]);
  assert.deepEqual(parseAddressList('@example.org'), [a(null, MISSING_MAILBOX, 'example.org')]);
  assert.deepEqual(parseAddressList('<>'), [a(null, MISSING_MAILBOX, MISSING_DOMAIN)]);
  assert.equal(parseAddressList(''), null);
  assert.equal(parseAddressList(' , ,'), null);
  assert.deepEqual(parseAddressList('a@b, , c@d'), [a(null, 'a', 'b'), a(null, 'c', 'd')]);
  for (const junk of ['<<<', '>>>@@', '"unterminated', '(comment', 'a:b:c;;;', ':;', '[1.2.3.4', 'x <y@z', ';']) {
    assert.doesNotThrow(() => parseAddressList(junk));
  }
  assert.deepEqual(parseAddressList('x <y@z'), [a('x', 'y', 'z')]);
  assert.deepEqual(parseAddressList('user@[192.0.2.1]'), [a(null, 'user', '[192.0.2.1]')]);
});

test('8-bit header bytes: UTF-8 when valid, else latin1', () => {
  const utf = parseMessage(crlf('From: Jörg <j@x.de>\nSubject: grüße\n\n')).envelope!;
  assert.deepEqual(utf.from, [a('Jörg', 'j', 'x.de')]);
  assert.equal(utf.subject, 'grüße');
  const latin = parseMessage(Buffer.from('From: J\xf6rg <j@x.de>\r\n\r\n', 'latin1')).envelope!;
  assert.deepEqual(latin.from, [a('J\xf6rg', 'j', 'x.de')]);
});
