/**
 * Transcript tests of SORT / UID SORT (RFC 5256 §3), SORT=DISPLAY (RFC 5957) and THREAD /
 * UID THREAD with ORDEREDSUBJECT and REFERENCES (RFC 5256 §3) and REFS (draft-ietf-morg-inthread),
 * against a real server.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, seedMailbox } from '../support/transcript.js';
import { openStore } from '../../src/main.js';
import { parseMessage } from '../../src/mime/index.js';

function message(h: { from?: string; to?: string; cc?: string; subject?: string; date?: string; id?: string; refs?: string; inReplyTo?: string; body?: string }): string {
  const lines: string[] = [];
  if (h.from !== undefined) lines.push(`From: ${h.from}`);
  if (h.to !== undefined) lines.push(`To: ${h.to}`);
  if (h.cc !== undefined) lines.push(`Cc: ${h.cc}`);
  if (h.subject !== undefined) lines.push(`Subject: ${h.subject}`);
  if (h.date !== undefined) lines.push(`Date: ${h.date}`);
  if (h.id !== undefined) lines.push(`Message-ID: <${h.id}>`);
  if (h.inReplyTo !== undefined) lines.push(`In-Reply-To: ${h.inReplyTo}`);
  if (h.refs !== undefined) lines.push(`References: ${h.refs}`);
  return [...lines, '', h.body ?? 'body', ''].join('\r\n');
}

/**
 * 1: zed, "Re: apples", sent 3 Jan 10:00 +0000, small
 * 2: Anne (display) <yves@...>, "bananas", sent 1 Jan 23:00 -0500 (= 2 Jan 04:00 UTC), big
 * 3: bob, "[list] Apples (fwd)", no Date (INTERNALDATE 2 Jan 12:00), medium; Cc carol
 * 4: =?UTF-8?Q?=C3=89ric?= <eric@...>, no subject, unparseable Date (INTERNALDATE 5 Jan)
 * 5: alice, "Fwd: Cherries", sent 2 Jan 00:30 +0100 (= 1 Jan 23:30 UTC)
 */
const SORT_MESSAGES = [
  { body: message({ from: 'zed@example.org', to: 'b@example.org', subject: 'Re: apples', date: 'Tue, 3 Jan 2023 10:00:00 +0000' }), date: '10-Jan-2023 00:00:00 +0000' },
  {
    body: message({ from: '"Anne" <yves@example.org>', to: 'a@example.org', cc: 'dan@example.org', subject: 'bananas', date: 'Sun, 1 Jan 2023 23:00:00 -0500', body: 'x'.repeat(2000) }),
    date: '09-Jan-2023 00:00:00 +0000',
  },
  { body: message({ from: 'bob@example.org', to: 'c@example.org', cc: 'carol@example.org', subject: '[list] Apples (fwd)', body: 'y'.repeat(500) }), date: '02-Jan-2023 12:00:00 +0000' },
  { body: message({ from: '=?UTF-8?Q?=C3=89ric?= <eric@example.org>', date: 'not a date' }), date: '05-Jan-2023 00:00:00 +0000', flags: '\\Flagged' },
  { body: message({ from: 'alice@example.org', to: 'd@example.org', subject: 'Fwd: Cherries', date: 'Mon, 2 Jan 2023 00:30:00 +0100' }), date: '01-Jan-2023 00:00:00 +0000' },
];

/** A REFERENCES example: two threads, one with a missing parent and a subject-merged message. */
const THREAD_MESSAGES = [
  { body: message({ from: 'a@x', subject: 'Plan', date: '1 Jan 2023 10:00:00 +0000', id: 'p1@x' }) },
  { body: message({ from: 'b@x', subject: 'Re: Plan', date: '1 Jan 2023 11:00:00 +0000', id: 'p2@x', refs: '<p1@x>' }) },
  { body: message({ from: 'c@x', subject: 'Lunch', date: '1 Jan 2023 09:00:00 +0000', id: 'l1@x' }) },
  { body: message({ from: 'd@x', subject: 'Re: Plan', date: '1 Jan 2023 12:00:00 +0000', id: 'p3@x', refs: '<p1@x> <"p2"@x>' }) },
  { body: message({ from: 'e@x', subject: 'Re: Plan', date: '1 Jan 2023 10:30:00 +0000', id: 'p4@x', inReplyTo: '<p1@x> (a\'s message)' }) },
  { body: message({ from: 'f@x', subject: 'Re: Lunch', date: '1 Jan 2023 13:00:00 +0000', id: 'l2@x' }) },
  { body: message({ from: 'g@x', subject: 'Other', date: '1 Jan 2023 14:00:00 +0000', id: 'o2@x', refs: '<o1@gone>' }) },
  { body: message({ from: 'h@x', subject: 'Re: Other', date: '1 Jan 2023 08:00:00 +0000', id: 'o3@x', refs: '<o1@gone>' }) },
];

