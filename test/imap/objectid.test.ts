/**
 * Transcript tests of OBJECTID (RFC 8474): MAILBOXID on CREATE, SELECT/EXAMINE, STATUS and
 * LIST-STATUS; EMAILID and THREADID in FETCH and SEARCH; built from the RFC's examples (§4.1,
 * §4.3, §5.3, §6) plus edge cases, with a second session and a second account where it matters.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, codeArgs, grep, simpleMessage } from '../support/transcript.js';

const OBJECTID = '[A-Za-z0-9_-]{1,255}';

function mailboxIdOf(lines: string[]): string {
  const m = new RegExp(`MAILBOXID \\((${OBJECTID})\\)`).exec(lines.join('\n'));
  assert.ok(m, `no MAILBOXID in ${JSON.stringify(lines)}`);
  return m[1]!;
}

/** seq -> [EMAILID, THREADID] from FETCH responses. */
function ids(lines: string[]): Map<number, [string, string]> {
  const out = new Map<number, [string, string]>();
  for (const l of lines) {
    const m = new RegExp(`^\\* (\\d+) FETCH \\(EMAILID \\((${OBJECTID})\\) THREADID \\((${OBJECTID})\\)\\)$`).exec(l);
    if (m) out.set(Number(m[1]), [m[2]!, m[3]!]);
  }
  return out;
}

function threadMessage(subject: string, messageId: string, refs?: string, inReplyTo?: string): string {
  const extra = [refs ? `References: ${refs}` : '', inReplyTo ? `In-Reply-To: ${inReplyTo}` : ''].filter((x) => x).join('\r\n');
  return simpleMessage({ subject, extra: extra || undefined }).replace(/^Message-ID: .*$/m, `Message-ID: ${messageId}`);
}

