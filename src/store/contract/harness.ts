/**
 * What the storage contract suite needs from a backend, and the helpers its tests share.
 *
 * Invariants:
 * - `open` gives a fresh, empty store per test; `reopen` closes the current store and opens the
 *   same data again with the same bus (a restart); `cleanup` closes whatever is open and removes
 *   the data. Tests never depend on another test's data.
 * - Helpers assert only what the MailStore interface (src/store/types.ts) promises.
 */
import assert from 'node:assert/strict';
import { isStoreError, type StoreErrorCode } from '../errors.js';
import type { Actor, ChangeBus, ChangeEvent, Mailbox, MailStore, NewMessage } from '../types.js';

export interface StoreHarness {
  store: MailStore;
  bus: ChangeBus;
  reopen: () => Promise<MailStore>;
  cleanup: () => Promise<void>;
}

export type OpenStore = () => Promise<StoreHarness>;

/** Runs `body` against a fresh store and always cleans up. */
export async function withStore(open: OpenStore, body: (h: StoreHarness) => Promise<void>): Promise<void> {
  const h = await open();
  try {
    await body(h);
  } finally {
    await h.cleanup();
  }
}

export const INTERNAL_DATE = Date.UTC(2024, 0, 2, 3, 4, 5);

/** A small distinct message; `text` makes the content (and so the blob) unique. */
export function message(text: string, flags: readonly string[] = [], internalDate = INTERNAL_DATE): NewMessage {
  return {
    content: Buffer.from(`From: a@example.org\r\nSubject: ${text}\r\n\r\nBody of ${text}\r\n`),
    flags,
    internalDate,
    meta: `meta:${text}`,
  };
}

export async function account(store: MailStore, name = 'alice'): Promise<Actor> {
  const rec = await store.createAccount(name, '{PLAIN}secret');
  return { accountId: rec.id, name: rec.name };
}

export async function mailbox(store: MailStore, actor: Actor, name: string): Promise<Mailbox> {
  const mb = await store.getMailbox(actor, name);
  assert.ok(mb, `mailbox ${name} should exist`);
  return mb;
}

/** Asserts that `p` rejects with a StoreError carrying `code`. */
export async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStoreError(e), `expected StoreError ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

/** Records the events the bus delivers for `actor` until the returned `stop` is called. */
export function recordEvents(bus: ChangeBus, actor: Actor): { events: ChangeEvent[]; stop: () => void } {
  const events: ChangeEvent[] = [];
  const stop = bus.subscribe(actor.accountId, (e) => events.push(e));
  return { events, stop };
}

export const sorted = (xs: readonly string[]): string[] => [...xs].sort();
/** Flags compared as a set, case-insensitively for the comparison's sake. */
export const flagSet = (xs: readonly string[]): string[] => sorted(xs.map((x) => x.toLowerCase()));