describe('IMAP SORT and THREAD', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    await seedMailbox(srv.port, 'sorting', SORT_MESSAGES);
    await seedMailbox(srv.port, 'threads', THREAD_MESSAGES);
    c = await loggedIn(srv.port);
    assertStatus(await c.command('SELECT sorting'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('capabilities: SORT, SORT=DISPLAY, ESORT, THREAD=ORDEREDSUBJECT, THREAD=REFERENCES; no CONTEXT', async () => {
    const r = await c.command('CAPABILITY');
    const caps = r.untagged.find((l) => l.startsWith('* CAPABILITY '))!.split(' ');
    for (const cap of ['SORT', 'SORT=DISPLAY', 'ESORT', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'THREAD=REFS']) assert.ok(caps.includes(cap), cap);
    assert.ok(!caps.some((x) => x.startsWith('CONTEXT=')));
  });

  const cases: Array<[string, string]> = [
    ['(ARRIVAL) UTF-8 ALL', '5 3 4 2 1'],
    ['(REVERSE ARRIVAL) UTF-8 ALL', '1 2 4 3 5'],
    ['(SIZE) UTF-8 ALL', '4 1 5 3 2'],
    // sent date normalised to UTC; no/unparseable Date: falls back to INTERNALDATE
    ['(DATE) UTF-8 ALL', '5 2 3 1 4'],
    ['(REVERSE DATE) US-ASCII ALL', '4 1 3 2 5'],
    // base subjects: apples, bananas, apples, "", cherries; empty first, ties by sequence
    ['(SUBJECT) UTF-8 ALL', '4 1 3 2 5'],
    ['(SUBJECT REVERSE DATE) UTF-8 ALL', '4 1 3 2 5'],
    ['(SUBJECT DATE) UTF-8 ALL', '4 3 1 2 5'],
    ['(REVERSE SUBJECT) UTF-8 ALL', '5 2 1 3 4'],
    // FROM is the mailbox (local part): alice bob eric yves zed
    ['(FROM) UTF-8 ALL', '5 3 4 2 1'],
    // DISPLAYFROM is the display name else mailbox@host: alice@.. Anne bob@.. Éric zed@..
    ['(DISPLAYFROM) UTF-8 ALL', '5 2 3 4 1'],
    // TO: message 4 has none (empty string first)
    ['(TO) UTF-8 ALL', '4 2 1 3 5'],
    ['(DISPLAYTO) UTF-8 ALL', '4 2 1 3 5'],
    ['(CC) UTF-8 ALL', '1 4 5 3 2'],
    ['(CC REVERSE ARRIVAL) UTF-8 ALL', '1 4 5 3 2'],
    // search criteria apply before sorting
    ['(DATE) UTF-8 FLAGGED', '4'],
    ['(DATE) UTF-8 NOT FLAGGED SUBJECT apples', '3 1'],
    ['(SIZE) UTF-8 SUBJECT nothing-matches', ''],
    ['(ARRIVAL) UTF-8 2:4', '3 4 2'],
  ];
  for (const [args, expected] of cases) {
    test(`SORT ${args} -> ${expected || '(none)'}`, async () => {
      const r = await c.command(`SORT ${args}`);
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, [expected ? `* SORT ${expected}` : '* SORT']);
    });
  }

  test('UID SORT answers UIDs and takes UID sets', async () => {
    // UIDs are 1..5 in this fresh mailbox (sizes: 2 > 3 > 1)
    const r = await c.command('UID SORT (REVERSE SIZE) UTF-8 UID 1:3');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* SORT 2 3 1']);
  });

  test('SORT with an unknown charset: NO [BADCHARSET]', async () => {
    const r = await c.command('SORT (ARRIVAL) X-NO-SUCH-CHARSET ALL');
    assertStatus(r, 'NO', 'BADCHARSET');
  });

  test('SORT syntax errors are BAD', async () => {
    for (const bad of ['SORT ARRIVAL UTF-8 ALL', 'SORT () UTF-8 ALL', 'SORT (NOPE) UTF-8 ALL', 'SORT (ARRIVAL) ALL', 'SORT (ARRIVAL)', 'SORT (REVERSE) UTF-8 ALL', 'SORT RETURN (CONTEXT) (ARRIVAL) UTF-8 ALL']) {
      assertStatus(await c.command(bad), 'BAD');
    }
  });

  test('SORT with a MODSEQ key reports the highest mod-sequence (RFC 7162 §3.1.5)', async () => {
    const r = await c.command('SORT (ARRIVAL) UTF-8 MODSEQ 1');
    assertStatus(r, 'OK');
    const line = r.untagged.find((l) => l.startsWith('* SORT '))!;
    assert.match(line, /^\* SORT 5 3 4 2 1 \(MODSEQ \d+\)$/);
  });

  describe('THREAD', () => {
    before(async () => {
      assertStatus(await c.command('SELECT threads'), 'OK');
    });

    test('THREAD REFERENCES (RFC 5256 §3 steps 1-6)', async () => {
      const r = await c.command('THREAD REFERENCES UTF-8 ALL');
      assertStatus(r, 'OK');
      // 1 <- 2 <- 4 (References, quoted msg-id normalised), 1 <- 5 (In-Reply-To);
      // 6 "Re: Lunch" joins 3 "Lunch" by subject; 7 and 8 share a missing parent.
      // Threads by sent date: dummy(8 at 08:00, 7), 3 (09:00), 1 (10:00).
      assert.deepEqual(r.untagged, ['* THREAD ((8)(7))(3 6)(1 (5)(2 4))']);
    });

    test('THREAD REFS: no subject merge, threads ordered by their newest message', async () => {
      const r = await c.command('THREAD REFS UTF-8 ALL');
      assertStatus(r, 'OK');
      // "Re: Lunch" (6) has no references, so it stays alone; the Plan thread's newest message
      // (4, 12:00) is older than 6 (13:00), and the Other thread's (7, 14:00) is the newest.
      assert.deepEqual(r.untagged, ['* THREAD (3)(1 (5)(2 4))(6)((8)(7))']);
      const u = await c.command('UID THREAD REFS UTF-8 SUBJECT lunch');
      assert.deepEqual(u.untagged, ['* THREAD (3)(6)']);
    });

    test('THREAD ORDEREDSUBJECT', async () => {
      const r = await c.command('THREAD ORDEREDSUBJECT UTF-8 ALL');
      assertStatus(r, 'OK');
      // subjects: lunch {3,6}, other {8 (08:00), 7}, plan {1, 5, 2, 4}; threads by first sent date
      assert.deepEqual(r.untagged, ['* THREAD (8 7)(3 6)(1 (5)(2)(4))']);
    });

    test('UID THREAD answers UIDs; search criteria restrict the set', async () => {
      const r = await c.command('UID THREAD REFERENCES US-ASCII SUBJECT plan');
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, ['* THREAD (1 (5)(2 4))']);
      const none = await c.command('THREAD ORDEREDSUBJECT UTF-8 SUBJECT nothing-matches');
      assert.deepEqual(none.untagged, ['* THREAD']);
    });

    test('THREAD with an unknown algorithm is BAD, an unknown charset NO [BADCHARSET]', async () => {
      assertStatus(await c.command('THREAD XREFS UTF-8 ALL'), 'BAD');
      assertStatus(await c.command('THREAD REFERENCES ALL'), 'BAD');
      assertStatus(await c.command('THREAD REFERENCES X-NO-SUCH-CHARSET ALL'), 'NO', 'BADCHARSET');
    });

    test('THREAD after EXPUNGE renumbers', async () => {
      assertStatus(await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)'), 'OK');
      assertStatus(await c.command('EXPUNGE'), 'OK');
      const r = await c.command('THREAD REFERENCES UTF-8 ALL');
      // old 1 (<p1@x>) is now a dummy parent of 1 (<- 3) and 4: kept at the top with 2 children
      assert.deepEqual(r.untagged, ['* THREAD ((7)(6))(2 5)((4)(1 3))']);
    });
  });

  test('SORT and THREAD need a selected mailbox', async () => {
    const d = await loggedIn(srv.port);
    try {
      assertStatus(await d.command('SORT (ARRIVAL) UTF-8 ALL'), 'BAD');
      assertStatus(await d.command('THREAD REFERENCES UTF-8 ALL'), 'BAD');
    } finally {
      d.close();
    }
  });
});

