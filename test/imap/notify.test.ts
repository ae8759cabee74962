/**
 * NOTIFY (RFC 5465) over real sockets, with two accounts and several connections: STATUS for
 * other mailboxes (another session, LMTP), pushes for the selected mailbox between commands
 * (never EXPUNGE there: RFC 9051 §7.5.1), SELECTED-DELAYED, MailboxName with OLDNAME,
 * SubscriptionChange, NOTIFY NONE, and the BAD / NO [BADEVENT] cases.
 *
 * Absence is never checked with a timer: a later change is made, and the lines read before its
 * notification must not contain what should not have been sent.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { TestClient, append, assertStatus, simpleMessage, waitForLine } from '../support/transcript.js';
import { lmtpDeliver } from '../support/delivery.js';

const BOB: [string, string] = ['bob', 'bob-secret-pass'];
const SUPPORTED = 'BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)';

describe('NOTIFY (RFC 5465)', () => {
  let srv: TestServer;
  let n = 0;
  const open: TestClient[] = [];
  const uniq = (p: string): string => `${p}${++n}`;

  async function client(user: [string, string] = ['alice', 'wonderland-pass']): Promise<TestClient> {
    const c = await TestClient.connect(srv.port);
    assertStatus(await c.login(user[0], user[1]), 'OK');
    // rev2: no \Recent / RECENT lines in the transcripts
    assertStatus(await c.command('ENABLE IMAP4rev2'), 'OK');
    open.push(c);
    return c;
  }

  before(async () => {
    srv = await startTestServer({ users: [['alice', 'wonderland-pass'], BOB], config: { lmtpPort: await freePort() } });
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('CAPABILITY lists NOTIFY', async () => {
    const c = await client();
    const r = await c.command('CAPABILITY');
    assert.ok(r.untagged.some((l) => / NOTIFY(?: |$)/.test(l)), JSON.stringify(r.untagged));
  });

  test('STATUS for another mailbox when another connection appends and expunges, without a command', async () => {
    const box = uniq('watched');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await append(b, box, simpleMessage({ subject: 'one' })), 'OK');
    // §3.1: initial STATUS with MESSAGES UIDNEXT UIDVALIDITY for MessageNew
    const set = await a.command(`NOTIFY SET STATUS (mailboxes ${box} (MessageNew MessageExpunge))`);
    assertStatus(set, 'OK');
    assert.deepEqual(set.untagged.filter((l) => l.includes(box)).map((l) => l.replace(/UIDVALIDITY \d+/, 'UIDVALIDITY v')), [
      `* STATUS "${box}" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY v)`,
    ]);
    assertStatus(await append(b, box, simpleMessage({ subject: 'two' })), 'OK');
    // §5.2: "* STATUS (UIDNEXT MESSAGES)" pushed while A sends nothing
    const got = await waitForLine(a, /^\* STATUS /);
    assert.equal(got.line, `* STATUS "${box}" (MESSAGES 2 UIDNEXT 3)`);
    assertStatus(await b.command(`SELECT ${box}`), 'OK');
    assertStatus(await b.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    // FlagChange was not asked for: the flag change alone sends nothing; the expunge does (§5.3)
    assertStatus(await b.command('EXPUNGE'), 'OK');
    const got2 = await waitForLine(a, /^\* STATUS /);
    assert.deepEqual(got2.skipped, []);
    assert.equal(got2.line, `* STATUS "${box}" (MESSAGES 1 UIDNEXT 3)`);
  });

  test('STATUS items follow FlagChange and CONDSTORE: HIGHESTMODSEQ, UIDVALIDITY, UNSEEN', async () => {
    const box = uniq('flags');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    const set = await a.command(`NOTIFY SET STATUS (mailboxes ${box} (MessageNew MessageExpunge FlagChange))`);
    assertStatus(set, 'OK');
    const initial = set.untagged.find((l) => l.includes(box));
    assert.match(initial ?? '', new RegExp(`^\\* STATUS "${box}" \\(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \\d+ HIGHESTMODSEQ \\d+\\)$`));
    const before = Number(/HIGHESTMODSEQ (\d+)/.exec(initial!)![1]);
    assertStatus(await b.command(`SELECT ${box}`), 'OK');
    assertStatus(await b.command('STORE 1 +FLAGS (\\Seen)'), 'OK');
    const f = await waitForLine(a, /^\* STATUS /);
    const m = new RegExp(`^\\* STATUS "${box}" \\(UIDVALIDITY \\d+ HIGHESTMODSEQ (\\d+) UNSEEN 0\\)$`).exec(f.line);
    assert.ok(m, f.line);
    assert.ok(Number(m[1]) > before);
    // without STATUS indicator: no initial STATUS (the imaptest "notify" script checks this too)
    const again = await a.command(`NOTIFY SET (mailboxes ${box} (MessageNew MessageExpunge FlagChange))`);
    assertStatus(again, 'OK');
    assert.deepEqual(again.untagged, []);
  });

  test('LMTP delivery into INBOX is notified as STATUS; another account\'s changes are not', async () => {
    const a = await client();
    const bob = await client(BOB);
    assertStatus(await a.command('NOTIFY SET (inboxes (MessageNew MessageExpunge))'), 'OK');
    // bob's change comes first; alice's STATUS must be the first line she gets
    assertStatus(await append(bob, 'INBOX', simpleMessage({ subject: 'for bob' })), 'OK');
    assert.match(await lmtpDeliver(srv.config.lmtpPort, 'x@example.org', 'alice@example.org', simpleMessage({ subject: 'by lmtp' })), /^250 /);
    const got = await waitForLine(a, /^\* STATUS /);
    assert.deepEqual(got.skipped, []);
    assert.match(got.line, /^\* STATUS "INBOX" \(MESSAGES \d+ UIDNEXT \d+\)$/);
  });

  test('SELECTED: EXISTS, MessageNew FETCH and flag FETCH pushed between commands; EXPUNGE waits for a command', async () => {
    const box = uniq('sel');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    for (const s of ['m1', 'm2']) assertStatus(await append(b, box, simpleMessage({ subject: s })), 'OK');
    assertStatus(await a.command(`SELECT ${box}`), 'OK');
    assertStatus(await a.command('NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge FlagChange))'), 'OK');
    assertStatus(await b.command(`SELECT ${box}`), 'OK');

    assertStatus(await append(b, box, simpleMessage({ subject: 'm3' })), 'OK');
    assert.equal((await a.readLine()), '* 3 EXISTS');
    assert.equal(await a.readLine(), '* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: m3\r\n\r\n)');

    assertStatus(await b.command('STORE 2 +FLAGS.SILENT (\\Flagged)'), 'OK');
    assert.equal(await a.readLine(), '* 2 FETCH (UID 2 FLAGS (\\Flagged))');

    // an expunge by B is not sent while A has no command in progress (RFC 9051 §7.5.1)...
    assertStatus(await b.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await b.command('EXPUNGE'), 'OK');
    assertStatus(await append(b, box, simpleMessage({ subject: 'm4' })), 'OK');
    const exists = await waitForLine(a, /EXISTS$/);
    // no EXPUNGE before the EXISTS; the view still has 4. The \Deleted flag change comes first
    // when A's node saw it before the expunge; when B is on another node both may arrive together,
    // and a message already expunged gets no FETCH (events are hints, the modseq log is the truth).
    assert.ok(
      exists.skipped.length === 0 || (exists.skipped.length === 1 && exists.skipped[0] === '* 1 FETCH (UID 1 FLAGS (\\Deleted))'),
      JSON.stringify(exists.skipped),
    );
    assert.equal(exists.line, '* 4 EXISTS');
    await waitForLine(a, /^\* 4 FETCH \(UID 4 /);
    // ...nor during FETCH, but after a UID command, where RFC 9051 §7.5.1 allows it
    const f = await a.command('FETCH 1 (FLAGS)');
    assert.ok(!f.untagged.some((l) => /EXPUNGE/.test(l)), JSON.stringify(f.untagged));
    const u = await a.command('UID FETCH 2 (FLAGS)');
    assert.deepEqual(u.untagged, ['* 2 FETCH (UID 2 FLAGS (\\Flagged))', '* 1 EXPUNGE']);
    // A's own APPEND into the selected mailbox: EXISTS, but no MessageNew FETCH (§5.2 SHOULD NOT)
    const own = await append(a, box, simpleMessage({ subject: 'mine' }));
    assertStatus(own, 'OK');
    assert.ok(own.untagged.includes('* 4 EXISTS'), JSON.stringify(own.untagged));
    assert.deepEqual(own.untagged.filter((l) => /FETCH/.test(l)), []);
  });

  test('SELECTED-DELAYED: expunges wait for a command that is not FETCH, STORE or SEARCH (UID variants too)', async () => {
    const box = uniq('delayed');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    for (const s of ['m1', 'm2']) assertStatus(await append(b, box, simpleMessage({ subject: s })), 'OK');
    assertStatus(await a.command(`SELECT ${box}`), 'OK');
    assertStatus(await a.command('NOTIFY SET (selected-delayed (MessageNew (UID) MessageExpunge))'), 'OK');
    assertStatus(await b.command(`SELECT ${box}`), 'OK');
    assertStatus(await b.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await b.command('EXPUNGE'), 'OK');
    assertStatus(await append(b, box, simpleMessage({ subject: 'm3' })), 'OK');
    // FlagChange was not asked for: no flag FETCH; no EXPUNGE; the new message is pushed
    assert.equal(await a.readLine(), '* 3 EXISTS');
    assert.equal(await a.readLine(), '* 3 FETCH (UID 3)');
    const u = await a.command('UID FETCH 1:* (UID)');
    assert.ok(!u.untagged.some((l) => /EXPUNGE/.test(l)), JSON.stringify(u.untagged));
    const noop = await a.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 1 EXPUNGE']);
  });

  test('MailboxName: CREATE, RENAME (with OLDNAME) and DELETE in another session; own changes not echoed', async () => {
    const base = uniq('names');
    const a = await client();
    const b = await client();
    assertStatus(await a.command(`NOTIFY SET (subtree ${base} (MailboxName))`), 'OK');
    // A's own CREATE is not reported back to A (RFC 5465 §5 SHOULD)
    const own = await a.command(`CREATE ${base}`);
    assertStatus(own, 'OK');
    assert.deepEqual(own.untagged, []);
    assertStatus(await b.command(`CREATE ${base}/old`), 'OK');
    // the new mailbox and its direct parent are affected (§5.4)
    assert.equal(await a.readLine(), `* LIST (\\HasNoChildren) "/" "${base}/old"`);
    assert.equal(await a.readLine(), `* LIST (\\HasChildren) "/" "${base}"`);
    assertStatus(await b.command(`CREATE ${base}/old/kid`), 'OK');
    await waitForLine(a, new RegExp(`^\\* LIST \\(\\\\HasChildren\\) "/" "${base}/old"$`));
    assertStatus(await b.command(`RENAME ${base}/old ${base}/new`), 'OK');
    // one LIST with OLDNAME for the renamed mailbox, none for its renamed child (§5.4)
    assert.equal(await a.readLine(), `* LIST (\\HasChildren) "/" "${base}/new" ("OLDNAME" ("${base}/old"))`);
    assertStatus(await b.command(`DELETE ${base}/new/kid`), 'OK');
    assert.equal(await a.readLine(), `* LIST (\\NonExistent) "/" "${base}/new/kid"`);
    assert.equal(await a.readLine(), `* LIST (\\HasNoChildren) "/" "${base}/new"`);
    // outside the subtree: nothing; the next line A gets is for the subtree again
    assertStatus(await b.command(`CREATE x${base}`), 'OK');
    assertStatus(await b.command(`CREATE ${base}/last`), 'OK');
    const got = await waitForLine(a, /^\* LIST /);
    assert.equal(got.line, `* LIST (\\HasNoChildren) "/" "${base}/last"`);
  });

  test('SubscriptionChange: LIST with \\Subscribed after SUBSCRIBE, without it after UNSUBSCRIBE', async () => {
    const box = uniq('subs');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await a.command('NOTIFY SET (personal (SubscriptionChange))'), 'OK');
    assertStatus(await b.command(`SUBSCRIBE ${box}`), 'OK');
    assert.equal(await a.readLine(), `* LIST (\\HasNoChildren \\Subscribed) "/" "${box}"`);
    assertStatus(await b.command(`UNSUBSCRIBE ${box}`), 'OK');
    assert.equal(await a.readLine(), `* LIST (\\HasNoChildren) "/" "${box}"`);
    // the SUBSCRIBED filter follows the subscription list (§6.4)
    assertStatus(await a.command('NOTIFY SET (subscribed (MessageNew MessageExpunge))'), 'OK');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    assertStatus(await b.command(`SUBSCRIBE ${box}`), 'OK');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    const got = await waitForLine(a, /^\* STATUS /);
    assert.deepEqual(got.skipped, []);
    assert.equal(got.line, `* STATUS "${box}" (MESSAGES 2 UIDNEXT 3)`);
  });

  test('changes made through another server on the same data directory / database (change feed, LISTEN/NOTIFY)', async () => {
    const other = await startTestServer({ dataDir: srv.dataDir, users: [] });
    try {
      const box = uniq('node');
      const a = await client();
      const w = await TestClient.connect(other.port);
      open.push(w);
      assertStatus(await w.login('alice', 'wonderland-pass'), 'OK');
      assertStatus(await a.command(`NOTIFY SET (subtree ${box} (MessageNew MessageExpunge MailboxName))`), 'OK');
      assertStatus(await w.command(`CREATE ${box}`), 'OK');
      assert.equal((await waitForLine(a, /^\* LIST /)).line, `* LIST (\\HasNoChildren) "/" "${box}"`);
      assertStatus(await append(w, box, simpleMessage()), 'OK');
      assert.equal((await waitForLine(a, /^\* STATUS /)).line, `* STATUS "${box}" (MESSAGES 1 UIDNEXT 2)`);
      // renamed out of the subtree: reported, since the old name was watched
      assertStatus(await w.command(`RENAME ${box} ${box}-moved`), 'OK');
      assert.equal((await waitForLine(a, /^\* LIST /)).line, `* LIST (\\HasNoChildren) "/" "${box}-moved" ("OLDNAME" ("${box}"))`);
      w.close();
    } finally {
      await other.stop();
    }
  });

  test('IDLE carries NOTIFY events (RFC 5465 §4)', async () => {
    const box = uniq('idle');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await a.command(`NOTIFY SET (mailboxes ${box} (MessageNew MessageExpunge))`), 'OK');
    a.write('I1 IDLE\r\n');
    assert.equal(await a.readLine(), '+ idling');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    assert.equal(await a.readLine(), `* STATUS "${box}" (MESSAGES 1 UIDNEXT 2)`);
    a.write('DONE\r\n');
    assertStatus(await a.readUntilTagged('I1'), 'OK');
  });

  test('NOTIFY NONE stops the notifications', async () => {
    const box = uniq('none');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await a.command(`NOTIFY SET (mailboxes ${box} (MessageNew MessageExpunge)) (personal (MailboxName))`), 'OK');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    await waitForLine(a, /^\* STATUS /);
    assertStatus(await a.command('NOTIFY NONE'), 'OK');
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    assertStatus(await b.command(`CREATE ${box}/child`), 'OK');
    // nothing was pushed: the next line A reads is its own NOOP's completion
    const r = await a.command('NOOP');
    assert.deepEqual(r.untagged, []);
  });

  test('SEARCH RETURN (UPDATE (fetch-att ...)): EXISTS, FETCH, then ESEARCH ADDTO for new matches only (§7)', async () => {
    const box = uniq('ctx');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await append(b, box, simpleMessage({ subject: 'hello boss' })), 'OK');
    assertStatus(await a.command(`SELECT ${box}`), 'OK');
    const s = await a.command('SEARCH RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])) SUBJECT boss');
    assertStatus(s, 'OK');
    assert.ok(s.untagged.some((l) => /^\* ESEARCH \(TAG "[^"]+"\) COUNT 1$/.test(l)), JSON.stringify(s.untagged));
    const tag = /^(\S+) /.exec(s.tagged)![1];
    assertStatus(await append(b, box, simpleMessage({ subject: 'nothing' })), 'OK');
    assertStatus(await append(b, box, simpleMessage({ subject: 'the boss again' })), 'OK');
    const r = await a.command('NOOP');
    assert.deepEqual(r.untagged, [
      '* 3 EXISTS',
      '* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {27}\r\nSubject: the boss again\r\n\r\n)',
      `* ESEARCH (TAG "${tag}") ADDTO (0 3)`,
    ]);
    // a message that starts matching through a flag change gets ADDTO but no FETCH (§7 SHOULD)
    const f = await a.command('SEARCH RETURN (UPDATE (UID)) FLAGGED');
    assertStatus(f, 'OK');
    const ftag = /^(\S+) /.exec(f.tagged)![1];
    assertStatus(await b.command(`SELECT ${box}`), 'OK');
    assertStatus(await b.command('STORE 2 +FLAGS.SILENT (\\Flagged)'), 'OK');
    const r2 = await a.command('NOOP');
    assert.deepEqual(r2.untagged, ['* 2 FETCH (UID 2 FLAGS (\\Flagged))', `* ESEARCH (TAG "${ftag}") ADDTO (0 2)`]);
  });

  test('errors: NO [BADEVENT] for unsupported events, BAD for invalid combinations; the old NOTIFY stays', async () => {
    const box = uniq('err');
    const a = await client();
    const b = await client();
    assertStatus(await b.command(`CREATE ${box}`), 'OK');
    assertStatus(await a.command(`NOTIFY SET (mailboxes ${box} (MessageNew MessageExpunge))`), 'OK');
    // AnnotationChange: ANNOTATE is not supported (§3.1: NO, not BAD, listing every supported event)
    const ann = await a.command('NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange))');
    assertStatus(ann, 'NO', 'BADEVENT');
    assert.ok(ann.tagged.includes(`[${SUPPORTED}]`), ann.tagged);
    assertStatus(await a.command('NOTIFY SET (personal (XNoSuchEvent))'), 'NO', 'BADEVENT');
    assertStatus(await a.command('NOTIFY SET (personal (MessageNew))'), 'BAD');
    assertStatus(await a.command('NOTIFY SET (personal (FlagChange))'), 'BAD');
    assertStatus(await a.command('NOTIFY SET (selected (MailboxName))'), 'BAD');
    assertStatus(await a.command('NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))'), 'BAD');
    assertStatus(await a.command('NOTIFY SET (personal (MessageNew (UID) MessageExpunge))'), 'BAD');
    assertStatus(await a.command('NOTIFY GET'), 'BAD');
    // not before authentication
    const anon = await TestClient.connect(srv.port);
    open.push(anon);
    assertStatus(await anon.command('NOTIFY NONE'), 'BAD');
    // the NOTIFY SET that succeeded is still in effect
    assertStatus(await append(b, box, simpleMessage()), 'OK');
    assert.equal((await waitForLine(a, /^\* STATUS /)).line, `* STATUS "${box}" (MESSAGES 1 UIDNEXT 2)`);
  });
});
