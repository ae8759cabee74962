/**
 * Contract: Sieve script storage (RFC 5804 semantics) and delivery marks.
 *
 * Invariants:
 * - At most one script is active; replacing or renaming keeps the mark; the active script cannot
 *   be deleted (INUSE) until deactivated.
 * - Scripts and marks are per account: another account sees none of them.
 * - A delivery mark reads as present only until its expiry, and survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, rejectsWith, withStore, type OpenStore } from './harness.js';

export function sieveContract(open: OpenStore): void {
  test('scripts: put, list with sizes, get, replace keeps the active mark', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store);
      assert.deepEqual(await store.listSieveScripts(alice), []);
      assert.equal(await store.getActiveSieveScript(alice), null);
      await store.putSieveScript(alice, 'vacation', 'keep;\r\n');
      await store.putSieveScript(alice, 'Épure', 'discard; # é\r\n');
      const list = await store.listSieveScripts(alice);
      assert.deepEqual(list.map((s) => [s.name, s.active, s.size]), [
        ['vacation', false, 7],
        ['Épure', false, 15],
      ]);
      assert.equal(await store.getSieveScript(alice, 'Épure'), 'discard; # é\r\n');
      assert.equal(await store.getSieveScript(alice, 'épure'), null, 'names compare exactly');
      await store.setActiveSieveScript(alice, 'vacation');
      await store.putSieveScript(alice, 'vacation', 'stop;');
      assert.deepEqual(await store.getActiveSieveScript(alice), { name: 'vacation', source: 'stop;' });
    });
  });

  test('scripts: with maxScripts a new name past the count is OVERQUOTA and writes nothing; replacing still works', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.putSieveScript(alice, 'a', 'keep;', 2);
      await store.putSieveScript(alice, 'b', 'keep;', 2);
      await rejectsWith(store.putSieveScript(alice, 'c', 'keep;', 2), 'OVERQUOTA');
      await store.putSieveScript(alice, 'b', 'discard;', 2);
      assert.deepEqual((await store.listSieveScripts(alice)).map((s) => s.name).sort(), ['a', 'b']);
      assert.equal(await store.getSieveScript(alice, 'b'), 'discard;');
      // Without the limit the store stores what it is given (the session decides the policy).
      await store.putSieveScript(alice, 'c', 'keep;');
      assert.equal((await store.listSieveScripts(alice)).length, 3);
    });
  });

  test('scripts: one active at a time, deactivate with null, NONEXISTENT for unknown names', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.putSieveScript(alice, 'a', 'keep;');
      await store.putSieveScript(alice, 'b', 'discard;');
      await store.setActiveSieveScript(alice, 'a');
      await store.setActiveSieveScript(alice, 'b');
      const active = (await store.listSieveScripts(alice)).filter((s) => s.active).map((s) => s.name);
      assert.deepEqual(active, ['b']);
      await rejectsWith(store.setActiveSieveScript(alice, 'nope'), 'NONEXISTENT');
      assert.equal((await store.getActiveSieveScript(alice))?.name, 'b', 'a failed SETACTIVE changes nothing');
      await store.setActiveSieveScript(alice, null);
      assert.equal(await store.getActiveSieveScript(alice), null);
    });
  });

  test('scripts: delete refuses the active one (INUSE), rename keeps the mark', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store);
      await store.putSieveScript(alice, 'a', 'keep;');
      await store.putSieveScript(alice, 'b', 'keep;');
      await store.setActiveSieveScript(alice, 'a');
      await rejectsWith(store.deleteSieveScript(alice, 'a'), 'INUSE');
      await rejectsWith(store.deleteSieveScript(alice, 'zz'), 'NONEXISTENT');
      await rejectsWith(store.renameSieveScript(alice, 'a', 'b'), 'ALREADYEXISTS');
      await rejectsWith(store.renameSieveScript(alice, 'zz', 'c'), 'NONEXISTENT');
      await store.renameSieveScript(alice, 'a', 'c');
      assert.deepEqual(await store.getActiveSieveScript(alice), { name: 'c', source: 'keep;' });
      await store.deleteSieveScript(alice, 'b');
      assert.deepEqual((await store.listSieveScripts(alice)).map((s) => s.name), ['c']);
    });
  });

  test('scripts and marks are private to their account and go with it', async () => {
    await withStore(open, async ({ store }) => {
      const alice = await account(store, 'alice');
      const bob = await account(store, 'bob');
      await store.putSieveScript(alice, 'a', 'keep;');
      await store.setActiveSieveScript(alice, 'a');
      await store.putDeliveryMark(alice, 'duplicate', 'k', Date.now() + 60_000);
      assert.deepEqual(await store.listSieveScripts(bob), []);
      assert.equal(await store.getSieveScript(bob, 'a'), null);
      assert.equal(await store.getActiveSieveScript(bob), null);
      assert.equal(await store.hasDeliveryMark(bob, 'duplicate', 'k', Date.now()), false);
      await rejectsWith(store.setActiveSieveScript(bob, 'a'), 'NONEXISTENT');
      await store.deleteAccount('alice');
      const again = await account(store, 'alice');
      assert.deepEqual(await store.listSieveScripts(again), []);
      assert.equal(await store.hasDeliveryMark(again, 'duplicate', 'k', Date.now()), false);
    });
  });

  test('delivery marks: present until expiry, per scope, refreshed by put, kept across restart', async () => {
    await withStore(open, async ({ store, reopen }) => {
      const alice = await account(store);
      const now = Date.now();
      assert.equal(await store.hasDeliveryMark(alice, 'vacation', 'x', now), false);
      await store.putDeliveryMark(alice, 'vacation', 'x', now + 1000);
      assert.equal(await store.hasDeliveryMark(alice, 'vacation', 'x', now), true);
      assert.equal(await store.hasDeliveryMark(alice, 'duplicate', 'x', now), false, 'scopes are separate');
      assert.equal(await store.hasDeliveryMark(alice, 'vacation', 'x', now + 1000), false, 'expired at its expiry');
      await store.putDeliveryMark(alice, 'vacation', 'x', now + 5000);
      assert.equal(await store.hasDeliveryMark(alice, 'vacation', 'x', now + 2000), true);
      const store2 = await reopen();
      assert.equal(await store2.hasDeliveryMark(alice, 'vacation', 'x', now + 2000), true);
    });
  });
}
