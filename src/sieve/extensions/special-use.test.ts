import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, host, run } from '../test-support.js';
import { isUseAttr } from './special-use.js';

function suHost(uses: Record<string, string[]>) {
  const h = host(Object.keys(uses));
  h.specialUseExists = async (mailbox, wanted) => {
    h.calls.push(`su ${mailbox ?? '-'} ${wanted.join(' ')}`);
    const has = (m: string, u: string) => (uses[m] ?? []).some((x) => x.toLowerCase() === u.toLowerCase());
    if (mailbox !== null) return mailbox in uses && wanted.every((u) => has(mailbox, u));
    return wanted.every((u) => Object.keys(uses).some((m) => has(m, u)));
  };
  return h;
}

test('special-use (RFC 8579 §3): specialuse_exists with and without a mailbox asks the host', async () => {
  const h = suHost({ INBOX: [], Archive: ['\\Archive'], Junk: ['\\Junk'] });
  const src = `require ["special-use", "fileinto"];
if specialuse_exists "\\\\Junk" { fileinto "a"; }
if specialuse_exists "Archive" ["\\\\Archive"] { fileinto "b"; }
if specialuse_exists "Junk" "\\\\Archive" { fileinto "c"; }
if specialuse_exists ["\\\\Junk", "\\\\Sent"] { fileinto "d"; }`;
  const o = await run(src, {}, { host: h });
  assert.deepEqual(o.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type)), ['a', 'b']);
  assert.deepEqual(h.calls, ['su - \\Junk', 'su Archive \\Archive', 'su Junk \\Archive', 'su - \\Junk \\Sent']);
});

test('special-use (RFC 8579 §4): fileinto :specialuse carries the use; the named mailbox is the fallback', async () => {
  const o = await run('require ["special-use", "fileinto"]; fileinto :specialuse "\\\\Junk" "Spam";');
  assert.deepEqual(o.actions, [{ type: 'fileinto', mailbox: 'Spam', flags: [], create: false, specialUse: '\\Junk' }]);
  // With variables the attribute is checked at run time (§4: invalid = as an invalid mailbox).
  const bad = await run('require ["special-use", "fileinto", "variables"]; set "u" "Junk"; fileinto :specialuse "${u}" "Spam";');
  assert.match(bad.error?.message ?? '', /invalid special-use attribute "Junk"/);
  assert.deepEqual(bad.actions, [{ type: 'keep', implicit: true, flags: [] }]);
});

test('special-use: attribute syntax and require are checked at compile time', () => {
  assert.deepEqual(errorsOf('require ["special-use", "fileinto"]; fileinto :specialuse "Junk" "Spam";'), ['1:59 invalid special-use attribute "Junk" (RFC 6154 §6)']);
  assert.equal(errorsOf('require "special-use"; if specialuse_exists ["\\\\Junk", "\\\\Bad Name"] { stop; }').length, 1);
  assert.equal(errorsOf('require "special-use"; if specialuse_exists ["A", "B"] "\\\\Junk" { stop; }').length, 1);
  assert.equal(errorsOf('require "fileinto"; fileinto :specialuse "\\\\Junk" "Spam";').length, 1);
  assert.equal(errorsOf('if specialuse_exists "\\\\Junk" { stop; }').length, 1);
  assert.ok(isUseAttr('\\Sent') && isUseAttr('\\X-Custom') && !isUseAttr('\\') && !isUseAttr('\\a*') && !isUseAttr('Sent'));
});

test('special-use: a repeated fileinto :specialuse is one action (RFC 5228 §2.10.3)', async () => {
  const o = await run('require ["special-use", "fileinto"]; fileinto :specialuse "\\\\Junk" "Spam"; fileinto :specialuse "\\\\junk" "Spam"; fileinto :specialuse "\\\\Junk" "Other"; fileinto "Spam";');
  assert.deepEqual(
    o.actions.map((a) => (a.type === 'fileinto' ? `${a.specialUse ?? '-'} ${a.mailbox}` : a.type)),
    ['\\Junk Spam', '\\Junk Other', '- Spam'],
  );
});
