/**
 * Private \Seen in shared mailboxes (docs/decisions/0019; RFC 4314 §5.2, RFC 7162 §3.1.4
 * example 14) over real sockets: in a mailbox of another account ("Other Users/bob/..." or
 * "Shared/..."), each grantee's \Seen is its own; the owner's stays the owner's; every other
 * flag is shared. A private change reaches the same user's other sessions, with a new modseq.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { ACCOUNTS, TestClient, append, assertStatus, codeArgs, grep, loginAs, simpleMessage, type Reply } from '../support/transcript.js';
import { openStore } from '../../src/main.js';
import { sharedOwnerActor } from '../../src/store/access/index.js';

const as = (srv: TestServer, user: string): Promise<TestClient> => loginAs(srv.port, user);

const ok = (r: Reply): Reply => {
  assertStatus(r, 'OK');
  return r;
};

/** The FLAGS of one FETCH line, sorted (the order of flags carries no meaning). */
function flagsIn(line: string): string[] {
  const m = /FLAGS \(([^)]*)\)/.exec(line);
  assert.ok(m, `no FLAGS in ${JSON.stringify(line)}`);
  // \Recent is session state (RFC 3501 §2.3.2), beside the point here.
  return m[1]!.split(' ').filter((f) => f !== '' && f !== '\\Recent').sort();
}

/** Each message's flags by sequence number, as `c` sees them in its selected mailbox. */
async function flagsOf(c: TestClient, set = '1:*'): Promise<Record<number, string[]>> {
  const out: Record<number, string[]> = {};
  for (const line of grep(ok(await c.command(`FETCH ${set} (FLAGS)`)), /^\* \d+ FETCH /)) out[Number(/^\* (\d+)/.exec(line)![1])] = flagsIn(line);
  return out;
}

const modseqIn = (line: string): number => Number(/MODSEQ \((\d+)\)/.exec(line)?.[1]);

