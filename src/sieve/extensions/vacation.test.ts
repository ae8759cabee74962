import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SieveAction, SieveOutcome } from '../api.js';
import { errorsOf, message, run, summary } from '../test-support.js';
import { encodeWords, quotedPrintable } from './vacation.js';
import { formatStd11 } from './date.js';
import { decodeEncodedWords } from '../../mime/index.js';

type Vacation = Extract<SieveAction, { type: 'vacation' }>;
const vac = (o: SieveOutcome): Vacation | undefined => o.actions.find((a): a is Vacation => a.type === 'vacation');
const text = (v: Vacation | undefined): string => v?.response.toString('utf8') ?? '';
const headerOf = (v: Vacation | undefined, name: string): string | undefined =>
  new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'mi').exec(text(v).split('\r\n\r\n')[0]!)?.[1];

const MSG = message('From: Coyote <coyote@desert.example.org>\nTo: roadrunner@acme.example.com\nSubject: Cyrus bug\nMessage-ID: <m1@desert.example.org>\nReferences: <r0@x.example>');
const IN = { message: MSG, envelope: { from: 'coyote@desert.example.org', to: 'roadrunner@acme.example.com' }, userAddresses: ['roadrunner@acme.example.com'] };

test('vacation (RFC 5230 §4, §5): composes the full reply to the envelope sender; keep stays', async () => {
  const o = await run('require "vacation"; vacation "I\'m out -- send mail to cyrus-bugs";', IN);
  assert.deepEqual(summary(o), ['vacation coyote@desert.example.org', 'implicit-keep']);
  const v = vac(o)!;
  assert.equal(v.periodSeconds, 7 * 86400);
  assert.match(v.trackingKey, /^vacation:[0-9a-f]{64}$/);
  assert.equal(headerOf(v, 'To'), '<coyote@desert.example.org>');
  assert.equal(headerOf(v, 'From'), '<roadrunner@acme.example.com>');
  assert.equal(headerOf(v, 'Subject'), 'Auto: Cyrus bug');
  assert.equal(headerOf(v, 'In-Reply-To'), '<m1@desert.example.org>');
  assert.equal(headerOf(v, 'References'), '<r0@x.example>\r\n <m1@desert.example.org>');
  assert.equal(headerOf(v, 'Auto-Submitted'), 'auto-replied');
  assert.equal(headerOf(v, 'Date'), 'Mon, 01 Jan 2024 12:00:00 +0000');
  assert.match(headerOf(v, 'Message-ID') ?? '', /^<vacation\.[0-9a-f]{24}@acme\.example\.com>$/);
  assert.equal(headerOf(v, 'Content-Type'), 'text/plain; charset=utf-8');
  assert.ok(text(v).endsWith("\r\n\r\nI'm out -- send mail to cyrus-bugs\r\n"));
});

test('vacation §4.2: different reasons track separately; :handle joins them; variables do not split', async () => {
  const key = async (src: string, subject = 'Cyrus bug') =>
    vac(await run(src, { ...IN, message: message(`To: roadrunner@acme.example.com\nSubject: ${subject}`) }))!.trackingKey;
  const a = await key('require "vacation"; vacation "I\'m out -- send mail to cyrus-bugs";');
  const b = await key('require "vacation"; vacation "I\'m out -- call me";');
  assert.notEqual(a, b);
  assert.equal(await key('require "vacation"; vacation :handle "ran-away" "one";'), await key('require "vacation"; vacation :handle "ran-away" "two";'));
  const v = 'require ["vacation", "variables"]; if header :matches "subject" "*" { vacation :subject "Automatic response to: ${1}" "away"; }';
  assert.equal(await key(v, 'lunch?'), await key(v, 'dinner?'));
  // The same string in different parameters gives different keys (§4.2 IMPLEMENTATION NOTE).
  assert.notEqual(await key('require "vacation"; vacation :subject "x" "";'), await key('require "vacation"; vacation :from "x@y.example" "";'));
});

