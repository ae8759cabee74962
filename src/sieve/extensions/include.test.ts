import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SieveHost } from '../api.js';
import { errorsOf, host, message, run, summary } from '../test-support.js';

function scripts(personal: Record<string, string>, global: Record<string, string> = {}): SieveHost & { loads: string[] } {
  const h = host() as ReturnType<typeof host> & { loads: string[] };
  h.loads = [];
  h.loadScript = async (location, name) => {
    h.loads.push(`${location}:${name}`);
    return (location === 'personal' ? personal : global)[name] ?? null;
  };
  return h;
}

const RFC_SCRIPTS = {
  always_allow: 'if address :is "from" "boss@example.com" { keep; } elsif address :is "from" "ceo@example.com" { keep; }',
  spam_tests: 'require ["reject"]; if header :contains "Subject" "XXXX" { reject "Subject XXXX is unacceptable."; } elsif address :is "from" "money@example.com" { reject "Mail from this sender is unwelcome."; }',
  mailing_lists: 'require ["fileinto"]; if header :is "List-ID" "sieve.ietf.org" { fileinto "lists.sieve"; } elsif header :is "List-ID" "ietf-imapext.imc.org" { fileinto "lists.imapext"; }',
};
const GLOBAL_SPAM = 'require ["reject"]; if anyof (header :contains "Subject" "$$", header :contains "Subject" "Make money") { reject "No thank you."; }';
const DEFAULT = 'require ["include"]; include :personal "always_allow"; include :global "spam_tests"; include :personal "spam_tests"; include :personal "mailing_lists";';

test('include (RFC 6609 §3.2): the RFC example scripts, each with its own require', async () => {
  const h = scripts(RFC_SCRIPTS, { spam_tests: GLOBAL_SPAM });
  const list = await run(DEFAULT, { message: message('From: someone@example.org\nList-ID: sieve.ietf.org\nSubject: hi') }, { host: h });
  assert.deepEqual(summary(list), ['fileinto lists.sieve']);
  assert.deepEqual(h.loads, ['personal:always_allow', 'global:spam_tests', 'personal:spam_tests', 'personal:mailing_lists']);
  const spam = await run(DEFAULT, { message: message('From: x@example.org\nSubject: Make money fast') }, { host: scripts(RFC_SCRIPTS, { spam_tests: GLOBAL_SPAM }) });
  assert.deepEqual(summary(spam), ['reject No thank you.']);
  const boss = await run(DEFAULT, { message: message('From: boss@example.com\nSubject: hi') }, { host: scripts(RFC_SCRIPTS, { spam_tests: GLOBAL_SPAM }) });
  assert.deepEqual(summary(boss), ['keep']);
});

test('include §3.2: an included script needs its own require', async () => {
  const o = await run('require ["include", "fileinto"]; include "x";', {}, { host: scripts({ x: 'fileinto "a";' }) });
  assert.match(o.error?.message ?? '', /included personal script "x" is invalid: .*requires the "fileinto" extension/);
  assert.equal(o.error?.script, 'personal:x');
  assert.deepEqual(summary(o), ['implicit-keep']);
});

test('include §3.4.1 example: global variables as a subroutine', async () => {
  const main = `require ["fileinto", "include", "variables", "relational"];
global "test";
global "test_mailbox";
set "test" "$$";
include "subject_tests";
set "test" "Make money";
include "subject_tests";
if string :count "eq" "\${test_mailbox}" "1" { fileinto "\${test_mailbox}"; stop; }`;
  const sub = 'require ["include", "variables"]; global ["test", "test_mailbox"]; if header :contains "Subject" "${test}" { set "test_mailbox" "spam-${test}"; }';
  const o = await run(main, { message: message('Subject: Make money now') }, { host: scripts({ subject_tests: sub }) });
  assert.deepEqual(summary(o), ['fileinto spam-Make money']);
  const none = await run(main, { message: message('Subject: hello') }, { host: scripts({ subject_tests: sub }) });
  assert.deepEqual(summary(none), ['implicit-keep']);
});

test('include §3.4: locals stay private; global namespace and global command are one variable', async () => {
  const main = 'require ["include", "variables", "fileinto"]; set "x" "main"; include "sub"; fileinto "${x}-${global.y}";';
  const sub = 'require ["include", "variables"]; set "x" "sub"; global "y"; set "y" "shared";';
  assert.deepEqual(summary(await run(main, {}, { host: scripts({ sub }) })), ['fileinto main-shared']);
  const v = await run(
    'require ["variables", "include", "vacation"]; global "i_am_on_vacation"; set "global.i_am_on_vacation" "1"; if string :is "${i_am_on_vacation}" "1" { vacation "It\'s true, I am on vacation."; }',
    { userAddresses: ['alice+lists@example.org'] },
  );
  assert.deepEqual(summary(v), ['vacation joe@example.com', 'implicit-keep']);
  // A non-global variable may share a global's name without interaction (§3.4).
  const sep = await run('require ["include", "variables", "fileinto"]; set "global.z" "g"; set "z" "l"; fileinto "${z}${global.z}";');
  assert.deepEqual(summary(sep), ['fileinto lg']);
});

