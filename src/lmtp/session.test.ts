import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReply } from './protocol.js';
import { replyFor } from './session.js';

test('replyFor: each delivery result is the RFC 2033/3463 reply the MTA acts on', () => {
  const f = (r: Parameters<typeof replyFor>[0]): string => formatReply(replyFor(r, 'a@b', 100));
  assert.equal(f({ status: 'delivered', mailboxes: ['INBOX'] }), '250 2.0.0 <a@b> Delivered\r\n');
  assert.equal(f({ status: 'rejected', reason: 'Go away' }), '550 5.7.1 <a@b> Go away\r\n');
  assert.equal(f({ status: 'nouser', reason: '' }), '550 5.1.1 <a@b> User unknown\r\n');
  assert.equal(f({ status: 'tempfail', reason: 'x', overQuota: true }), '452 4.2.2 <a@b> Mailbox full, try again later\r\n');
  assert.match(f({ status: 'tempfail', reason: 'disk', overQuota: false }), /^451 4\.3\.0 /);
  assert.match(f({ status: 'failed', reason: 'too big', tooBig: true }), /^552 5\.3\.4 /);
  assert.match(f({ status: 'failed', reason: 'NUL', tooBig: false }), /^554 5\.6\.0 /);
});
