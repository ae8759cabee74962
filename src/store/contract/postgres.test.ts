/**
 * The storage contract on the PostgreSQL backend, plus what only a shared database can show:
 * two store instances (two pools: two nodes) writing one mailbox at once, the cross-node change
 * bus (LISTEN/NOTIFY) and its reconnection, and UNAVAILABLE when the database goes away.
 *
 * Runs against FACTEUR_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres): this file
 * creates its own database there and drops it at the end; every harness gets its own schema in it.
 * Without a reachable server the suite is skipped, loudly (the skip reason names the URL).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LocalChangeBus } from '../bus.js';
import { isStoreError } from '../errors.js';
import { asUid, SERVER_CHANNEL, type ChangeBus, type ChangeEvent, type MailStore, type ModSeq, type Uid } from '../types.js';
import { openPostgresStore, PgChangeBus } from '../postgres/index.js';
import { pgMigrationSql } from '../postgres/schema.js';
import { quotaStore } from '../quota/layer.js';
import { createScratchSchema } from '../postgres/scratch-database.js';
import { runStoreContract } from './contract.js';
import { account, mailbox, message } from './harness.js';
import { scratchDatabaseForFile, TEST_PG_SERVER } from '../postgres/scratch.test-support.js';

const { scratch, skip } = await scratchDatabaseForFile();
const SERVER = TEST_PG_SERVER;

async function harness(bus: ChangeBus = new LocalChangeBus()) {
  if (scratch === null) throw new Error(String(skip));
  const db = await createScratchSchema(scratch.url);
  let store = await openPostgresStore({ url: db.url, bus });
  return {
    url: db.url,
    bus,
    get store(): MailStore {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openPostgresStore({ url: db.url, bus });
      return store;
    },
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}

if (scratch !== null) runStoreContract('postgres', () => harness());

/**
 * Two nodes' change buses on one fresh schema (LISTEN/NOTIFY on its own channel), both ready;
 * closed and the schema dropped after `fn`, which closes any store it opened itself.
 */
async function withTwoBuses(fn: (db: { url: string; channel: string }, busA: PgChangeBus, busB: PgChangeBus) => Promise<void>): Promise<void> {
  const db = await createScratchSchema(scratch?.url ?? SERVER);
  const channel = `c_${db.name}`;
  const busA = new PgChangeBus({ url: db.url, channel });
  const busB = new PgChangeBus({ url: db.url, channel });
  try {
    await Promise.all([busA.ready, busB.ready]);
    await fn({ url: db.url, channel }, busA, busB);
  } finally {
    await busA.close();
    await busB.close();
    await db.drop();
  }
}