describe('OBJECTID (RFC 8474)', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer({ users: [['alice', 'wonderland-pass'], ['bob', 'builder-pass']] });
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('OBJECTID is advertised after login', async () => {
    const caps = grep(await c.command('CAPABILITY'), /^\* CAPABILITY /)[0]!.split(' ');
    assert.ok(caps.includes('OBJECTID'), caps.join(' '));
  });

  test('§4.1, §4.3: CREATE reports MAILBOXID, STATUS the same, kept by RENAME; a second CREATE is NO', async () => {
    const foo = await c.command('create foo');
    assertStatus(foo, 'OK', 'MAILBOXID');
    const fooId = /^\((.*)\)$/.exec(codeArgs(foo, 'MAILBOXID')[0]!)![1]!;
    assert.match(fooId, new RegExp(`^${OBJECTID}$`));
    const bar = await c.command('create bar');
    const barId = /^\((.*)\)$/.exec(codeArgs(bar, 'MAILBOXID')[0]!)![1]!;
    assert.notEqual(barId, fooId);
    assertStatus(await c.command('create foo'), 'NO', 'ALREADYEXISTS');
    const st = await c.command('status foo (mailboxid)');
    assert.deepEqual(st.untagged, [`* STATUS "foo" (MAILBOXID (${fooId}))`]);
    assertStatus(await c.command('rename foo renamed'), 'OK');
    assert.deepEqual((await c.command('status renamed (mailboxid)')).untagged, [`* STATUS "renamed" (MAILBOXID (${fooId}))`]);
    assert.deepEqual((await c.command('status bar (MAILBOXID UIDNEXT)')).untagged, [`* STATUS "bar" (MAILBOXID (${barId}) UIDNEXT 1)`]);
    // §4.3 with LIST-STATUS.
    const list = await c.command('list "" "*" return (status (mailboxid))');
    assertStatus(list, 'OK');
    assert.ok(list.untagged.includes(`* STATUS "renamed" (MAILBOXID (${fooId}))`), JSON.stringify(list.untagged));
    assert.ok(list.untagged.includes(`* STATUS "bar" (MAILBOXID (${barId}))`), JSON.stringify(list.untagged));
    // A deleted mailbox's id is never given to a new one of the same name.
    assertStatus(await c.command('delete renamed'), 'OK');
    const again = await c.command('create renamed');
    assert.notEqual(/^\((.*)\)$/.exec(codeArgs(again, 'MAILBOXID')[0]!)![1], fooId);
  });

  test('§4.2: SELECT and EXAMINE send OK [MAILBOXID]; another session sees the same id', async () => {
    const sel = await c.command('select bar');
    assertStatus(sel, 'OK');
    const id = mailboxIdOf(grep(sel, /^\* OK \[MAILBOXID /));
    const other = await loggedIn(srv.port);
    try {
      const ex = await other.command('EXAMINE bar');
      assert.equal(mailboxIdOf(grep(ex, /^\* OK \[MAILBOXID /)), id);
    } finally {
      other.close();
    }
    assertStatus(await c.command('unselect'), 'OK');
  });

  test('RENAME INBOX creates a new mailbox (new MAILBOXID); INBOX keeps its own; EMAILID moves along', async () => {
    assertStatus(await append(c, 'INBOX', simpleMessage({ subject: 'inbox one' })), 'OK');
    const inboxId = mailboxIdOf((await c.command('STATUS INBOX (MAILBOXID)')).untagged);
    assertStatus(await c.command('EXAMINE INBOX'), 'OK');
    const before = ids((await c.command('FETCH 1 (EMAILID THREADID)')).untagged).get(1)!;
    assertStatus(await c.command('RENAME INBOX OldInbox'), 'OK');
    const oldId = mailboxIdOf((await c.command('STATUS OldInbox (MAILBOXID)')).untagged);
    assert.notEqual(oldId, inboxId);
    assert.equal(mailboxIdOf((await c.command('STATUS INBOX (MAILBOXID)')).untagged), inboxId);
    assertStatus(await c.command('EXAMINE OldInbox'), 'OK');
    assert.deepEqual(ids((await c.command('FETCH 1 (EMAILID THREADID)')).untagged).get(1), before);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('§5.3 example: replies share the THREADID, MOVE keeps EMAILID and THREADID; §6 SEARCH keys', async () => {
    assertStatus(await c.command('CREATE threads'), 'OK');
    assertStatus(await c.command('CREATE threads2'), 'OK');
    assertStatus(await append(c, 'threads', threadMessage('Message A', '<fake.1521475657.54797@example.com>')), 'OK');
    assertStatus(
      await append(c, 'threads', threadMessage('Re: Message A', '<fake.1521475657.21213@example.org>', '<fake.1521475657.54797@example.com>')),
      'OK',
    );
    assertStatus(await append(c, 'threads', threadMessage('Message C', '<fake.1521475657.60280@example.com>')), 'OK');
    // In-Reply-To alone threads as well (no References field).
    assertStatus(await append(c, 'threads', threadMessage('RE: [list] Message C', '<d@example.com>', undefined, '<fake.1521475657.60280@example.com>')), 'OK');
    // A reply under a new subject starts a conversation of its own (RFC 8621 §3).
    assertStatus(await append(c, 'threads', threadMessage('Something else', '<e@example.com>', '<fake.1521475657.60280@example.com>')), 'OK');
    assertStatus(await c.command('SELECT threads'), 'OK');
    const f = ids((await c.command('FETCH 1:* (EMAILID THREADID)')).untagged);
    assert.equal(f.size, 5);
    const [m1, t1] = f.get(1)!;
    const [m2, t2] = f.get(2)!;
    const [m3, t3] = f.get(3)!;
    const [, t4] = f.get(4)!;
    const [, t5] = f.get(5)!;
    assert.equal(t2, t1);
    assert.notEqual(t3, t1);
    assert.equal(t4, t3);
    assert.equal(new Set([m1, m2, m3, t1, t3, t5]).size, 6);
    assertStatus(await c.command('STORE 5 +FLAGS.SILENT (\\Deleted)'), 'OK');
    assertStatus(await c.command('EXPUNGE'), 'OK');

    // §6 example, before the MOVE.
    assert.deepEqual(grep(await c.command(`search emailid ${m1}`), /^\* SEARCH/), ['* SEARCH 1']);
    assert.deepEqual(grep(await c.command(`search threadid ${t1}`), /^\* SEARCH/), ['* SEARCH 1 2']);
    // ObjectIDs are case-sensitive (§7).
    assert.deepEqual(grep(await c.command(`search emailid ${m1.toUpperCase()}`), /^\* SEARCH/), ['* SEARCH']);
    assert.deepEqual(grep(await c.command(`UID SEARCH NOT THREADID ${t1}`), /^\* SEARCH/), ['* SEARCH 3 4']);
    assertStatus(await c.command('SEARCH EMAILID M-not/valid'), 'BAD');
    assertStatus(await c.command('SEARCH THREADID'), 'BAD');

    const mv = await c.command('move 2 threads2');
    assertStatus(mv, 'OK');
    const after = ids((await c.command('fetch 1:* (emailid threadid)')).untagged);
    assert.deepEqual([after.get(1), after.get(2)], [[m1, t1], [m3, t3]]);
    assertStatus(await c.command('COPY 1 threads2'), 'OK');
    assertStatus(await c.command('select threads2'), 'OK');
    const moved = ids((await c.command('fetch 1:* (emailid threadid)')).untagged);
    assert.deepEqual([moved.get(1), moved.get(2)], [[m2, t1], [m1, t1]]);
    // UID FETCH adds UID; FETCH data in other orders.
    const uf = await c.command('UID FETCH 1 (THREADID EMAILID)');
    assert.deepEqual(uf.untagged, [`* 1 FETCH (UID 1 THREADID (${t1}) EMAILID (${m2}))`]);
  });

  test('REPLACE gives a new EMAILID; a reply appended later joins the thread across mailboxes', async () => {
    assertStatus(await c.command('SELECT threads2'), 'OK');
    const before = ids((await c.command('FETCH 1 (EMAILID THREADID)')).untagged).get(1)!;
    const msg = threadMessage('Re: Message A', '<fake.1521475657.21213@example.org>', '<fake.1521475657.54797@example.com>');
    const tag = c.nextTag();
    c.write(`${tag} REPLACE 1 threads2 {${Buffer.byteLength(msg)}+}\r\n${msg}\r\n`);
    assertStatus(await c.readUntilTagged(tag), 'OK');
    const now = ids((await c.command('FETCH 1:* (EMAILID THREADID)')).untagged);
    assert.ok([...now.values()].every(([m]) => m !== before[0]), 'the replaced EMAILID is gone');
    assert.ok([...now.values()].some(([, t]) => t === before[1]), 'the replacement stays in the thread (same Message-ID and References)');
    // A grandchild filed elsewhere joins the same thread (RFC 8474 §5.2 SHOULD).
    assertStatus(
      await append(c, 'INBOX', threadMessage('Re: Re: Message A', '<g@example.org>', '<fake.1521475657.54797@example.com> <fake.1521475657.21213@example.org>')),
      'OK',
    );
    assertStatus(await c.command('EXAMINE INBOX'), 'OK');
    const inbox = ids((await c.command('FETCH 1:* (EMAILID THREADID)')).untagged);
    assert.ok([...inbox.values()].some(([, t]) => t === before[1]), JSON.stringify([...inbox.values()]));
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('another account never sees the same ids for the same Message-ID, and cannot find alice\'s', async () => {
    assertStatus(await c.command('EXAMINE threads'), 'OK');
    const [m1, t1] = ids((await c.command('FETCH 1 (EMAILID THREADID)')).untagged).get(1)!;
    const bob = await TestClient.connect(srv.port);
    try {
      await bob.login('bob', 'builder-pass');
      assertStatus(await append(bob, 'INBOX', threadMessage('Message A', '<fake.1521475657.54797@example.com>')), 'OK');
      assertStatus(await bob.command('SELECT INBOX'), 'OK');
      const b = ids((await bob.command('FETCH 1 (EMAILID THREADID)')).untagged).get(1)!;
      assert.notEqual(b[0], m1);
      assert.notEqual(b[1], t1);
      assert.deepEqual(grep(await bob.command(`SEARCH OR EMAILID ${m1} THREADID ${t1}`), /^\* SEARCH/), ['* SEARCH']);
    } finally {
      bob.close();
    }
    assertStatus(await c.command('UNSELECT'), 'OK');
  });
});