describe('THREAD reads References from the cached structure', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('cached References are used; a structure cached without them falls back to the header', async () => {
    const store = await openStore(srv.config);
    try {
      const rec = await store.getAccount('alice');
      const actor = { accountId: rec!.id, name: rec!.name };
      await store.createMailbox(actor, 'cache');
      const parent = message({ subject: 'a', date: '1 Jan 2023 10:00:00 +0000', id: 'a@x' });
      const oldReply = message({ subject: 'b', date: '1 Jan 2023 11:00:00 +0000', id: 'b@x', refs: '<a@x>' });
      const liar = message({ subject: 'c', date: '1 Jan 2023 12:00:00 +0000', id: 'c@x' });
      const meta = (raw: string, edit: (root: ReturnType<typeof parseMessage>) => void) => {
        const root = parseMessage(Buffer.from(raw));
        edit(root);
        return JSON.stringify(root);
      };
      const now = Date.UTC(2023, 0, 2);
      await store.append(actor, 'cache', [
        { content: Buffer.from(parent), flags: [], internalDate: now, meta: meta(parent, () => {}) },
        // As cached before References were part of the structure: THREAD reads the header.
        { content: Buffer.from(oldReply), flags: [], internalDate: now, meta: meta(oldReply, (r) => delete r.references) },
        // The cache is what counts when present: this message's header has no References.
        { content: Buffer.from(liar), flags: [], internalDate: now, meta: meta(liar, (r) => (r.references = ['b@x'])) },
      ]);
    } finally {
      await store.close();
    }
    const c = await loggedIn(srv.port);
    try {
      assertStatus(await c.command('EXAMINE cache'), 'OK');
      const r = await c.command('THREAD REFERENCES UTF-8 ALL');
      assert.deepEqual(r.untagged, ['* THREAD (1 2 3)']);
    } finally {
      c.close();
    }
  });
});