/** Waits until `pred` holds for an event recorded in `events`, or fails after `ms`. */
function waitFor(events: ChangeEvent[], pred: (e: ChangeEvent) => boolean, ms = 5000): Promise<ChangeEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else if (Date.now() - started > ms) reject(new Error(`no matching event within ${ms} ms: ${JSON.stringify(events)}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('postgres backend specifics', { skip }, () => {
  test('two nodes appending, copying and moving into one mailbox: unique UIDs, exact uidNext, rising modseqs', async () => {
    const h = await harness();
    const other = await openPostgresStore({ url: h.url, bus: new LocalChangeBus(), poolMax: 4 });
    try {
      const a = await account(h.store);
      await h.store.createMailbox(a, 'Target');
      await h.store.createMailbox(a, 'Source');
      const ROUNDS = 12;
      const seeds = await h.store.append(a, 'Source', Array.from({ length: ROUNDS * 2 }, (_, i) => message(`seed${i}`)));
      const source = await mailbox(h.store, a, 'Source');
      const nodes = [h.store, other];
      const got: Uid[] = [];
      const modseqsByWorker: ModSeq[][] = [];
      const worker = async (store: MailStore, w: number): Promise<void> => {
        const mine: ModSeq[] = [];
        modseqsByWorker.push(mine);
        for (let i = 0; i < ROUNDS; i++) {
          const r = await store.append(a, 'Target', [message(`n${w}-${i}-a`), message(`n${w}-${i}-b`)]);
          got.push(...r.uids);
          mine.push(r.modseq);
          const seed = seeds.uids[w * ROUNDS + i];
          if (i % 2 === 0) {
            const c = await store.copy(a, source.id, [seed], 'Target');
            got.push(...c.destUids);
          } else {
            const m = await store.move(a, source.id, [seed], 'Target');
            got.push(...m.destUids);
          }
        }
      };
      // Two workers per node, four writers in all, on two pools.
      await Promise.all([worker(nodes[0], 0), worker(nodes[1], 1)]);
      const expected = ROUNDS * 2 * 3;
      assert.equal(got.length, expected);
      assert.equal(new Set(got).size, expected, 'no UID handed out twice');
      const target = await mailbox(other, a, 'Target');
      const rows = await h.store.listMessages(a, target.id);
      assert.deepEqual(
        rows.map((r) => r.uid),
        [...got].sort((x, y) => x - y),
      );
      // Nothing was expunged from Target, so its UIDs are exactly 1..n and uidNext is n + 1.
      assert.deepEqual(
        rows.map((r) => r.uid),
        Array.from({ length: expected }, (_, i) => i + 1),
      );
      assert.equal(target.uidNext, expected + 1);
      for (const mine of modseqsByWorker) {
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i] > mine[i - 1], `modseqs rise: ${mine.join(',')}`);
      }
      const all = modseqsByWorker.flat();
      assert.equal(new Set(all).size, all.length, 'no modseq shared by two appends');
      assert.ok(target.highestModSeq >= Math.max(...all));
      // The moved seeds left Source with one expunge record each.
      const src = await h.store.changesSince(a, source.id, 0 as ModSeq);
      assert.equal(src.expunged.length, ROUNDS);
      // Quota usage (RFC 9208), kept by the trigger under the writers of both nodes, is exact.
      const left = await h.store.listMessages(a, source.id);
      const q = await other.getAccountQuota('alice');
      assert.equal(q.usage.messages, rows.length + left.length);
      assert.equal(q.usage.storage, [...rows, ...left].reduce((sum, r) => sum + r.size, 0));
    } finally {
      await other.close();
      await h.cleanup();
    }
  });

  test('two nodes delivering into one account at once never pass its quota together', async () => {
    const h = await harness();
    const other = await openPostgresStore({ url: h.url, bus: new LocalChangeBus(), poolMax: 4 });
    const policy = { defaults: { storage: 0, messages: 7, mailboxes: 0 }, admins: new Set<string>() };
    const nodes = [quotaStore(h.store, policy), quotaStore(other, policy)];
    try {
      const a = await account(h.store);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => nodes[i % 2].append(a, i % 3 === 0 ? 'Archive' : 'INBOX', [message(`d${i}`)])),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 7);
      for (const r of results) if (r.status === 'rejected') assert.ok(isStoreError(r.reason, 'OVERQUOTA'), String(r.reason));
      assert.equal((await other.getAccountQuota('alice')).usage.messages, 7);
    } finally {
      await other.close();
      await h.cleanup();
    }
  });

  test('the quota migration counts the messages and octets that predate it (RFC 9208 usage)', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      const msgs = [message('q1'), message('q2'), message('q3')];
      await h.store.append(a, 'INBOX', msgs);
      await h.store.copy(a, (await mailbox(h.store, a, 'INBOX')).id, [asUid(1)], 'Archive');
      await h.store.close();
      let n = 1;
      while (!pgMigrationSql(n).includes('quota_settings')) n++;
      // The schema as it was before the migration, then the migration again.
      const client = new pg.Client({ connectionString: h.url });
      await client.connect();
      try {
        await client.query(`DROP TRIGGER messages_usage ON messages; DROP FUNCTION facteur_mailbox_usage(); DROP TABLE quota_settings;
                            ALTER TABLE mailboxes DROP COLUMN message_count, DROP COLUMN message_octets`);
        await client.query(pgMigrationSql(n));
      } finally {
        await client.end();
      }
      const store = await h.reopen();
      const size = msgs.reduce((sum, m) => sum + m.content.length, 0) + msgs[0]!.content.length;
      assert.deepEqual((await store.getAccountQuota('alice')).usage, { storage: size, messages: 4, mailboxes: 6 });
      await store.append(a, 'Junk', [message('q4')]);
      assert.equal((await store.getAccountQuota('alice')).usage.messages, 5);
    } finally {
      await h.cleanup();
    }
  });

  test('two nodes claiming \\Recent at once: each new UID is recent in exactly one claim', async () => {
    const h = await harness();
    const other = await openPostgresStore({ url: h.url, bus: new LocalChangeBus(), poolMax: 4 });
    try {
      const a = await account(h.store);
      const inbox = await mailbox(h.store, a, 'INBOX');
      const claimed: number[] = [];
      for (let round = 0; round < 8; round++) {
        await (round % 2 === 0 ? h.store : other).append(a, 'INBOX', [message(`r${round}a`), message(`r${round}b`)]);
        // RFC 3501 §2.3.2: \Recent goes to one session only; here four claims race on two pools.
        const claims = await Promise.all([h.store, other, h.store, other].map((s) => s.claimRecent(a, inbox.id)));
        for (const c of claims) for (let u = c.from; u < c.to; u++) claimed.push(u);
      }
      assert.deepEqual(
        [...claimed].sort((x, y) => x - y),
        Array.from({ length: 16 }, (_, i) => i + 1),
        'every UID claimed once, none twice',
      );
    } finally {
      await other.close();
      await h.cleanup();
    }
  });

  test('a schema change under prepared content reads: the read still answers, on a fresh connection after', async () => {
    const h = await harness();
    // One connection, so the second read reuses the statements the first one prepared.
    const one = await openPostgresStore({ url: h.url, bus: new LocalChangeBus(), poolMax: 1 });
    const admin = new pg.Client({ connectionString: h.url });
    await admin.connect();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('prepared')]);
      const [row] = await h.store.listMessages(a, (await mailbox(h.store, a, 'INBOX')).id);
      const before = await one.readMeta(a, [row.blobId]);
      const content = await one.readBlob(a, row.blobId);
      // What another node's migration could do: the result type of the prepared statements changes.
      await admin.query('ALTER TABLE blobs ALTER COLUMN meta TYPE varchar');
      assert.deepEqual(await one.readMeta(a, [row.blobId]), before);
      assert.deepEqual(await one.readMeta(a, [row.blobId]), before);
      assert.deepEqual(await one.readBlob(a, row.blobId), content);
    } finally {
      await admin.end();
      await one.close();
      await h.cleanup();
    }
  });

  test('COPY shares one blob row; the last expunge deletes it', async () => {
    const h = await harness();
    const probe = new pg.Client({ connectionString: h.url });
    await probe.connect();
    try {
      const blobs = async (): Promise<Array<{ id: string; refs: string }>> =>
        (await probe.query<{ id: string; refs: string }>('SELECT id, refs::text FROM blobs ORDER BY id')).rows;
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('shared', ['\\Deleted'])]);
      const inbox = await mailbox(h.store, a, 'INBOX');
      const [row] = await h.store.listMessages(a, inbox.id);
      await h.store.copy(a, inbox.id, [row.uid], 'Archive');
      assert.deepEqual(await blobs(), [{ id: row.blobId, refs: '2' }]);
      await h.store.expunge(a, inbox.id);
      assert.deepEqual(await blobs(), [{ id: row.blobId, refs: '1' }]);
      const arch = await mailbox(h.store, a, 'Archive');
      await h.store.storeFlags(a, arch.id, [asUid(1)], 'add', ['\\Deleted']);
      await h.store.expunge(a, arch.id);
      assert.deepEqual(await blobs(), []);
    } finally {
      await probe.end();
      await h.cleanup();
    }
  });

  test('readBlob ranges are cut by the database', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      const content = Buffer.from('0123456789');
      await h.store.append(a, 'INBOX', [{ content, flags: [], internalDate: 0, meta: '' }]);
      const [row] = await h.store.listMessages(a, (await mailbox(h.store, a, 'INBOX')).id);
      assert.equal((await h.store.readBlob(a, row.blobId, 2, 5)).toString(), '234');
      assert.equal((await h.store.readBlob(a, row.blobId, 7)).toString(), '789');
      assert.equal((await h.store.readBlob(a, row.blobId, 8, 100)).toString(), '89');
      assert.equal((await h.store.readBlob(a, row.blobId, 20, 30)).length, 0);
      assert.equal((await h.store.readBlob(a, row.blobId, 5, 3)).length, 0);
    } finally {
      await h.cleanup();
    }
  });

  test('a database that goes away gives UNAVAILABLE, and service resumes when it is back', async () => {
    const h = await harness();
    const dbName = scratch?.name ?? '';
    const admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    try {
      const a = await account(h.store);
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
      await assert.rejects(h.store.append(a, 'INBOX', [message('lost')]), (e: unknown) => isStoreError(e, 'UNAVAILABLE'));
      await assert.rejects(h.store.listMailboxes(a), (e: unknown) => isStoreError(e, 'UNAVAILABLE'));
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
      const r = await h.store.append(a, 'INBOX', [message('kept')]);
      assert.deepEqual(r.uids, [1]);
    } finally {
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await h.cleanup();
    }
  });

  test('opening an unreachable database is UNAVAILABLE', async () => {
    const url = new URL(SERVER);
    url.port = '1';
    await assert.rejects(openPostgresStore({ url: url.toString(), bus: new LocalChangeBus(), connectTimeoutMs: 1000 }), (e: unknown) =>
      isStoreError(e, 'UNAVAILABLE'),
    );
  });

  test('PgChangeBus: an event published on one node reaches a subscriber on another, once', async () => {
    await withTwoBuses(async (_db, busA, busB) => {
      const onA: ChangeEvent[] = [];
      const onB: ChangeEvent[] = [];
      busA.subscribe(7, (e) => onA.push(e));
      busB.subscribe(7, (e) => onB.push(e));
      busB.subscribe(8, () => assert.fail('account 8 hears nothing'));
      const ev: ChangeEvent = { type: 'mailbox', accountId: 7, mailboxId: 3, highestModSeq: 42 as ModSeq };
      busA.publish(ev);
      assert.deepEqual(onA, [ev], 'the publishing node delivers at once');
      assert.deepEqual(await waitFor(onB, () => true), ev);
      busA.publish({ type: 'mailboxes', accountId: 7 });
      await waitFor(onB, (e) => e.type === 'mailboxes');
      // A's own notifications came back to A too; it must have ignored them.
      await waitFor(onB, () => onB.length === 2);
      assert.equal(onA.length, 2);
      busA.publish({ type: 'urlauth-keys', accountId: 7, mailboxId: null });
      assert.deepEqual(await waitFor(onB, (e) => e.type === 'urlauth-keys'), { type: 'urlauth-keys', accountId: 7, mailboxId: null });
      // Metadata events: the entry names arrive whole, split over notifications when many.
      const names = Array.from({ length: 45 }, (_, i) => `/shared/vendor/facteur/entry-${i}`);
      busA.publish({ type: 'metadata', accountId: 7, mailboxId: 3, entries: names });
      await waitFor(onB, () => onB.filter((e) => e.type === 'metadata').flatMap((e) => (e.type === 'metadata' ? e.entries : [])).length >= 45);
      const got = onB.filter((e) => e.type === 'metadata');
      assert.ok(got.every((e) => e.type === 'metadata' && e.accountId === 7 && e.mailboxId === 3));
      assert.deepEqual(got.flatMap((e) => (e.type === 'metadata' ? e.entries : [])), names);
      const server: ChangeEvent[] = [];
      busB.subscribe(0, (e) => server.push(e));
      busA.publish({ type: 'metadata', accountId: 0, mailboxId: null, entries: ['/shared/admin'] });
      assert.deepEqual(await waitFor(server, () => true), { type: 'metadata', accountId: 0, mailboxId: null, entries: ['/shared/admin'] });

      // B loses its LISTEN connection: it reconnects, tells its listeners to resynchronise, and
      // hears A again.
      onB.length = 0;
      busB.simulateDisconnect();
      await waitFor(onB, (e) => e.type === 'mailboxes');
      const later: ChangeEvent = { type: 'mailbox', accountId: 7, mailboxId: 3, highestModSeq: 43 as ModSeq };
      busA.publish(later);
      assert.deepEqual(await waitFor(onB, (e) => e.type === 'mailbox'), later);
    });
  });

  test('two nodes storing Sieve scripts at once never exceed maxScripts', async () => {
    const h = await harness();
    const other = await openPostgresStore({ url: h.url, bus: new LocalChangeBus() });
    try {
      const a = await account(h.store);
      const writes = Array.from({ length: 8 }, (_, i) => ((i % 2 === 0 ? h.store : other).putSieveScript(a, `s${i}`, 'keep;', 3)));
      const results = await Promise.allSettled(writes);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results) if (r.status === 'rejected') assert.ok(isStoreError(r.reason, 'OVERQUOTA'), String(r.reason));
      assert.equal((await other.listSieveScripts(a)).length, 3);
    } finally {
      await other.close();
      await h.cleanup();
    }
  });

  test('PgChangeBus carries metadata events to other nodes, split when the entry names exceed one NOTIFY payload', async () => {
    await withTwoBuses(async (_db, busA, busB) => {
      const onB: ChangeEvent[] = [];
      busB.subscribe(7, (e) => onB.push(e));
      busB.subscribe(0, (e) => onB.push(e));
      busA.publish({ type: 'metadata', accountId: 7, mailboxId: 3, entries: ['/private/comment'] });
      busA.publish({ type: 'metadata', accountId: 0, mailboxId: null, entries: ['/shared/admin'] });
      // 400 names of ~60 bytes: about 24 KB, three payloads or more.
      const many = Array.from({ length: 400 }, (_, i) => `/private/vendor/example/${'x'.repeat(30)}/${i}`);
      busA.publish({ type: 'metadata', accountId: 7, mailboxId: null, entries: many });
      await busA.flush();
      await busB.sync();
      assert.deepEqual(onB.slice(0, 2), [
        { type: 'metadata', accountId: 7, mailboxId: 3, entries: ['/private/comment'] },
        { type: 'metadata', accountId: 0, mailboxId: null, entries: ['/shared/admin'] },
      ]);
      const parts = onB.slice(2);
      assert.ok(parts.length >= 3, `${parts.length} parts`);
      assert.deepEqual(parts.flatMap((e) => (e.type === 'metadata' && e.mailboxId === null ? e.entries : [])), many);
    });
  });

  test('PgChangeBus read-after-write: once a store write on A resolved, sync() on B returns only after B heard of it', async () => {
    await withTwoBuses(async (db, busA, busB) => {
      const storeA = await openPostgresStore({ url: db.url, bus: busA });
      try {
        const a = await account(storeA);
        const seen: ChangeEvent[] = [];
        busB.subscribe(a.accountId, (e) => seen.push(e));
        for (let i = 0; i < 20; i++) {
          // No waiting in between: the write's promise (flush) and B's barrier are the only order.
          const r = await storeA.append(a, 'INBOX', [message(`poll ${i}`)]);
          await busB.sync();
          assert.ok(
            seen.some((e) => e.type === 'mailbox' && e.highestModSeq === r.modseq),
            `round ${i}: B's sync() returned before the event of modseq ${r.modseq} arrived`,
          );
        }
        // Sessions polling at once share barriers: twenty concurrent sync() calls while one
        // barrier is in flight cost at most two NOTIFYs (the one in flight, one queued).
        const spy = new pg.Client({ connectionString: db.url });
        await spy.connect();
        try {
          let barriers = 0;
          let spyDone!: () => void;
          const spyEnd = new Promise<void>((resolve) => (spyDone = resolve));
          spy.on('notification', (m) => {
            if (m.payload?.includes('"b":') === true) barriers++;
            if (m.payload === 'end') spyDone();
          });
          await spy.query(`LISTEN ${db.channel}`);
          await Promise.all(Array.from({ length: 20 }, () => busB.sync()));
          await busB.sync();
          await busA.sync();
          // The spy's own barrier: every NOTIFY above has reached it once 'end' has.
          await spy.query(`NOTIFY ${db.channel}, 'end'`);
          await spyEnd;
          assert.equal(barriers, 3, 'one NOTIFY for the twenty concurrent calls, one each for the later two');
        } finally {
          await spy.end();
        }
        // A closed bus, or one without its LISTEN connection, does not wait at all.
        await busB.close();
        await busB.sync();
      } finally {
        await storeA.close();
      }
    });
  });

  test('a store on node A with a PgChangeBus notifies a session listening on node B', async () => {
    await withTwoBuses(async (db, busA, busB) => {
      const storeA = await openPostgresStore({ url: db.url, bus: busA });
      const storeB = await openPostgresStore({ url: db.url, bus: busB });
      try {
        const a = await account(storeA);
        const seen: ChangeEvent[] = [];
        busB.subscribe(a.accountId, (e) => seen.push(e));
        const r = await storeA.append(a, 'INBOX', [message('cross-node')]);
        const inbox = await mailbox(storeB, a, 'INBOX');
        const ev = await waitFor(seen, (e) => e.type === 'mailbox');
        assert.deepEqual(ev, { type: 'mailbox', accountId: a.accountId, mailboxId: inbox.id, highestModSeq: r.modseq });
        const ch = await storeB.changesSince(a, inbox.id, 0 as ModSeq);
        assert.deepEqual(ch.changed.map((m) => m.uid), r.uids);

        // METADATA (RFC 5464) events cross nodes too: mailbox entries on the owner's channel,
        // server /shared entries on SERVER_CHANNEL.
        const server: ChangeEvent[] = [];
        busB.subscribe(SERVER_CHANNEL, (e) => server.push(e));
        await storeA.setMetadata(a, 'INBOX', [{ name: '/shared/comment', value: Buffer.from('x') }]);
        assert.deepEqual(await waitFor(seen, (e) => e.type === 'metadata'), {
          type: 'metadata', accountId: a.accountId, mailboxId: inbox.id, entries: ['/shared/comment'],
        });
        await storeA.setServerMetadata([{ name: '/shared/comment', value: Buffer.from('motd') }]);
        assert.deepEqual(await waitFor(server, (e) => e.type === 'metadata'), {
          type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/comment'],
        });
      } finally {
        await storeA.close();
        await storeB.close();
      }
    });
  });
});
