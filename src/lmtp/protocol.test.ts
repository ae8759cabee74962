import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatReply, parseCommand, reply } from './protocol.js';

test('parseCommand: the RFC 2033 §4.2 example session', () => {
  assert.deepEqual(parseCommand('LHLO foo.edu'), { kind: 'LHLO', domain: 'foo.edu' });
  assert.deepEqual(parseCommand('MAIL FROM:<chris@bar.com>'), { kind: 'MAIL', from: 'chris@bar.com', size: null, body: null });
  assert.deepEqual(parseCommand('RCPT TO:<pat@foo.edu>'), { kind: 'RCPT', to: 'pat@foo.edu' });
  assert.deepEqual(parseCommand('DATA'), { kind: 'DATA' });
  assert.deepEqual(parseCommand('QUIT'), { kind: 'QUIT' });
});

test('parseCommand: paths, parameters, case, BDAT', () => {
  assert.deepEqual(parseCommand('mail from: <>  SIZE=1024 body=8bitmime'), { kind: 'MAIL', from: '', size: 1024, body: '8BITMIME' });
  assert.deepEqual(parseCommand('RCPT TO:<@relay.example,@b.example:joe@example.com>'), { kind: 'RCPT', to: 'joe@example.com' });
  assert.deepEqual(parseCommand('RCPT TO:<"odd>name"@example.com>'), { kind: 'RCPT', to: '"odd>name"@example.com' });
  assert.deepEqual(parseCommand('BDAT 100 LAST'), { kind: 'BDAT', size: 100, last: true });
  assert.deepEqual(parseCommand('BDAT 0'), { kind: 'BDAT', size: 0, last: false });
  const err = (l: string): string => {
    const c = parseCommand(l);
    assert.equal(c.kind, 'error', l);
    return c.kind === 'error' ? `${c.reply.code} ${c.reply.enhanced}` : '';
  };
  assert.equal(err('EHLO x'), '500 5.5.1');
  assert.equal(err('MAIL FROM:<a@b> SIZE=1 FOO'), '555 5.5.4');
  assert.equal(err('RCPT TO:<a@b> NOTIFY=NEVER'), '555 5.5.4');
  assert.equal(err('RCPT TO:<>'), '501 5.5.4');
  assert.equal(err('MAIL FROM:<a@b'), '501 5.5.4');
  assert.equal(err('BDAT -1'), '501 5.5.4');
  assert.equal(err('DATA now'), '501 5.5.4');
  assert.equal(err('XYZZY'), '500 5.5.1');
  assert.equal(err(''), '500 5.5.2');
  assert.equal(err('LHLO a\x00b'), '501 5.5.4');
  assert.equal(err('RCPT TO:<j\u00f6rg@example.com>'), '501 5.5.4');
});

test('formatReply: multiline with enhanced codes; CR/LF in text cannot start a new reply', () => {
  assert.equal(formatReply(reply(250, null, 'mx', 'PIPELINING', 'SIZE 10')), '250-mx\r\n250-PIPELINING\r\n250 SIZE 10\r\n');
  assert.equal(formatReply(reply(550, '5.7.1', 'no\r\n250 2.0.0 fake')), '550 5.7.1 no 250 2.0.0 fake\r\n');
});

test('parseCommand never throws on arbitrary lines', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const c = parseCommand(s);
      assert.ok(typeof c.kind === 'string');
    }),
    { numRuns: 2000 },
  );
});
