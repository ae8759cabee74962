/**
 * Transcript tests of the expunge-history horizon (issue #4, --expunge-history-days): once the
 * history a client needs was pruned, SELECT (QRESYNC ...) and UID FETCH (CHANGEDSINCE ...
 * VANISHED) answer with every named UID that is no longer in the mailbox (RFC 7162 §3.2.5.1,
 * §3.2.6: a superset is allowed), narrowed by seq-match-data (§3.2.5.2); a selected session
 * whose own sync crosses the pruned range still announces every expunge.
 *
 * Pruning is triggered the way the server's maintenance timer does it (MailStore
 * pruneExpungeHistory), from a second store instance on the same database, with a cutoff in the
 * future so that every record is older than the horizon.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/main.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, grep, type Reply } from '../support/transcript.js';

const num = (r: Reply, re: RegExp): number => {
  const m = re.exec(r.untagged.join('\n'));
  assert.ok(m, JSON.stringify(r.untagged));
  return Number(m[1]);
};

describe('QRESYNC beyond the expunge-history horizon (RFC 7162 §3.2.5, §3.2.6)', () => {
  let srv: TestServer;
  const open: TestClient[] = [];
  async function client(enable: string | null = 'QRESYNC'): Promise<TestClient> {
    const c = await loggedIn(srv.port);
    open.push(c);
    if (enable) assertStatus(await c.command(`ENABLE ${enable}`), 'OK');
    return c;
  }
  /** Prunes every expunge record (a cutoff one minute in the future). */
  async function pruneAll(): Promise<number> {
    const store = await openStore(srv.config);
    try {
      return await store.pruneExpungeHistory(Date.now() + 60_000);
    } finally {
      await store.close();
    }
  }
  async function expungeElsewhere(name: string, uids: string): Promise<void> {
    const d = await client(null);
    assertStatus(await d.command(`SELECT ${name}`), 'OK');
    assertStatus(await d.command(`UID STORE ${uids} +FLAGS.SILENT (\\Deleted)`), 'OK');
    assertStatus(await d.command(`UID EXPUNGE ${uids}`), 'OK');
    await d.command('LOGOUT');
  }
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv.stop();
  });

  test('after pruning, SELECT (QRESYNC) and UID FETCH VANISHED report every named UID not in the mailbox', async () => {
    const name = 'horizon1';
    await seedMailbox(srv.port, name, Array.from({ length: 10 }, (_, i) => ({ body: simpleMessage({ subject: `m${i + 1}` }) })));
    // UID 1 is expunged before the client's remembered modseq, 3, 5, 7 after it.
    await expungeElsewhere(name, '1');
    const c = await client();
    const sel = await c.command(`SELECT ${name}`);
    const uv = num(sel, /\[UIDVALIDITY (\d+)\]/);
    const m = num(sel, /\[HIGHESTMODSEQ (\d+)\]/);
    await c.command('LOGOUT');
    await expungeElsewhere(name, '3,5,7');
    const d = await client(null);
    await d.command(`SELECT ${name}`);
    assertStatus(await d.command('UID STORE 2 +FLAGS.SILENT (\\Seen)'), 'OK');
    await d.command('LOGOUT');

    // With the whole history the answer is exact.
    const e = await client();
    const exact = await e.command(`EXAMINE ${name} (QRESYNC (${uv} ${m}))`);
    assert.equal(grep(exact, /VANISHED/)[0], '* VANISHED (EARLIER) 3,5,7');

    assert.equal(await pruneAll(), 4);

    // Pruned: every UID of 1:UIDNEXT-1 that is gone (a superset: UID 1 vanished before m), then FETCH.
    const r = await e.command(`SELECT ${name} (QRESYNC (${uv} ${m}))`);
    assertStatus(r, 'OK', 'READ-WRITE');
    const lines = grep(r, /VANISHED|FETCH/);
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[0], '* VANISHED (EARLIER) 1,3,5,7');
    assert.match(lines[1]!, /^\* 1 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    // the view holds the remaining messages; nothing is repeated at the next NOOP
    assert.deepEqual((await e.command('NOOP')).untagged, []);

    // known-uids limits the answer, and never reports UIDs not yet assigned (UIDNEXT is 11)
    const known = await e.command(`EXAMINE ${name} (QRESYNC (${uv} ${m} 1:4,9:100))`);
    assert.deepEqual(grep(known, /VANISHED/), ['* VANISHED (EARLIER) 1,3']);
    // seq-match-data: (2 -> 4) matches (remaining UIDs 2,4,6,8,9,10), so only UIDs above 4
    const seqm = await e.command(`EXAMINE ${name} (QRESYNC (${uv} ${m} 1:10 (1:2 2,4)))`);
    assert.deepEqual(grep(seqm, /VANISHED/), ['* VANISHED (EARLIER) 5,7']);

    // UID FETCH (CHANGEDSINCE m VANISHED): the set's UIDs that are gone, then the FETCH
    const f = await e.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m} VANISHED)`);
    assertStatus(f, 'OK');
    assert.equal(f.untagged[0], '* VANISHED (EARLIER) 1,3,5,7');
    assert.match(f.untagged[1]!, /^\* 1 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    assert.equal(f.untagged.length, 2, JSON.stringify(f.untagged));
    const part = await e.command(`UID FETCH 4:6 (FLAGS) (CHANGEDSINCE ${m} VANISHED)`);
    assert.deepEqual(part.untagged, ['* VANISHED (EARLIER) 5']);

    // A client whose modseq is at or above the floor still gets the exact (empty) answer.
    const now = num(r, /\[HIGHESTMODSEQ (\d+)\]/);
    const same = await e.command(`EXAMINE ${name} (QRESYNC (${uv} ${now}))`);
    assert.deepEqual(grep(same, /VANISHED|FETCH/), []);
  });

  test('a selected session whose sync crosses pruned history still announces every expunge', async () => {
    const name = 'horizon2';
    await seedMailbox(srv.port, name, Array.from({ length: 6 }, (_, i) => ({ body: simpleMessage({ subject: `n${i + 1}` }) })));
    const q = await client();
    assertStatus(await q.command(`SELECT ${name}`), 'OK');
    const plain = await client(null);
    assertStatus(await plain.command(`EXAMINE ${name}`), 'OK');
    await expungeElsewhere(name, '2,5');
    assert.equal(await pruneAll(), 2);
    // QRESYNC session: VANISHED (RFC 7162 §3.2.10); classic session: EXPUNGE, highest first
    assert.deepEqual(grep(await q.command('NOOP'), /VANISHED|EXPUNGE/), ['* VANISHED 2,5']);
    assert.deepEqual(grep(await plain.command('NOOP'), /VANISHED|EXPUNGE/), ['* 5 EXPUNGE', '* 2 EXPUNGE']);
    const uids = (await q.command('UID FETCH 1:* (UID)')).untagged.map((l) => Number(/UID (\d+)/.exec(l)![1]));
    assert.deepEqual(uids, [1, 3, 4, 6]);
    assert.deepEqual((await q.command('NOOP')).untagged, []);
  });
});
