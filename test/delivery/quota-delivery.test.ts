/**
 * Quotas (RFC 9208) on the delivery path, after Sieve: a fileinto into a full account is over
 * quota like the INBOX; a second copy refused after a first one was stored does not fail the
 * delivery (no duplicate on the MTA's retry); `facteur deliver` exits 75, or 73 with
 * --quota-exceeded permanent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { freePort, startTestServer } from '../support/server.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { simpleMessage } from '../support/transcript.js';

async function withScript(config: Config, user: string, source: string, mailboxes: string[] = []): Promise<void> {
  const store = await openStore(config);
  try {
    const acc = (await store.getAccount(user)) ?? (await store.createAccount(user, '{PLAIN}pw'));
    const actor = { accountId: acc.id, name: acc.name };
    for (const m of mailboxes) await store.createMailbox(actor, m);
    await store.putSieveScript(actor, 'main', source);
    await store.setActiveSieveScript(actor, 'main');
  } finally {
    await store.close();
  }
}

async function counts(config: Config, user: string): Promise<Record<string, number>> {
  const store = await openStore(config);
  try {
    const acc = (await store.getAccount(user))!;
    const actor = { accountId: acc.id, name: acc.name };
    const out: Record<string, number> = {};
    for (const b of await store.listMailboxes(actor)) {
      const n = (await store.listMessages(actor, b.id)).length;
      if (n > 0) out[b.name] = n;
    }
    return out;
  } finally {
    await store.close();
  }
}

async function lmtpSend(port: number, to: string, message: string): Promise<string> {
  const c = await LmtpTestClient.connect(port);
  try {
    c.write(`LHLO t\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    const r = await c.readN(4);
    assert.deepEqual(r.map((x) => x.code), [250, 250, 250, 354], r.map((x) => x.text).join('\n'));
    c.write(dotStuffed(message));
    return (await c.read()).text;
  } finally {
    c.close();
  }
}

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

async function deliver(args: string[], stdin: string): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['deliver', ...args, '--log-level', 'silent'], {
    stdin: Readable.from([Buffer.from(stdin)]) as never,
    stderr: { write: (s: string) => (err += s) },
    stdout: { write: () => true },
  });
  return { code, err };
}

test('facteur deliver over quota: 75 (the MTA retries), or 73 with --quota-exceeded permanent', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-deliver-quota-'));
  const config: Config = { ...DEFAULT_CONFIG, dataDir };
  try {
    await withScript(config, 'alice', 'keep;');
    const d = ['--data', dataDir, '--to', 'alice', '--quota-messages', '1'];
    assert.deepEqual(await deliver(d, simpleMessage({ subject: 'one' })), { code: 0, err: '' });
    const temp = await deliver(d, simpleMessage({ subject: 'two' }));
    assert.equal(temp.code, 75);
    assert.match(temp.err, /mailbox full/);
    const perm = await deliver([...d, '--quota-exceeded', 'permanent'], simpleMessage({ subject: 'three' }));
    assert.equal(perm.code, 73);
    assert.match(perm.err, /alice: mailbox full/);
    assert.deepEqual(await counts(config, 'alice'), { INBOX: 1 });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
