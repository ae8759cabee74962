/**
 * Transcript tests of MULTISEARCH (RFC 7377): ESEARCH IN (...) over selected, personal, inboxes,
 * subscribed, subtree, subtree-one and mailboxes sources, the TAG/MAILBOX/UIDVALIDITY correlator,
 * UIDs only, no response for mailboxes without matches, the state rules, SAVE, CONDSTORE's MODSEQ,
 * UIDONLY, and pipelined commands; built from the §3 example plus edge cases.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, grep } from '../support/transcript.js';

/** UIDVALIDITY of each mailbox, by name. */
async function validities(c: TestClient, names: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const n of names) {
    const r = await c.command(`STATUS "${n}" (UIDVALIDITY)`);
    out.set(n, Number(/UIDVALIDITY (\d+)/.exec(r.untagged[0]!)![1]));
  }
  return out;
}

describe('MULTISEARCH (RFC 7377)', () => {
  let srv: TestServer;
  let c: TestClient;
  let v: Map<string, number>;
  const boxes = ['folder1', 'folder2', 'folder2/banana', 'folder2/peach', 'folder2/peach/stone', 'other'];
  before(async () => {
    srv = await startTestServer({ users: [['alice', 'wonderland-pass'], ['bob', 'builder-pass']] });
    // chad appears in folder1 (UIDs 1, 3), folder2/banana (2) and folder2/peach/stone (1).
    await seedMailbox(srv.port, 'folder1', [
      { body: simpleMessage({ subject: 'chad one' }) },
      { body: simpleMessage({ subject: 'nothing' }), flags: '\\Seen' },
      { body: simpleMessage({ subject: 'Chad three' }), flags: '\\Seen' },
    ]);
    await seedMailbox(srv.port, 'folder2', [{ body: simpleMessage({ subject: 'none here' }), flags: '\\Seen' }]);
    await seedMailbox(srv.port, 'folder2/banana', [{ body: simpleMessage({ subject: 'x' }), flags: '\\Seen' }, { body: simpleMessage({ subject: 'chad b' }) }]);
    await seedMailbox(srv.port, 'folder2/peach', [{ body: simpleMessage({ subject: 'peach' }), flags: '\\Seen' }]);
    await seedMailbox(srv.port, 'folder2/peach/stone', [{ body: simpleMessage({ subject: 'chad deep', body: 'kernel' }) }]);
    await seedMailbox(srv.port, 'other', [{ body: simpleMessage({ subject: 'chad other' }), flags: '\\Seen' }]);
    c = await loggedIn(srv.port);
    v = await validities(c, [...boxes, 'INBOX']);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  const corr = (tag: string, box: string): string => `* ESEARCH (TAG "${tag}" MAILBOX "${box}" UIDVALIDITY ${v.get(box)})`;

  test('MULTISEARCH is advertised', async () => {
    const caps = grep(await c.command('CAPABILITY'), /^\* CAPABILITY /)[0]!.split(' ');
    assert.ok(caps.includes('MULTISEARCH'), caps.join(' '));
  });

  test('§3 example shape: mailboxes + subtree, and subtree-one, in the authenticated state', async () => {
    const r1 = await c.command('ESEARCH IN (mailboxes "folder1" subtree "folder2") unseen');
    assertStatus(r1, 'OK');
    const t1 = r1.tagged.split(' ')[0]!;
    assert.deepEqual(r1.untagged, [
      `${corr(t1, 'folder1')} UID ALL 1`,
      `${corr(t1, 'folder2/banana')} UID ALL 2`,
      `${corr(t1, 'folder2/peach/stone')} UID ALL 1`,
    ]);
    const r2 = await c.command('ESEARCH IN (mailboxes "folder1" subtree-one "folder2") subject "chad"');
    const t2 = r2.tagged.split(' ')[0]!;
    assert.deepEqual(r2.untagged, [`${corr(t2, 'folder1')} UID ALL 1,3`, `${corr(t2, 'folder2/banana')} UID ALL 2`]);
  });

  test('personal/inboxes search every mailbox; subscribed only subscribed ones; result options per mailbox', async () => {
    const r = await c.command('ESEARCH IN (personal) RETURN (MIN MAX COUNT) SUBJECT chad');
    const t = r.tagged.split(' ')[0]!;
    assert.deepEqual(r.untagged, [
      `${corr(t, 'folder1')} UID MIN 1 MAX 3 COUNT 2`,
      `${corr(t, 'folder2/banana')} UID MIN 2 MAX 2 COUNT 1`,
      `${corr(t, 'folder2/peach/stone')} UID MIN 1 MAX 1 COUNT 1`,
      `${corr(t, 'other')} UID MIN 1 MAX 1 COUNT 1`,
    ]);
    const inb = await c.command('ESEARCH IN (inboxes) RETURN (COUNT) SUBJECT chad');
    assert.equal(inb.untagged.length, 4);
    // COUNT 0 mailboxes get no response at all (§2.1); no match anywhere: only the tagged OK.
    const none = await c.command('ESEARCH IN (personal) RETURN (COUNT) SUBJECT nosuchthing');
    assertStatus(none, 'OK');
    assert.deepEqual(none.untagged, []);
    assertStatus(await c.command('SUBSCRIBE other'), 'OK');
    assertStatus(await c.command('SUBSCRIBE ghost'), 'OK');
    const sub = await c.command('ESEARCH IN (subscribed) TEXT chad');
    const ts = sub.tagged.split(' ')[0]!;
    assert.deepEqual(sub.untagged, [`${corr(ts, 'other')} UID ALL 1`]);
  });

  test('mailboxes are searched once; missing names are skipped; no wildcard expansion; body keys work', async () => {
    const r = await c.command('ESEARCH IN (mailboxes (folder1 "folder*" nosuch) subtree folder1 mailboxes folder1) BODY kernel');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, []);
    const r2 = await c.command('ESEARCH IN (subtree "folder2/peach" mailboxes "folder2/peach/stone") BODY kernel');
    const t2 = r2.tagged.split(' ')[0]!;
    assert.deepEqual(r2.untagged, [`${corr(t2, 'folder2/peach/stone')} UID ALL 1`]);
    // Message numbers are per mailbox and beyond-the-end ranges are no error (§2).
    const r3 = await c.command('ESEARCH IN (mailboxes (folder1 folder2/banana)) 2:100');
    const t3 = r3.tagged.split(' ')[0]!;
    assert.deepEqual(r3.untagged, [`${corr(t3, 'folder1')} UID ALL 2:3`, `${corr(t3, 'folder2/banana')} UID ALL 2`]);
  });

  test('state rules: "selected" (explicit or default) needs a selected mailbox; it stays selected', async () => {
    assertStatus(await c.command('ESEARCH ALL'), 'BAD');
    assertStatus(await c.command('ESEARCH IN (selected personal) ALL'), 'BAD');
    assertStatus(await c.command('SELECT folder1'), 'OK');
    const r = await c.command('ESEARCH SUBJECT chad');
    const t = r.tagged.split(' ')[0]!;
    assert.deepEqual(r.untagged, [`${corr(t, 'folder1')} UID ALL 1,3`]);
    const r2 = await c.command('ESEARCH IN (selected mailboxes other) SUBJECT chad');
    assert.equal(r2.untagged.length, 2);
    // Still folder1.
    assert.deepEqual(grep(await c.command('UID SEARCH ALL'), /SEARCH/), ['* SEARCH 1 2 3']);
  });

  test('SAVE only with "selected" alone; "$" then works; MODSEQ makes it CONDSTORE-aware', async () => {
    assertStatus(await c.command('SELECT folder1'), 'OK');
    assertStatus(await c.command('ESEARCH IN (personal) RETURN (SAVE) ALL'), 'BAD');
    assertStatus(await c.command('ESEARCH IN (selected mailboxes other) RETURN (SAVE) ALL'), 'BAD');
    const s = await c.command('ESEARCH IN (selected) RETURN (SAVE) SEEN');
    assert.deepEqual(s.untagged, []);
    assert.deepEqual(grep(await c.command('UID SEARCH UID $'), /SEARCH/), ['* SEARCH 2 3']);
    const m = await c.command('ESEARCH IN (mailboxes other) MODSEQ 1');
    assert.ok(m.untagged.some((l) => /^\* OK \[HIGHESTMODSEQ \d+\]/.test(l)), JSON.stringify(m.untagged));
    assert.ok(m.untagged.some((l) => /MAILBOX "other" UIDVALIDITY \d+\) UID ALL 1 MODSEQ \d+$/.test(l)), JSON.stringify(m.untagged));
  });

  test('UIDONLY: message numbers in the program are UIDREQUIRED; pipelined commands stay distinguishable', async () => {
    const u = await loggedIn(srv.port);
    try {
      assertStatus(await u.command('ENABLE UIDONLY'), 'OK');
      assertStatus(await u.command('ESEARCH IN (personal) 1:2'), 'BAD', 'UIDREQUIRED');
      u.write('p1 ESEARCH IN (mailboxes folder1) UNSEEN\r\np2 ESEARCH IN (mailboxes other) ALL\r\n');
      const a = await u.readUntilTagged('p1');
      const b = await u.readUntilTagged('p2');
      assert.deepEqual(a.untagged, [`${corr('p1', 'folder1')} UID ALL 1`]);
      assert.deepEqual(b.untagged, [`${corr('p2', 'other')} UID ALL 1`]);
    } finally {
      u.close();
    }
  });

  test('another account\'s mailboxes, also of the same names, are never searched', async () => {
    await c.command('UNSELECT');
    const bob = await TestClient.connect(srv.port);
    try {
      await bob.login('bob', 'builder-pass');
      assertStatus(await bob.command('CREATE folder1'), 'OK');
      assertStatus(await bob.command('CREATE bobonly'), 'OK');
      for (const box of ['folder1', 'bobonly']) {
        const msg = simpleMessage({ subject: 'chad for bob' });
        const tag = bob.nextTag();
        bob.write(`${tag} APPEND ${box} {${Buffer.byteLength(msg)}+}\r\n${msg}\r\n`);
        assertStatus(await bob.readUntilTagged(tag), 'OK');
      }
      const r = await c.command('ESEARCH IN (personal mailboxes bobonly) SUBJECT bob');
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, []);
      const b = await bob.command('ESEARCH IN (personal) SUBJECT chad');
      assert.deepEqual(
        b.untagged.map((l) => l.replace(/UIDVALIDITY \d+/, 'UIDVALIDITY n')),
        [`* ESEARCH (TAG "${b.tagged.split(' ')[0]}" MAILBOX "bobonly" UIDVALIDITY n) UID ALL 1`, `* ESEARCH (TAG "${b.tagged.split(' ')[0]}" MAILBOX "folder1" UIDVALIDITY n) UID ALL 1`],
      );
    } finally {
      bob.close();
    }
  });
});