test('vacation §4.1 / RFC 6131: :days and :seconds are clamped to the host bounds', async () => {
  const period = async (src: string, limits = {}) => vac(await run(src, IN, { execute: { limits } }))!.periodSeconds;
  assert.equal(await period('require "vacation"; vacation :days 23 "x";'), 23 * 86400);
  assert.equal(await period('require "vacation"; vacation :days 0 "x";'), 86400);
  assert.equal(await period('require "vacation"; vacation :days 1000 "x";'), 90 * 86400);
  assert.equal(await period('require "vacation-seconds"; vacation :handle "auto-resp" :seconds 0 "x";'), 0);
  assert.equal(await period('require "vacation-seconds"; vacation :seconds 1800 "x";'), 1800);
  assert.equal(await period('require "vacation-seconds"; vacation :seconds 10 "x";', { vacationMinSeconds: 60 }), 60);
  assert.equal(await period('require "vacation-seconds"; vacation :seconds 2147483647 "x";', { vacationMaxSeconds: 86400 }), 86400);
  assert.equal(await period('require "vacation"; vacation "x";', { vacationDefaultSeconds: 3600 }), 3600);
  assert.equal(errorsOf('require "vacation-seconds"; vacation :days 1 :seconds 2 "x";').length, 1);
  assert.equal(errorsOf('require "vacation"; vacation :seconds 2 "x";').length, 1);
});

test('vacation §4.5: only when one of the user\'s addresses is a recipient (userAddresses, envelope, :addresses)', async () => {
  const msg = message('To: list@lists.example\nCc: Someone <tjs@example.edu>\nSubject: hi');
  const base = { ...IN, message: msg };
  assert.equal(vac(await run('require "vacation"; vacation "x";', base)), undefined);
  const o = await run('require "vacation"; vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"] "I\'m away until October 19.";', base);
  assert.equal(headerOf(vac(o), 'From'), '<tjs@example.edu>');
  const r = await run('require "vacation"; vacation "x";', { ...base, message: message('Resent-Bcc: ROADRUNNER@acme.example.com\nTo: x@y.example') });
  assert.ok(vac(r) !== undefined);
});

test('vacation §4.6: no reply to lists, bulk, auto-submitted, automata, the user or <>', async () => {
  const src = 'require "vacation"; vacation "x";';
  for (const extra of ['List-Id: <l.example>', 'List-Unsubscribe: <mailto:u@x>', 'Precedence: bulk', 'Precedence: Junk', 'Auto-Submitted: auto-generated']) {
    const o = await run(src, { ...IN, message: message(`To: roadrunner@acme.example.com\n${extra}\nSubject: s`) });
    assert.equal(vac(o), undefined, extra);
    assert.deepEqual(summary(o), ['implicit-keep']);
  }
  assert.ok(vac(await run(src, { ...IN, message: message('To: roadrunner@acme.example.com\nAuto-Submitted: no\nSubject: s') })) !== undefined);
  for (const from of ['', 'MAILER-DAEMON@x.example', 'owner-list@x.example', 'list-request@x.example', 'majordomo@x.example', 'roadrunner@acme.example.com']) {
    assert.equal(vac(await run(src, { ...IN, envelope: { from, to: IN.envelope.to } })), undefined, from);
  }
});

test('vacation §4.7: twice is a runtime error; reject conflicts; keep/fileinto/discard do not', async () => {
  const twice = await run('require "vacation"; vacation "a"; vacation "b";', IN);
  assert.match(twice.error?.message ?? '', /only be executed once/);
  assert.deepEqual(summary(twice), ['implicit-keep']);
  const rej = await run('require ["vacation", "reject"]; vacation "a"; reject "no";', IN);
  assert.ok(rej.error !== null);
  // Also when the vacation itself would not reply (here: a list message).
  const quiet = { ...IN, message: message('To: roadrunner@acme.example.com\nList-Id: <l.example>') };
  assert.match((await run('require ["vacation", "reject"]; vacation "a"; reject "no";', quiet)).error?.message ?? '', /reject cannot be combined with vacation/);
  assert.match((await run('require ["vacation", "ereject"]; ereject "no"; vacation "a";', quiet)).error?.message ?? '', /vacation cannot be combined with reject/);
  const ok = await run('require ["vacation", "fileinto"]; vacation "a"; fileinto "x"; discard;', IN);
  assert.equal(ok.error, null);
  assert.deepEqual(summary(ok), ['vacation coyote@desert.example.org', 'fileinto x', 'discard']);
});

