import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDovecotPasswd } from './dovecot-passwd.js';

test('parses entries, skips comments and blanks, reports malformed lines', () => {
  const text = [
    '# users',
    'alice:{SHA512-CRYPT}$6$abc$def:1000:1000::/home/alice::userdb_quota_rule=*:storage=1G',
    '',
    'bob@example.org:{PLAIN}pw',
    'carol:$1$saltsalt$9xy1btjgzLYfb7hivXtC//:::',
    'nocolon',
    'dave::1000',
    ':{PLAIN}x',
    'e ve:{PLAIN}x',
    '   # indented comment\r',
    'frank:{PLAIN}x\r',
  ].join('\n');
  const r = parseDovecotPasswd(text);
  assert.deepEqual(
    r.entries.map((e) => [e.line, e.name, e.passwordHash]),
    [
      [2, 'alice', '{SHA512-CRYPT}$6$abc$def'],
      [4, 'bob@example.org', '{PLAIN}pw'],
      [5, 'carol', '$1$saltsalt$9xy1btjgzLYfb7hivXtC//'],
      [11, 'frank', '{PLAIN}x'],
    ],
  );
  assert.deepEqual(r.malformed.map((m) => m.line), [6, 7, 8, 9]);
});
