/**
 * The storage contract on the SQLite backend, plus what only this backend can show: blob files
 * shared and collected, several store instances (processes) on one data directory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION, migrationSql } from '../sqlite/schema.js';
import { LocalChangeBus } from '../bus.js';
import { isStoreError } from '../errors.js';
import { asUid, SERVER_CHANNEL, type ChangeEvent, type MailStore } from '../types.js';
import { openSqliteStore } from '../sqlite/index.js';
import { runStoreContract } from './contract.js';
import { account, mailbox, message } from './harness.js';

async function harness() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-store-'));
  const bus = new LocalChangeBus();
  let store = await openSqliteStore({ dataDir, bus });
  return {
    dataDir,
    bus,
    get store(): MailStore {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openSqliteStore({ dataDir, bus });
      return store;
    },
    async cleanup() {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

runStoreContract('sqlite', harness);

function blobFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'blobs');
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'tmp') walk(path.join(d, e.name));
      } else out.push(e.name);
    }
  };
  walk(root);
  return out.sort();
}

/** Reverts migration 5 (OBJECTID) on a closed store's database, for the migration tests. */
function undoObjectIdMigration(db: Database.Database): void {
  db.exec(`DROP INDEX mailboxes_object_id; ALTER TABLE mailboxes DROP COLUMN object_id;
           ALTER TABLE messages DROP COLUMN email_id; ALTER TABLE messages DROP COLUMN thread_id;
           DROP TABLE thread_refs;`);
}

