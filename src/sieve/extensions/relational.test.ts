import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, message, run, summary } from '../test-support.js';

const REQ = 'require ["relational", "comparator-i;ascii-numeric", "fileinto"];';

test('relational (RFC 5231 §6 examples)', async () => {
  const m = message(
    'Received: from a\nReceived: from b\nReceived: from c\nTo: coyote@example.com, a@b.c\nCc: d@e.f\nX-Priority: 3\nFrom: x@y.z\nSubject: Test',
  );
  const yes = async (t: string): Promise<boolean> => summary(await run(`${REQ} if ${t} { discard; }`, { message: m }))[0] === 'discard';
  assert.equal(await yes('header :count "ge" :comparator "i;ascii-numeric" "received" "3"'), true);
  assert.equal(await yes('header :count "gt" :comparator "i;ascii-numeric" "received" "3"'), false);
  assert.equal(await yes('address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]'), true);
  assert.equal(await yes('header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"]'), false);
  assert.equal(await yes('header :value "le" :comparator "i;ascii-numeric" ["x-priority"] ["3"]'), true);
  assert.equal(await yes('header :value "ne" :comparator "i;ascii-numeric" ["x-priority"] ["3", "4"]'), true);
  assert.equal(await yes('header :value "gt" "subject" "Tesa"'), true, 'casemap ordering');
  assert.equal(await yes('header :count "eq" :comparator "i;ascii-numeric" "x-missing" "0"'), true);
  assert.equal(await yes('header :value "eq" :comparator "i;ascii-numeric" "x-missing" "0"'), false);
});

test('relational: string :count skips empty strings (RFC 5229 §5); bad operators', async () => {
  assert.deepEqual(errorsOf(`${REQ} keep; require "variables";`), ['1:73 require must come before any other command']);
  const ok = 'require ["relational", "comparator-i;ascii-numeric", "variables"]; set "e" ""; if string :count "eq" :comparator "i;ascii-numeric" ["${e}", "a", ""] "1" { discard; }';
  assert.deepEqual(summary(await run(ok)), ['discard']);
  assert.deepEqual(errorsOf(`${REQ} if header :value "gte" "a" "b" {}`), [
    '1:84 unknown relational operator "gte" (expected gt, ge, lt, le, eq or ne)',
  ]);
  assert.deepEqual(errorsOf('if header :count "eq" "a" "b" {}'), ['1:11 tag \':count\' requires the "relational" extension (missing require)']);
  const dyn = await run('require ["relational", "variables"]; set "op" "zz"; if header :value "${op}" "subject" "a" { discard; }');
  assert.match(dyn.error!.message, /unknown relational operator "zz"/);
});
