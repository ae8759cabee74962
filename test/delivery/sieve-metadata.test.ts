/**
 * Sieve mboxmetadata / servermetadata (RFC 5490) on the real delivery path: annotations set over
 * IMAP (RFC 5464) and by the operator steer an LMTP delivery; another user's /private entries
 * stay invisible to the recipient's script; ManageSieve advertises both extensions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startTestServer } from '../support/server.js';
import { assertStatus, loggedIn, simpleMessage, TestClient } from '../support/transcript.js';
import { SUPPORTED_EXTENSIONS } from '../../src/sieve/index.js';
import { SieveClient, capabilities } from '../support/managesieve-client.js';
import { activateScript as activate, lmtpDeliver } from '../support/delivery.js';

const lmtpSend = (port: number, to: string, message: string): Promise<string> => lmtpDeliver(port, 'someone@example.org', to, message);

const SCRIPT = `require ["fileinto", "mboxmetadata", "servermetadata", "variables"];
if metadata "INBOX" "/private/vendor/facteur/route" "lists" { fileinto "Lists"; stop; }
if servermetadataexists "/private/vendor/facteur/bob-only" { fileinto "Leak"; stop; }
if allof (servermetadata :matches "/shared/admin" "mailto:*@*", servermetadataexists "/private/vendor/facteur/mine") {
  fileinto "Admin-\${2}"; stop;
}
`;

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
