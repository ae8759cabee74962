/**
 * Transcript tests of INPROGRESS (RFC 9585) progress notifications, made deterministic by a
 * server that reports every 2 messages (--progress-every 2) instead of relying on time.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, simpleMessage, seedMailbox, grep } from '../support/transcript.js';

const progressLines = (lines: string[]): string[] => grep(lines, /INPROGRESS/);

describe('INPROGRESS (RFC 9585)', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer({ progressEvery: 2 });
    await seedMailbox(
      srv.port,
      'big',
      Array.from({ length: 20 }, (_, i) => ({ body: simpleMessage({ subject: `m${i}`, body: i === 17 ? 'needle here' : 'hay' }) })),
    );
    c = await loggedIn(srv.port);
    assertStatus(await c.command('SELECT big'), 'OK');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  test('INPROGRESS is advertised', async () => {
    const caps = grep(await c.command('CAPABILITY'), /^\* CAPABILITY /)[0]!.split(' ');
    assert.ok(caps.includes('INPROGRESS'), caps.join(' '));
  });

  test('FETCH reports between whole FETCH responses, with the tag, count and goal', async () => {
    const r = await c.command('FETCH 1:5 (UID)');
    assertStatus(r, 'OK');
    const tag = r.tagged.split(' ')[0]!;
    assert.deepEqual(r.untagged, [
      '* 1 FETCH (UID 1)',
      '* 2 FETCH (UID 2)',
      `* OK [INPROGRESS ("${tag}" 2 5)] Still working`,
      '* 3 FETCH (UID 3)',
      '* 4 FETCH (UID 4)',
      `* OK [INPROGRESS ("${tag}" 4 5)] Still working`,
      '* 5 FETCH (UID 5)',
    ]);
  });

  test('a content SEARCH reports as it reads messages; a metadata-only one has nothing to report', async () => {
    const r = await c.command('SEARCH BODY needle');
    const tag = r.tagged.split(' ')[0]!;
    assert.deepEqual(r.untagged, [
      `* OK [INPROGRESS ("${tag}" 8 20)] Still working`,
      `* OK [INPROGRESS ("${tag}" 16 20)] Still working`,
      '* SEARCH 18',
    ]);
    assert.deepEqual(progressLines((await c.command('SEARCH ALL')).untagged), []);
  });

  test('UID SORT and THREAD REFERENCES report through the same mechanism', async () => {
    const s = await c.command('UID SORT (SUBJECT) UTF-8 TEXT hay');
    assertStatus(s, 'OK');
    assert.ok(progressLines(s.untagged).length >= 2, JSON.stringify(s.untagged));
    const t = await c.command('THREAD REFERENCES UTF-8 ALL');
    assertStatus(t, 'OK');
    assert.ok(progressLines(t.untagged).length >= 2, JSON.stringify(t.untagged));
    assert.ok(t.untagged[t.untagged.length - 1]!.startsWith('* THREAD '), JSON.stringify(t.untagged));
  });

  test('a tag containing "]" is reported as NIL; UIDONLY sessions get UIDFETCH lines around them', async () => {
    const r = await c.command('UID FETCH 1:3 (FLAGS)');
    assert.equal(progressLines(r.untagged).length, 1);
    c.write('a]1 FETCH 1:3 (UID)\r\n');
    const lines = (await c.readUntilTagged('a]1')).untagged;
    assert.deepEqual(progressLines(lines), ['* OK [INPROGRESS (NIL 2 3)] Still working']);
    const u = await loggedIn(srv.port);
    try {
      assertStatus(await u.command('ENABLE UIDONLY'), 'OK');
      assertStatus(await u.command('EXAMINE big'), 'OK');
      const f = await u.command('UID FETCH 1:3 (UID)');
      const tag = f.tagged.split(' ')[0]!;
      assert.deepEqual(f.untagged, ['* 1 UIDFETCH (UID 1)', '* 2 UIDFETCH (UID 2)', `* OK [INPROGRESS ("${tag}" 2 3)] Still working`, '* 3 UIDFETCH (UID 3)']);
    } finally {
      u.close();
    }
  });
});