describe('private \\Seen in shared mailboxes', () => {
  let srv: TestServer;
  let bob: TestClient;
  const open: TestClient[] = [];
  let n = 0;
  const client = async (user: string): Promise<TestClient> => {
    const c = await as(srv, user);
    open.push(c);
    return c;
  };
  /** A fresh mailbox of bob's with three messages, bob having seen 2 and 3, shared with alice. */
  async function bobBox(rights: string): Promise<{ box: string; shared: string }> {
    const box = `Team${++n}`;
    ok(await bob.command(`CREATE ${box}`));
    ok(await append(bob, box, simpleMessage({ subject: 'one' })));
    ok(await append(bob, box, simpleMessage({ subject: 'two' }), '\\Seen'));
    ok(await append(bob, box, simpleMessage({ subject: 'three' }), '\\Seen'));
    ok(await bob.command(`SETACL ${box} alice ${rights}`));
    return { box, shared: `"Other Users/bob/${box}"` };
  }
  before(async () => {
    srv = await startTestServer({ users: ACCOUNTS });
    bob = await as(srv, 'bob');
  });
  after(async () => {
    bob.close();
    for (const c of open) c.close();
    await srv.stop();
  });

  test('FETCH BODY[] marks a message seen for alice only; her other session hears it, bob does not', async () => {
    const { box, shared } = await bobBox('lrs');
    const alice = await client('alice');
    const alice2 = await client('alice');
    ok(await alice.command(`SELECT ${shared}`));
    ok(await alice2.command(`SELECT ${shared}`));
    // bob's \Seen is bob's: alice has seen nothing yet.
    assert.deepEqual(await flagsOf(alice), { 1: [], 2: [], 3: [] });
    const read = ok(await alice.command('FETCH 1 BODY[]'));
    assert.deepEqual(flagsIn(grep(read, /^\* 1 FETCH/)[0]!), ['\\Seen']);
    // RFC 7162 §3.1.4 example 14: the private change is reported to the same user's other session.
    const noop = ok(await alice2.command('NOOP'));
    const heard = grep(noop, /FETCH/);
    assert.equal(heard.length, 1, JSON.stringify(noop.untagged));
    assert.match(heard[0]!, /^\* 1 FETCH \((UID 1 )?FLAGS \(\\Seen\)\)$/);
    // bob may hear of a new modseq, never of alice's \Seen.
    ok(await bob.command(`SELECT ${box}`));
    assert.deepEqual(await flagsOf(bob), { 1: [], 2: ['\\Seen'], 3: ['\\Seen'] });
    assert.deepEqual(await flagsOf(alice2), { 1: ['\\Seen'], 2: [], 3: [] });

    // STATUS UNSEEN and SEARCH differ per user.
    const alice3 = await client('alice');
    assert.deepEqual(ok(await alice3.command(`STATUS ${shared} (MESSAGES UNSEEN)`)).untagged, [`* STATUS ${shared} (MESSAGES 3 UNSEEN 2)`]);
    const bob2 = await client('bob');
    assert.deepEqual(ok(await bob2.command(`STATUS ${box} (MESSAGES UNSEEN)`)).untagged, [`* STATUS "${box}" (MESSAGES 3 UNSEEN 1)`]);
    assert.deepEqual(grep(ok(await alice.command('SEARCH UNSEEN')), /SEARCH/), ['* SEARCH 2 3']);
    assert.deepEqual(grep(ok(await alice.command('SEARCH NOT UNSEEN')), /SEARCH/), ['* SEARCH 1']);
    const esearch = grep(ok(await alice.command('SEARCH RETURN (COUNT MIN) SEEN')), /ESEARCH/);
    assert.equal(esearch.length, 1);
    assert.match(esearch[0]!, / COUNT 1\b/);
    assert.match(esearch[0]!, / MIN 1\b/);
    assert.deepEqual(grep(ok(await bob.command('SEARCH UNSEEN')), /SEARCH/), ['* SEARCH 1']);
    assert.deepEqual(grep(ok(await bob.command('SEARCH SEEN')), /SEARCH/), ['* SEARCH 2 3']);
    // SELECT's first unseen (IMAP4rev1) is alice's: message 2.
    const again = await client('alice');
    assert.ok(ok(await again.command(`EXAMINE ${shared}`)).untagged.includes('* OK [UNSEEN 2] First unseen'));

    // STORE -FLAGS \Seen is private too.
    ok(await alice.command('STORE 1 -FLAGS (\\Seen)'));
    assert.deepEqual(await flagsOf(alice), { 1: [], 2: [], 3: [] });
    assert.deepEqual(await flagsOf(bob), { 1: [], 2: ['\\Seen'], 3: ['\\Seen'] });
    ok(await bob.command('UNSELECT'));
  });

  test('one STORE with \\Seen and \\Flagged: \\Flagged is shared, \\Seen private; STORE FLAGS keeps the owner\'s \\Seen', async () => {
    const { box, shared } = await bobBox('lrsw');
    const alice = await client('alice');
    ok(await alice.command(`SELECT ${shared}`));
    const r = ok(await alice.command('STORE 1 +FLAGS (\\Seen \\Flagged)'));
    assert.deepEqual(flagsIn(grep(r, /^\* 1 FETCH/)[0]!), ['\\Flagged', '\\Seen']);
    ok(await bob.command(`SELECT ${box}`));
    assert.deepEqual(await flagsOf(bob), { 1: ['\\Flagged'], 2: ['\\Seen'], 3: ['\\Seen'] });
    // Replacing the set: alice's \Seen goes, bob's stays on 2; the shared flags are replaced.
    const set = ok(await alice.command('STORE 1:2 FLAGS (\\Answered)'));
    assert.deepEqual(grep(set, /FETCH/).map(flagsIn), [['\\Answered'], ['\\Answered']]);
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Answered'], 2: ['\\Answered'], 3: [] });
    assert.deepEqual(await flagsOf(bob), { 1: ['\\Answered'], 2: ['\\Answered', '\\Seen'], 3: ['\\Seen'] });
    ok(await bob.command('UNSELECT'));
  });

  test('with "lrs" SELECT is READ-ONLY (RFC 4314 §5.2) and alice\'s own \\Seen still changes (RFC 9051 §6.3.2)', async () => {
    const { box, shared } = await bobBox('lrs');
    const alice = await client('alice');
    const sel = await alice.command(`SELECT ${shared}`);
    assertStatus(sel, 'OK', 'READ-ONLY');
    assert.ok(sel.untagged.includes('* OK [PERMANENTFLAGS (\\Seen)] Flags permitted'), sel.untagged.join(' | '));
    ok(await alice.command('STORE 1 +FLAGS (\\Seen \\Flagged)'));
    ok(await alice.command('FETCH 2 BODY[]'));
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'], 2: ['\\Seen'], 3: [] });
    ok(await bob.command(`SELECT ${box}`));
    assert.deepEqual(await flagsOf(bob), { 1: [], 2: ['\\Seen'], 3: ['\\Seen'] });
    ok(await bob.command('UNSELECT'));
    // EXAMINE changes nothing, not even her own \Seen.
    ok(await alice.command(`EXAMINE ${shared}`));
    ok(await alice.command('FETCH 3 BODY[]'));
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'], 2: ['\\Seen'], 3: [] });
  });

  test('without "s" no \\Seen persists, neither from STORE nor from FETCH BODY[]', async () => {
    const { shared } = await bobBox('lrw');
    const alice = await client('alice');
    assertStatus(await alice.command(`SELECT ${shared}`), 'OK', 'READ-WRITE');
    ok(await alice.command('STORE 1 +FLAGS (\\Seen $Label)'));
    ok(await alice.command('FETCH 2 BODY[]'));
    assert.deepEqual(await flagsOf(alice), { 1: ['$Label'], 2: [], 3: [] });
    const other = await client('alice');
    assert.deepEqual(ok(await other.command(`STATUS ${shared} (UNSEEN)`)).untagged, [`* STATUS ${shared} (UNSEEN 3)`]);
  });

  test('CONDSTORE: a private \\Seen gets a new modseq and honours UNCHANGEDSINCE; CHANGEDSINCE and QRESYNC report it to alice', async () => {
    const { shared } = await bobBox('lrsw');
    const alice = await client('alice');
    ok(await alice.command('ENABLE QRESYNC'));
    const sel = ok(await alice.command(`SELECT ${shared}`));
    const validity = Number(codeArgs({ tagged: grep(sel, /UIDVALIDITY/)[0]!, untagged: [] }, 'UIDVALIDITY')[0]);
    const m0 = modseqIn(grep(ok(await alice.command('FETCH 1 (MODSEQ)')), /FETCH/)[0]!);
    const before = Number(/HIGHESTMODSEQ (\d+)/.exec(grep(sel, /HIGHESTMODSEQ/)[0]!)![1]);
    const set = ok(await alice.command(`STORE 1 (UNCHANGEDSINCE ${m0}) +FLAGS (\\Seen)`));
    const line = grep(set, /^\* 1 FETCH/)[0]!;
    assert.deepEqual(flagsIn(line), ['\\Seen']);
    const m1 = modseqIn(line);
    assert.ok(m1 > m0, line);
    // The message changed since m0 (alice's own \Seen): a second change against m0 is refused.
    const stale = await alice.command(`STORE 1 (UNCHANGEDSINCE ${m0}) -FLAGS (\\Seen)`);
    assertStatus(stale, 'OK', 'MODIFIED');
    assert.deepEqual(codeArgs(stale, 'MODIFIED'), ['1']);
    assert.deepEqual((await flagsOf(alice, '1'))[1], ['\\Seen']);
    // Both parts of one STORE pass one UNCHANGEDSINCE test: no MODIFIED from the part done first.
    const m2 = modseqIn(grep(ok(await alice.command('FETCH 2 (MODSEQ)')), /FETCH/)[0]!);
    const both = ok(await alice.command(`STORE 2 (UNCHANGEDSINCE ${m2}) +FLAGS (\\Seen \\Flagged)`));
    assert.doesNotMatch(both.tagged, /MODIFIED/);
    const bothLine = grep(both, /^\* 2 FETCH/)[0]!;
    assert.deepEqual(flagsIn(bothLine), ['\\Flagged', '\\Seen']);
    assert.ok(modseqIn(bothLine) > m2);
    // CHANGEDSINCE (RFC 7162 §3.1.4.1) in this session, QRESYNC (§3.2.5) in a new one.
    const changed = grep(ok(await alice.command(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${before})`)), /FETCH/);
    assert.deepEqual(changed.map((l) => [Number(/^\* (\d+)/.exec(l)![1]), flagsIn(l)]), [[1, ['\\Seen']], [2, ['\\Flagged', '\\Seen']]]);
    const later = await client('alice');
    ok(await later.command('ENABLE QRESYNC'));
    const resync = ok(await later.command(`SELECT ${shared} (QRESYNC (${validity} ${before}))`));
    const fetched = grep(resync, /FETCH/);
    assert.equal(fetched.length, 2, JSON.stringify(resync.untagged));
    assert.match(fetched[0]!, /^\* 1 FETCH \(UID 1 /);
    assert.deepEqual(flagsIn(fetched[0]!), ['\\Seen']);
    assert.deepEqual(flagsIn(fetched[1]!), ['\\Flagged', '\\Seen']);
  });

  test('APPEND with \\Seen into the shared folder is alice\'s; COPY out keeps her view; COPY within bob\'s folders carries her marks', async () => {
    const { box, shared } = await bobBox('lrswi');
    const other = `Store${n}`;
    ok(await bob.command(`CREATE ${other}`));
    ok(await bob.command(`SETACL ${other} alice lrswi`));
    const alice = await client('alice');
    ok(await append(alice, shared, simpleMessage({ subject: 'from alice' }), '\\Seen \\Flagged'));
    ok(await alice.command(`SELECT ${shared}`));
    ok(await alice.command('FETCH 1 BODY[]'));
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'], 2: [], 3: [], 4: ['\\Flagged', '\\Seen'] });
    ok(await bob.command(`SELECT ${box}`));
    assert.deepEqual(await flagsOf(bob), { 1: [], 2: ['\\Seen'], 3: ['\\Seen'], 4: ['\\Flagged'] });
    ok(await bob.command('UNSELECT'));

    // Out into alice's own mailbox: the copies carry alice's \Seen, not bob's.
    ok(await alice.command('CREATE Kept' + n));
    ok(await alice.command(`COPY 1:4 Kept${n}`));
    const mine = await client('alice');
    ok(await mine.command(`SELECT Kept${n}`));
    assert.deepEqual(await flagsOf(mine), { 1: ['\\Seen'], 2: [], 3: [], 4: ['\\Flagged', '\\Seen'] });

    // Within bob's account: bob's flags go with the messages, alice's marks with her.
    ok(await alice.command(`COPY 1:4 "Other Users/bob/${other}"`));
    const there = await client('alice');
    ok(await there.command(`SELECT "Other Users/bob/${other}"`));
    assert.deepEqual(await flagsOf(there), { 1: ['\\Seen'], 2: [], 3: [], 4: ['\\Flagged', '\\Seen'] });
    ok(await bob.command(`SELECT ${other}`));
    assert.deepEqual(await flagsOf(bob), { 1: [], 2: ['\\Seen'], 3: ['\\Seen'], 4: ['\\Flagged'] });
    ok(await bob.command('UNSELECT'));
  });

  test('MOVE out of the shared folder keeps alice\'s view; REPLACE into it makes the new \\Seen hers', async () => {
    const { box, shared } = await bobBox('lrswite');
    const mine = `Moved${n}`;
    const alice = await client('alice');
    ok(await alice.command(`CREATE ${mine}`));
    ok(await alice.command(`SELECT ${shared}`));
    ok(await alice.command('FETCH 1 BODY[]'));
    ok(await alice.command(`MOVE 1:2 ${mine}`));
    assert.deepEqual(await flagsOf(alice), { 1: [] });
    ok(await alice.command(`SELECT ${mine}`));
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'], 2: [] });
    // RFC 8508: the replacement goes to bob's mailbox with alice's \Seen as her mark.
    const tag = alice.nextTag();
    const body = simpleMessage({ subject: 'replaced' });
    alice.write(`${tag} REPLACE 2 ${shared} (\\Seen \\Flagged) {${Buffer.byteLength(body)}}\r\n`);
    assert.match(await alice.readLine(), /^\+/);
    alice.write(body + '\r\n');
    assert.match((await alice.readUntilTagged(tag)).tagged, / OK /);
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'] });
    ok(await alice.command(`SELECT ${shared}`));
    assert.deepEqual(await flagsOf(alice), { 1: [], 2: ['\\Flagged', '\\Seen'] });
    ok(await bob.command(`SELECT ${box}`));
    assert.deepEqual(await flagsOf(bob), { 1: ['\\Seen'], 2: ['\\Flagged'] });
    ok(await bob.command('UNSELECT'));
  });

  test('EXPUNGE takes the marks along; the store stays consistent', async () => {
    const { box, shared } = await bobBox('lrs');
    const alice = await client('alice');
    ok(await alice.command(`SELECT ${shared}`));
    ok(await alice.command('FETCH 1:3 BODY[]'));
    ok(await bob.command(`SELECT ${box}`));
    ok(await bob.command('STORE 1:2 +FLAGS.SILENT (\\Deleted)'));
    ok(await bob.command('EXPUNGE'));
    ok(await bob.command('UNSELECT'));
    const store = await openStore(srv.config);
    try {
      const owner = { accountId: (await store.getAccount('bob'))!.id, name: 'bob' };
      const reader = (await store.getAccount('alice'))!.id;
      const mailbox = (await store.getMailbox(owner, box))!;
      assert.deepEqual(await store.seenMarks(owner, mailbox.id, reader), [3]);
      assert.equal(await store.countSeenMarks(owner, mailbox.id, reader), 1);
      const check = store as unknown as { checkConsistency?: () => Promise<{ problems: unknown[] }> };
      if (check.checkConsistency !== undefined) assert.deepEqual((await check.checkConsistency()).problems, []);
    } finally {
      await store.close();
    }
    const other = await client('alice');
    assert.deepEqual(ok(await other.command(`STATUS ${shared} (MESSAGES UNSEEN)`)).untagged, [`* STATUS ${shared} (MESSAGES 1 UNSEEN 0)`]);
  });

  test('a Shared/ mailbox read by two users: each has its own \\Seen', async () => {
    const name = `Desk${++n}`;
    const store = await openStore(srv.config);
    try {
      const owner = await sharedOwnerActor(store);
      await store.createMailbox(owner, name);
      await store.setAcl(owner, name, 'anyone', 'lrsi');
    } finally {
      await store.close();
    }
    const alice = await client('alice');
    const carol = await client('carol');
    ok(await append(alice, `Shared/${name}`, simpleMessage({ subject: 'first' })));
    ok(await append(carol, `Shared/${name}`, simpleMessage({ subject: 'second' }), '\\Seen'));
    ok(await alice.command(`SELECT Shared/${name}`));
    ok(await carol.command(`SELECT Shared/${name}`));
    ok(await alice.command('FETCH 1 BODY[]'));
    assert.deepEqual(await flagsOf(alice), { 1: ['\\Seen'], 2: [] });
    assert.deepEqual(await flagsOf(carol), { 1: [], 2: ['\\Seen'] });
    assert.deepEqual(grep(ok(await carol.command('SEARCH UNSEEN')), /SEARCH/), ['* SEARCH 1']);
    assert.deepEqual(grep(ok(await alice.command('SEARCH UNSEEN')), /SEARCH/), ['* SEARCH 2']);
    const a2 = await client('alice');
    const c2 = await client('carol');
    assert.deepEqual(grep(ok(await a2.command('LIST "Shared/" "%" RETURN (STATUS (UNSEEN))')), new RegExp(`STATUS "Shared/${name}"`)), [`* STATUS "Shared/${name}" (UNSEEN 1)`]);
    assert.deepEqual(ok(await c2.command(`STATUS Shared/${name} (UNSEEN)`)).untagged, [`* STATUS "Shared/${name}" (UNSEEN 1)`]);
    ok(await carol.command('STORE 1 +FLAGS (\\Seen)'));
    assert.deepEqual(ok(await c2.command(`STATUS Shared/${name} (UNSEEN)`)).untagged, [`* STATUS "Shared/${name}" (UNSEEN 0)`]);
    assert.deepEqual(ok(await a2.command(`STATUS Shared/${name} (UNSEEN)`)).untagged, [`* STATUS "Shared/${name}" (UNSEEN 1)`]);
  });
});
