import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile, execute, SUPPORTED_EXTENSIONS } from './index.js';
import { host, input } from './test-support.js';

// Random but mostly well-formed scripts over every supported extension: compile must never
// throw, and whatever compiles must execute without throwing, within its limits, ending with at
// least one action (the implicit keep at worst).

const str = fc.oneof(
  fc.constantFrom('"a"', '"*"', '"${1}"', '"${x}"', '"x@y.z"', '"INBOX"', '"\\\\Seen"', '"(a|b)*c"', '""', '"subject"', '"from"', '"to"', '"gt"'),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s.replace(/[\\"]/g, ''))),
);
const strList = fc.oneof(str, fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => `[${a.join(', ')}]`));
const tag = fc.constantFrom(':is', ':contains', ':matches', ':regex', ':count "ge"', ':value "lt"', ':localpart', ':domain', ':user', ':detail', ':all', ':comparator "i;octet"', ':comparator "i;ascii-numeric"', ':over', ':under', ':copy', ':create', ':flags "x"', ':raw', ':text', ':content "text"', ':percent', ':lower', ':upper', ':length', ':quotewildcard', ':quoteregex');
const testName = fc.constantFrom('header', 'address', 'envelope', 'exists', 'size', 'true', 'false', 'not', 'string', 'body', 'environment', 'hasflag', 'mailboxexists', 'spamtest', 'virustest', 'ihave');
const cmdName = fc.constantFrom('keep', 'discard', 'stop', 'fileinto', 'redirect', 'set', 'setflag', 'addflag', 'removeflag', 'reject', 'ereject', 'error');

const arg = fc.oneof(str, strList, tag, fc.nat(2000).map(String));
const args = fc.array(arg, { maxLength: 4 }).map((a) => a.join(' '));

const testExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(testName, args).map(([n, a]) => `${n} ${a}`),
    fc.tuple(fc.constantFrom('anyof', 'allof'), fc.array(tie('t'), { minLength: 1, maxLength: 3 })).map(([n, ts]) => `${n} (${ts.join(', ')})`),
    tie('t').map((t) => `not ${t}`),
  ),
})).t as fc.Arbitrary<string>;

const command: fc.Arbitrary<string> = fc.letrec((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(cmdName, args).map(([n, a]) => `${n} ${a};`),
    fc.tuple(testExpr, fc.array(tie('c'), { maxLength: 3 }), fc.boolean()).map(
      ([t, body, withElse]) => `if ${t} { ${body.join(' ')} }${withElse ? ' else { keep; }' : ''}`,
    ),
  ),
})).c as fc.Arbitrary<string>;

const script = fc
  .tuple(fc.subarray([...SUPPORTED_EXTENSIONS]), fc.array(command, { maxLength: 6 }))
  .map(([req, cmds]) => `${req.length > 0 ? `require ${JSON.stringify(req)};\n` : ''}${cmds.join('\n')}`);

const messages = fc.constantFrom(
  'From: joe@example.com\r\nTo: a+b@example.org\r\nSubject: hello\r\nX-Spam-Score: 4\r\n\r\nbody text\r\n',
  'Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\npost\r\n',
  '',
  'no header line\r\n',
);

test('property: random well-formed scripts compile or fail cleanly, and run within limits', async () => {
  let compiled = 0;
  await fc.assert(
    fc.asyncProperty(script, messages, async (src, msg) => {
      const c = compile(src);
      if (!c.ok) {
        assert.ok(c.errors.length > 0);
        for (const e of c.errors) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0, JSON.stringify(e));
        return;
      }
      compiled++;
      const o = await execute(
        c.script,
        input({ message: Buffer.from(msg), spamtest: { header: 'X-Spam-Score', max: 10 }, virustest: { header: 'X-Virus', max: 5 } }),
        host(['INBOX', 'a']),
        { limits: { maxSteps: 20_000 } },
      );
      assert.ok(o.actions.length >= 1, src);
      if (o.error !== null) assert.deepEqual(o.actions, [{ type: 'keep', implicit: true, flags: [] }]);
    }),
    { numRuns: 800 },
  );
  // The generator must actually exercise execution, or this property proves little.
  assert.ok(compiled > 50, `only ${compiled} scripts compiled`);
});
