import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SieveAction, SieveOutcome } from '../api.js';
import { errorsOf, message, run, summary } from '../test-support.js';
import { decodeEncodedWords } from '../../mime/index.js';

const MSG = message('Received: from a by b; Mon, 1 Jan 2024 10:00:00 +0000\nAuto-Submitted: auto-generated\nX-Hello: one\nSubject: Hi\nX-Hello: two\nX-Hello: three\nDelivered-To: bob@example.com', 'Body\r\n');
const IN = { message: MSG };
const R = 'require ["editheader", "fileinto", "variables"]; ';

const msgOf = (a: SieveAction | undefined): string => {
  if (a === undefined || !('message' in a) || a.message === undefined) return '<original>';
  return a.message.toString('utf8');
};
const last = (o: SieveOutcome): string => {
  const m = msgOf(o.actions[o.actions.length - 1]);
  return m === '<original>' ? MSG.toString('utf8') : m;
};
const head = (s: string): string => s.split('\r\n\r\n')[0]!;

test('editheader (RFC 5293 §4): addheader at the top, :last at the end; actions and implicit keep carry the edit', async () => {
  const o = await run(`${R}addheader "X-Sieve-Filtered" "<kim@job.example.com>"; addheader :last "X-End" "e"; fileinto "a";`, IN);
  assert.equal(o.error, null);
  assert.deepEqual(summary(o), ['fileinto a']);
  const m = msgOf(o.actions[0]);
  assert.ok(m.startsWith('X-Sieve-Filtered: <kim@job.example.com>\r\nReceived: from a'));
  assert.ok(m.endsWith('Delivered-To: bob@example.com\r\nX-End: e\r\n\r\nBody\r\n'));
  const k = await run(`${R}addheader :last "X-End" "e";`, IN);
  assert.deepEqual(summary(k), ['implicit-keep']);
  assert.ok(last(k).endsWith('X-End: e\r\n\r\nBody\r\n'));
  // Nothing edited: actions carry no message.
  assert.equal(msgOf((await run(`${R}fileinto "a";`, IN)).actions[0]), '<original>');
});

test('editheader §4 example: do not redirect twice', async () => {
  const src = `${R}if not header :contains "X-Sieve-Filtered" ["<kim@job.example.com>", "<kim@home.example.com>"] { addheader "X-Sieve-Filtered" "<kim@job.example.com>"; redirect "kim@home.example.com"; }`;
  const o = await run(src, IN);
  assert.deepEqual(summary(o), ['redirect kim@home.example.com']);
  assert.match(msgOf(o.actions[0]), /^X-Sieve-Filtered: <kim@job\.example\.com>\r\n/);
  const again = await run(src, { message: o.actions[0]!.type === 'redirect' ? o.actions[0]!.message! : MSG });
  assert.deepEqual(summary(again), ['implicit-keep']);
});

test('editheader §5/§7: deleteheader by index, :last, patterns; counting sees earlier edits', async () => {
  const names = (o: SieveOutcome) => head(last(o)).split('\r\n').filter((l) => l.startsWith('X-Hello')).join('|');
  assert.equal(names(await run(`${R}deleteheader "x-hello";`, IN)), '');
  assert.equal(names(await run(`${R}deleteheader :index 1 "X-Hello"; deleteheader :index 2 "X-Hello";`, IN)), 'X-Hello: two');
  assert.equal(names(await run(`${R}deleteheader :index 1 :last "X-Hello";`, IN)), 'X-Hello: one|X-Hello: two');
  assert.equal(names(await run(`${R}deleteheader :matches "X-Hello" "t*";`, IN)), 'X-Hello: one');
  // :index counts before matching: the first field does not contain "two", so nothing goes.
  assert.equal(names(await run(`${R}deleteheader :index 1 :contains "X-Hello" "two";`, IN)), 'X-Hello: one|X-Hello: two|X-Hello: three');
  assert.equal(names(await run(`${R}deleteheader :index 9 "X-Hello";`, IN)), 'X-Hello: one|X-Hello: two|X-Hello: three');
  assert.equal(names(await run(`${R}deleteheader :comparator "i;octet" "X-Hello" "ONE";`, IN)), 'X-Hello: one|X-Hello: two|X-Hello: three');
  // §7: adding then deleting the first X-Hello leaves the message as it was.
  const same = await run(`${R}addheader "X-Hello" "World"; deleteheader :index 1 "X-Hello"; keep;`, IN);
  assert.equal(msgOf(same.actions[0]), MSG.toString('utf8'));
});

