import { test } from 'node:test';
import assert from 'node:assert/strict';
import { host, run, summary } from '../test-support.js';

test('mailbox (RFC 5490): mailboxexists asks the host; fileinto :create', async () => {
  const h = host(['INBOX', 'Lists']);
  const src = 'require ["mailbox", "fileinto"]; if mailboxexists ["Lists", "INBOX"] { fileinto :create "Lists"; } if mailboxexists "Nope" { discard; }';
  assert.deepEqual(summary(await run(src, {}, { host: h })), ['fileinto Lists :create']);
  assert.deepEqual(h.calls, ['exists Lists', 'exists INBOX', 'exists Nope']);
});

test('mailbox: a host failure propagates out of execute', async () => {
  const h = host();
  h.mailboxExists = async () => {
    throw new Error('disk on fire');
  };
  await assert.rejects(run('require "mailbox"; if mailboxexists "x" { keep; }', {}, { host: h }), /disk on fire/);
});