describe('sqlite backend specifics', () => {
  test('COPY shares the blob file; the last expunge deletes it', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('shared', ['\\Deleted'])]);
      const inbox = await mailbox(h.store, a, 'INBOX');
      const [row] = await h.store.listMessages(a, inbox.id);
      await h.store.copy(a, inbox.id, [row.uid], 'Archive');
      assert.deepEqual(blobFiles(h.dataDir), [row.blobId]);
      const arch = await mailbox(h.store, a, 'Archive');
      assert.equal((await h.store.listMessages(a, arch.id))[0].blobId, row.blobId);
      await h.store.expunge(a, inbox.id);
      assert.deepEqual(blobFiles(h.dataDir), [row.blobId]);
      await h.store.storeFlags(a, arch.id, [asUid(1)], 'add', ['\\Deleted']);
      await h.store.expunge(a, arch.id);
      assert.deepEqual(blobFiles(h.dataDir), []);
    } finally {
      await h.cleanup();
    }
  });

  test('REPLACE writes the new blob file and deletes the replaced one (last reference)', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'Drafts', [message('draft v1')]);
      const drafts = await mailbox(h.store, a, 'Drafts');
      const [v1] = await h.store.listMessages(a, drafts.id);
      await h.store.replace(a, drafts.id, v1.uid, 'Drafts', message('draft v2'));
      const [v2] = await h.store.listMessages(a, drafts.id);
      assert.deepEqual(blobFiles(h.dataDir), [v2.blobId]);
      // A failed replace (TRYCREATE) leaves the old file referenced and in place.
      await assert.rejects(h.store.replace(a, drafts.id, v2.uid, 'Nope', message('draft v3')));
      assert.ok(blobFiles(h.dataDir).includes(v2.blobId));
      assert.deepEqual(await h.store.readBlob(a, v2.blobId), message('draft v2').content);
    } finally {
      await h.cleanup();
    }
  });

  test('identical content appended twice is stored once; deleting mailbox and account releases blobs', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.createMailbox(a, 'Box');
      await h.store.append(a, 'Box', [message('same'), message('same'), message('other')]);
      await h.store.append(a, 'INBOX', [message('inbox')]);
      assert.equal(blobFiles(h.dataDir).length, 3);
      await h.store.deleteMailbox(a, 'Box');
      assert.equal(blobFiles(h.dataDir).length, 1);
      await h.store.deleteAccount('alice');
      assert.deepEqual(blobFiles(h.dataDir), []);
    } finally {
      await h.cleanup();
    }
  });

  test('a missing blob file of a live message is CORRUPTED', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('x')]);
      const [row] = await h.store.listMessages(a, (await mailbox(h.store, a, 'INBOX')).id);
      const id = row.blobId;
      fs.rmSync(path.join(h.dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id));
      await assert.rejects(h.store.readBlob(a, id), (e: unknown) => isStoreError(e, 'CORRUPTED'));
      // Appending the same content again repairs the file (the row exists, the file does not).
      await h.store.append(a, 'INBOX', [message('x')]);
      assert.deepEqual(await h.store.readBlob(a, id), message('x').content);
    } finally {
      await h.cleanup();
    }
  });

  test('orphan blob files (crashed appends) are swept; referenced ones are kept', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('kept')]);
      const { FsBlobStore } = await import('../blobs/fs-blob-store.js');
      const orphan = await new FsBlobStore(h.dataDir).write(Buffer.from('orphan'));
      assert.equal(blobFiles(h.dataDir).length, 2);
      const store = h.store as Awaited<ReturnType<typeof openSqliteStore>>;
      assert.equal(await store.sweepOrphanBlobs(), 1);
      assert.ok(!blobFiles(h.dataDir).includes(orphan));
      assert.equal(blobFiles(h.dataDir).length, 1);
    } finally {
      await h.cleanup();
    }
  });

  test('two store instances on one data directory allocate distinct UIDs and modseqs', async () => {
    const h = await harness();
    const second = await openSqliteStore({ dataDir: h.dataDir, bus: new LocalChangeBus() });
    try {
      const a = await account(h.store);
      const stores = [h.store, second];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => stores[i % 2].append(a, 'INBOX', [message(`m${i}`), message(`n${i}`)])),
      );
      const uids = results.flatMap((r) => r.uids);
      assert.equal(new Set(uids).size, 80);
      assert.equal(new Set(results.map((r) => r.modseq)).size, 40);
      const inbox = await mailbox(second, a, 'INBOX');
      assert.equal(inbox.uidNext, 81);
      assert.equal((await h.store.listMessages(a, inbox.id)).length, 80);
      // A mailbox created by one instance is seen by the other; UIDVALIDITY stays unique.
      const x = await second.createMailbox(a, 'X');
      const y = await h.store.createMailbox(a, 'Y');
      assert.notEqual(x.uidValidity, y.uidValidity);
      assert.equal((await mailbox(h.store, a, 'X')).id, x.id);
    } finally {
      await second.close();
      await h.cleanup();
    }
  });

  test('METADATA changes reach another store instance on the data directory through the change feed', async () => {
    const h = await harness();
    const otherBus = new LocalChangeBus();
    const second = await openSqliteStore({ dataDir: h.dataDir, bus: otherBus });
    try {
      const a = await account(h.store);
      const inbox = await mailbox(h.store, a, 'INBOX');
      const seen: ChangeEvent[] = [];
      otherBus.subscribe(a.accountId, (e) => seen.push(e));
      otherBus.subscribe(SERVER_CHANNEL, (e) => seen.push(e));
      await h.store.setMetadata(a, 'INBOX', [{ name: '/private/comment', value: Buffer.from('x') }]);
      await h.store.setServerMetadata([{ name: '/shared/comment', value: Buffer.from('motd') }]);
      const deadline = Date.now() + 5000;
      while (seen.filter((e) => e.type === 'metadata').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen.filter((e) => e.type === 'metadata'), [
        { type: 'metadata', accountId: a.accountId, mailboxId: inbox.id, entries: ['/private/comment'] },
        { type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/comment'] },
      ]);
    } finally {
      await second.close();
      await h.cleanup();
    }
  });

  test('schema is versioned and reopening does not re-apply migrations', async () => {
    const h = await harness();
    try {
      await account(h.store);
      await h.reopen();
      await h.store.close();
      const db = new Database(path.join(h.dataDir, 'facteur.sqlite'));
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
      await h.reopen();
      assert.ok(await h.store.getAccount('alice'));
    } finally {
      await h.cleanup();
    }
  });

  test('migration 3 gives rows that predate saved_at their INTERNALDATE as save date (RFC 8514)', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('old1'), message('old2', [], Date.UTC(2020, 5, 6, 7, 8, 9))]);
      await h.store.close();
      // Rows as a database written before the column existed had them, then migration 3 again.
      const db = new Database(path.join(h.dataDir, 'facteur.sqlite'));
      db.exec('ALTER TABLE messages DROP COLUMN saved_at');
      db.exec(migrationSql(3));
      db.close();
      const store = await h.reopen();
      const rows = await store.listMessages(a, (await mailbox(store, a, 'INBOX')).id);
      assert.deepEqual(
        rows.map((r) => r.savedAt),
        rows.map((r) => r.internalDate),
      );
    } finally {
      await h.cleanup();
    }
  });

  test('the expunge-horizon migration gives existing expunge records the migration time', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('x1', ['\\Deleted']), message('x2')]);
      assert.deepEqual(await h.store.expunge(a, (await mailbox(h.store, a, 'INBOX')).id), [1]);
      await h.store.close();
      // Found by content, so renumbering the migrations at merge time cannot break this test.
      let n = 1;
      while (!migrationSql(n).includes('expunge_floors')) n++;
      // The record as a database written before the column existed had it, then the migration again.
      const db = new Database(path.join(h.dataDir, 'facteur.sqlite'));
      db.exec('DROP TABLE expunge_floors; DROP INDEX expunged_age; ALTER TABLE expunged DROP COLUMN expunged_at');
      const before = Date.now();
      db.exec(migrationSql(n));
      const at = db.prepare('SELECT expunged_at FROM expunged').pluck().all() as number[];
      db.close();
      assert.equal(at.length, 1);
      assert.ok(at[0]! >= before - 1000 && at[0]! <= Date.now() + 1000, String(at[0]));
      const store = await h.reopen();
      assert.equal(await store.pruneExpungeHistory(before - 60_000), 0);
      assert.equal(await store.pruneExpungeHistory(Date.now() + 60_000), 1);
    } finally {
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
      await h.store.setAccountQuota('alice', { storage: 7 });
      await h.store.close();
      let n = 1;
      while (!migrationSql(n).includes('quota_settings')) n++;
      // The database as it was before the migration, then the migration again.
      const db = new Database(path.join(h.dataDir, 'facteur.sqlite'));
      db.exec(`DROP TRIGGER messages_usage_in; DROP TRIGGER messages_usage_out; DROP TRIGGER messages_usage_moved;
               DROP TABLE quota_settings;
               ALTER TABLE mailboxes DROP COLUMN message_count; ALTER TABLE mailboxes DROP COLUMN message_octets`);
      db.exec(migrationSql(n));
      db.close();
      const store = await h.reopen();
      const size = msgs.reduce((sum, m) => sum + m.content.length, 0) + msgs[0]!.content.length;
      const q = await store.getAccountQuota('alice');
      assert.deepEqual(q.usage, { storage: size, messages: 4, mailboxes: 6 });
      assert.deepEqual(q.settings, { storage: null, messages: null, mailboxes: null });
      // The triggers work on the migrated database.
      await store.append(a, 'Junk', [message('q4')]);
      assert.equal((await store.getAccountQuota('alice')).usage.messages, 5);
    } finally {
      await h.cleanup();
    }
  });

  test('migration 5 gives existing mailboxes and messages object ids; pre-upgrade copies share them (RFC 8474)', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      await h.store.append(a, 'INBOX', [message('m1'), message('m2')]);
      const inbox = await mailbox(h.store, a, 'INBOX');
      await h.store.copy(a, inbox.id, [asUid(1)], 'Archive');
      await h.store.close();
      // Rows as a database written before OBJECTID had them, then migration 5 again.
      const db = new Database(path.join(h.dataDir, 'facteur.sqlite'));
      undoObjectIdMigration(db);
      db.exec(migrationSql(5));
      db.close();
      const store = await h.reopen();
      const boxes = await store.listMailboxes(a);
      assert.ok(boxes.every((m) => /^F[0-9a-f]{24}$/.test(m.objectId)));
      assert.equal(new Set(boxes.map((m) => m.objectId)).size, boxes.length);
      const rows = await store.listMessages(a, inbox.id);
      const [copy] = await store.listMessages(a, (await mailbox(store, a, 'Archive')).id);
      assert.ok(rows.every((r) => /^M[0-9a-f]{24}$/.test(r.emailId) && /^T[0-9a-f]{24}$/.test(r.threadId)));
      assert.notEqual(rows[0].emailId, rows[1].emailId);
      assert.notEqual(rows[0].threadId, rows[1].threadId);
      assert.deepEqual([copy.emailId, copy.threadId], [rows[0].emailId, rows[0].threadId]);
    } finally {
      await h.cleanup();
    }
  });

  test('listMessages and counts on 5,000 messages', async () => {
    const h = await harness();
    try {
      const a = await account(h.store);
      const batch = Array.from({ length: 5000 }, (_, i) => message(`bulk${i}`, i % 2 ? ['\\Seen'] : []));
      await h.store.append(a, 'INBOX', batch);
      const id = (await mailbox(h.store, a, 'INBOX')).id;
      const rows = await h.store.listMessages(a, id);
      assert.equal(rows.length, 5000);
      assert.equal(rows[4999].uid, 5000);
      assert.equal((await h.store.counts(a, id)).unseen, 2500);
    } finally {
      await h.cleanup();
    }
  });
});