test('include §3.3: return ends the included script only; stop ends all; return in main is stop', async () => {
  const h = () => scripts({ r: 'require ["include", "fileinto"]; fileinto "r1"; return; fileinto "r2";', s: 'require ["fileinto"]; fileinto "s1"; stop;' });
  assert.deepEqual(summary(await run('require ["include", "fileinto"]; include "r"; fileinto "after";', {}, { host: h() })), ['fileinto r1', 'fileinto after']);
  assert.deepEqual(summary(await run('require ["include", "fileinto"]; include "s"; fileinto "after";', {}, { host: h() })), ['fileinto s1']);
  assert.deepEqual(summary(await run('require ["include", "fileinto"]; return; fileinto "after";', {}, { host: h() })), ['implicit-keep']);
});

test('include §3.1/§3.2: missing scripts, :optional, recursion, :once', async () => {
  const missing = await run('require "include"; include "nope";', {}, { host: scripts({}) });
  assert.match(missing.error?.message ?? '', /does not exist/);
  assert.equal((await run('require "include"; include :optional "nope"; discard;', {}, { host: scripts({}) })).error, null);
  const rec = await run('require "include"; include "a";', {}, { host: scripts({ a: 'require "include"; include "b";', b: 'require "include"; include "a";' }) });
  assert.match(rec.error?.message ?? '', /recursive include of personal script "a"/);
  assert.equal(rec.error?.script, 'personal:b');
  // :once of a running script is "already included", not an error.
  const once = await run('require "include"; include "a";', {}, { host: scripts({ a: 'require ["include", "fileinto"]; fileinto "a"; include :once "a";' }) });
  assert.equal(once.error, null);
  const h = scripts({ c: 'require ["fileinto"]; fileinto "c";' });
  await run('require "include"; include :once "c"; include :once "c"; include :global :once "c";', {}, { host: h });
  assert.deepEqual(h.loads, ['personal:c', 'global:c']);
  // Without :once a script can run twice (not recursion).
  const twice = scripts({ c: 'require ["variables", "include", "fileinto"]; set "global.n" "${global.n}x"; fileinto "${global.n}";' });
  assert.deepEqual(summary(await run('require "include"; include "c"; include "c";', {}, { host: twice })), ['fileinto x', 'fileinto xx']);
});

test('include: depth and count limits; host failures propagate', async () => {
  const chain: Record<string, string> = {};
  for (let i = 0; i < 20; i++) chain[`s${i}`] = `require "include"; include "s${i + 1}";`;
  const deep = await run('require "include"; include "s0";', {}, { host: scripts(chain), execute: { limits: { maxIncludeDepth: 3 } } });
  assert.match(deep.error?.message ?? '', /nested too deeply \(limit 3\)/);
  const many = await run('require "include"; include "x"; include "x"; include "x";', {}, { host: scripts({ x: 'keep;' }), execute: { limits: { maxIncludes: 2 } } });
  assert.match(many.error?.message ?? '', /too many includes \(limit 2\)/);
  const h = scripts({});
  h.loadScript = async () => {
    throw new Error('store down');
  };
  await assert.rejects(run('require "include"; include :optional "x";', {}, { host: h }), /store down/);
});

test('include: compile-time checks (names, require, global rules)', () => {
  assert.equal(errorsOf('include "x";').length, 1);
  assert.equal(errorsOf('require "include"; include "bad\u0007name";').length, 1);
  assert.equal(errorsOf('require "include"; include :personal :global "x";').length, 1);
  assert.deepEqual(errorsOf('require ["include", "variables"]; include "${name}";'), []);
  assert.equal(errorsOf('require "include"; global "x";').length, 1);
  assert.equal(errorsOf('require ["include", "variables"]; global "global.x";').length, 1);
  assert.equal(errorsOf('require ["include", "variables"]; global "1";').length, 1);
  assert.equal(errorsOf('require ["include", "variables"]; set "x" "1"; global "x";').length, 1);
  assert.equal(errorsOf('require "variables"; set "global.x" "1";').length, 1);
  assert.equal(errorsOf('require "include"; return "x";').length, 1);
});

test('include: the literal name is used, never expanded (§3.2)', async () => {
  const h = scripts({ '${name}': 'require "fileinto"; fileinto "literal";' });
  const o = await run('require ["include", "variables"]; set "name" "other"; include "${name}";', {}, { host: h });
  assert.deepEqual(summary(o), ['fileinto literal']);
});