test('vacation §4.3/§5.3: :subject and :from, non-ASCII encoded; no Subject gives a fixed one', async () => {
  const o = await run('require "vacation"; vacation :subject "Abwesend – zurück am Montag" :from "Jürgen Müller <roadrunner@acme.example.com>" "Ich bin weg. Grüße";', IN);
  const v = vac(o);
  const subj = headerOf(v, 'Subject')!;
  assert.match(subj, /^=\?UTF-8\?B\?/);
  assert.equal(decodeEncodedWords(subj.replace(/\r\n /g, ' ')), 'Abwesend – zurück am Montag');
  assert.equal(decodeEncodedWords(headerOf(v, 'From')!), 'Jürgen Müller <roadrunner@acme.example.com>');
  assert.equal(headerOf(v, 'Content-Transfer-Encoding'), 'quoted-printable');
  assert.ok(text(v).endsWith('\r\n\r\nIch bin weg. Gr=C3=BC=C3=9Fe\r\n'));
  assert.ok(/^[\x00-\x7f]*$/.test(text(v)), 'the reply is 7-bit');
  const none = await run('require "vacation"; vacation "x";', { ...IN, message: message('To: roadrunner@acme.example.com') });
  assert.equal(headerOf(vac(none), 'Subject'), 'Automated reply');
  assert.equal(headerOf(vac(none), 'In-Reply-To'), undefined);
  // A subject with line breaks cannot inject header fields.
  const inj = await run('require "vacation"; vacation :subject "a\r\nBcc: evil@x.example" "x";', IN);
  assert.equal(headerOf(vac(inj), 'Bcc'), undefined);
});

test('vacation :from is checked at compile time, and at run time when built from variables', async () => {
  assert.equal(errorsOf('require "vacation"; vacation :from "not an address" "x";').length, 1);
  const o = await run('require ["vacation", "variables"]; set "f" "nobody"; vacation :from "${f}" "x";', IN);
  assert.match(o.error?.message ?? '', /invalid :from/);
});

test('vacation §4.4 :mime: the reason is a MIME entity; 8bit or non-Content header material is refused', async () => {
  const src = `require "vacation";
vacation :mime text:
Content-Type: multipart/alternative; boundary=foo

--foo

I'm at the beach relaxing.  Mmmm, surf...

--foo
Content-Type: text/html; charset=us-ascii

<HTML><BODY><P>I'm at the beach relaxing.</BODY></HTML>

--foo--
.
;`;
  const v = vac(await run(src, IN));
  assert.equal(headerOf(v, 'Content-Type'), 'multipart/alternative; boundary=foo');
  assert.equal(headerOf(v, 'MIME-Version'), '1.0');
  assert.match(text(v), /\r\n\r\n--foo\r\n\r\nI'm at the beach/);
  assert.equal(errorsOf('require "vacation"; vacation :mime "Content-Type: text/plain; name=\\"é\\"\r\n\r\nx";').length, 1);
  assert.equal(errorsOf('require "vacation"; vacation :mime "Subject: x\r\n\r\nbody";').length, 1);
});

test('vacation helpers: encoded words stay short; quoted-printable soft breaks; dates with offsets', () => {
  const long = 'ü'.repeat(100);
  const enc = encodeWords(long);
  assert.ok(enc.split('\r\n ').every((w) => w.length <= 75));
  assert.equal(decodeEncodedWords(enc.replace(/\r\n /g, ' ')), long);
  const qp = quotedPrintable('é'.repeat(40) + ' ');
  assert.ok(qp.split('\r\n').every((l) => l.length <= 76));
  assert.ok(qp.endsWith('=20'));
  assert.equal(formatStd11(Date.parse('2024-01-01T00:30:00Z'), -90), 'Sun, 31 Dec 2023 23:00:00 -0130');
});

test('vacation-seconds implies vacation, also through ihave (RFC 6131 §2, RFC 5463)', async () => {
  assert.deepEqual(errorsOf('require "vacation-seconds"; vacation :seconds 60 "x";'), []);
  const o = await run('require "ihave"; if ihave "vacation-seconds" { vacation :seconds 60 "x"; }', IN);
  assert.equal(o.error, null);
  assert.equal(vac(o)?.periodSeconds, 60);
});
