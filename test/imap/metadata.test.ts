/**
 * Transcript tests of METADATA / METADATA-SERVER (RFC 5464) and LIST-METADATA (RFC 9590), over
 * real sockets on a real store, with two accounts (alice, bob) to show what is private.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, grep } from '../support/transcript.js';
import { openStore } from '../../src/main.js';
import { METADATA_MAX_ENTRIES_PER_TARGET, METADATA_MAX_VALUE_BYTES } from '../../src/store/metadata.js';

const ADMIN = 'mailto:postmaster@example.com';

/** Sends a command made of raw parts (strings and buffers, e.g. with literal8 data). */
async function raw(c: TestClient, ...parts: Array<string | Buffer>): Promise<{ tagged: string; untagged: string[] }> {
  const tag = c.nextTag();
  c.write(Buffer.concat([Buffer.from(`${tag} `), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)), Buffer.from('\r\n')]));
  return c.readUntilTagged(tag);
}

describe('METADATA (RFC 5464) and LIST-METADATA (RFC 9590)', () => {
  let srv: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  before(async () => {
    srv = await startTestServer({ users: [['alice', 'wonderland-pass'], ['bob', 'builder-pass']], config: { metadataAdmin: ADMIN } });
    alice = await loggedIn(srv.port);
    bob = await TestClient.connect(srv.port);
    await bob.login('bob', 'builder-pass');
  });
  after(async () => {
    alice.close();
    bob.close();
    await srv.stop();
  });

  test('METADATA, METADATA-SERVER and LIST-METADATA are advertised after login', async () => {
    const caps = grep(await alice.command('CAPABILITY'), /^\* CAPABILITY /)[0]!.split(' ');
    for (const c of ['METADATA', 'METADATA-SERVER', 'LIST-METADATA']) assert.ok(caps.includes(c), caps.join(' '));
  });

  test('§4.2/§4.3 examples: set and get mailbox entries, one or several, multi-line literal', async () => {
    assertStatus(await alice.command('SETMETADATA INBOX (/private/comment {33+}\r\nMy new comment across\r\ntwo lines.)'), 'OK');
    const one = await alice.command('GETMETADATA "INBOX" /private/comment');
    assertStatus(one, 'OK');
    assert.deepEqual(one.untagged, ['* METADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)']);
    assertStatus(await alice.command('SETMETADATA INBOX (/private/comment "My comment" /shared/comment "Its sunny outside!")'), 'OK');
    const two = await alice.command('GETMETADATA "INBOX" (/shared/comment /private/comment)');
    assert.deepEqual(two.untagged, ['* METADATA INBOX (/shared/comment "Its sunny outside!" /private/comment "My comment")']);
    // Entry names are case-insensitive (§3.2); the mailbox name INBOX too.
    assert.deepEqual((await alice.command('GETMETADATA inbox /Private/COMMENT')).untagged, ['* METADATA INBOX (/private/comment "My comment")']);
    // A requested entry that does not exist comes back NIL.
    assert.deepEqual((await alice.command('GETMETADATA INBOX /private/nothing')).untagged, ['* METADATA INBOX (/private/nothing NIL)']);
    // NIL removes (§4.3).
    assertStatus(await alice.command('SETMETADATA INBOX (/private/comment NIL)'), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA INBOX /private/comment')).untagged, ['* METADATA INBOX (/private/comment NIL)']);
    assertStatus(await alice.command('SETMETADATA INBOX (/shared/comment NIL)'), 'OK');
  });

  test('/private mailbox entries are per user; another user never sees them', async () => {
    assertStatus(await alice.command('SETMETADATA INBOX (/private/comment "alice only")'), 'OK');
    assertStatus(await bob.command('SETMETADATA INBOX (/private/comment "bob only")'), 'OK');
    assert.deepEqual((await bob.command('GETMETADATA INBOX /private/comment')).untagged, ['* METADATA INBOX (/private/comment "bob only")']);
    assert.deepEqual((await alice.command('GETMETADATA INBOX /private/comment')).untagged, ['* METADATA INBOX (/private/comment "alice only")']);
    const all = await bob.command('GETMETADATA (DEPTH infinity) INBOX (/private /shared)');
    assert.ok(!all.untagged.join('\n').includes('alice only'), JSON.stringify(all.untagged));
  });

  test('server entries: /private per user, /shared from the operator visible to all, /shared/admin from config', async () => {
    assertStatus(await alice.command('SETMETADATA "" (/private/vendor/facteur/theme "dark")'), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA "" /private/vendor/facteur/theme')).untagged, ['* METADATA "" (/private/vendor/facteur/theme "dark")']);
    assert.deepEqual((await bob.command('GETMETADATA "" /private/vendor/facteur/theme')).untagged, ['* METADATA "" (/private/vendor/facteur/theme NIL)']);
    // §3.3: clients may not create server /shared entries here; §3.2.1.1 /shared/admin is read-only.
    assertStatus(await alice.command('SETMETADATA "" (/shared/comment "mine")'), 'NO');
    assertStatus(await bob.command('SETMETADATA "" (/shared/admin "mailto:bob@example.com")'), 'NO');
    const store = await openStore(srv.config);
    try {
      await store.setServerMetadata([{ name: '/shared/comment', value: Buffer.from('Maintenance Sunday 02:00') }]);
    } finally {
      await store.close();
    }
    for (const c of [alice, bob]) {
      const r = await c.command('GETMETADATA "" (/shared/comment /shared/admin)');
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, [`* METADATA "" (/shared/comment "Maintenance Sunday 02:00" /shared/admin "${ADMIN}")`]);
    }
    const tree = await bob.command('GETMETADATA "" (DEPTH infinity) /shared');
    assert.deepEqual(tree.untagged, [`* METADATA "" (/shared/admin "${ADMIN}" /shared/comment "Maintenance Sunday 02:00")`]);
  });

  test('§4.2.2 DEPTH 0, 1, infinity; options before or after the mailbox', async () => {
    assertStatus(
      await alice.command(
        'SETMETADATA INBOX (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/boss/x "deep")',
      ),
      'OK',
    );
    const d1 = await alice.command('GETMETADATA "INBOX" (DEPTH 1) (/private/filters/values)');
    assert.deepEqual(d1.untagged, [
      '* METADATA INBOX (/private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/small "SMALLER 5000")',
    ]);
    const dinf = await alice.command('GETMETADATA (DEPTH infinity) INBOX /private/filters/values');
    assert.equal(dinf.untagged.length, 1);
    assert.ok(dinf.untagged[0]!.includes('/private/filters/values/boss/x "deep"'), dinf.untagged[0]);
    const d0 = await alice.command('GETMETADATA (DEPTH 0) INBOX /private/filters/values');
    assert.deepEqual(d0.untagged, ['* METADATA INBOX (/private/filters/values NIL)']);
    assertStatus(await alice.command('GETMETADATA (DEPTH 2) INBOX /private/filters'), 'BAD');
    assertStatus(await alice.command('GETMETADATA (FOO 1) INBOX /private/filters'), 'BAD');
    assertStatus(await alice.command('GETMETADATA (DEPTH 1 DEPTH 0) INBOX /private/filters'), 'BAD');
  });

  test('§4.2.1 MAXSIZE leaves out larger values and reports the largest in LONGENTRIES', async () => {
    const long = 'x'.repeat(2199);
    assertStatus(await alice.command(`SETMETADATA Sent (/shared/comment {${long.length}+}\r\n${long} /private/comment "My own comment")`), 'OK');
    const r = await alice.command('GETMETADATA "Sent" (MAXSIZE 1024) (/shared/comment /private/comment)');
    assertStatus(r, 'OK', 'METADATA LONGENTRIES 2199');
    assert.deepEqual(r.untagged, ['* METADATA Sent (/private/comment "My own comment")']);
    const all = await alice.command('GETMETADATA (MAXSIZE 5000) Sent (/shared/comment)');
    assert.ok(!/LONGENTRIES/.test(all.tagged), all.tagged);
    assert.equal(all.untagged[0], `* METADATA Sent (/shared/comment {2199}\r\n${long})`);
  });

  test('binary values: literal8 in, literal8 out (NUL), byte for byte', async () => {
    const data = Buffer.from([0x00, 0x01, 0xff, 0x0d, 0x0a, 0x00, 0x41]);
    const set = await raw(alice, 'SETMETADATA Drafts (/private/vendor/facteur/blob ~{7+}\r\n', data, ')');
    assertStatus(set, 'OK');
    const tag = alice.nextTag();
    alice.write(`${tag} GETMETADATA Drafts /private/vendor/facteur/blob\r\n`);
    let head = '';
    for (;;) {
      const ch = (await alice.readRaw(1)).toString('latin1');
      head += ch;
      if (head.endsWith('\r\n')) break;
    }
    assert.equal(head, '* METADATA Drafts (/private/vendor/facteur/blob ~{7}\r\n');
    assert.ok((await alice.readRaw(7)).equals(data));
    assert.equal((await alice.readRaw(3)).toString('latin1'), ')\r\n');
    assertStatus(await alice.readUntilTagged(tag), 'OK');
    // Empty value: a string of zero octets, not NIL.
    assertStatus(await alice.command('SETMETADATA Drafts (/private/empty "")'), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA Drafts /private/empty')).untagged, ['* METADATA Drafts (/private/empty "")']);
  });

  test('§4.3 MAXSIZE and TOOMANY refuse the whole SETMETADATA; nothing is changed', async () => {
    assertStatus(await alice.command('CREATE Limits'), 'OK');
    assertStatus(await alice.command('SETMETADATA Limits (/private/keep "1")'), 'OK');
    const big = 'y'.repeat(METADATA_MAX_VALUE_BYTES + 1);
    const r = await alice.command(`SETMETADATA Limits (/private/keep NIL /shared/big {${big.length}+}\r\n${big})`);
    assertStatus(r, 'NO', `METADATA MAXSIZE ${METADATA_MAX_VALUE_BYTES}`);
    // A value above the argument literal limit (64 KiB) is refused before the command is read:
    // still NO [METADATA MAXSIZE] (RFC 5464 §4.3), for a synchronizing literal (no "+" sent) and a
    // LITERAL+ one (its data is read and dropped), and the session goes on.
    const huge = 70_000;
    const sync = await alice.command(`SETMETADATA Limits (/shared/huge {${huge}}`);
    assertStatus(sync, 'NO', `METADATA MAXSIZE ${METADATA_MAX_VALUE_BYTES}`);
    assert.deepEqual(sync.untagged, []);
    const plus = await raw(alice, `SETMETADATA Limits (/shared/huge {${huge}+}\r\n`, Buffer.alloc(huge, 0x7a), ')');
    assertStatus(plus, 'NO', `METADATA MAXSIZE ${METADATA_MAX_VALUE_BYTES}`);
    // Other commands keep the generic refusal.
    assertStatus(await alice.command(`SELECT {${huge}}`), 'BAD', 'TOOBIG');
    assert.deepEqual((await alice.command('GETMETADATA Limits /shared/huge')).untagged, ['* METADATA Limits (/shared/huge NIL)']);
    const half = METADATA_MAX_ENTRIES_PER_TARGET / 2;
    const first = Array.from({ length: half }, (_, i) => `/shared/a${i} "${i}"`).join(' ');
    assertStatus(await alice.command(`SETMETADATA Limits (${first})`), 'OK');
    // keep goes, half + 1 arrive: one over the per-mailbox limit, so nothing happens.
    const second = Array.from({ length: half + 1 }, (_, i) => `/shared/b${i} "${i}"`).join(' ');
    assertStatus(await alice.command(`SETMETADATA Limits (/private/keep NIL ${second})`), 'NO', 'METADATA TOOMANY');
    const left = await alice.command('GETMETADATA (DEPTH infinity) Limits (/private /shared/b0)');
    assert.deepEqual(left.untagged, ['* METADATA Limits (/private/keep "1" /shared/b0 NIL)']);
    // One entry fewer fits exactly.
    const fits = Array.from({ length: half }, (_, i) => `/shared/b${i} "${i}"`).join(' ');
    assertStatus(await alice.command(`SETMETADATA Limits (/private/keep NIL ${fits})`), 'OK');
    // More entries in one command than a mailbox may hold: adding them is TOOMANY (a NO, never a
    // BAD: the command is valid); reading or removing as many is answered.
    const many = METADATA_MAX_ENTRIES_PER_TARGET + 1;
    const add = Array.from({ length: many }, (_, i) => `/shared/c${i} "${i}"`).join(' ');
    assertStatus(await alice.command(`SETMETADATA Limits (${add})`), 'NO', 'METADATA TOOMANY');
    const names = Array.from({ length: many }, (_, i) => `/shared/b${i}`);
    const read = await alice.command(`GETMETADATA Limits (${names.join(' ')})`);
    assertStatus(read, 'OK');
    assert.equal(read.untagged.length, 1);
    assert.match(read.untagged[0]!, /^\* METADATA Limits \(\/shared\/b0 "0" .*\/shared\/b49 "49" \/shared\/b50 NIL .*\/shared\/b100 NIL\)$/);
    assertStatus(await alice.command(`SETMETADATA Limits (${names.map((n) => `${n} NIL`).join(' ')})`), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA Limits /shared/b0')).untagged, ['* METADATA Limits (/shared/b0 NIL)']);
  });

  test('bad entry names are BAD (§3.2); a missing mailbox is NO [NONEXISTENT]', async () => {
    for (const name of ['/private/a*b', '/private/a%', '/private//x', '/private/x/', 'private/x', '/other/x', '/private', '/shared/vendor/x', '"/private/\x7fx"']) {
      assertStatus(await alice.command(`SETMETADATA INBOX (${name} "v")`), 'BAD');
    }
    assertStatus(await alice.command('GETMETADATA INBOX /private/a*b'), 'BAD');
    assertStatus(await alice.command('GETMETADATA INBOX "/private/caf\u00e9"'), 'BAD');
    assertStatus(await alice.command('SETMETADATA INBOX (/private/x)'), 'BAD');
    assertStatus(await alice.command('SETMETADATA INBOX /private/x "v"'), 'BAD');
    assertStatus(await alice.command('GETMETADATA NoSuchBox /private/comment'), 'NO', 'NONEXISTENT');
    assertStatus(await alice.command('SETMETADATA NoSuchBox (/private/comment "x")'), 'NO', 'NONEXISTENT');
  });

  test('§4.1: entries follow RENAME, go with DELETE, and RENAME INBOX copies them', async () => {
    assertStatus(await alice.command('CREATE Projects'), 'OK');
    assertStatus(await alice.command('SETMETADATA Projects (/shared/comment "projects" /private/comment "mine")'), 'OK');
    assertStatus(await alice.command('RENAME Projects Work'), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA Work (/shared/comment /private/comment)')).untagged, [
      '* METADATA Work (/shared/comment "projects" /private/comment "mine")',
    ]);
    assertStatus(await alice.command('DELETE Work'), 'OK');
    assertStatus(await alice.command('CREATE Work'), 'OK');
    assert.deepEqual((await alice.command('GETMETADATA Work (/shared/comment /private/comment)')).untagged, [
      '* METADATA Work (/shared/comment NIL /private/comment NIL)',
    ]);
    assertStatus(await bob.command('SETMETADATA INBOX (/shared/comment "bob inbox")'), 'OK');
    assertStatus(await bob.command('RENAME INBOX Archive/2026'), 'OK');
    for (const box of ['INBOX', 'Archive/2026']) {
      assert.deepEqual((await bob.command(`GETMETADATA "${box}" /shared/comment`)).untagged, [`* METADATA ${box} (/shared/comment "bob inbox")`]);
    }
  });

  test('RFC 6154 §4: /private/specialuse shows the special use, read-only', async () => {
    assert.deepEqual((await alice.command('GETMETADATA Sent /private/specialuse')).untagged, ['* METADATA Sent (/private/specialuse "\\\\Sent")']);
    assert.deepEqual((await alice.command('GETMETADATA INBOX /private/specialuse')).untagged, ['* METADATA INBOX (/private/specialuse NIL)']);
    const tree = await alice.command('GETMETADATA (DEPTH 1) Trash /private');
    assert.ok(tree.untagged[0]!.includes('/private/specialuse "\\\\Trash"'), tree.untagged[0]);
    assertStatus(await alice.command('SETMETADATA Drafts (/private/specialuse "\\\\Sent")'), 'NO', 'CANNOT');
    assertStatus(await alice.command('SETMETADATA Drafts (/private/specialuse NIL)'), 'NO', 'CANNOT');
    assert.deepEqual((await alice.command('GETMETADATA Drafts /private/specialuse')).untagged, ['* METADATA Drafts (/private/specialuse "\\\\Drafts")']);
  });

  test('RFC 9590: LIST RETURN (METADATA (...)) follows each listed mailbox with its entries', async () => {
    assertStatus(await alice.command('CREATE Colours'), 'OK');
    assertStatus(await alice.command('SETMETADATA Colours (/private/vendor/facteur/color "#ff0000" /shared/comment "red")'), 'OK');
    const r = await alice.command('LIST "" "Col%" RETURN (METADATA (/private/vendor/facteur/color /shared/comment))');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, [
      '* LIST (\\HasNoChildren) "/" "Colours"',
      '* METADATA Colours (/private/vendor/facteur/color "#ff0000" /shared/comment "red")',
    ]);
    const withOthers = await alice.command('LIST "" "*" RETURN (SPECIAL-USE METADATA (/shared/comment))');
    assertStatus(withOthers, 'OK');
    const lists = grep(withOthers, /^\* LIST /);
    const metas = grep(withOthers, /^\* METADATA /);
    assert.equal(metas.length, lists.length, JSON.stringify(withOthers.untagged));
    assert.ok(metas.includes('* METADATA Sent (/shared/comment {2199}\r\n' + 'x'.repeat(2199) + ')'), JSON.stringify(metas).slice(0, 500));
    assert.ok(metas.includes('* METADATA Drafts (/shared/comment NIL)'));
    // Each METADATA comes right after its mailbox's LIST.
    withOthers.untagged.forEach((line, i) => {
      if (line.startsWith('* METADATA ')) assert.ok(withOthers.untagged[i - 1]!.startsWith('* LIST '), line);
    });
    assertStatus(await alice.command('LIST "" "*" RETURN (METADATA (/private/a*))'), 'BAD');
    assertStatus(await alice.command('LIST "" "*" RETURN (METADATA /shared/comment)'), 'BAD');
    // A \NonExistent subscribed name gets no METADATA.
    assertStatus(await alice.command('SUBSCRIBE Ghost'), 'OK');
    const subs = await alice.command('LIST (SUBSCRIBED) "" "Ghost" RETURN (METADATA (/shared/comment))');
    assert.deepEqual(subs.untagged, ['* LIST (\\NonExistent \\Subscribed) "/" "Ghost"']);
  });
});
