import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile, execute } from '../index.js';
import type { SieveHost } from '../api.js';
import { host, input } from '../test-support.js';

// Random, mostly well-formed scripts over vacation, date/index, editheader, include, duplicate and
// special-use: compile never throws; what compiles executes without throwing, within its limits,
// and a runtime error leaves the implicit keep of the original message alone.

const REQUIRE = 'require ["vacation", "vacation-seconds", "date", "index", "editheader", "include", "duplicate", "special-use", "variables", "fileinto", "relational", "reject"];';

const str = fc.oneof(
  fc.constantFrom('"a"', '"*"', '"${x}"', '"${global.g}"', '"x@y.z"', '"INBOX"', '"\\\\Junk"', '"date"', '"received"', '"subject"', '"X-A"', '"year"', '"std11"', '"julian"', '"+0130"', '"-0000"', '""', '"Grüße"', '"sub"', '"loop"'),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s.replace(/[\\"]/g, ''))),
);
const strList = fc.oneof(str, fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => `[${a.join(', ')}]`));
const tag = fc.constantFrom(
  ':is', ':contains', ':matches', ':count "ge"', ':value "lt"', ':index 1', ':index 2', ':last', ':zone "+0100"', ':originalzone',
  ':days 0', ':seconds 5', ':subject "s"', ':from "a@b.c"', ':addresses ["alice@example.org"]', ':mime', ':handle "h"',
  ':header "message-id"', ':uniqueid "u"', ':once', ':optional', ':global', ':personal', ':specialuse "\\\\Junk"', ':comparator "i;octet"',
);
const testName = fc.constantFrom('date', 'currentdate', 'duplicate', 'specialuse_exists', 'header', 'address', 'exists', 'true', 'not true');
const cmdName = fc.constantFrom('vacation', 'addheader', 'deleteheader', 'include', 'return', 'global', 'fileinto', 'keep', 'set', 'stop', 'reject');

const arg = fc.oneof(str, strList, tag, fc.nat(100).map(String));
const args = fc.array(arg, { maxLength: 4 }).map((a) => a.join(' '));
const command: fc.Arbitrary<string> = fc.letrec((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(cmdName, args).map(([n, a]) => `${n} ${a};`),
    fc.tuple(testName, args, fc.array(tie('c'), { maxLength: 3 })).map(([t, a, body]) => `if ${t} ${a} { ${body.join(' ')} }`),
  ),
})).c as fc.Arbitrary<string>;
const script = fc.array(command, { maxLength: 6 }).map((cmds) => `${REQUIRE}\n${cmds.join('\n')}`);

const messages = fc.constantFrom(
  'From: joe@example.com\r\nTo: Alice <alice@example.org>\r\nSubject: hello\r\nMessage-ID: <1@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0200\r\nReceived: by a; Sat, 3 Feb 2007 23:30:15 -0500\r\n\r\nbody text\r\n',
  'X-A: 1\r\nX-A: 2\r\nDate: 31 Feb 2024 10:00 +0000\r\n\r\n',
  '',
  'no header line',
);

function randomHost(pool: string[]): SieveHost {
  const h = host(['INBOX', 'a']);
  h.loadScript = async (_location, name) => (name === 'none' ? null : (pool[name.length % pool.length] ?? null));
  h.duplicateSeen = async (key) => key.length % 2 === 0;
  h.specialUseExists = async (_m, uses) => uses.length === 1;
  return h;
}

test('property: scripts over the part-2 extensions compile or fail cleanly, and run within limits', async () => {
  let compiled = 0;
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(script, fc.array(script, { minLength: 1, maxLength: 3 }), messages, async (src, pool, msg) => {
      const c = compile(src);
      if (!c.ok) {
        for (const e of c.errors) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0, JSON.stringify(e));
        return;
      }
      compiled++;
      const o = await execute(c.script, input({ message: Buffer.from(msg) }), randomHost(pool), { limits: { maxSteps: 20_000, maxIncludes: 6 } });
      assert.ok(o.actions.length >= 1, src);
      if (o.error !== null) {
        assert.deepEqual(o.actions, [{ type: 'keep', implicit: true, flags: [] }]);
        assert.deepEqual(o.duplicateRecords, []);
      } else ran++;
      for (const a of o.actions) {
        if (a.type === 'vacation') assert.ok(/^[\x00-\x7f]*$/.test(a.response.toString('latin1').split('\r\n\r\n')[0]!), 'reply header is 7-bit');
        if ('message' in a && a.message !== undefined) assert.ok(a.message.length < msg.length + 64 * 4096);
      }
    }),
    { numRuns: 600 },
  );
  assert.ok(compiled > 50 && ran > 20, `only ${compiled} scripts compiled, ${ran} ran cleanly`);
});
