/**
 * Transcript tests of SAVEDATE (RFC 8514: FETCH SAVEDATE, SEARCH SAVEDBEFORE/SAVEDON/SAVEDSINCE/
 * SAVEDATESUPPORTED) and PREVIEW (RFC 8970: FETCH PREVIEW and PREVIEW (LAZY)).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, simpleMessage, grep } from '../support/transcript.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The SAVEDATE value of the one FETCH response in `lines`. */
function savedate(lines: string[]): string {
  assert.equal(lines.length, 1, JSON.stringify(lines));
  const m = /SAVEDATE "([ \d]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4})"/.exec(lines[0]!);
  assert.ok(m, `no SAVEDATE in ${lines[0]}`);
  return m[1]!;
}

describe('SAVEDATE and PREVIEW', () => {
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

  test('both are advertised after login', async () => {
    const r = await c.command('CAPABILITY');
    const caps = grep(r, /^\* CAPABILITY /)[0]!.split(' ');
    assert.ok(caps.includes('SAVEDATE'), caps.join(' '));
    assert.ok(caps.includes('PREVIEW'), caps.join(' '));
  });

  test('APPEND sets the save date (not the INTERNALDATE); COPY and MOVE give a later one', async () => {
    assertStatus(await c.command('CREATE sd'), 'OK');
    assertStatus(await c.command('CREATE sd-copy'), 'OK');
    assertStatus(await c.command('CREATE sd-move'), 'OK');
    assertStatus(await append(c, 'sd', simpleMessage({ subject: 'first' }), '', '02-Jan-2001 10:00:00 +0000'), 'OK');
    assertStatus(await append(c, 'sd', simpleMessage({ subject: 'second' })), 'OK');
    assertStatus(await c.command('SELECT sd'), 'OK');
    const f1 = await c.command('FETCH 1 (INTERNALDATE SAVEDATE)');
    assertStatus(f1, 'OK');
    assert.match(f1.untagged[0]!, /^\* 1 FETCH \(INTERNALDATE " 2-Jan-2001 10:00:00 \+0000" SAVEDATE "/);
    const saved1 = savedate(grep(f1, /^\* 1 FETCH/));
    assert.ok(!saved1.includes('2001'), saved1);
    // SAVEDATE has one-second resolution: make the copy visibly later.
    await sleep(1100);
    assertStatus(await c.command('COPY 1 sd-copy'), 'OK');
    // The source keeps its save date (RFC 8514 §3).
    assert.equal(savedate(grep(await c.command('FETCH 1 SAVEDATE'), /^\* 1 FETCH/)), saved1);
    assertStatus(await c.command('MOVE 2 sd-move'), 'OK');

    assertStatus(await c.command('SELECT sd-copy'), 'OK');
    const copied = savedate(grep(await c.command('FETCH 1 (SAVEDATE INTERNALDATE)'), /^\* 1 FETCH/));
    assert.notEqual(copied, saved1);
    assert.ok(Date.parse(copied.replace(/-/g, ' ')) > Date.parse(saved1.replace(/-/g, ' ')), `${copied} <= ${saved1}`);
    const uf = await c.command('UID FETCH 1 SAVEDATE');
    assert.match(uf.untagged[0]!, /^\* 1 FETCH \(UID 1 SAVEDATE "[^"]+"\)$/);

    assertStatus(await c.command('SELECT sd-move'), 'OK');
    const moved = savedate(grep(await c.command('FETCH 1 SAVEDATE'), /^\* 1 FETCH/));
    assert.notEqual(moved, saved1);
  });

  test('SEARCH SAVEDON/SAVEDSINCE/SAVEDBEFORE compare the save date; SAVEDATESUPPORTED matches all', async () => {
    assertStatus(await c.command('SELECT sd'), 'OK');
    const today = savedate(grep(await c.command('FETCH 1 SAVEDATE'), /^\* 1 FETCH/)).slice(0, 11).trim();
    const search = async (criteria: string): Promise<string> => {
      const r = await c.command(`SEARCH ${criteria}`);
      assertStatus(r, 'OK');
      const line = grep(r, /^\* SEARCH/)[0];
      assert.ok(line !== undefined, JSON.stringify(r));
      return line.slice('* SEARCH'.length).trim();
    };
    // Message 1 has INTERNALDATE 2001 but was saved today.
    assert.equal(await search(`SAVEDON ${today}`), '1');
    assert.equal(await search(`SAVEDSINCE ${today}`), '1');
    assert.equal(await search(`SAVEDBEFORE ${today}`), '');
    assert.equal(await search('SAVEDON 02-Jan-2001'), '');
    assert.equal(await search('ON 02-Jan-2001'), '1');
    assert.equal(await search('SAVEDSINCE 1-Jan-2001'), '1');
    assert.equal(await search('SAVEDBEFORE 1-Jan-2100'), '1');
    assert.equal(await search('SAVEDSINCE 1-Jan-2100'), '');
    assert.equal(await search('SAVEDATESUPPORTED'), '1');
    assert.equal(await search('NOT SAVEDATESUPPORTED'), '');
    assert.equal(await search(`UID 1 SAVEDON ${today} SAVEDATESUPPORTED`), '1');
    assertStatus(await c.command('SEARCH SAVEDON'), 'BAD');
    assertStatus(await c.command('SEARCH SAVEDSINCE 31-Foo-2020'), 'BAD');
  });

  test('FETCH PREVIEW: plain, html, multipart/alternative, no text, LAZY', async () => {
    assertStatus(await c.command('CREATE pv'), 'OK');
    const msgs = [
      simpleMessage({ body: 'Hello Alice,\r\n\r\n  the  meeting moved\r\nto Friday.' }),
      simpleMessage({
        extra: 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8',
        body: '<html><head><style>p{}</style></head><body><p>Big&nbsp;<b>news</b> &amp; more</p></body></html>',
      }),
      simpleMessage({
        extra: 'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="alt"',
        body:
          '--alt\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 at noon\r\n' +
          '--alt\r\nContent-Type: text/html\r\n\r\n<p>HTML version</p>\r\n--alt--',
      }),
      simpleMessage({
        extra: 'MIME-Version: 1.0\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64',
        body: 'iVBORw0KGgo=',
      }),
      simpleMessage({ body: 'x '.repeat(400) }),
    ];
    for (const m of msgs) assertStatus(await append(c, 'pv', m), 'OK');
    assertStatus(await c.command('SELECT pv'), 'OK');
    const r = await c.command('FETCH 1:5 (PREVIEW)');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged.slice(0, 4), [
      '* 1 FETCH (PREVIEW "Hello Alice, the meeting moved to Friday.")',
      '* 2 FETCH (PREVIEW "Big news & more")',
      // Non-ASCII text goes out as a literal unless UTF8=ACCEPT is enabled.
      // (the test client shows literal bytes as latin1)
      `* 3 FETCH (PREVIEW {${Buffer.byteLength('Café at noon')}}\r\n${Buffer.from('Café at noon').toString('latin1')})`,
      '* 4 FETCH (PREVIEW "")',
    ]);
    const long = /^\* 5 FETCH \(PREVIEW "([^"]*)"\)$/.exec(r.untagged[4]!);
    assert.ok(long, r.untagged[4]);
    assert.ok(long[1]!.length <= 256 && long[1]!.length >= 190, `${long[1]!.length}`);
    // LAZY: computed anyway, never NIL from this server; combinations and UID FETCH.
    const lazy = await c.command('UID FETCH 1:2 (PREVIEW (LAZY) RFC822.SIZE)');
    assertStatus(lazy, 'OK');
    assert.deepEqual(
      lazy.untagged.map((l) => l.replace(/RFC822\.SIZE \d+/, 'RFC822.SIZE n')),
      [
        '* 1 FETCH (UID 1 PREVIEW "Hello Alice, the meeting moved to Friday." RFC822.SIZE n)',
        '* 2 FETCH (UID 2 PREVIEW "Big news & more" RFC822.SIZE n)',
      ],
    );
    const both = await c.command('FETCH 2 (PREVIEW BODY.PEEK[TEXT] SAVEDATE)');
    assertStatus(both, 'OK');
    assert.match(both.untagged.join('\n'), /^\* 2 FETCH \(PREVIEW "Big news & more" BODY\[TEXT\] \{\d+\}\r\n<html>[\s\S]*SAVEDATE "[^"]+"\)$/);
    // PREVIEW never sets \Seen (it is not a BODY[] item).
    const flags = await c.command('FETCH 1:2 FLAGS');
    assert.equal(grep(flags, /^\* \d FETCH \(FLAGS \((\\Recent)?\)\)$/).length, 2, JSON.stringify(flags));
    assertStatus(await c.command('FETCH 1 (PREVIEW (FOO))'), 'BAD');
    assertStatus(await c.command('FETCH 1 (PREVIEW ())'), 'BAD');
    // A single PREVIEW attribute followed by fetch modifiers, not preview modifiers
    // (CHANGEDSINCE enables CONDSTORE, so this comes last).
    const mod = await c.command('FETCH 1 PREVIEW (CHANGEDSINCE 1)');
    assertStatus(mod, 'OK');
    assert.ok(mod.untagged.some((l) => /^\* 1 FETCH \(PREVIEW "Hello Alice, the meeting moved to Friday\." MODSEQ \(\d+\)\)$/.test(l)), JSON.stringify(mod));
  });
});
