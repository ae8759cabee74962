/**
 * Contract: object identifiers (RFC 8474). MAILBOXID per mailbox, EMAILID and THREADID per
 * message, as the MailStore interface (types.ts) promises them.
 *
 * Invariants checked:
 * - Every id is an RFC 8474 §7 objectid; MAILBOXIDs are unique, kept by RENAME, never reused
 *   after DELETE; RENAME INBOX creates a new mailbox (new id) and INBOX keeps its own.
 * - COPY/MOVE keep EMAILID and THREADID; APPEND and REPLACE give a new EMAILID.
 * - A message joins the thread of a message it refers to or that refers to it when the base
 *   subjects are equal (RFC 8621 §3); unrelated messages, and a reply under a new subject, get
 *   distinct threads; accounts never share a thread, even for equal Message IDs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageThreading, NewMessage } from '../types.js';
import { account, mailbox, message, withStore, type OpenStore } from './harness.js';

const OBJECTID = /^[A-Za-z0-9_-]{1,255}$/;

/** A message threaded by `ids`; its subject key is the text without "Re:" prefixes (opaque to storage). */
function threaded(text: string, ids: Omit<MessageThreading, 'subject'>, subject = text.replace(/^(re: *)+/i, '').toLowerCase()): NewMessage {
  return { ...message(text), threading: { ...ids, subject } };
}

