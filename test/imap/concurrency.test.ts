/**
 * Many connections writing one mailbox at once: UIDs stay unique and dense (RFC 9051 §2.3.1.1:
 * strictly ascending, never reused; RFC 4315 §4: APPENDUID / COPYUID report what was assigned).
 *
 * Six connections, spread over every node when the suite runs on several (FACTEUR_TEST_NODES,
 * pass 2 of npm test; on one node otherwise), each APPEND, UID COPY (from one shared source) and
 * UID MOVE (from a source of its own) into one destination, all at the same time. Then the
 * destination holds exactly the UIDs the tagged OKs reported, each once; every APPENDUID/COPYUID
 * names distinct UIDs, a COPY's or MOVE's are one contiguous ascending run (this server assigns
 * each command's UIDs as one block, in source UID order); UIDNEXT is the highest plus one; the
 * moved messages are gone from their sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, append, codeArgs, simpleMessage, seedMailbox } from '../support/transcript.js';

const CONNECTIONS = 6;
const ROUNDS = 5;
const COPY_EACH = 3;
const MOVE_EACH = 2;
const SHARED_SOURCE = 15;

/** A sequence-set of numbers ("3:5,9") expanded in its written order. */
function expand(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number) as [number, number | undefined];
    if (b === undefined) out.push(a);
    else if (a <= b) for (let i = a; i <= b; i++) out.push(i);
    else for (let i = a; i >= b; i--) out.push(i);
  }
  return out;
}

test('six connections across the nodes APPEND, COPY and MOVE into one mailbox at once: each UID once, UIDNEXT = max + 1', async () => {
  const s = await startTestServer();
  const clients: TestClient[] = [];
  try {
    await seedMailbox(s.port, 'Shared', Array.from({ length: SHARED_SOURCE }, (_, i) => ({ body: simpleMessage({ subject: `shared ${i}` }) })));
    for (let c = 0; c < CONNECTIONS; c++) {
      await seedMailbox(s.port, `Own${c}`, Array.from({ length: ROUNDS * MOVE_EACH }, (_, i) => ({ body: simpleMessage({ subject: `own ${c}.${i}` }) })));
    }
    const setup = await loggedIn(s.port);
    clients.push(setup);
    assertStatus(await setup.command('CREATE Dest'), 'OK');

    // Round-robin forwarding puts successive connections on successive nodes; say so explicitly.
    const ports = s.nodes > 1 ? s.nodeImapPorts : [s.port];
    for (let c = 0; c < CONNECTIONS; c++) clients.push(await loggedIn(ports[c % ports.length]!));
    const workers = clients.slice(1);

    /** Each allocation: the command and the destination UIDs it reported. */
    const allocations: Array<{ what: string; uids: number[] }> = [];
    await Promise.all(
      workers.map(async (w, c) => {
        for (let r = 0; r < ROUNDS; r++) {
          const a = await append(w, 'Dest', simpleMessage({ subject: `new ${c}.${r}` }));
          assertStatus(a, 'OK');
          allocations.push({ what: `APPEND ${c}.${r}`, uids: expand(codeArgs(a, 'APPENDUID')[1]!) });

          assertStatus(await w.command('SELECT Shared'), 'OK');
          const from = 1 + ((c * ROUNDS + r) % (SHARED_SOURCE - COPY_EACH));
          const copy = await w.command(`UID COPY ${from}:${from + COPY_EACH - 1} Dest`);
          assertStatus(copy, 'OK');
          const [, copySrc, copyDst] = codeArgs(copy, 'COPYUID');
          assert.deepEqual(expand(copySrc!), [from, from + 1, from + 2]);
          allocations.push({ what: `COPY ${c}.${r}`, uids: expand(copyDst!) });

          assertStatus(await w.command(`SELECT Own${c}`), 'OK');
          const first = 1 + r * MOVE_EACH;
          const move = await w.command(`UID MOVE ${first}:${first + MOVE_EACH - 1} Dest`);
          assertStatus(move, 'OK');
          // RFC 6851 §4.3: COPYUID comes in an untagged OK before the expunges.
          const ok = move.untagged.find((l) => l.startsWith('* OK [COPYUID '));
          assert.ok(ok !== undefined, JSON.stringify(move.untagged));
          const [, , moveSrc, moveDst] = /^\* OK \[COPYUID (\d+) (\S+) (\S+)\]/.exec(ok)!;
          assert.deepEqual(expand(moveSrc!), [first, first + 1]);
          allocations.push({ what: `MOVE ${c}.${r}`, uids: expand(moveDst!) });
        }
      }),
    );

    const all = allocations.flatMap((a) => a.uids);
    assert.equal(new Set(all).size, all.length, 'no UID reported twice');
    for (const a of allocations) {
      for (let i = 1; i < a.uids.length; i++) assert.equal(a.uids[i], a.uids[i - 1]! + 1, `${a.what}: one contiguous block ${a.uids.join(',')}`);
    }
    const expected = CONNECTIONS * ROUNDS * (1 + COPY_EACH + MOVE_EACH);
    assert.equal(all.length, expected);
    // Nothing failed, so nothing was skipped: the UIDs are exactly 1..expected.
    assert.equal(Math.max(...all), expected, 'no gap in the UIDs');

    // Read back through another node than most writers used.
    const check = await loggedIn(s.port);
    clients.push(check);
    const st = await check.command('STATUS Dest (MESSAGES UIDNEXT)');
    assert.ok(st.untagged.includes(`* STATUS "Dest" (MESSAGES ${expected} UIDNEXT ${Math.max(...all) + 1})`), JSON.stringify(st.untagged));
    assertStatus(await check.command('EXAMINE Dest'), 'OK');
    const search = await check.command('UID SEARCH ALL');
    const stored = search.untagged[0]!.replace(/^\* SEARCH ?/, '').split(' ').filter((x) => x !== '').map(Number);
    assert.deepEqual(stored, [...all].sort((x, y) => x - y), 'the destination holds exactly the reported UIDs');
    for (let c = 0; c < CONNECTIONS; c++) {
      const own = await check.command(`STATUS Own${c} (MESSAGES)`);
      assert.ok(own.untagged.some((l) => /^\* STATUS "?Own\d+"? \(MESSAGES 0\)$/.test(l)), `Own${c} emptied by MOVE: ${own.untagged.join()}`);
    }
  } finally {
    for (const c of clients) c.close();
    await s.stop();
  }
});
