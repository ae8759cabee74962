/**
 * Transcript tests of mailbox management: default mailboxes with special-use (RFC 6154), CREATE,
 * DELETE, RENAME, SUBSCRIBE/LSUB, LIST patterns and LIST-EXTENDED (RFC 5258), LIST-STATUS
 * (RFC 5819), STATUS incl. SIZE (RFC 8438) and DELETED (RFC 9051), modified UTF-7 names
 * (RFC 9051 §5.1.3), NAMESPACE (RFC 2342).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, grep } from '../support/transcript.js';

interface ListLine {
  kind: string;
  attrs: string[];
  delim: string;
  name: string;
  extra: string;
}

/** Parses `* LIST (attrs) "/" name [extra]`; the name may be quoted or an atom. */
function parseList(line: string): ListLine {
  const m = /^\* (LIST|LSUB) \(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|[^ ]+)(?: (.*))?$/.exec(line);
  assert.ok(m, `malformed LIST response: ${line}`);
  const unq = (s: string): string => (s.startsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s);
  return { kind: m[1], attrs: m[2] === '' ? [] : m[2].split(' '), delim: unq(m[3]), name: unq(m[4]), extra: m[5] ?? '' };
}

function listed(lines: string[]): Map<string, ListLine> {
  const out = new Map<string, ListLine>();
  for (const l of lines) {
    if (!/^\* (LIST|LSUB) /.test(l)) continue;
    const p = parseList(l);
    assert.ok(!out.has(p.name), `mailbox listed twice: ${p.name}`);
    out.set(p.name, p);
  }
  return out;
}

function names(lines: string[]): string[] {
  return [...listed(lines).keys()].sort();
}

const has = (l: ListLine | undefined, attr: string): boolean => !!l && l.attrs.some((a) => a.toLowerCase() === attr.toLowerCase());