export function objectIdContract(open: OpenStore): void {
  test('MAILBOXID: unique objectids, kept by RENAME, not reused after DELETE, survive a restart', async () => {
    await withStore(open, async (h) => {
      const a = await account(h.store);
      const all = await h.store.listMailboxes(a);
      for (const m of all) assert.match(m.objectId, OBJECTID);
      assert.equal(new Set(all.map((m) => m.objectId)).size, all.length);
      const foo = await h.store.createMailbox(a, 'foo');
      assert.equal((await mailbox(h.store, a, 'foo')).objectId, foo.objectId);
      await h.store.renameMailbox(a, 'foo', 'renamed');
      assert.equal((await mailbox(h.store, a, 'renamed')).objectId, foo.objectId);
      await h.store.deleteMailbox(a, 'renamed');
      const again = await h.store.createMailbox(a, 'renamed');
      assert.notEqual(again.objectId, foo.objectId);
      const store = await h.reopen();
      assert.equal((await mailbox(store, a, 'renamed')).objectId, again.objectId);
    });
  });

  test('MAILBOXID: RENAME INBOX makes a new mailbox; INBOX keeps its id; messages keep EMAILID', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [message('one')]);
      const inbox = await mailbox(store, a, 'INBOX');
      const [before] = await store.listMessages(a, inbox.id);
      await store.renameMailbox(a, 'INBOX', 'Old');
      const old = await mailbox(store, a, 'Old');
      assert.notEqual(old.objectId, inbox.objectId);
      assert.equal((await mailbox(store, a, 'INBOX')).objectId, inbox.objectId);
      const [moved] = await store.listMessages(a, old.id);
      assert.equal(moved.emailId, before.emailId);
      assert.equal(moved.threadId, before.threadId);
    });
  });

  test('EMAILID: new per APPEND, kept by COPY and MOVE, new for REPLACE; distinct from THREADID', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [message('x'), message('x'), message('y')]);
      const inbox = await mailbox(store, a, 'INBOX');
      const rows = await store.listMessages(a, inbox.id);
      for (const r of rows) {
        assert.match(r.emailId, OBJECTID);
        assert.match(r.threadId, OBJECTID);
        assert.notEqual(r.emailId, r.threadId);
      }
      assert.equal(new Set(rows.map((r) => r.emailId)).size, 3);
      const copy = await store.copy(a, inbox.id, [rows[0].uid], 'Archive');
      const moved = await store.move(a, inbox.id, [rows[1].uid], 'Archive');
      const arch = await mailbox(store, a, 'Archive');
      const [c, m] = await store.getMessages(a, arch.id, [...copy.destUids, ...moved.destUids]);
      assert.deepEqual([c.emailId, c.threadId], [rows[0].emailId, rows[0].threadId]);
      assert.deepEqual([m.emailId, m.threadId], [rows[1].emailId, rows[1].threadId]);
      const rep = await store.replace(a, arch.id, c.uid, 'Archive', message('x'));
      const [r] = await store.getMessages(a, arch.id, [rep.uid]);
      assert.notEqual(r.emailId, c.emailId);
    });
  });

  test('THREADID: replies join their parent, also when they arrive first; unrelated ones do not', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      const b = await account(store, 'bob');
      await store.append(a, 'INBOX', [
        threaded('A', { messageId: 'a@x', references: [] }),
        threaded('Re: A', { messageId: 'b@x', references: ['a@x'] }),
        threaded('C', { messageId: 'c@x', references: [] }),
        // Reply to a message not yet here; its parent comes later.
        threaded('Re: D', { messageId: 'e@x', references: ['d@x'] }),
        threaded('no ids', { messageId: null, references: [] }),
      ]);
      await store.append(a, 'Archive', [
        threaded('D', { messageId: 'd@x', references: [] }),
        threaded('Re: Re: A', { messageId: 'f@x', references: ['a@x', 'b@x'] }),
        message('no threading given'),
      ]);
      await store.append(b, 'INBOX', [threaded('A for bob', { messageId: 'a@x', references: [] }, 'a')]);
      const inbox = await store.listMessages(a, (await mailbox(store, a, 'INBOX')).id);
      const arch = await store.listMessages(a, (await mailbox(store, a, 'Archive')).id);
      const [ta, tb, tc, te, tn] = inbox.map((r) => r.threadId);
      const [td, tf, tg] = arch.map((r) => r.threadId);
      assert.equal(tb, ta);
      assert.equal(tf, ta);
      assert.equal(td, te);
      assert.equal(new Set([ta, tc, te, tn, tg]).size, 5);
      const [bobs] = await store.listMessages(b, (await mailbox(store, b, 'INBOX')).id);
      assert.notEqual(bobs.threadId, ta);
      // The thread index goes with the account; a new account of the same name starts afresh.
      await store.deleteAccount('bob');
      const b2 = await account(store, 'bob');
      await store.append(b2, 'INBOX', [threaded('A for bob', { messageId: 'a@x', references: [] }, 'a')]);
      const [again] = await store.listMessages(b2, (await mailbox(store, b2, 'INBOX')).id);
      assert.notEqual(again.threadId, bobs.threadId);
      // A very long References field: the root (first) and the parent (last) still thread it.
      const long = (root: string, parent: string): string[] => [root, ...Array.from({ length: 500 }, (_, i) => `filler${i}@x`), parent];
      await store.append(a, 'INBOX', [
        threaded('deep via root', { messageId: 'g@x', references: long('a@x', 'unknown@x') }, 'a'),
        threaded('deep via parent', { messageId: 'h@x', references: long('unknown-root@x', 'c@x') }, 'c'),
      ]);
      const deep = (await store.listMessages(a, (await mailbox(store, a, 'INBOX')).id)).slice(-2);
      assert.deepEqual(
        deep.map((r) => r.threadId),
        [ta, tc],
      );
    });
  });

  test('THREADID: a reply under a new subject starts a thread that its own replies join', async () => {
    await withStore(open, async ({ store }) => {
      const a = await account(store);
      await store.append(a, 'INBOX', [
        threaded('Lunch', { messageId: 'p@x', references: [] }),
        threaded('Re: Lunch', { messageId: 'q@x', references: ['p@x'] }),
        // Replied to the lunch mail to start something else (RFC 8621 §3, condition 2).
        threaded('Quarterly report', { messageId: 'r@x', references: ['p@x', 'q@x'] }),
        threaded('Re: Quarterly report', { messageId: 's@x', references: ['p@x', 'q@x', 'r@x'] }),
        threaded('Re: Re: Lunch', { messageId: 't@x', references: ['p@x', 'q@x'] }),
      ]);
      const [p, q, r, s, t] = (await store.listMessages(a, (await mailbox(store, a, 'INBOX')).id)).map((m) => m.threadId);
      assert.equal(q, p);
      assert.notEqual(r, p);
      assert.equal(s, r);
      assert.equal(t, p);
    });
  });
}
