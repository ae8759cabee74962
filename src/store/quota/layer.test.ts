// The quota layer over a real SQLite store: concurrent writers of one process never overshoot a
// limit (the per-account queue), limits come from the account's setting over the policy's
// defaults, and a refused write changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalChangeBus } from '../bus.js';
import { isStoreError } from '../errors.js';
import { openSqliteStore } from '../sqlite/index.js';
import { asUid, type MailStore, type NewMessage } from '../types.js';
import { quotaStore } from './layer.js';

const msg = (text: string): NewMessage => ({ content: Buffer.from(`Subject: ${text}\r\n\r\n${text}\r\n`), flags: [], internalDate: 0, meta: '' });

async function withStore(defaults: { storage: number; messages: number; mailboxes: number }, body: (store: MailStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-quota-'));
  const backend = await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() });
  const store = quotaStore(backend, { defaults, admins: new Set(['root']) });
  try {
    await body(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('concurrent appends of one process stop exactly at the limit', () =>
  withStore({ storage: 0, messages: 5, mailboxes: 0 }, async (store) => {
    const rec = await store.createAccount('alice', '{PLAIN}x');
    const alice = { accountId: rec.id, name: rec.name };
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.append(alice, i % 2 === 0 ? 'INBOX' : 'Archive', [msg(`m${i}`)])));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(results.length - refused.length, 5);
    for (const r of refused) assert.ok(r.status === 'rejected' && isStoreError(r.reason, 'OVERQUOTA'), String(r.status === 'rejected' && r.reason));
    assert.equal((await store.getAccountQuota('alice')).usage.messages, 5);
  }));

test('the account setting wins over the default; unlimited and default restore', () =>
  withStore({ storage: 0, messages: 1, mailboxes: 0 }, async (store) => {
    const rec = await store.createAccount('alice', '{PLAIN}x');
    const alice = { accountId: rec.id, name: rec.name };
    await store.append(alice, 'INBOX', [msg('a')]);
    await assert.rejects(store.append(alice, 'INBOX', [msg('b')]), (e: unknown) => isStoreError(e, 'OVERQUOTA'));
    await store.setAccountQuota('alice', { messages: 'unlimited' });
    await store.append(alice, 'INBOX', [msg('b'), msg('c')]);
    await store.setAccountQuota('alice', { messages: 3 });
    await assert.rejects(store.copy(alice, (await store.getMailbox(alice, 'INBOX'))!.id, [asUid(1)], 'Archive'), (e: unknown) => isStoreError(e, 'OVERQUOTA'));
    assert.equal((await store.getAccountQuota('alice')).usage.messages, 3);
    // Over the limit after it was lowered: moving and expunging still work.
    await store.setAccountQuota('alice', { messages: null });
    const inbox = (await store.getMailbox(alice, 'INBOX'))!;
    await store.move(alice, inbox.id, [asUid(1)], 'Archive');
    await store.storeFlags(alice, inbox.id, [asUid(2)], 'add', ['\\Deleted']);
    assert.deepEqual(await store.expunge(alice, inbox.id), [2]);
    assert.equal((await store.getAccountQuota('alice')).usage.messages, 2);
  }));

test('SETQUOTA through the layer: administrators only, unlisted resources become unlimited', () =>
  withStore({ storage: 100, messages: 10, mailboxes: 10 }, async (store) => {
    const rec = await store.createAccount('alice', '{PLAIN}x');
    const alice = { accountId: rec.id, name: rec.name };
    const root = { accountId: 999, name: 'root' };
    assert.deepEqual((await store.getQuotaRoot(alice, 'alice')).resources.map((r) => [r.resource, r.limit]), [['storage', 100], ['messages', 10], ['mailboxes', 10]]);
    await assert.rejects(store.setQuotaRoot(alice, 'alice', []), (e: unknown) => isStoreError(e, 'NOPERM'));
    const r = await store.setQuotaRoot(root, 'alice', [{ resource: 'messages', limit: 50 }]);
    assert.deepEqual(r, { root: 'alice', resources: [{ resource: 'messages', usage: 0, limit: 50 }] });
    assert.deepEqual((await store.getAccountQuota('alice')).settings, { storage: 'unlimited', messages: 50, mailboxes: 'unlimited' });
    await assert.rejects(store.getQuotaRoot(alice, 'root'), (e: unknown) => isStoreError(e, 'NONEXISTENT'));
    await assert.rejects(store.setQuotaRoot(root, 'nobody', []), (e: unknown) => isStoreError(e, 'NONEXISTENT'));
  }));

test('two processes on one data directory: guarded appends never pass the limit together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-quota-'));
  const policy = { defaults: { storage: 0, messages: 6, mailboxes: 0 }, admins: new Set<string>() };
  const a = quotaStore(await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() }), policy);
  const b = quotaStore(await openSqliteStore({ dataDir: dir, bus: new LocalChangeBus() }), policy);
  try {
    const rec = await a.createAccount('alice', '{PLAIN}x');
    const alice = { accountId: rec.id, name: rec.name };
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).append(alice, 'INBOX', [msg(`p${i}`)])),
    );
    const stored = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(stored, 6);
    for (const r of results) if (r.status === 'rejected') assert.ok(isStoreError(r.reason, 'OVERQUOTA'), String(r.reason));
    assert.equal((await b.getAccountQuota('alice')).usage.messages, 6);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
