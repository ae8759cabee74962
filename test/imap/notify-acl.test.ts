/**
 * NOTIFY (RFC 5465) meets ACL (RFC 4314) over real sockets, with three accounts and several
 * connections: bob's shared mailboxes are observed by alice only with "l" and "r" (§5 end),
 * "l" without "r" is LIST (\NoAccess) (§3.1, §5.9), granting and revoking "l" are creation and
 * deletion (§5.4) — also for "anyone" grants and for grants made by another process on the same
 * store (the SQLite change feed / PostgreSQL NOTIFY) — and the selected shared mailbox is pushed
 * through its owner's events.
 *
 * Absence is never checked with a timer: a later change is made, and the lines read before its
 * notification must not contain what should not have been sent.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { ACCOUNTS, TestClient, append, assertStatus, loginAs, simpleMessage, waitForLine } from '../support/transcript.js';
import { lmtpDeliver } from '../support/delivery.js';
import { openStore } from '../../src/main.js';
import { sharedOwnerActor } from '../../src/store/access/index.js';

async function as(port: number, user: string): Promise<TestClient> {
  const c = await loginAs(port, user);
  // rev2: no \Recent / RECENT lines in the transcripts
  assertStatus(await c.command('ENABLE IMAP4rev2'), 'OK');
  return c;
}

describe('NOTIFY with ACL (RFC 5465 §3.1, §5.4, §5.9)', () => {
  let srv: TestServer;
  let bob: TestClient;
  let n = 0;
  const open: TestClient[] = [];
  const client = async (user: string): Promise<TestClient> => {
    const c = await as(srv.port, user);
    open.push(c);
    return c;
  };
  /** A fresh mailbox of bob's with one message. */
  async function bobBox(prefix = 'Team'): Promise<string> {
    const name = `${prefix}${++n}`;
    assertStatus(await bob.command(`CREATE ${name}`), 'OK');
    assertStatus(await append(bob, name, simpleMessage({ subject: 'one' })), 'OK');
    return name;
  }

  before(async () => {
    srv = await startTestServer({ users: ACCOUNTS, config: { lmtpPort: await freePort() } });
    bob = await as(srv.port, 'bob');
  });
  after(async () => {
    for (const c of open) c.close();
    bob.close();
    await srv.stop();
  });

  test('a shared mailbox with lr is observed through its owner: STATUS on bob\'s APPEND; a hidden one never', async () => {
    const box = await bobBox();
    const secret = await bobBox('Secret');
    const shared = `Other Users/bob/${box}`;
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    const alice = await client('alice');
    // the hidden mailbox is named too: §3.1 "MUST ignore" it (no LIST, no STATUS)
    const set = await alice.command(`NOTIFY SET STATUS (subtree "Other Users" (MessageNew MessageExpunge)) (mailboxes "Other Users/bob/${secret}" (MessageNew MessageExpunge))`);
    assertStatus(set, 'OK');
    assert.deepEqual(set.untagged.map((l) => l.replace(/UIDVALIDITY \d+/, 'UIDVALIDITY v')), [`* STATUS "${shared}" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY v)`]);
    // bob's mailbox that alice cannot see changes first; her first line is about the shared one
    assertStatus(await append(bob, secret, simpleMessage({ subject: 'private' })), 'OK');
    assertStatus(await append(bob, box, simpleMessage({ subject: 'two' })), 'OK');
    const got = await waitForLine(alice, /^\* STATUS /);
    assert.deepEqual(got.skipped, []);
    assert.equal(got.line, `* STATUS "${shared}" (MESSAGES 2 UIDNEXT 3)`);
    // carol, without a grant, watching the same names, hears nothing and her NOTIFY is quiet
    const carol = await client('carol');
    const cs = await carol.command(`NOTIFY SET STATUS (subtree "Other Users" (MessageNew MessageExpunge MailboxName))`);
    assertStatus(cs, 'OK');
    assert.deepEqual(cs.untagged, []);
    assertStatus(await append(bob, box, simpleMessage({ subject: 'three' })), 'OK');
    assertStatus(await bob.command(`SETACL ${box} carol lr`), 'OK');
    const c1 = await waitForLine(carol, /^\* /);
    assert.deepEqual(c1.skipped, []);
    assert.equal(c1.line, `* LIST (\\HasNoChildren) "/" "${shared}"`);
  });

  test('LMTP delivery into bob\'s shared INBOX reaches alice as STATUS', async () => {
    assertStatus(await bob.command('SETACL INBOX alice lr'), 'OK');
    const alice = await client('alice');
    assertStatus(await alice.command('NOTIFY SET (mailboxes "Other Users/bob/INBOX" (MessageNew MessageExpunge)) (personal (MessageNew MessageExpunge))'), 'OK');
    assert.match(await lmtpDeliver(srv.config.lmtpPort, 'x@example.org', 'bob@example.org', simpleMessage({ subject: 'by lmtp' })), /^250 /);
    const got = await waitForLine(alice, /^\* STATUS /);
    assert.deepEqual(got.skipped, []);
    assert.match(got.line, /^\* STATUS "Other Users\/bob\/INBOX" \(MESSAGES \d+ UIDNEXT \d+\)$/);
    // "l" revoked: monitoring stops (§5.9); without MailboxName it is not reported, as a deletion
    // would not be (decision 0012 "ACL")
    assertStatus(await bob.command('DELETEACL INBOX alice'), 'OK');
    assertStatus(await append(bob, 'INBOX', simpleMessage({ subject: 'not for alice' })), 'OK');
    const own = await client('alice');
    assertStatus(await append(own, 'INBOX', simpleMessage({ subject: 'for alice' })), 'OK');
    const next = await waitForLine(alice, /^\* /);
    assert.deepEqual(next.skipped, []);
    assert.match(next.line, /^\* STATUS "INBOX" \(MESSAGES \d+ UIDNEXT \d+\)$/);
  });

  test('NOTIFY SET: "l" without "r" is LIST (\\NoAccess); no "l" (even with "r") is ignored', async () => {
    const listOnly = await bobBox('ListOnly');
    const readOnly = await bobBox('ReadOnly');
    const hidden = await bobBox('Hidden');
    assertStatus(await bob.command(`SETACL ${listOnly} alice l`), 'OK');
    assertStatus(await bob.command(`SETACL ${readOnly} alice r`), 'OK');
    const alice = await client('alice');
    const names = [listOnly, readOnly, hidden, 'Missing'].map((x) => `"Other Users/bob/${x}"`).join(' ');
    const set = await alice.command(`NOTIFY SET STATUS (mailboxes (${names}) (MessageNew MessageExpunge))`);
    assertStatus(set, 'OK');
    assert.deepEqual(set.untagged, [`* LIST (\\HasNoChildren \\NoAccess) "/" "Other Users/bob/${listOnly}"`]);
    // no STATUS for the list-only mailbox when bob appends to it; the read-only one is not watched
    assertStatus(await append(bob, listOnly, simpleMessage({ subject: 'not for alice' })), 'OK');
    assertStatus(await append(bob, readOnly, simpleMessage({ subject: 'not for alice' })), 'OK');
    // §5.9: "r" granted -> LIST without \NoAccess and monitoring starts
    assertStatus(await bob.command(`SETACL ${listOnly} alice lr`), 'OK');
    const got = await waitForLine(alice, /^\* /);
    assert.deepEqual(got.skipped, []);
    assert.equal(got.line, `* LIST (\\HasNoChildren) "/" "Other Users/bob/${listOnly}"`);
    assertStatus(await append(bob, listOnly, simpleMessage({ subject: 'for alice' })), 'OK');
    assert.equal(await alice.readLine(), `* STATUS "Other Users/bob/${listOnly}" (MESSAGES 3 UIDNEXT 4)`);
  });

  test('SETACL grant is LIST, "r" revoked is LIST (\\NoAccess) and stops STATUS, "l" revoked is LIST (\\NonExistent)', async () => {
    const box = await bobBox('Grant');
    const shared = `Other Users/bob/${box}`;
    const alice = await client('alice');
    // a PERSONAL watcher of MailboxName hears nothing of bob's grants (not even the owner level)
    const personal = await client('alice');
    assertStatus(await personal.command('NOTIFY SET (personal (MailboxName))'), 'OK');
    const set = await alice.command(`NOTIFY SET (subtree "${shared}" (MessageNew MessageExpunge MailboxName))`);
    assertStatus(set, 'OK');
    assert.deepEqual(set.untagged, []);
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    assert.equal(await alice.readLine(), `* LIST (\\HasNoChildren) "/" "${shared}"`);
    // monitoring started with the grant
    assertStatus(await append(bob, box, simpleMessage({ subject: 'two' })), 'OK');
    assert.equal(await alice.readLine(), `* STATUS "${shared}" (MESSAGES 2 UIDNEXT 3)`);
    // "r" revoked: still LISTable, no longer readable
    assertStatus(await bob.command(`SETACL ${box} alice -r`), 'OK');
    assert.equal(await alice.readLine(), `* LIST (\\HasNoChildren \\NoAccess) "/" "${shared}"`);
    assertStatus(await append(bob, box, simpleMessage({ subject: 'unseen by alice' })), 'OK');
    assertStatus(await bob.command(`SETACL ${box} alice +r`), 'OK');
    const back = await waitForLine(alice, /^\* /);
    assert.deepEqual(back.skipped, []);
    assert.equal(back.line, `* LIST (\\HasNoChildren) "/" "${shared}"`);
    // "l" revoked (DELETEACL): a deletion (§5.4)
    assertStatus(await bob.command(`DELETEACL ${box} alice`), 'OK');
    assert.equal(await alice.readLine(), `* LIST (\\NonExistent) "/" "${shared}"`);
    assertStatus(await append(bob, box, simpleMessage({ subject: 'gone' })), 'OK');
    // the personal watcher: the first line it gets is its own account's change
    assertStatus(await (await client('alice')).command(`CREATE Mine${n}`), 'OK');
    const p = await waitForLine(personal, /^\* /);
    assert.deepEqual(p.skipped, []);
    assert.equal(p.line, `* LIST (\\HasNoChildren) "/" "Mine${n}"`);
    // nothing reached alice after the revocation: the next line is a new grant's
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    const again = await waitForLine(alice, /^\* /);
    assert.deepEqual(again.skipped, []);
    assert.equal(again.line, `* LIST (\\HasNoChildren) "/" "${shared}"`);
  });

  test('grants to "anyone" and "authenticated" reach every watching session', async () => {
    const box = await bobBox('Public');
    const shared = `Other Users/bob/${box}`;
    const alice = await client('alice');
    const carol = await client('carol');
    for (const c of [alice, carol]) assertStatus(await c.command(`NOTIFY SET (subtree "Other Users/bob" (MessageNew MessageExpunge MailboxName))`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} anyone lr`), 'OK');
    for (const c of [alice, carol]) {
      const got = await waitForLine(c, new RegExp(`^\\* LIST .*"${shared}"$`));
      assert.equal(got.line, `* LIST (\\HasNoChildren) "/" "${shared}"`);
      // §5.4: the direct parent is affected too; here it is bob's level of "Other Users"
      assert.equal(await c.readLine(), '* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob"');
    }
    assertStatus(await append(bob, box, simpleMessage({ subject: 'two' })), 'OK');
    for (const c of [alice, carol]) assert.equal(await c.readLine(), `* STATUS "${shared}" (MESSAGES 2 UIDNEXT 3)`);
    // a negative entry for carol takes it away from her only
    assertStatus(await bob.command(`SETACL ${box} -carol l`), 'OK');
    assert.equal(await carol.readLine(), `* LIST (\\NonExistent) "/" "${shared}"`);
    assert.match(await carol.readLine(), /^\* LIST \(.*\) "\/" "Other Users\/bob"$/);
    assertStatus(await bob.command(`DELETEACL ${box} anyone`), 'OK');
    assert.equal(await alice.readLine(), `* LIST (\\NonExistent) "/" "${shared}"`);
    assert.match(await alice.readLine(), /^\* LIST \(.*\) "\/" "Other Users\/bob"$/);
    assertStatus(await bob.command(`SETACL ${box} authenticated lr`), 'OK');
    assert.equal(await alice.readLine(), `* LIST (\\HasNoChildren) "/" "${shared}"`);
    // carol's negative entry still hides it: her next line is the next change she may see
    const other = await bobBox('Public');
    assertStatus(await bob.command(`SETACL ${other} carol lr`), 'OK');
    const c2 = await waitForLine(carol, /^\* /);
    assert.deepEqual(c2.skipped, []);
    assert.equal(c2.line, `* LIST (\\HasNoChildren) "/" "Other Users/bob/${other}"`);
  });

  test('a Shared/ mailbox the operator creates and opens to anyone is observed like any other', async () => {
    const name = `Desk${++n}`;
    const alice = await client('alice');
    assertStatus(await alice.command('NOTIFY SET (subtree Shared (MessageNew MessageExpunge MailboxName))'), 'OK');
    // as `facteur acl create Shared/... && facteur acl set Shared/... anyone lri` do
    const store = await openStore(srv.config);
    try {
      const owner = await sharedOwnerActor(store);
      await store.createMailbox(owner, name);
      await store.setAcl(owner, name, 'anyone', 'lri');
    } finally {
      await store.close();
    }
    assert.equal((await waitForLine(alice, /^\* /, 5000)).line, `* LIST (\\HasNoChildren) "/" "Shared/${name}"`);
    assert.equal(await alice.readLine(), '* LIST (\\Noselect \\HasChildren) "/" "Shared"');
    assertStatus(await append(bob, `Shared/${name}`, simpleMessage({ subject: 'to the desk' })), 'OK');
    assert.equal(await alice.readLine(), `* STATUS "Shared/${name}" (MESSAGES 1 UIDNEXT 2)`);
  });

  test('the selected shared mailbox gets EXISTS, MessageNew FETCH and flag FETCH from the owner\'s changes', async () => {
    const box = await bobBox('Sel');
    const shared = `Other Users/bob/${box}`;
    assertStatus(await bob.command(`SETACL ${box} alice lrs`), 'OK');
    const alice = await client('alice');
    assertStatus(await alice.command(`SELECT "${shared}"`), 'OK');
    assertStatus(await alice.command('NOTIFY SET (selected (MessageNew (UID) MessageExpunge FlagChange))'), 'OK');
    assertStatus(await append(bob, box, simpleMessage({ subject: 'two' })), 'OK');
    assert.equal(await alice.readLine(), '* 2 EXISTS');
    assert.equal(await alice.readLine(), '* 2 FETCH (UID 2)');
    assertStatus(await bob.command(`SELECT ${box}`), 'OK');
    // A shared flag (the owner's \Seen is the owner's own, decision 0019).
    assertStatus(await bob.command('STORE 1 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.equal(await alice.readLine(), '* 1 FETCH (UID 1 FLAGS (\\Flagged))');
    assertStatus(await bob.command('UNSELECT'), 'OK');
  });
});

test('an ACL change made by another process on the same store reaches NOTIFY sessions (change feed / PgChangeBus)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-notify-acl-'));
  const a = await startTestServer({ dataDir, users: ACCOUNTS });
  const b = await startTestServer({ dataDir, users: [] });
  const clients: TestClient[] = [];
  try {
    const bob = await as(a.port, 'bob');
    const alice = await as(b.port, 'alice');
    clients.push(bob, alice);
    assertStatus(await bob.command('CREATE Far'), 'OK');
    assertStatus(await alice.command('NOTIFY SET (subtree "Other Users/bob" (MessageNew MessageExpunge MailboxName))'), 'OK');
    // through server A (another process or node for B)
    assertStatus(await bob.command('SETACL Far alice lr'), 'OK');
    assert.equal((await waitForLine(alice, /^\* /, 5000)).line, '* LIST (\\HasNoChildren) "/" "Other Users/bob/Far"');
    assert.equal(await alice.readLine(), '* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob"');
    // as `facteur acl` does: its own store (and bus), closed at once
    const asCli = async (identifier: string, rights: string | null): Promise<void> => {
      const store = await openStore(b.config);
      try {
        const rec = await store.getAccount('bob');
        await store.setAcl({ accountId: rec!.id, name: 'bob' }, 'Far', identifier, rights);
      } finally {
        await store.close();
      }
    };
    await asCli('alice', null);
    assert.equal((await waitForLine(alice, /^\* /, 5000)).line, '* LIST (\\NonExistent) "/" "Other Users/bob/Far"');
    assert.equal(await alice.readLine(), '* LIST (\\NonExistent) "/" "Other Users/bob"');
    // an "anyone" entry travels on SERVER_CHANNEL
    await asCli('anyone', 'l');
    assert.equal((await waitForLine(alice, /^\* /, 5000)).line, '* LIST (\\HasNoChildren \\NoAccess) "/" "Other Users/bob/Far"');
    assert.equal(await alice.readLine(), '* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob"');
  } finally {
    for (const c of clients) c.close();
    await b.stop();
    await a.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
