/**
 * Sieve mboxmetadata / servermetadata (RFC 5490) on the real delivery path: annotations set over
 * IMAP (RFC 5464) and by the operator steer an LMTP delivery; another user's /private entries
 * stay invisible to the recipient's script; ManageSieve advertises both extensions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/main.js';
import type { Config } from '../../src/config/index.js';
import { freePort, startTestServer } from '../support/server.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { assertStatus, loggedIn, simpleMessage, TestClient } from '../support/transcript.js';
import { SUPPORTED_EXTENSIONS } from '../../src/sieve/index.js';
import { SieveClient, capabilities } from '../support/managesieve-client.js';

const SCRIPT = `require ["fileinto", "mboxmetadata", "servermetadata", "variables"];
if metadata "INBOX" "/private/vendor/facteur/route" "lists" { fileinto "Lists"; stop; }
if servermetadataexists "/private/vendor/facteur/bob-only" { fileinto "Leak"; stop; }
if allof (servermetadata :matches "/shared/admin" "mailto:*@*", servermetadataexists "/private/vendor/facteur/mine") {
  fileinto "Admin-\${2}"; stop;
}
`;

async function activate(config: Config, user: string, source: string, mailboxes: string[]): Promise<void> {
  const store = await openStore(config);
  try {
    const acc = (await store.getAccount(user))!;
    const actor = { accountId: acc.id, name: acc.name };
    for (const m of mailboxes) await store.createMailbox(actor, m);
    await store.putSieveScript(actor, 'main', source);
    await store.setActiveSieveScript(actor, 'main');
  } finally {
    await store.close();
  }
}

async function lmtpSend(port: number, to: string, message: string): Promise<string> {
  const c = await LmtpTestClient.connect(port);
  try {
    c.write(`LHLO t\r\nMAIL FROM:<someone@example.org>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    const r = await c.readN(4);
    assert.deepEqual(r.map((x) => x.code), [250, 250, 250, 354], r.map((x) => x.text).join('\n'));
    c.write(dotStuffed(message));
    return (await c.read()).text;
  } finally {
    c.close();
  }
}

async function messagesIn(c: TestClient, mailbox: string): Promise<number> {
  const r = await c.command(`STATUS "${mailbox}" (MESSAGES)`);
  assertStatus(r, 'OK');
  return Number(/MESSAGES (\d+)/.exec(r.untagged[0]!)![1]);
}

test('RFC 5490 over LMTP: mailbox and server annotations steer the recipient\'s script', async () => {
  const s = await startTestServer({
    users: [['alice', 'wonderland-pass'], ['bob', 'builder-pass']],
    config: { lmtpPort: await freePort(), metadataAdmin: 'mailto:postmaster@example.com' },
  });
  const alice = await loggedIn(s.port);
  const bob = await TestClient.connect(s.port);
  try {
    await bob.login('bob', 'builder-pass');
    await activate(s.config, 'alice', SCRIPT, ['Lists', 'Leak', 'Admin-example.com']);
    const port = s.config.lmtpPort;
    // Nothing set yet: implicit keep.
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'one' })), /^250 2\.0\.0/);
    assert.equal(await messagesIn(alice, 'INBOX'), 1);
    // Bob's private server entry is not alice's: her script must not see it.
    assertStatus(await bob.command('SETMETADATA "" (/private/vendor/facteur/bob-only "yes")'), 'OK');
    // Her own private server entry plus the operator's /shared/admin.
    assertStatus(await alice.command('SETMETADATA "" (/private/vendor/facteur/mine "1")'), 'OK');
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'two' })), /^250 2\.0\.0/);
    assert.equal(await messagesIn(alice, 'Leak'), 0);
    assert.equal(await messagesIn(alice, 'Admin-example.com'), 1);
    // A mailbox annotation, compared with i;ascii-casemap by default.
    assertStatus(await alice.command('SETMETADATA INBOX (/private/vendor/facteur/route "LISTS")'), 'OK');
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'three' })), /^250 2\.0\.0/);
    assert.equal(await messagesIn(alice, 'Lists'), 1);
    // Removing it (NIL) restores the previous path.
    assertStatus(await alice.command('SETMETADATA INBOX (/private/vendor/facteur/route NIL)'), 'OK');
    assert.match(await lmtpSend(port, 'alice@example.com', simpleMessage({ subject: 'four' })), /^250 2\.0\.0/);
    assert.equal(await messagesIn(alice, 'Lists'), 1);
    assert.equal(await messagesIn(alice, 'Admin-example.com'), 2);
  } finally {
    alice.close();
    bob.close();
    await s.stop();
  }
});

test('ManageSieve advertises mboxmetadata and servermetadata in its SIEVE capability', async () => {
  const s = await startTestServer();
  const c = await SieveClient.connect(s.managesievePort);
  try {
    const sieve = (capabilities(c.greeting).get('SIEVE') ?? '').split(' ');
    assert.ok(sieve.includes('mboxmetadata') && sieve.includes('servermetadata'), sieve.join(' '));
    assert.ok(SUPPORTED_EXTENSIONS.includes('mboxmetadata'));
  } finally {
    c.close();
    await s.stop();
  }
});
