/**
 * Transcript tests of QUOTA (RFC 9208): the capabilities, GETQUOTAROOT/GETQUOTA after appends
 * and expunges, SETQUOTA by a quota administrator and NO for anyone else, APPEND (also
 * MULTIAPPEND and REPLACE), COPY and CREATE refused with NO [OVERQUOTA] at the limit and
 * accepted again after an expunge, MOVE within the account allowed at the limit, and the STATUS
 * items DELETED and DELETED-STORAGE.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, grep, type Reply } from '../support/transcript.js';

/** Sends `head` followed by non-synchronizing literals (LITERAL+) of `messages`. */
async function withLiterals(c: TestClient, head: string, messages: string[], between = ' '): Promise<Reply> {
  const tag = c.nextTag();
  let text = `${tag} ${head}`;
  messages.forEach((m, i) => {
    text += `${i === 0 ? ' ' : between}{${Buffer.byteLength(m)}+}\r\n${m}`;
  });
  c.write(text + '\r\n');
  return c.readUntilTagged(tag);
}

/** The QUOTA line of a reply. */
function quotaLine(r: Reply): string {
  const lines = grep(r, /^\* QUOTA /);
  assert.equal(lines.length, 1, JSON.stringify(r.untagged));
  return lines[0];
}

describe('QUOTA (RFC 9208)', () => {
  let srv: TestServer;
  const open: TestClient[] = [];
  const as = async (user: string, pass: string): Promise<TestClient> => {
    const c = await TestClient.connect(srv.port);
    assertStatus(await c.login(user, pass), 'OK');
    open.push(c);
    return c;
  };
  const setQuota = async (limits: string, root = 'alice'): Promise<Reply> => {
    const admin = await as('postmaster', 'postmaster-pass');
    const r = await admin.command(`SETQUOTA "${root}" (${limits})`);
    admin.close();
    return r;
  };

  before(async () => {
    srv = await startTestServer({
      users: [['alice', 'wonderland-pass'], ['bob', 'bob-pass'], ['postmaster', 'postmaster-pass']],
      config: { quotaAdminUsers: 'postmaster' },
    });
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('QUOTA, the three resource types and QUOTASET are advertised once logged in', async () => {
    const c = await loggedIn(srv.port);
    open.push(c);
    const caps = (await c.command('CAPABILITY')).untagged[0]!.split(' ');
    for (const cap of ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE', 'QUOTA=RES-MAILBOX', 'QUOTASET']) {
      assert.ok(caps.includes(cap), `${cap} missing in ${caps.join(' ')}`);
    }
  });

  test('GETQUOTAROOT names the account root, also for a mailbox that does not exist; no limits by default', async () => {
    const c = await as('bob', 'bob-pass');
    const r = await c.command('GETQUOTAROOT INBOX');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* QUOTAROOT "INBOX" "bob"', '* QUOTA "bob" ()']);
    const missing = await c.command('GETQUOTAROOT "Not/There"');
    assertStatus(missing, 'OK');
    assert.equal(missing.untagged[0], '* QUOTAROOT "Not/There" "bob"');
    assert.equal(quotaLine(await c.command('GETQUOTA "bob"')), '* QUOTA "bob" ()');
  });

  test('another account\'s root does not exist for a user; SETQUOTA is refused with NOPERM', async () => {
    const c = await as('bob', 'bob-pass');
    const r = await c.command('GETQUOTA "alice"');
    assertStatus(r, 'NO', 'NONEXISTENT');
    assert.deepEqual(grep(r, /^\* QUOTA /), []);
    assertStatus(await c.command('SETQUOTA "bob" (STORAGE 100000)'), 'NO', 'NOPERM');
    assert.equal(quotaLine(await c.command('GETQUOTA bob')), '* QUOTA "bob" ()');
  });

  test('SETQUOTA by the administrator: bad input is refused and changes nothing', async () => {
    const admin = await as('postmaster', 'postmaster-pass');
    assertStatus(await admin.command('SETQUOTA "nobody" (STORAGE 10)'), 'NO', 'NONEXISTENT');
    assertStatus(await admin.command('SETQUOTA "bob" (STORAGE 10 ANNOTATION-STORAGE 5)'), 'NO', 'CANNOT');
    assertStatus(await admin.command('SETQUOTA "bob" (STORAGE)'), 'BAD');
    assertStatus(await admin.command('SETQUOTA "bob" (STORAGE -1)'), 'BAD');
    assertStatus(await admin.command('SETQUOTA "bob" (STORAGE 99999999999999999999)'), 'BAD');
    assertStatus(await admin.command('SETQUOTA "bob" STORAGE 10'), 'BAD');
    assertStatus(await admin.command('GETQUOTA'), 'BAD');
    assert.equal(quotaLine(await admin.command('GETQUOTA "bob"')), '* QUOTA "bob" ()');
  });

  test('limits and usage after appends and expunges; APPEND, COPY, CREATE refused at the limit; MOVE allowed', async () => {
    const set = await setQuota('MESSAGE 2 MAILBOX 7 STORAGE 100');
    assertStatus(set, 'OK');
    assert.equal(quotaLine(set), '* QUOTA "alice" (STORAGE 0 100 MESSAGE 0 2 MAILBOX 6 7)');

    const c = await loggedIn(srv.port);
    open.push(c);
    const m1 = simpleMessage({ subject: 'one' });
    const m2 = simpleMessage({ subject: 'two' });
    assertStatus(await append(c, 'INBOX', m1), 'OK');
    assertStatus(await append(c, 'INBOX', m2), 'OK');
    const kib = Math.ceil((Buffer.byteLength(m1) + Buffer.byteLength(m2)) / 1024);
    const root = await c.command('GETQUOTAROOT INBOX');
    assert.deepEqual(root.untagged, ['* QUOTAROOT "INBOX" "alice"', `* QUOTA "alice" (STORAGE ${kib} 100 MESSAGE 2 2 MAILBOX 6 7)`]);

    // At the MESSAGE limit: nothing that adds a message is stored.
    assertStatus(await append(c, 'INBOX', simpleMessage({ subject: 'three' })), 'NO', 'OVERQUOTA');
    assertStatus(await c.command('SELECT INBOX'), 'OK');
    assertStatus(await c.command('COPY 1 Archive'), 'NO', 'OVERQUOTA');
    assert.equal((await c.command('STATUS Archive (MESSAGES)')).untagged[0], '* STATUS "Archive" (MESSAGES 0)');
    // MOVE within the account changes no usage: allowed at the limit (RFC 6851 §3.3 semantics).
    const mv = await c.command('MOVE 1 Archive');
    assertStatus(mv, 'OK');
    assert.equal(quotaLine(await c.command('GETQUOTA "alice"')), `* QUOTA "alice" (STORAGE ${kib} 100 MESSAGE 2 2 MAILBOX 6 7)`);

    // CREATE: one mailbox left; a name needing two (with its superior) is refused whole.
    assertStatus(await c.command('CREATE Projects/2026'), 'NO', 'OVERQUOTA');
    assert.deepEqual(grep(await c.command('LIST "" Projects*'), /Projects/), []);
    assertStatus(await c.command('CREATE Projects'), 'OK');
    assertStatus(await c.command('CREATE Other'), 'NO', 'OVERQUOTA');
    assertStatus(await c.command('RENAME INBOX Old-Inbox'), 'NO', 'OVERQUOTA');

    // STATUS DELETED / DELETED-STORAGE (§4.1.4) before the expunge that frees the room.
    assertStatus(await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
    const st = await c.command('STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)');
    assert.equal(st.untagged[0], `* STATUS "INBOX" (MESSAGES 1 DELETED 1 DELETED-STORAGE ${Buffer.byteLength(m2)})`);
    assert.equal((await c.command('STATUS Archive (DELETED DELETED-STORAGE)')).untagged[0], '* STATUS "Archive" (DELETED 0 DELETED-STORAGE 0)');
    assertStatus(await c.command('EXPUNGE'), 'OK');
    assert.equal(
      quotaLine(await c.command('GETQUOTA "alice"')),
      `* QUOTA "alice" (STORAGE ${Math.ceil(Buffer.byteLength(m1) / 1024)} 100 MESSAGE 1 2 MAILBOX 7 7)`,
    );

    // Room for one message again: COPY of one is accepted, then APPEND is refused once more,
    // also when CATENATE assembles the message (RFC 4469) from text and a URL.
    assertStatus(await c.command('SELECT Archive'), 'OK');
    assertStatus(await c.command('COPY 1 INBOX'), 'OK');
    assertStatus(await append(c, 'INBOX', simpleMessage({ subject: 'four' })), 'NO', 'OVERQUOTA');
    const text = 'Subject: assembled\r\n\r\n';
    const cat = await c.command(`APPEND INBOX CATENATE (TEXT {${text.length}+}\r\n${text} URL "/Archive/;UID=1/;SECTION=TEXT")`);
    assertStatus(cat, 'NO', 'OVERQUOTA');
    assert.equal((await c.command('STATUS INBOX (MESSAGES)')).untagged[0], '* STATUS "INBOX" (MESSAGES 1)');
  });

  test('MULTIAPPEND and REPLACE are charged as a whole; STORAGE is compared in octets', async () => {
    assertStatus(await setQuota('MESSAGE 1 STORAGE 1', 'bob'), 'OK');
    const c = await as('bob', 'bob-pass');
    const a = simpleMessage({ subject: 'a' });
    const b = simpleMessage({ subject: 'b' });
    // MULTIAPPEND (RFC 3502): all or none; two messages for one free slot store nothing.
    assertStatus(await withLiterals(c, 'APPEND INBOX', [a, b]), 'NO', 'OVERQUOTA');
    assert.equal((await c.command('STATUS INBOX (MESSAGES)')).untagged[0], '* STATUS "INBOX" (MESSAGES 0)');
    assertStatus(await withLiterals(c, 'APPEND INBOX', [a]), 'OK');
    // REPLACE keeps the message count; a replacement that would pass 1024 octets is refused.
    assertStatus(await c.command('SELECT INBOX'), 'OK');
    const big = simpleMessage({ subject: 'big', body: 'x'.repeat(1100) });
    assertStatus(await withLiterals(c, 'REPLACE 1 INBOX', [big]), 'NO', 'OVERQUOTA');
    const small = simpleMessage({ subject: 'small', body: 'short' });
    const rep = await withLiterals(c, 'REPLACE 1 INBOX', [small]);
    assertStatus(rep, 'OK');
    assert.equal(quotaLine(await c.command('GETQUOTA "bob"')), '* QUOTA "bob" (STORAGE 1 1 MESSAGE 1 1)');
    // SETQUOTA replaces all limits (§4.1.3): MESSAGE is no longer limited.
    const set = await setQuota('STORAGE 10', 'bob');
    assert.equal(quotaLine(set), '* QUOTA "bob" (STORAGE 1 10)');
    assertStatus(await withLiterals(c, 'APPEND INBOX', [b]), 'OK');
  });
});