test('editheader §7: later tests see the edited header; deleteheader sets no match variables', async () => {
  const o = await run(`${R}addheader "X-Hello" "World"; if header :contains "X-Hello" "World" { fileinto "international"; }`, { message: message('Subject: x') });
  assert.deepEqual(summary(o), ['fileinto international']);
  const d = await run(`${R}deleteheader "Subject"; if not exists "Subject" { fileinto "gone"; }`, IN);
  assert.deepEqual(summary(d), ['fileinto gone']);
  const v = await run(`${R}if header :matches "Subject" "*" { deleteheader :matches "X-Hello" "*"; fileinto "\${1}"; }`, IN);
  assert.deepEqual(summary(v), ['fileinto Hi']);
});

test('editheader §6: Received, Auto-Submitted, Delivered-To, Return-Path are protected, silently', async () => {
  const o = await run(`${R}deleteheader "Received"; deleteheader "auto-submitted"; deleteheader "Delivered-To"; addheader "Return-Path" "<x@y>"; keep;`, IN);
  assert.equal(o.error, null);
  assert.equal(msgOf(o.actions[0]), '<original>');
});

test('editheader: runtime error keeps the original message; encodings, folding, invalid input', async () => {
  const e = await run(`require ["editheader", "ihave"]; addheader "X-A" "1"; keep; error "stop";`, IN);
  assert.deepEqual(e.actions, [{ type: 'keep', implicit: true, flags: [] }]);
  const u = await run(`${R}addheader "X-Note" "Grüße aus Köln"; keep;`, IN);
  const line = head(msgOf(u.actions[0])).split('\r\n')[0]!;
  assert.match(line, /^X-Note: =\?UTF-8\?B\?/);
  assert.equal(decodeEncodedWords(line.slice('X-Note: '.length)), 'Grüße aus Köln');
  const long = await run(`${R}set "w" "word "; set "v" "\${w}\${w}\${w}\${w}\${w}"; set "v" "\${v}\${v}\${v}\${v}\${v}\${v}\${v}\${v}\${v}\${v}"; set "v" "\${v}\${v}\${v}\${v}\${v}"; addheader "X-Long" "\${v}"; keep;`, IN);
  assert.equal(long.error, null);
  assert.ok(head(msgOf(long.actions[0])).split('\r\n').every((l) => Buffer.byteLength(l) <= 998));
  assert.equal(errorsOf('require "editheader"; addheader "Bad Name" "x";').length, 1);
  assert.equal(errorsOf('require "editheader"; addheader "X-A" "a\r\nBcc: evil@example.com";').length, 1);
  assert.equal(errorsOf('require "editheader"; deleteheader :last "X-A";').length, 1);
  assert.equal(errorsOf('addheader "X-A" "x";').length, 1);
  // A line break that arrives through a variable is a runtime error, not a new field.
  const inj = await run('require ["editheader", "variables", "encoded-character"]; set "v" "a${hex:0d 0a}Bcc: evil@example.com"; addheader "X-A" "${v}";', IN);
  assert.match(inj.error?.message ?? '', /control characters/);
  assert.deepEqual(inj.actions, [{ type: 'keep', implicit: true, flags: [] }]);
  const bad = await run(`${R}set "n" "X A"; deleteheader "\${n}";`, IN);
  assert.match(bad.error?.message ?? '', /invalid header field name/);
});

test('editheader: the number of edits is bounded', async () => {
  const o = await run(`${R}addheader "X-1" "a"; addheader "X-2" "b"; addheader "X-3" "c";`, IN, { execute: { limits: { maxHeaderEdits: 2 } } });
  assert.match(o.error?.message ?? '', /too many header edits/);
});
