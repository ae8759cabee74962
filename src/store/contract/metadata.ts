/**
 * Contract: METADATA entries (RFC 5464; model and limits in store/metadata.ts).
 *
 * Invariants checked:
 * - Set, replace, NIL removal, case-insensitive names, binary values; DEPTH selection.
 * - /private entries are per account (never visible to another), /shared ones are common.
 * - Mailbox entries go with DELETE (a new mailbox of the same name starts empty), follow RENAME
 *   (same row), are copied by RENAME INBOX (INBOX keeps them); account deletion removes the
 *   account's entries; everything survives a restart.
 * - A SETMETADATA that fails (limit, bad name, missing mailbox) changes nothing (§4.3).
 * - Changes publish 'metadata' events on the right channel; no-op writes publish nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_CHANNEL, type ChangeEvent } from '../types.js';
import { METADATA_MAX_ENTRIES_PER_ACCOUNT, METADATA_MAX_ENTRIES_PER_TARGET, METADATA_MAX_VALUE_BYTES, type MetadataEntry } from '../metadata.js';
import { account, mailbox, recordEvents, rejectsWith, withStore, type OpenStore } from './harness.js';

const v = (s: string): Buffer => Buffer.from(s, 'utf8');
const shown = (es: MetadataEntry[]): string[] => es.map((e) => `${e.name}=${e.value.toString('utf8')}`);

export function metadataContract(open: OpenStore): void {
  test('set, read, replace and remove mailbox entries; names are case-insensitive; binary values', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.setMetadata(a, 'INBOX', [
        { name: '/private/comment', value: v('mine') },
        { name: '/Shared/Comment', value: v('ours') },
      ]);
      assert.deepEqual(shown(await store.getMetadata(a, 'INBOX', ['/private/comment', '/shared/comment'], '0')), [
        '/private/comment=mine',
        '/shared/comment=ours',
      ]);
      assert.deepEqual(shown(await store.getMetadata(a, 'inbox', ['/shared/comment'], '0')), ['/shared/comment=ours']);
      await store.setMetadata(a, 'INBOX', [{ name: '/private/comment', value: v('changed') }]);
      await store.setMetadata(a, 'INBOX', [{ name: '/shared/comment', value: null }]);
      assert.deepEqual(shown(await store.getMetadata(a, 'INBOX', ['/private/comment', '/shared/comment'], '0')), ['/private/comment=changed']);
      const binary = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0]);
      await store.setMetadata(a, 'Sent', [{ name: '/private/vendor/facteur/blob', value: binary }]);
      const [got] = await store.getMetadata(a, 'Sent', ['/private/vendor/facteur/blob'], '0');
      assert.ok(got.value.equals(binary));
      const empty = Buffer.alloc(0);
      await store.setMetadata(a, 'Sent', [{ name: '/private/empty', value: empty }]);
      assert.equal((await store.getMetadata(a, 'Sent', ['/private/empty'], '0'))[0].value.length, 0);
    });
  });

  test('DEPTH 0, 1 and infinity select the entry, its children, its subtree', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.setMetadata(a, 'INBOX', [
        { name: '/private/filters/values', value: v('top') },
        { name: '/private/filters/values/small', value: v('SMALLER 5000') },
        { name: '/private/filters/values/boss', value: v('FROM boss') },
        { name: '/private/filters/values/boss/deep', value: v('deep') },
        { name: '/private/filtersx', value: v('not below') },
      ]);
      const names = async (d: '0' | '1' | 'infinity', e = ['/private/filters/values']) =>
        (await store.getMetadata(a, 'INBOX', e, d)).map((x) => x.name);
      assert.deepEqual(await names('0'), ['/private/filters/values']);
      assert.deepEqual(await names('1'), ['/private/filters/values', '/private/filters/values/boss', '/private/filters/values/small']);
      assert.deepEqual(await names('infinity'), [
        '/private/filters/values',
        '/private/filters/values/boss',
        '/private/filters/values/boss/deep',
        '/private/filters/values/small',
      ]);
      assert.equal((await names('infinity', ['/private'])).length, 5);
      assert.deepEqual(await names('1', ['/private/filters']), ['/private/filters/values']);
    });
  });

  test('/private entries are per account; /shared server entries are the operator\'s and common', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      await store.setMetadata(a, null, [{ name: '/private/vendor/facteur/theme', value: v('dark') }]);
      await store.setMetadata(b, null, [{ name: '/private/vendor/facteur/theme', value: v('light') }]);
      assert.deepEqual(shown(await store.getMetadata(a, null, ['/private'], 'infinity')), ['/private/vendor/facteur/theme=dark']);
      assert.deepEqual(shown(await store.getMetadata(b, null, ['/private'], 'infinity')), ['/private/vendor/facteur/theme=light']);
      await rejectsWith(store.setMetadata(a, null, [{ name: '/shared/comment', value: v('x') }]), 'NOPERM');
      await store.setServerMetadata([{ name: '/shared/comment', value: v('Maintenance at 02:00') }]);
      for (const who of [a, b]) {
        assert.deepEqual(shown(await store.getMetadata(who, null, ['/shared/comment'], '0')), ['/shared/comment=Maintenance at 02:00']);
      }
      await rejectsWith(store.setServerMetadata([{ name: '/private/x', value: v('x') }]), 'CANNOT');
      await rejectsWith(store.setServerMetadata([{ name: '/shared/admin', value: v('mailto:x@y') }]), 'CANNOT');
      // Bob's private entry on his own INBOX is invisible to nobody but him; Alice's INBOX is another mailbox.
      await store.setMetadata(b, 'INBOX', [{ name: '/private/comment', value: v('bob') }]);
      assert.deepEqual(await store.getMetadata(a, 'INBOX', ['/private/comment'], '0'), []);
    });
  });

  test('entries go with DELETE, follow RENAME, are copied by RENAME INBOX, go with the account', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const b = await account(h.store, 'bob');
      await h.store.createMailbox(a, 'Work/Projects');
      await h.store.setMetadata(a, 'Work', [{ name: '/shared/comment', value: v('work') }]);
      await h.store.setMetadata(a, 'Work/Projects', [{ name: '/private/comment', value: v('projects') }]);
      await h.store.renameMailbox(a, 'Work', 'Job');
      assert.deepEqual(shown(await h.store.getMetadata(a, 'Job', ['/shared/comment'], '0')), ['/shared/comment=work']);
      assert.deepEqual(shown(await h.store.getMetadata(a, 'Job/Projects', ['/private/comment'], '0')), ['/private/comment=projects']);
      await rejectsWith(h.store.getMetadata(a, 'Work', ['/shared/comment'], '0'), 'NONEXISTENT');
      await h.store.deleteMailbox(a, 'Job/Projects');
      await h.store.createMailbox(a, 'Job/Projects');
      assert.deepEqual(await h.store.getMetadata(a, 'Job/Projects', ['/private'], 'infinity'), []);

      await h.store.setMetadata(a, 'INBOX', [{ name: '/private/comment', value: v('inbox') }]);
      await h.store.renameMailbox(a, 'INBOX', 'Old');
      assert.deepEqual(shown(await h.store.getMetadata(a, 'INBOX', ['/private/comment'], '0')), ['/private/comment=inbox']);
      assert.deepEqual(shown(await h.store.getMetadata(a, 'Old', ['/private/comment'], '0')), ['/private/comment=inbox']);

      await h.store.setMetadata(b, null, [{ name: '/private/comment', value: v('bob') }]);
      await h.store.setServerMetadata([{ name: '/shared/comment', value: v('server') }]);
      const reopened = await h.reopen();
      assert.deepEqual(shown(await reopened.getMetadata(a, 'Job', ['/shared/comment'], '0')), ['/shared/comment=work']);
      await reopened.deleteAccount('bob');
      const b2 = await account(reopened, 'bob');
      assert.deepEqual(shown(await reopened.getMetadata(b2, null, ['/private', '/shared'], 'infinity')), ['/shared/comment=server']);
    });
  });

  test('limits and bad names refuse the whole SETMETADATA and change nothing', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.setMetadata(a, 'INBOX', [{ name: '/private/keep', value: v('1') }]);
      const big = Buffer.alloc(METADATA_MAX_VALUE_BYTES + 1, 0x61);
      await rejectsWith(store.setMetadata(a, 'INBOX', [{ name: '/private/keep', value: null }, { name: '/private/big', value: big }]), 'LIMIT');
      await rejectsWith(store.setMetadata(a, 'INBOX', [{ name: '/private/keep', value: null }, { name: '/private/a*b', value: v('x') }]), 'CANNOT');
      await rejectsWith(store.setMetadata(a, 'Nope', [{ name: '/private/x', value: v('x') }]), 'NONEXISTENT');
      const many = Array.from({ length: METADATA_MAX_ENTRIES_PER_TARGET }, (_, i) => ({ name: `/shared/n${i}`, value: v(String(i)) }));
      const half = METADATA_MAX_ENTRIES_PER_TARGET / 2;
      await store.setMetadata(a, 'INBOX', many.slice(0, half - 1)); // with keep: half entries
      const extra = { name: '/shared/extra', value: v('x') };
      // keep goes, half + 2 arrive: one over the per-mailbox limit, so nothing happens at all.
      await rejectsWith(store.setMetadata(a, 'INBOX', [{ name: '/private/keep', value: null }, ...many.slice(half - 1), extra]), 'LIMIT');
      assert.deepEqual(shown(await store.getMetadata(a, 'INBOX', ['/private'], 'infinity')), ['/private/keep=1']);
      assert.equal((await store.getMetadata(a, 'INBOX', ['/shared'], 'infinity')).length, half - 1);
      // Exactly at the limit is fine (the removal counts); replacing an entry at the limit too.
      await store.setMetadata(a, 'INBOX', [{ name: '/private/keep', value: null }, ...many.slice(half - 1)]);
      assert.equal((await store.getMetadata(a, 'INBOX', ['/private', '/shared'], 'infinity')).length, METADATA_MAX_ENTRIES_PER_TARGET);
      await store.setMetadata(a, 'INBOX', [{ name: '/shared/n1', value: v('again') }]);
      await rejectsWith(store.setMetadata(a, 'INBOX', [extra]), 'LIMIT');
      await store.setMetadata(a, 'INBOX', [{ name: '/shared/n1', value: null }, extra]);
    });
  });

  test('an account holds at most METADATA_MAX_ENTRIES_PER_ACCOUNT entries in all', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const boxes = METADATA_MAX_ENTRIES_PER_ACCOUNT / METADATA_MAX_ENTRIES_PER_TARGET;
      const names = (await store.listMailboxes(a)).map((m) => m.name);
      for (let i = names.length; i < boxes; i++) names.push((await store.createMailbox(a, `Box${i}`)).name);
      for (const name of names.slice(0, boxes)) {
        await store.setMetadata(a, name, Array.from({ length: METADATA_MAX_ENTRIES_PER_TARGET }, (_, i) => ({ name: `/shared/e${i}`, value: v('x') })));
      }
      await rejectsWith(store.setMetadata(a, null, [{ name: '/private/one-more', value: v('x') }]), 'LIMIT');
      // Another account is not affected; freeing one entry makes room again.
      const b = await account(store, 'bob');
      await store.setMetadata(b, null, [{ name: '/private/one-more', value: v('x') }]);
      await store.setMetadata(a, names[0]!, [{ name: '/shared/e0', value: null }]);
      await store.setMetadata(a, null, [{ name: '/private/one-more', value: v('x') }]);
    });
  });

  test('changes publish metadata events on the right channel; no-op writes publish none', async () => {
    await withStore(open, async ({ store, bus }) => {
      const a = await account(store);
      const inbox = await mailbox(store, a, 'INBOX');
      const mine = recordEvents(bus, a);
      const server: ChangeEvent[] = [];
      const stopServer = bus.subscribe(SERVER_CHANNEL, (e) => server.push(e));
      try {
        await store.setMetadata(a, 'INBOX', [
          { name: '/private/comment', value: v('x') },
          { name: '/shared/comment', value: v('y') },
        ]);
        await store.setMetadata(a, 'INBOX', [{ name: '/private/comment', value: v('x') }]);
        await store.setMetadata(a, 'INBOX', [{ name: '/private/missing', value: null }]);
        await store.setMetadata(a, null, [{ name: '/private/comment', value: v('z') }]);
        await store.setServerMetadata([{ name: '/shared/comment', value: v('motd') }]);
        const meta = mine.events.filter((e) => e.type === 'metadata');
        assert.deepEqual(meta, [
          { type: 'metadata', accountId: a.accountId, mailboxId: inbox.id, entries: ['/private/comment'] },
          { type: 'metadata', accountId: a.accountId, mailboxId: inbox.id, entries: ['/shared/comment'] },
          { type: 'metadata', accountId: a.accountId, mailboxId: null, entries: ['/private/comment'] },
        ]);
        assert.deepEqual(
          server.filter((e) => e.type === 'metadata'),
          [{ type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/comment'] }],
        );
      } finally {
        mine.stop();
        stopServer();
      }
    });
  });
}
