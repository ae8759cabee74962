/**
 * METADATA on shared mailboxes (RFC 5464 §3.3 with RFC 4314), over real sockets: bob shares
 * mailboxes; alice and carol read and write their annotations as "Other Users/bob/...". Reading
 * or writing needs "l" plus one of "rswip" (NOPERM otherwise); a mailbox without a visible right
 * answers exactly as a missing one; /private entries are the acting user's own, also on bob's
 * mailbox; LIST RETURN (METADATA) and NOTIFY MailboxMetadataChange follow the same rules, and so
 * does a Sieve script's mboxmetadata test at delivery (RFC 5490).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/main.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { lmtpDeliver } from '../support/delivery.js';
import { ACCOUNTS, TestClient, assertStatus, loginAs, shape, simpleMessage, waitForLine } from '../support/transcript.js';

const as = (srv: TestServer, user: string): Promise<TestClient> => loginAs(srv.port, user);


describe('METADATA on shared mailboxes (RFC 5464 §3.3 + RFC 4314)', () => {
  let srv: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let n = 0;
  /** A fresh mailbox of bob's with a /shared and a /private comment of his. */
  async function bobBox(): Promise<string> {
    const name = `Team${++n}`;
    assertStatus(await bob.command(`CREATE ${name}`), 'OK');
    assertStatus(await bob.command(`SETMETADATA ${name} (/shared/comment "bob's shared" /private/comment "bob's private")`), 'OK');
    return name;
  }
  before(async () => {
    srv = await startTestServer({ users: ACCOUNTS, config: { lmtpPort: await freePort() } });
    [alice, bob, carol] = await Promise.all([as(srv, 'alice'), as(srv, 'bob'), as(srv, 'carol')]);
  });
  after(async () => {
    for (const c of [alice, bob, carol]) c.close();
    await srv.stop();
  });

  test('a grantee with "lr" reads and writes /shared entries; the owner sees its writes', async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    const got = await alice.command(`GETMETADATA ${shared} (/shared/comment /private/comment)`);
    assertStatus(got, 'OK');
    // Bob's /private comment is his: alice has none there.
    assert.deepEqual(got.untagged, [`* METADATA ${shared} (/shared/comment "bob's shared" /private/comment NIL)`]);
    assertStatus(await alice.command(`SETMETADATA ${shared} (/shared/comment "edited by alice")`), 'OK');
    assert.deepEqual((await bob.command(`GETMETADATA ${box} /shared/comment`)).untagged, [`* METADATA ${box} (/shared/comment "edited by alice")`]);
    // DEPTH infinity over the whole tree: still only what alice may see.
    const tree = await alice.command(`GETMETADATA (DEPTH infinity) ${shared} (/private /shared)`);
    assert.deepEqual(tree.untagged, [`* METADATA ${shared} (/private NIL /shared/comment "edited by alice")`]);
  });

  test('"l" alone, or another right without "l", is NO [NOPERM] for reading and writing', async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} alice l`), 'OK');
    assertStatus(await alice.command(`GETMETADATA ${shared} /shared/comment`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`GETMETADATA ${shared} /private/comment`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`SETMETADATA ${shared} (/shared/comment "x")`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`SETMETADATA ${shared} (/private/comment "x")`), 'NO', 'NOPERM');
    // "r" without "l": still visible (RFC 4314 §6), still not enough (§3.3 needs "l").
    assertStatus(await bob.command(`SETACL ${box} alice r`), 'OK');
    assertStatus(await alice.command(`GETMETADATA ${shared} /shared/comment`), 'NO', 'NOPERM');
    // Any one of "rswip" with "l" is enough (§3.3), here "p" (post).
    assertStatus(await bob.command(`SETACL ${box} alice lp`), 'OK');
    assertStatus(await alice.command(`SETMETADATA ${shared} (/shared/comment "posted")`), 'OK');
    assert.deepEqual((await alice.command(`GETMETADATA ${shared} /shared/comment`)).untagged, [`* METADATA ${shared} (/shared/comment "posted")`]);
    assert.deepEqual((await bob.command(`GETMETADATA ${box} /shared/comment`)).untagged, [`* METADATA ${box} (/shared/comment "posted")`]);
  });

  test('without a visible right the answer is the one a missing mailbox gets', async () => {
    const box = await bobBox();
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    for (const cmd of ['GETMETADATA "Other Users/bob/%s" /shared/comment', 'SETMETADATA "Other Users/bob/%s" (/shared/comment "defaced")']) {
      const hidden = await carol.command(cmd.replace('%s', box));
      assertStatus(hidden, 'NO', 'NONEXISTENT');
      assert.deepEqual(shape(hidden), shape(await carol.command(cmd.replace('%s', 'NoSuchBox'))));
      assert.deepEqual(shape(hidden), shape(await carol.command(cmd.replace('bob/%s', 'nobody/Box'))));
    }
    // Nothing changed.
    assert.deepEqual((await bob.command(`GETMETADATA ${box} /shared/comment`)).untagged, [`* METADATA ${box} (/shared/comment "bob's shared")`]);
  });

  test("/private entries on bob's mailbox belong to each user: alice's, carol's and bob's stay apart", async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} alice lrw`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} carol lr`), 'OK');
    assertStatus(await alice.command(`SETMETADATA ${shared} (/private/comment "alice's note")`), 'OK');
    assertStatus(await carol.command(`SETMETADATA ${shared} (/private/comment "carol's note")`), 'OK');
    const read = async (c: TestClient, name: string): Promise<string[]> => (await c.command(`GETMETADATA ${name} /private/comment`)).untagged;
    assert.deepEqual(await read(alice, shared), [`* METADATA ${shared} (/private/comment "alice's note")`]);
    assert.deepEqual(await read(carol, shared), [`* METADATA ${shared} (/private/comment "carol's note")`]);
    assert.deepEqual(await read(bob, box), [`* METADATA ${box} (/private/comment "bob's private")`]);
    // Bob's whole tree shows none of theirs.
    const tree = await bob.command(`GETMETADATA (DEPTH infinity) ${box} /private`);
    assert.deepEqual(tree.untagged, [`* METADATA ${box} (/private/comment "bob's private")`]);
    // Alice removes hers: carol's and bob's remain.
    assertStatus(await alice.command(`SETMETADATA ${shared} (/private/comment NIL)`), 'OK');
    assert.deepEqual(await read(alice, shared), [`* METADATA ${shared} (/private/comment NIL)`]);
    assert.deepEqual(await read(carol, shared), [`* METADATA ${shared} (/private/comment "carol's note")`]);
    // Revoked, alice's access goes; carol keeps hers.
    assertStatus(await alice.command(`SETMETADATA ${shared} (/private/comment "again")`), 'OK');
    assertStatus(await bob.command(`DELETEACL ${box} alice`), 'OK');
    assertStatus(await alice.command(`GETMETADATA ${shared} /private/comment`), 'NO', 'NONEXISTENT');
    assert.deepEqual(await read(carol, shared), [`* METADATA ${shared} (/private/comment "carol's note")`]);
  });

  test('LIST RETURN (METADATA) on Other Users/bob/...: entries where readable, none with "l" alone', async () => {
    const readable = await bobBox();
    const listOnly = await bobBox();
    assertStatus(await bob.command(`SETACL ${readable} alice lr`), 'OK');
    assertStatus(await bob.command(`SETACL ${listOnly} alice l`), 'OK');
    assertStatus(await alice.command(`SETMETADATA "Other Users/bob/${readable}" (/private/comment "mine")`), 'OK');
    const r = await alice.command(`LIST "Other Users/bob/" "Team*" RETURN (METADATA (/shared/comment /private/comment))`);
    assertStatus(r, 'OK');
    const at = (name: string): string[] => {
      const i = r.untagged.findIndex((l) => l.startsWith('* LIST ') && l.endsWith(`"Other Users/bob/${name}"`));
      assert.ok(i >= 0, `${name} listed: ${r.untagged.join(' | ')}`);
      const next = r.untagged[i + 1];
      return next !== undefined && next.startsWith('* METADATA ') ? [next] : [];
    };
    assert.deepEqual(at(readable), [`* METADATA "Other Users/bob/${readable}" (/shared/comment "bob's shared" /private/comment "mine")`]);
    assert.deepEqual(at(listOnly), []);
    // Carol, with no grant, lists none of them.
    const c = await carol.command(`LIST "Other Users/bob/" "*" RETURN (METADATA (/shared/comment))`);
    assert.ok(!c.untagged.some((l) => l.includes(`/${readable}"`) || l.includes(`/${listOnly}"`)), c.untagged.join(' | '));
  });

  test('NOTIFY MailboxMetadataChange reaches a grantee for /shared changes only', async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} carol lrw`), 'OK');
    const watcher = await as(srv, 'alice');
    try {
      assertStatus(await watcher.command(`NOTIFY SET (mailboxes ${shared} (MailboxMetadataChange))`), 'OK');
      // Private changes first (bob's own, then carol's): a leak would arrive before the shared one.
      assertStatus(await bob.command(`SETMETADATA ${box} (/private/secret-bob "x")`), 'OK');
      assertStatus(await carol.command(`SETMETADATA ${shared} (/private/secret-carol "y")`), 'OK');
      assertStatus(await bob.command(`SETMETADATA ${box} (/shared/comment "changed")`), 'OK');
      const got = await waitForLine(watcher, /^\* METADATA /);
      assert.equal(got.line, `* METADATA ${shared} /shared/comment`);
      assert.deepEqual(got.skipped.filter((l) => l.includes('METADATA')), []);
      // A /shared change by another grantee reaches alice too (it is the mailbox's entry).
      assertStatus(await carol.command(`SETMETADATA ${shared} (/shared/vendor/facteur/color "red")`), 'OK');
      assert.equal((await waitForLine(watcher, /^\* METADATA /)).line, `* METADATA ${shared} /shared/vendor/facteur/color`);
      // Alice's own /private entry on bob's mailbox is announced to her (her channel), by name.
      assertStatus(await alice.command(`SETMETADATA ${shared} (/private/mine "z")`), 'OK');
      const own = await waitForLine(watcher, /^\* METADATA /);
      assert.equal(own.line, `* METADATA ${shared} /private/mine`);
      const noop = await watcher.command('NOOP');
      assert.ok(!noop.untagged.some((l) => l.includes('secret')), noop.untagged.join(' | '));
    } finally {
      watcher.close();
    }
  });

  test('Sieve mboxmetadata on "Other Users/bob/..." answers with the recipient\'s view (RFC 5490)', async () => {
    const box = await bobBox();
    const script = `require ["fileinto", "mboxmetadata"];
if metadata "Other Users/bob/${box}" "/shared/vendor/facteur/route" "lists" { fileinto "Lists"; stop; }
if metadataexists "Other Users/bob/${box}" "/private/comment" { fileinto "Leak"; stop; }
`;
    const store = await openStore(srv.config);
    try {
      const acc = (await store.getAccount('alice'))!;
      const actor = { accountId: acc.id, name: acc.name };
      for (const m of ['Lists', 'Leak']) await store.createMailbox(actor, m);
      await store.putSieveScript(actor, 'main', script);
      await store.setActiveSieveScript(actor, 'main');
    } finally {
      await store.close();
    }
    assertStatus(await bob.command(`SETMETADATA ${box} (/shared/vendor/facteur/route "LISTS")`), 'OK');
    const count = async (name: string): Promise<number> => Number(/MESSAGES (\d+)/.exec((await alice.command(`STATUS ${name} (MESSAGES)`)).untagged[0]!)![1]);
    // Not granted yet: the mailbox does not exist for alice, the test is false.
    await deliver(srv.config.lmtpPort, 'one');
    assert.equal(await count('Lists'), 0);
    assert.equal(await count('Leak'), 0);
    // With "lr", the /shared entry is hers to read; bob's /private comment never is.
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    await deliver(srv.config.lmtpPort, 'two');
    assert.equal(await count('Lists'), 1);
    assert.equal(await count('Leak'), 0);
    // "l" alone is not enough to read annotations (RFC 5464 §3.3).
    assertStatus(await bob.command(`SETACL ${box} alice l`), 'OK');
    await deliver(srv.config.lmtpPort, 'three');
    assert.equal(await count('Lists'), 1);
  });
});

async function deliver(port: number, subject: string): Promise<void> {
  assert.match(await lmtpDeliver(port, 'someone@example.org', 'alice@example.com', simpleMessage({ subject })), /^250 2\.0\.0/);
}
