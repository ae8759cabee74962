/**
 * Quotas (RFC 9208) on the delivery path, after Sieve: a fileinto into a full account is over
 * quota like the INBOX; a second copy refused after a first one was stored does not fail the
 * delivery (no duplicate on the MTA's retry); `facteur deliver` exits 75, or 73 with
 * --quota-exceeded permanent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { freePort, startTestServer } from '../support/server.js';
import { simpleMessage } from '../support/transcript.js';
import { activateScript as withScript, lmtpDeliver, messageCounts as counts, runDeliver } from '../support/delivery.js';

const lmtpSend = (port: number, to: string, message: string): Promise<string> => lmtpDeliver(port, 'sender@example.org', to, message);

test('LMTP after Sieve: fileinto into a full account is 452; a refused second copy keeps the first', async () => {
  // Two messages per account.
  const s = await startTestServer({ config: { lmtpPort: await freePort(), quotaMessages: 2 } });
  try {
    await withScript(s.config, 'alice', `require ["fileinto", "copy"];
if header :contains "subject" "[list]" { fileinto "Lists"; stop; }
if header :contains "subject" "twice" { fileinto :copy "Lists"; }
`, ['Lists']);
    const port = s.config.lmtpPort;
    // One free slot: fileinto :copy stores the Lists copy, the implicit keep is refused, the
    // delivery is acknowledged (a retry would duplicate the stored copy).
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'first' })), /^250 2\.0\.0/);
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'twice' })), /^250 2\.0\.0 .*over quota/);
    assert.deepEqual(await counts(s.config, 'alice'), { INBOX: 1, Lists: 1 });
    // Full: a fileinto is over quota like the INBOX, and nothing is stored.
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: '[list] news' })), /^452 4\.2\.2 /);
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'plain' })), /^452 4\.2\.2 /);
    assert.deepEqual(await counts(s.config, 'alice'), { INBOX: 1, Lists: 1 });
  } finally {
    await s.stop();
  }
});


test('facteur deliver over quota: 75 (the MTA retries), or 73 with --quota-exceeded permanent', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-deliver-quota-'));
  const config: Config = { ...DEFAULT_CONFIG, dataDir };
  try {
    await withScript(config, 'alice', 'keep;');
    const d = ['--data', dataDir, '--to', 'alice', '--quota-messages', '1'];
    assert.deepEqual(await runDeliver(d, simpleMessage({ subject: 'one' })), { code: 0, err: '' });
    const temp = await runDeliver(d, simpleMessage({ subject: 'two' }));
    assert.equal(temp.code, 75);
    assert.match(temp.err, /mailbox full/);
    const perm = await runDeliver([...d, '--quota-exceeded', 'permanent'], simpleMessage({ subject: 'three' }));
    assert.equal(perm.code, 73);
    assert.match(perm.err, /alice: mailbox full/);
    assert.deepEqual(await counts(config, 'alice'), { INBOX: 1 });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