describe('IMAP mailboxes', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('a new account has INBOX, Drafts, Sent, Trash, Junk, Archive with special-use attributes', async () => {
    const r = await c.command('LIST "" *');
    assertStatus(r, 'OK');
    const m = listed(r.untagged);
    assert.deepEqual([...m.keys()].sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    for (const [name, use] of [['Drafts', '\\Drafts'], ['Sent', '\\Sent'], ['Trash', '\\Trash'], ['Junk', '\\Junk'], ['Archive', '\\Archive']]) {
      assert.ok(has(m.get(name), use), `${name} lacks ${use}: ${JSON.stringify(m.get(name))}`);
      assert.equal(m.get(name)!.delim, '/');
    }
    assert.ok(!m.get('INBOX')!.attrs.some((a) => ['\\Drafts', '\\Sent', '\\Trash', '\\Junk', '\\Archive'].includes(a)));
  });

  test('NAMESPACE: personal "", other users and shared, each with "/" (RFC 2342, RFC 9051 §6.3.10)', async () => {
    const r = await c.command('NAMESPACE');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))']);
  });

  test('LIST "" "" returns the hierarchy delimiter (RFC 9051 §6.3.9)', async () => {
    const r = await c.command('LIST "" ""');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* LIST (\\Noselect) "/" ""']);
  });

  test('CREATE of a nested name creates the parents (RFC 9051 §6.3.4)', async () => {
    assertStatus(await c.command('CREATE nest/mid/leaf'), 'OK');
    const m = listed((await c.command('LIST "" nest*')).untagged);
    assert.deepEqual([...m.keys()].sort(), ['nest', 'nest/mid', 'nest/mid/leaf']);
    assert.ok(has(m.get('nest'), '\\HasChildren'));
    assert.ok(has(m.get('nest/mid/leaf'), '\\HasNoChildren'));
    assertStatus(await c.command('SELECT nest/mid/leaf'), 'OK');
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('CREATE of an existing mailbox: NO [ALREADYEXISTS]; CREATE INBOX (any case): NO', async () => {
    assertStatus(await c.command('CREATE dup'), 'OK');
    assertStatus(await c.command('CREATE dup'), 'NO', 'ALREADYEXISTS');
    assertStatus(await c.command('CREATE INBOX'), 'NO');
    assertStatus(await c.command('CREATE inbox'), 'NO');
    assert.deepEqual(names((await c.command('LIST "" *')).untagged).filter((n) => n.toUpperCase() === 'INBOX'), ['INBOX']);
  });

  test('CREATE with USE (RFC 6154 §5.3) and an unsupported USE -> NO [USEATTR], mailbox not created', async () => {
    assertStatus(await c.command('CREATE "Sent Too" (USE (\\Sent))'), 'OK');
    const m = listed((await c.command('LIST "" "Sent Too"')).untagged);
    assert.ok(has(m.get('Sent Too'), '\\Sent'), JSON.stringify(m.get('Sent Too')));
    assertStatus(await c.command('CREATE Weird (USE (\\Bogus))'), 'NO', 'USEATTR');
    assert.deepEqual((await c.command('LIST "" Weird')).untagged, []);
  });

  test('DELETE: nonexistent -> NO [NONEXISTENT]; INBOX -> NO; a parent with children -> NO [HASCHILDREN]', async () => {
    assertStatus(await c.command('DELETE no-such-box'), 'NO', 'NONEXISTENT');
    // RFC 9051 §6.3.5: "It is an error to attempt to delete INBOX".
    assertStatus(await c.command('DELETE INBOX'), 'NO');
    assertStatus(await c.command('CREATE par/kid'), 'OK');
    // RFC 9051 §6.3.5: a server that refuses to delete a name with inferiors SHOULD say HASCHILDREN.
    assertStatus(await c.command('DELETE par'), 'NO', 'HASCHILDREN');
    assert.deepEqual(names((await c.command('LIST "" par*')).untagged), ['par', 'par/kid']);
    assertStatus(await c.command('DELETE par/kid'), 'OK');
    assertStatus(await c.command('DELETE par'), 'OK');
    assert.deepEqual((await c.command('LIST "" par*')).untagged, []);
    assertStatus(await c.command('STATUS par (MESSAGES)'), 'NO', 'NONEXISTENT');
  });

  test('RENAME moves the inferior names too (RFC 9051 §6.3.6)', async () => {
    assertStatus(await c.command('CREATE old/x/y'), 'OK');
    assertStatus(await append(c, 'old/x', simpleMessage({ subject: 'in x' })), 'OK');
    assertStatus(await c.command('RENAME old new'), 'OK');
    assert.deepEqual(names((await c.command('LIST "" old*')).untagged), []);
    assert.deepEqual(names((await c.command('LIST "" new*')).untagged), ['new', 'new/x', 'new/x/y']);
    assert.deepEqual((await c.command('STATUS new/x (MESSAGES)')).untagged, ['* STATUS "new/x" (MESSAGES 1)']);
  });

  test('RENAME to an existing name: NO [ALREADYEXISTS]; of a missing one: NO [NONEXISTENT]', async () => {
    assertStatus(await c.command('CREATE r1'), 'OK');
    assertStatus(await c.command('CREATE r2'), 'OK');
    assertStatus(await c.command('RENAME r1 r2'), 'NO', 'ALREADYEXISTS');
    assertStatus(await c.command('RENAME missing r3'), 'NO', 'NONEXISTENT');
    assert.deepEqual(names((await c.command('LIST "" r%')).untagged).filter((n) => /^r\d$/.test(n)), ['r1', 'r2']);
  });

  test('RENAME INBOX moves its messages and leaves an empty INBOX (RFC 9051 §6.3.6)', async () => {
    const s = await startTestServer();
    const d = await loggedIn(s.port);
    try {
      assertStatus(await append(d, 'INBOX', simpleMessage({ subject: 'one' })), 'OK');
      assertStatus(await append(d, 'INBOX', simpleMessage({ subject: 'two' })), 'OK');
      assertStatus(await d.command('RENAME INBOX "Old Inbox"'), 'OK');
      assert.deepEqual((await d.command('STATUS INBOX (MESSAGES)')).untagged, ['* STATUS "INBOX" (MESSAGES 0)']);
      assert.deepEqual((await d.command('STATUS "Old Inbox" (MESSAGES)')).untagged, ['* STATUS "Old Inbox" (MESSAGES 2)']);
      const m = listed((await d.command('LIST "" *')).untagged);
      assert.ok(m.has('INBOX') && m.has('Old Inbox'));
      const sel = await d.command('SELECT "Old Inbox"');
      assert.ok(sel.untagged.includes('* 2 EXISTS'), JSON.stringify(sel.untagged));
      const f = await d.command('FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
      assert.equal(f.untagged.length, 2);
      assert.match(f.untagged[0], /Subject: one/);
      assert.match(f.untagged[1], /Subject: two/);
    } finally {
      d.close();
      await s.stop();
    }
  });

  test('SUBSCRIBE, UNSUBSCRIBE and LSUB, with a \\Noselect parent for % (RFC 3501 §6.3.9)', async () => {
    assertStatus(await c.command('CREATE sub/inner'), 'OK');
    assertStatus(await c.command('SUBSCRIBE sub/inner'), 'OK');
    let r = await c.command('LSUB "" sub*');
    assertStatus(r, 'OK');
    assert.deepEqual(names(r.untagged), ['sub/inner']);
    // "sub" is not subscribed: LSUB with % reports it with \Noselect.
    r = await c.command('LSUB "" s%');
    const m = listed(r.untagged);
    assert.ok(m.has('sub'), JSON.stringify(r.untagged));
    assert.ok(has(m.get('sub'), '\\Noselect'), JSON.stringify(m.get('sub')));
    assert.equal(m.get('sub')!.kind, 'LSUB');
    assertStatus(await c.command('UNSUBSCRIBE sub/inner'), 'OK');
    assert.deepEqual((await c.command('LSUB "" sub*')).untagged, []);
    // default mailboxes are subscribed
    assert.deepEqual(names((await c.command('LSUB "" %')).untagged).filter((n) => ['INBOX', 'Sent', 'Drafts', 'Trash'].includes(n)).sort(), ['Drafts', 'INBOX', 'Sent', 'Trash']);
  });

  test('LIST patterns: * crosses the delimiter, % does not; the reference is prefixed', async () => {
    assertStatus(await c.command('CREATE pat/one/two'), 'OK');
    assert.deepEqual(names((await c.command('LIST "" pat*')).untagged), ['pat', 'pat/one', 'pat/one/two']);
    assert.deepEqual(names((await c.command('LIST "" pat%')).untagged), ['pat']);
    assert.deepEqual(names((await c.command('LIST "" pat/%')).untagged), ['pat/one']);
    assert.deepEqual(names((await c.command('LIST pat/ %')).untagged), ['pat/one']);
    assert.deepEqual(names((await c.command('LIST pat/ *')).untagged), ['pat/one', 'pat/one/two']);
    assert.deepEqual(names((await c.command('LIST "" inbox')).untagged), ['INBOX'], 'INBOX is case-insensitive');
    assert.deepEqual((await c.command('LIST "" nothing-matches*')).untagged, []);
  });

  test('LIST (SUBSCRIBED) lists subscribed mailboxes with \\Subscribed, including deleted ones as \\NonExistent (RFC 5258 §3.1)', async () => {
    assertStatus(await c.command('CREATE subd'), 'OK');
    assertStatus(await c.command('SUBSCRIBE subd'), 'OK');
    assertStatus(await c.command('CREATE notsubd'), 'OK');
    let m = listed((await c.command('LIST (SUBSCRIBED) "" *')).untagged);
    assert.ok(has(m.get('subd'), '\\Subscribed'));
    assert.ok(!m.has('notsubd'));
    assert.ok(has(m.get('INBOX'), '\\Subscribed'));
    assertStatus(await c.command('DELETE subd'), 'OK');
    m = listed((await c.command('LIST (SUBSCRIBED) "" subd')).untagged);
    assert.ok(has(m.get('subd'), '\\Subscribed') && has(m.get('subd'), '\\NonExistent'), JSON.stringify(m.get('subd')));
  });

  test('LIST RETURN (CHILDREN) and RETURN (SPECIAL-USE); (SPECIAL-USE) selection (RFC 5258, RFC 6154)', async () => {
    assertStatus(await c.command('CREATE kids/k1'), 'OK');
    let m = listed((await c.command('LIST "" kids* RETURN (CHILDREN)')).untagged);
    assert.ok(has(m.get('kids'), '\\HasChildren'));
    assert.ok(has(m.get('kids/k1'), '\\HasNoChildren'));
    m = listed((await c.command('LIST "" * RETURN (SPECIAL-USE)')).untagged);
    assert.ok(has(m.get('Sent'), '\\Sent') && has(m.get('Trash'), '\\Trash'));
    const r = await c.command('LIST (SPECIAL-USE) "" *');
    assertStatus(r, 'OK');
    m = listed(r.untagged);
    assert.ok(!m.has('INBOX') && !m.has('kids'), JSON.stringify([...m.keys()]));
    for (const n of ['Archive', 'Drafts', 'Junk', 'Sent', 'Trash']) assert.ok(m.has(n), n);
    for (const l of m.values()) assert.ok(l.attrs.some((a) => ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'].includes(a)), JSON.stringify(l));
  });

  test('LIST RETURN (STATUS (MESSAGES UNSEEN)) follows each LIST with its STATUS (RFC 5819)', async () => {
    assertStatus(await c.command('CREATE lstat'), 'OK');
    assertStatus(await append(c, 'lstat', simpleMessage(), '\\Seen'), 'OK');
    assertStatus(await append(c, 'lstat', simpleMessage()), 'OK');
    const r = await c.command('LIST "" lstat RETURN (STATUS (MESSAGES UNSEEN))');
    assertStatus(r, 'OK');
    assert.equal(r.untagged.length, 2, JSON.stringify(r.untagged));
    assert.equal(parseList(r.untagged[0]).name, 'lstat');
    assert.match(r.untagged[1], /^\* STATUS "?lstat"? \(MESSAGES 2 UNSEEN 1\)$/);
  });

  test('LIST (SUBSCRIBED RECURSIVEMATCH) with % reports CHILDINFO for a parent of a subscribed child (RFC 5258 §3.5)', async () => {
    assertStatus(await c.command('CREATE rm/child'), 'OK');
    assertStatus(await c.command('SUBSCRIBE rm/child'), 'OK');
    const r = await c.command('LIST (SUBSCRIBED RECURSIVEMATCH) "" r%');
    assertStatus(r, 'OK');
    const m = listed(r.untagged);
    assert.ok(m.has('rm'), JSON.stringify(r.untagged));
    assert.ok(!has(m.get('rm'), '\\Subscribed'));
    assert.equal(m.get('rm')!.extra, '("CHILDINFO" ("SUBSCRIBED"))');
    // RECURSIVEMATCH alone is invalid (RFC 5258 §3)
    assertStatus(await c.command('LIST (RECURSIVEMATCH) "" %'), 'BAD');
  });

  test('STATUS with every item, incl. SIZE (RFC 8438) and DELETED (RFC 9051 §6.3.11)', async () => {
    assertStatus(await c.command('CREATE stat'), 'OK');
    const m1 = simpleMessage({ body: 'first' });
    const m2 = simpleMessage({ body: 'second message' });
    const m3 = simpleMessage({ body: 'third' });
    const a1 = await append(c, 'stat', m1, '\\Seen');
    const a2 = await append(c, 'stat', m2, '\\Deleted');
    const a3 = await append(c, 'stat', m3, '\\Deleted \\Seen');
    for (const a of [a1, a2, a3]) assertStatus(a, 'OK', 'APPENDUID');
    const validity = /APPENDUID (\d+) 3\]/.exec(a3.tagged)?.[1];
    assert.ok(validity, a3.tagged);
    const size = Buffer.byteLength(m1) + Buffer.byteLength(m2) + Buffer.byteLength(m3);
    const r = await c.command('STATUS stat (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT)');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [`* STATUS "stat" (MESSAGES 3 UIDNEXT 4 UIDVALIDITY ${validity} UNSEEN 1 DELETED 2 SIZE ${size} RECENT 3)`]);
    assertStatus(await c.command('STATUS stat (BOGUS)'), 'BAD');
    assertStatus(await c.command('STATUS nosuch (MESSAGES)'), 'NO', 'NONEXISTENT');
  });

  test('non-ASCII names in modified UTF-7 round-trip; invalid mUTF-7 -> NO, LIST with it -> no match (RFC 9051 §5.1.3)', async () => {
    assertStatus(await c.command('CREATE "&ZeVnLIqe-"'), 'OK');
    const r = await c.command('LIST "" *');
    assert.ok(names(r.untagged).includes('&ZeVnLIqe-'), JSON.stringify(r.untagged));
    assert.deepEqual((await c.command('STATUS "&ZeVnLIqe-" (MESSAGES)')).untagged, ['* STATUS "&ZeVnLIqe-" (MESSAGES 0)']);
    assertStatus(await c.command('CREATE "&ZeVnLIqe-/&AOk-t&AOk-"'), 'OK');
    assert.deepEqual(names((await c.command('LIST "&ZeVnLIqe-/" %')).untagged), ['&ZeVnLIqe-/&AOk-t&AOk-']);
    // "&-" is "&"
    assertStatus(await c.command('CREATE "R&-D"'), 'OK');
    assert.deepEqual(names((await c.command('LIST "" "R&-D"')).untagged), ['R&-D']);
    // unterminated shift sequence; printable ASCII encoded in base64 (MUST NOT). The astring is
    // well-formed, so this is NO (the name is unusable), not BAD (a syntax error), as Dovecot.
    for (const bad of ['"&ZeVn"', '"&AGE-"']) {
      const b = await c.command(`CREATE ${bad}`);
      assertStatus(b, 'NO');
      assert.match(b.tagged, /NO \[CANNOT\]/);
    }
    const l = await c.command('LIST "" "&ZeVn*"');
    assertStatus(l, 'OK');
    assert.deepEqual(l.untagged, []);
    assert.ok(!names((await c.command('LIST "" *')).untagged).some((n) => n.startsWith('&ZeVn') && n !== '&ZeVnLIqe-' && !n.startsWith('&ZeVnLIqe-/')));
  });

  test('after ENABLE IMAP4rev2 mailbox names are UTF-8 both ways (RFC 9051 §5.1, Appendix A.1)', async () => {
    const d = await loggedIn(srv.port);
    try {
      assertStatus(await d.command('ENABLE IMAP4rev2'), 'OK');
      assertStatus(await d.command('CREATE "Données"'), 'OK');
      const r = await d.command('LIST "" "Donn*"');
      assertStatus(r, 'OK');
      assert.deepEqual(names(r.untagged), ['Données']);
      assert.deepEqual((await d.command('STATUS "Données" (MESSAGES)')).untagged, ['* STATUS "Données" (MESSAGES 0)']);
      // the same mailbox seen by a rev1 session is mUTF-7
      assert.deepEqual(names((await c.command('LIST "" "Donn*"')).untagged), ['Donn&AOk-es']);
    } finally {
      d.close();
    }
  });

  test('LIST without login is BAD', async () => {
    const d = await TestClient.connect(srv.port);
    try {
      assertStatus(await d.command('LIST "" *'), 'BAD');
    } finally {
      d.close();
    }
    assert.equal(grep(await c.command('LIST "" INBOX'), /INBOX/).length, 1);
  });
});
