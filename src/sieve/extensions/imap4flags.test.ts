import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, run, summary } from '../test-support.js';
import { normalizeFlags } from './imap4flags.js';

test('imap4flags: internal variable, implicit keep flags, :flags (RFC 5232)', async () => {
  const src = `require ["imap4flags", "fileinto"];
setflag "\\\\Seen";
addflag ["\\\\Flagged", "$Work \\\\seen"];
fileinto "A";
removeflag "\\\\flagged";
fileinto :flags "\\\\Answered" "B";
if hasflag :contains "work" { fileinto "C"; }
keep;`;
  assert.deepEqual(summary(await run(src)), ['fileinto A [\\Seen \\Flagged $Work]', 'fileinto B [\\Answered]', 'fileinto C [\\Seen $Work]', 'keep [\\Seen $Work]']);
  assert.deepEqual(summary(await run('require "imap4flags"; addflag "$x";')), ['implicit-keep [$x]']);
  assert.deepEqual(summary(await run('require "imap4flags"; addflag "$x"; keep :flags ""; ')), ['keep']);
});

test('imap4flags with variables: named flag variables and hasflag on them', async () => {
  const src = `require ["imap4flags", "variables"];
set "f" "a";
addflag "f" "b c";
removeflag "f" "a";
if hasflag :is "f" "c" { setflag "\${f}"; }
if hasflag :count "eq" "f" "2" { addflag "two"; }`;
  const o = await run(src.replace('"variables"', '"variables", "relational"'));
  assert.deepEqual(summary(o), ['implicit-keep [b c two]']);
  assert.deepEqual(errorsOf('require "imap4flags"; addflag "f" "x";'), ["1:31 'addflag' with a variable name needs \"variables\" (missing require)"]);
});

test('normalizeFlags splits, de-duplicates and drops invalid atoms', () => {
  assert.deepEqual(normalizeFlags(['a  B', 'b \\Seen', '(bad) x*y', '\\seen ok']), ['a', 'B', '\\Seen', 'ok']);
});

test('imap4flags: RFC 5232 §3 examples; the last flag list wins on duplicate elimination', async () => {
  const src = `require ["imap4flags", "variables", "fileinto"];
if header :contains "from" "joe@example.com" {
  setflag "flagvar" "\\\\Flagged";
  fileinto :flags "\${flagvar}" "INBOX.From Boss";
}
addflag "flagvar" "$MDNRequired";
removeflag "flagvar" "$mdnrequired";
fileinto :flags "\${flagvar}" "INBOX.imap-list";
fileinto :flags "a b" "INBOX.imap-list";`;
  assert.deepEqual(summary(await run(src)), ['fileinto INBOX.From Boss [\\Flagged]', 'fileinto INBOX.imap-list [a b]']);
});
