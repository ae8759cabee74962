/**
 * UpdateContext.apply: the ADDTO/REMOVEFROM data for SEARCH (position 0, mailbox order) and SORT
 * (positions) contexts, checked by replaying the data on the client's copy of the list as
 * RFC 5267 §4.3.3-§4.3.4 describe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxView } from './mailbox-view.js';
import { UpdateContext, contextsExpunged, encodeRuns, refreshContexts, type ContextEntry } from './search-context.js';
import type { ImapSession } from './session.js';
import type { ModSeq, Uid } from '../../store/types.js';

const view = (uids: number[]): MailboxView => new MailboxView(1, 'INBOX', false, 1, uids, 1 as ModSeq, 1000 as Uid);
const noMatch = async (): Promise<ContextEntry[]> => [];

/** Expands an order-preserving set ("5,3:4") into numbers. */
function expand(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number) as [number, number | undefined];
    if (b === undefined) out.push(a);
    else for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** Applies "REMOVEFROM (p set ...) ADDTO (p set ...)" to a client-side list, as a client must. */
function replay(list: number[], data: string): number[] {
  const out = [...list];
  for (const m of data.matchAll(/(REMOVEFROM|ADDTO) \(([^)]*)\)/g)) {
    const toks = m[2]!.split(' ');
    for (let i = 0; i < toks.length; i += 2) {
      const pos = Number(toks[i]);
      const nums = expand(toks[i + 1]!);
      if (m[1] === 'REMOVEFROM') {
        if (pos === 0) {
          for (const n of nums) out.splice(out.indexOf(n), 1);
        } else {
          assert.deepEqual(out.slice(pos - 1, pos - 1 + nums.length), nums, `REMOVEFROM ${pos} ${toks[i + 1]} on ${out}`);
          out.splice(pos - 1, nums.length);
        }
      } else if (pos === 0) {
        out.push(...nums);
        out.sort((a, b) => a - b);
      } else {
        assert.ok(pos - 1 <= out.length, `ADDTO position ${pos} beyond ${out.length}`);
        out.splice(pos - 1, 0, ...nums);
      }
    }
  }
  return out;
}

test('encodeRuns keeps the order and folds ascending runs', () => {
  assert.equal(encodeRuns([5, 3, 4, 2, 1]), '5,3:4,2,1');
  assert.equal(encodeRuns([1, 2, 3, 7]), '1:3,7');
  assert.equal(encodeRuns([]), '');
});

test('SEARCH context: position 0, mailbox order, removals before additions', () => {
  const v = view([1, 2, 3, 4, 5, 6]);
  const ctx = new UpdateContext('t', true, null, [2, 4].map((uid) => ({ uid, keys: [] })), noMatch);
  const data = ctx.apply(v, new Set([4]), [6, 1, 3].map((uid) => ({ uid, keys: [] })));
  assert.equal(data, 'REMOVEFROM (0 4) ADDTO (0 1,3,6)');
  assert.equal(ctx.size, 4);
  assert.ok(ctx.has(6) && !ctx.has(4));
  assert.equal(ctx.apply(v, new Set(), []), null);
});

test('message-number contexts report sequence numbers of the view', () => {
  const v = view([10, 20, 30, 40]);
  const ctx = new UpdateContext('t', false, null, [{ uid: 20, keys: [] }], noMatch);
  assert.equal(ctx.apply(v, new Set([20]), [{ uid: 40, keys: [] }, { uid: 30, keys: [] }]), 'REMOVEFROM (0 2) ADDTO (0 3:4)');
});

test('SORT context: replaying the data on the old list gives the new sorted list (random trials)', () => {
  // Sort by one numeric key, descending, ties by UID.
  const order = (a: ContextEntry, b: ContextEntry): number => (b.keys[0] as number) - (a.keys[0] as number) || a.uid - b.uid;
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let trial = 0; trial < 300; trial++) {
    const all = Array.from({ length: 1 + rand(25) }, (_, i) => ({ uid: i + 1, keys: [rand(6)] }));
    const v = view(all.map((e) => e.uid));
    const member = all.filter(() => rand(2) === 0);
    const ctx = new UpdateContext('s', true, order, [...member].sort(order), noMatch);
    let client = [...member].sort(order).map((e) => e.uid);
    for (let step = 0; step < 4; step++) {
      const removed = new Set(all.filter((e) => ctx.has(e.uid) && rand(3) === 0).map((e) => e.uid));
      const added = all.filter((e) => !ctx.has(e.uid) && rand(3) === 0);
      const expected = all.filter((e) => (ctx.has(e.uid) && !removed.has(e.uid)) || added.includes(e)).sort(order).map((e) => e.uid);
      const data = ctx.apply(v, removed, added);
      if (data === null) {
        assert.equal(removed.size + added.length, 0);
        continue;
      }
      client = replay(client, data);
      assert.deepEqual(client, expected, `trial ${trial} step ${step}: ${data}`);
      assert.equal(ctx.size, expected.length);
    }
  }
});

test('refreshContexts: a context whose program cannot be evaluated stops with NO [NOUPDATE]', async () => {
  const v = view([1, 2, 3]);
  const lines: string[] = [];
  const session = { writeLine: (l: string) => lines.push(l), log: { warn: () => undefined } } as unknown as ImapSession;
  const failing = new UpdateContext('bad"1', false, null, [], async () => {
    throw new Error('disk gone');
  });
  const fine = new UpdateContext('ok', true, null, [{ uid: 1, keys: [] }], async (uids) => uids.filter((u) => u !== 1).map((uid) => ({ uid, keys: [] })));
  v.contexts.set(failing.tag, failing);
  v.contexts.set(fine.tag, fine);
  v.pendingExpunge.add(3);
  await refreshContexts(session, v, [1, 2, 3, 9]);
  assert.deepEqual(lines, ['* NO [NOUPDATE "bad\\"1"] Updates for this search stopped', '* ESEARCH (TAG "ok") UID REMOVEFROM (0 1) ADDTO (0 2)']);
  assert.deepEqual([...v.contexts.keys()], ['ok']);
  lines.length = 0;
  contextsExpunged(session, v, [2, 5]);
  assert.deepEqual(lines, ['* ESEARCH (TAG "ok") UID REMOVEFROM (0 2)']);
  contextsExpunged(session, v, [2]);
  assert.equal(lines.length, 1);
});
