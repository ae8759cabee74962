import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { errorsOf, message, run, summary } from '../test-support.js';
import { compileRegex, execRegex, RegexError } from './regex-engine.js';

const id = (c: string): string => c;
const exec = (p: string, s: string, fold = id): string[] | null => execRegex(compileRegex(p, fold), s, () => {});

test('regex engine: ERE syntax and leftmost matching with captures', () => {
  assert.deepEqual(exec('b+', 'abbbc'), ['bbb']);
  assert.deepEqual(exec('^a(b|c)*d$', 'abcbd'), ['abcbd', 'b']);
  assert.equal(exec('^a(b|c)*d$', 'abcbdx'), null);
  assert.deepEqual(exec('[[:digit:]]{2,3}', 'x12345'), ['123']);
  assert.deepEqual(exec('x{2}', 'axxx'), ['xx']);
  assert.deepEqual(exec('[^a-c]+', 'abcdefa'), ['def']);
  assert.deepEqual(exec('[]a]+', 'x]a]y'), [']a]']);
  assert.deepEqual(exec('a\\.b', 'a.b axb'), ['a.b']);
  assert.equal(exec('a\\.b', 'axb'), null);
  assert.deepEqual(exec('(a)|(b)', 'b'), ['b', '', 'b']);
  assert.deepEqual(exec('', 'abc'), ['']);
  assert.deepEqual(exec('.', '\u{1F600}'), ['\u{1F600}']);
  assert.deepEqual(exec('hello', 'HeLLo', (c) => c.toUpperCase()), ['HeLLo']);
  assert.deepEqual(exec('(a*)*b', 'aaab'), ['aaab', 'aaa']);
});

test('regex engine: unsupported and malformed patterns are errors', () => {
  for (const p of ['(a', 'a)', '[a', '*a', 'a{3,1}', 'a{256}', '\\1', '\\d', 'a\\', '[[:nope:]]', '[z-a]', '^*']) {
    assert.throws(() => compileRegex(p, id), RegexError, p);
  }
  assert.throws(() => compileRegex('(((a{255}){255}){255})', id), /too complex/);
});

test('regex engine: catastrophic patterns run in linear time and charge work', () => {
  let work = 0;
  const re = compileRegex('(a|a)*(a+)+b', id);
  const r = execRegex(re, 'a'.repeat(5000), (w) => (work += w));
  assert.equal(r, null);
  assert.ok(work > 5000 && work < 5000 * re.prog.length * 4, `work ${work}`);
});

test('property: the engine agrees with JS RegExp on simple patterns', () => {
  const pat = fc.array(fc.constantFrom('a', 'b', '.', 'a*', 'b+', '(a|b)', '[ab]', 'a?', '(ab)*'), { maxLength: 6 }).map((x) => x.join(''));
  fc.assert(
    fc.property(pat, fc.stringMatching(/^[abc]{0,12}$/), (p, s) => {
      const ours = exec(p, s);
      const theirs = new RegExp(p).exec(s);
      assert.equal(ours === null, theirs === null, `${p} on ${s}`);
      if (ours !== null && theirs !== null) assert.equal(ours[0], theirs[0], `${p} on ${s}`);
    }),
    { numRuns: 1000 },
  );
});

test(':regex match type with match variables and comparators', async () => {
  const src = `require ["regex", "variables", "fileinto"];
if header :regex "subject" "^\\\\[([a-z-]+)\\\\] (.*)$" { fileinto "lists.\${1}"; set "rest" "\${2}"; fileinto "\${rest}"; }`;
  assert.deepEqual(summary(await run(src, { message: message('Subject: [acme-users] hello there') })), ['fileinto lists.acme-users', 'fileinto hello there']);
  const ci = 'require "regex"; if header :regex "subject" "HELLO" { discard; }';
  assert.deepEqual(summary(await run(ci)), ['discard'], 'default comparator folds ASCII case');
  const cs = 'require "regex"; if header :regex :comparator "i;octet" "subject" "HELLO" { discard; }';
  assert.deepEqual(summary(await run(cs)), ['implicit-keep']);
  const addr = 'require "regex"; if address :regex :domain "from" "^example\\\\.(com|org)$" { discard; }';
  assert.deepEqual(summary(await run(addr)), ['discard']);
});

test(':regex compile and run-time errors; :quoteregex', async () => {
  assert.deepEqual(errorsOf('require "regex"; if header :regex "s" "(a" {}'), ['1:39 invalid regular expression "(a": missing \')\'']);
  assert.deepEqual(errorsOf('require ["regex", "comparator-i;ascii-numeric"]; if header :regex :comparator "i;ascii-numeric" "s" "a" {}'), [
    '1:60 comparator "i;ascii-numeric" does not support \':regex\'',
  ]);
  const bad = await run('require ["regex", "variables"]; set "p" "(x"; if header :regex "subject" "${p}" { discard; }');
  assert.match(bad.error!.message, /invalid regular expression/);
  const q = 'require ["regex", "variables"]; set :quoteregex "q" "a.b*"; if string :regex "xa.b*y" "^xa\\\\.b\\\\*y$" { if string :is "${q}" "a\\\\.b\\\\*" { discard; } }';
  assert.deepEqual(summary(await run(q)), ['discard']);
});

test(':regex respects the step budget', async () => {
  const keys = Array.from({ length: 50 }, (_, i) => `"(a|aa)*c${i}"`).join(',');
  const o = await run(`require "regex"; if header :regex "subject" [${keys}] { discard; }`, { message: message(`Subject: ${'a'.repeat(3000)}`) }, {
    execute: { limits: { maxSteps: 20000 } },
  });
  assert.match(o.error!.message, /step budget/);
});
