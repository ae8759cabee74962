/**
 * Real Sieve scripts on the real delivery path: LMTP into a running server with an SMTP sink as
 * the relay, and `facteur deliver` (in-process CLI) with its sysexits exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/index.js';
import { freePort, startTestServer } from '../support/server.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { assertStatus, loggedIn, simpleMessage, waitForLine } from '../support/transcript.js';
import { activateScript as withScript, lmtpDeliver as lmtpSend, messageCounts as counts, runDeliver } from '../support/delivery.js';

const SCRIPT = `require ["fileinto", "envelope"];
if header :contains "subject" "[list]" { fileinto "Lists"; stop; }
if envelope :is "from" "spam@example.org" { discard; stop; }
if address :is "from" "boss@example.org" { redirect "alice@phone.example"; }
`;

test('LMTP with a real Sieve script: fileinto, discard, redirect through the relay, keep', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ config: { lmtpPort: await freePort(), smtpRelay: `127.0.0.1:${sink.port}` } });
  try {
    await withScript(s.config, 'alice', SCRIPT, ['Lists']);
    const port = s.config.lmtpPort;
    assert.match(await lmtpSend(port, 'l@example.org', 'alice@example.com', simpleMessage({ subject: '[list] weekly' })), /^250 2\.0\.0/);
    assert.match(await lmtpSend(port, 'spam@example.org', 'alice@example.com', simpleMessage({ subject: 'buy' })), /^250 2\.0\.0/);
    assert.match(await lmtpSend(port, 'boss@example.org', 'alice@example.com', simpleMessage({ from: 'The Boss <boss@example.org>', subject: 'urgent' })), /^250 2\.0\.0/);
    assert.match(await lmtpSend(port, 'friend@example.org', 'alice@example.com', simpleMessage({ subject: 'hi' })), /^250 2\.0\.0/);
    const [redirected] = await sink.waitFor(1);
    assert.equal(redirected.from, 'boss@example.org');
    assert.deepEqual(redirected.to, ['alice@phone.example']);
    assert.match(redirected.data, /Subject: urgent/);
    assert.deepEqual(await counts(s.config, 'alice'), { Lists: 1, INBOX: 1 });
  } finally {
    await s.stop();
    await sink.stop();
  }
});

test('LMTP: a script with a runtime problem or a compile error still delivers (implicit keep)', async () => {
  const s = await startTestServer({ config: { lmtpPort: await freePort() } });
  try {
    await withScript(s.config, 'alice', 'require ["fileinto"]; if header :is "subject" "x" { fileinto "Nowhere"; }\n');
    assert.match(await lmtpSend(s.config.lmtpPort, 'a@example.org', 'alice@example.com', simpleMessage({ subject: 'x' })), /^250/);
    await withScript(s.config, 'alice', 'this is not sieve');
    assert.match(await lmtpSend(s.config.lmtpPort, 'a@example.org', 'alice@example.com', simpleMessage({ subject: 'y' })), /^250/);
    assert.deepEqual(await counts(s.config, 'alice'), { INBOX: 2 });
  } finally {
    await s.stop();
  }
});

test('LMTP with the Sieve extensions: reject answers 550 5.7.1 for that recipient only; imap4flags, mailbox :create, subaddress, spamtest', async () => {
  const s = await startTestServer({
    users: [['alice', 'pw1'], ['bob', 'pw2']],
    config: { lmtpPort: await freePort(), spamtestHeader: 'X-Spam-Score', spamtestMax: 10 },
  });
  try {
    await withScript(s.config, 'alice', `require ["reject", "imap4flags", "fileinto", "mailbox", "subaddress", "envelope", "spamtest", "relational", "comparator-i;ascii-numeric"];
if header :contains "subject" "unwanted" { reject "Not here, thanks"; stop; }
if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto :create "Spam/high"; stop; }
if envelope :detail "to" "lists" { fileinto :create :flags ["\\\\Seen", "$List"] "Lists"; stop; }
`);
    const c = await LmtpTestClient.connect(s.config.lmtpPort);
    c.write('LHLO t\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n');
    assert.deepEqual((await c.readN(5)).map((r) => r.code), [250, 250, 250, 250, 354]);
    c.write(dotStuffed(simpleMessage({ subject: 'an unwanted offer' })));
    const [ra, rb] = await c.readN(2);
    assert.equal(ra.text, '550 5.7.1 <alice@example.com> Not here, thanks');
    assert.match(rb.text, /^250 2\.0\.0 <bob@example\.com>/);
    c.close();
    const port = s.config.lmtpPort;
    assert.match(await lmtpSend(port, 'x@example.org', 'alice@example.com', simpleMessage({ extra: 'X-Spam-Score: 9.5' })), /^250/);
    assert.match(await lmtpSend(port, 'x@example.org', 'alice+lists@example.com', simpleMessage({ subject: 'list mail' })), /^250/);
    assert.match(await lmtpSend(port, 'x@example.org', 'alice+other@example.com', simpleMessage({ extra: 'X-Spam-Score: 1' })), /^250/);
    assert.deepEqual(await counts(s.config, 'alice'), { 'Spam/high': 1, Lists: 1, INBOX: 1 });
    assert.deepEqual(await counts(s.config, 'bob'), { INBOX: 1 });
    const store = await openStore(s.config);
    try {
      const acc = (await store.getAccount('alice'))!;
      const actor = { accountId: acc.id, name: acc.name };
      const box = (await store.getMailbox(actor, 'Lists'))!;
      const [m] = await store.listMessages(actor, box.id);
      assert.deepEqual([...m.flags].sort(), ['$List', '\\Seen']);
    } finally {
      await store.close();
    }
  } finally {
    await s.stop();
  }
});

test('LMTP with vacation (reply from <> once per sender, none to list mail), duplicate and special-use', async () => {
  const sink = await SmtpSink.start();
  const s = await startTestServer({ config: { lmtpPort: await freePort(), smtpRelay: `127.0.0.1:${sink.port}` } });
  try {
    await withScript(s.config, 'alice', `require ["vacation", "duplicate", "fileinto", "special-use"];
if duplicate { discard; stop; }
if header :contains "subject" "junk" { fileinto :specialuse "\\\\Junk" "Spam"; stop; }
vacation :days 3 :subject "Away" :addresses ["alice@example.com"] "I am away until Monday.";
`);
    const port = s.config.lmtpPort;
    const first = simpleMessage({ from: 'Bob <bob@example.org>', subject: 'question' });
    assert.match(await lmtpSend(port, 'bob@example.org', 'alice@example.com', first), /^250/);
    const [reply] = await sink.waitFor(1);
    assert.equal(reply.from, '', 'vacation replies use the null reverse-path (RFC 5230 §5)');
    assert.deepEqual(reply.to, ['bob@example.org']);
    assert.match(reply.data, /Subject: Away/);
    assert.match(reply.data, /Auto-Submitted: auto-replied/);
    assert.match(reply.data, /I am away until Monday\./);
    // Same sender within :days: no second reply. The same Message-ID again: discarded as a duplicate.
    assert.match(await lmtpSend(port, 'bob@example.org', 'alice@example.com', simpleMessage({ from: 'Bob <bob@example.org>', subject: 'again' })), /^250/);
    assert.match(await lmtpSend(port, 'bob@example.org', 'alice@example.com', first), /^250/);
    assert.match(await lmtpSend(port, 'list-bounces@example.org', 'alice@example.com', simpleMessage({ from: 'List <list@example.org>', extra: 'List-Id: <l.example.org>\r\nPrecedence: list' })), /^250/);
    assert.match(await lmtpSend(port, 'carol@example.org', 'alice@example.com', simpleMessage({ from: 'carol@example.org', subject: 'junk offer' })), /^250/);
    assert.deepEqual(await counts(s.config, 'alice'), { INBOX: 3, Junk: 1 });
    assert.equal(sink.messages.length, 1);
  } finally {
    await s.stop();
    await sink.stop();
  }
});


test('facteur deliver: sysexits codes, --mailbox, Sieve on the same path', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-deliver-'));
  const config: Config = { ...DEFAULT_CONFIG, dataDir };
  try {
    await withScript(config, 'alice', SCRIPT, ['Lists', 'Work']);
    const d = ['--data', dataDir];
    assert.deepEqual(await runDeliver([...d, '--to', 'alice', '--from', '<someone@example.org>'], simpleMessage({ subject: 'plain' }).replace(/\r\n/g, '\n')), { code: 0, err: '' });
    assert.equal((await runDeliver([...d, '-d', 'alice+x@example.com', '-f', 'l@example.org'], simpleMessage({ subject: '[list] a' }))).code, 0);
    assert.equal((await runDeliver([...d, '--to', 'alice', '--mailbox', 'Work'], simpleMessage({ subject: 'to work' }))).code, 0);
    assert.equal((await runDeliver([...d, '--to', 'alice', '--mailbox', 'Absent'], simpleMessage({ subject: 'fallback' }))).code, 0);
    assert.deepEqual(await counts(config, 'alice'), { INBOX: 2, Lists: 1, Work: 1 });

    const nouser = await runDeliver([...d, '--to', 'nobody'], simpleMessage());
    assert.equal(nouser.code, 67);
    assert.match(nouser.err, /^facteur deliver: nobody: no such user\n$/);
    assert.equal((await runDeliver([...d], simpleMessage())).code, 64);
    assert.equal((await runDeliver([...d, '--to', 'alice', '--bogus'], simpleMessage())).code, 64);
    const big = await runDeliver([...d, '--to', 'alice', '--max-message-size', '100'], simpleMessage({ body: 'x'.repeat(200) }));
    assert.equal(big.code, 65);
    assert.match(big.err, /larger than the 100-octet limit/);
    // A relay that answers 4xx makes a redirect a temporary failure: the MTA must retry.
    const sink = await SmtpSink.start();
    sink.failWith = '451 4.3.0 busy';
    try {
      const r = await runDeliver([...d, '--to', 'alice', '--from', 'boss@example.org', '--smtp-relay', `127.0.0.1:${sink.port}`], simpleMessage({ from: 'boss@example.org' }));
      assert.equal(r.code, 75, r.err);
    } finally {
      await sink.stop();
    }
    assert.deepEqual(await counts(config, 'alice'), { INBOX: 2, Lists: 1, Work: 1 });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('facteur deliver: ereject exits 77 with the reason on stderr (RFC 5429 §2.1); reject exits 0 and nothing is stored', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-deliver-'));
  const config: Config = { ...DEFAULT_CONFIG, dataDir };
  try {
    await withScript(config, 'alice', `require ["reject", "ereject"];
if header :contains "subject" "hard" { ereject "No hard sell here"; }
if header :contains "subject" "soft" { reject "Not interested"; }
`);
    const d = ['--data', dataDir, '--to', 'alice', '--from', 'seller@example.org'];
    const hard = await runDeliver(d, simpleMessage({ subject: 'hard offer' }));
    assert.equal(hard.code, 77);
    assert.match(hard.err, /No hard sell here/);
    const sink = await SmtpSink.start();
    try {
      const soft = await runDeliver([...d, '--smtp-relay', `127.0.0.1:${sink.port}`], simpleMessage({ subject: 'soft offer' }));
      assert.equal(soft.code, 0, soft.err);
      assert.equal(sink.messages.length, 1, 'reject sends its notice to the envelope sender');
      assert.deepEqual(sink.messages[0].to, ['seller@example.org']);
      assert.equal(sink.messages[0].from, '');
    } finally {
      await sink.stop();
    }
    assert.deepEqual(await counts(config, 'alice'), {}, 'refused mail is not stored');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('facteur deliver into the data directory of a running server: an IDLE session there sees the message', async () => {
  const s = await startTestServer();
  try {
    const a = await loggedIn(s.port);
    assertStatus(await a.command('SELECT INBOX'), 'OK');
    a.write('I1 IDLE\r\n');
    await waitForLine(a, /^\+ /);
    assert.deepEqual(await runDeliver(['--data', s.dataDir, '--store', s.config.store, '--to', 'alice'], simpleMessage({ subject: 'from the pipe' })), { code: 0, err: '' });
    await waitForLine(a, /^\* 1 EXISTS$/);
    a.write('DONE\r\n');
    await waitForLine(a, /^I1 OK/);
    a.close();
  } finally {
    await s.stop();
  }
});
