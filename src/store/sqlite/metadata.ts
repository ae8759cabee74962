/**
 * METADATA entries (RFC 5464) of the SQLite backend; the model, limits and rules are in
 * store/metadata.ts.
 *
 * Invariants:
 * - A SETMETADATA runs in one write transaction: every write applies, the limits are checked
 *   on the result, and any refusal rolls all of it back (RFC 5464 §4.3).
 * - Every changed entry gets a change_feed row in that transaction (its channel account, the
 *   mailbox id or NULL, the name), so other processes sharing the data directory announce it;
 *   this process publishes after the commit and marks those rows as its own, so its change feed
 *   does not announce them a second time (a METADATA event is a response to the client, not
 *   only a hint: RFC 5465 §5.7).
 * - A value equal to the stored one, or a NIL for an entry that does not exist, changes nothing
 *   and announces nothing.
 */
import { StoreError } from '../errors.js';
import {
  METADATA_MAX_ENTRIES_PER_ACCOUNT,
  METADATA_MAX_ENTRIES_PER_TARGET,
  metadataEvents,
  prepareWrites,
  selectEntries,
  type MetadataDepth,
  type MetadataEntry,
  type MetadataWrite,
  type MetadataWriter,
} from '../metadata.js';
import { canonicalName } from '../mailbox-names.js';
import { SERVER_CHANNEL, type Actor } from '../types.js';
import type { SqliteContext } from './context.js';

interface Target {
  /** The mailbox row id, or null for server entries. */
  mailboxId: number | null;
  /** The mailbox owner, or null for the server. */
  ownerId: number | null;
}

function target(ctx: SqliteContext, actor: Actor, mailboxName: string | null): Target {
  if (mailboxName === null) return { mailboxId: null, ownerId: null };
  const canonical = canonicalName(mailboxName);
  const row = canonical === null ? undefined : ctx.mailboxByName(actor.accountId, canonical);
  if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(mailboxName)}`);
  return { mailboxId: row.id, ownerId: actor.accountId };
}

/** Every entry of the target that `accountId` may see (null: the shared ones only). */
function visible(ctx: SqliteContext, mailboxId: number | null, accountId: number | null): MetadataEntry[] {
  return ctx
    .stmt<{ name: string; value: Buffer }>(
      'SELECT name, value FROM metadata WHERE ifnull(mailbox_id, 0) = ? AND (account_id IS NULL OR account_id = ?)',
    )
    .all(mailboxId ?? 0, accountId ?? 0)
    .map((r) => ({ name: r.name, value: r.value }));
}

export function getMetadata(
  ctx: SqliteContext,
  actor: Actor,
  mailboxName: string | null,
  entries: readonly string[],
  depth: MetadataDepth,
  privateFor: number = actor.accountId,
): MetadataEntry[] {
  return ctx.read(() => {
    const t = target(ctx, actor, mailboxName);
    return selectEntries(visible(ctx, t.mailboxId, privateFor), entries, depth);
  });
}

export function setMetadata(
  ctx: SqliteContext,
  actor: Actor,
  mailboxName: string | null,
  writes: readonly MetadataWrite[],
  privateFor: number = actor.accountId,
): void {
  const prepared = prepareWrites(writes, mailboxName === null ? 'server-client' : 'mailbox');
  const done = ctx.write(() => {
    const t = target(ctx, actor, mailboxName);
    return { t, ...apply(ctx, t, privateFor, prepared, 'client') };
  });
  ctx.ownFeedRows(done.feedRows);
  for (const e of metadataEvents(done.t.ownerId, done.t.mailboxId, privateFor, done.changed)) ctx.bus.publish(e);
}

export function setServerMetadata(ctx: SqliteContext, writes: readonly MetadataWrite[]): void {
  const prepared = prepareWrites(writes, 'server-admin' satisfies MetadataWriter);
  const t: Target = { mailboxId: null, ownerId: null };
  const { changed, feedRows } = ctx.write(() => apply(ctx, t, SERVER_CHANNEL, prepared, 'admin'));
  ctx.ownFeedRows(feedRows);
  for (const e of metadataEvents(null, null, SERVER_CHANNEL, changed)) ctx.bus.publish(e);
}

/**
 * Inside a write transaction: applies the writes, checks the limits, records the feed rows
 * (returned by seq, for ownFeedRows once committed). `writerId` owns the /private entries
 * written (the acting user, not necessarily t.ownerId).
 */
function apply(
  ctx: SqliteContext,
  t: Target,
  writerId: number,
  writes: readonly MetadataWrite[],
  by: 'client' | 'admin',
): { changed: string[]; feedRows: number[] } {
  const changed: string[] = [];
  let added = false;
  for (const w of writes) {
    const owner = w.name.startsWith('/private') ? writerId : null;
    const key = [t.mailboxId ?? 0, owner ?? 0, w.name];
    const old = ctx
      .column<Buffer>('SELECT value FROM metadata WHERE ifnull(mailbox_id, 0) = ? AND ifnull(account_id, 0) = ? AND name = ?')
      .get(...key);
    if (w.value === null) {
      if (old === undefined) continue;
      ctx.stmt('DELETE FROM metadata WHERE ifnull(mailbox_id, 0) = ? AND ifnull(account_id, 0) = ? AND name = ?').run(...key);
    } else if (old === undefined) {
      ctx.stmt('INSERT INTO metadata (mailbox_id, account_id, name, value) VALUES (?, ?, ?, ?)').run(t.mailboxId, owner, w.name, w.value);
      added = true;
    } else {
      if (old.equals(w.value)) continue;
      ctx.stmt('UPDATE metadata SET value = ? WHERE ifnull(mailbox_id, 0) = ? AND ifnull(account_id, 0) = ? AND name = ?').run(w.value, ...key);
    }
    changed.push(w.name);
  }
  // RFC 5464 §4.3 [METADATA TOOMANY]: only a new entry can pass a count limit.
  if (added) {
    const onTarget =
      t.mailboxId === null
        ? (ctx.column<number>('SELECT count(*) FROM metadata WHERE mailbox_id IS NULL AND (account_id IS NULL OR account_id = ?)').get(writerId) ?? 0)
        : (ctx.column<number>('SELECT count(*) FROM metadata WHERE mailbox_id = ?').get(t.mailboxId) ?? 0);
    if (onTarget > METADATA_MAX_ENTRIES_PER_TARGET) throw new StoreError('LIMIT', 'too many entries on this mailbox or server');
    if (by === 'client') {
      // Private entries count against their owner (writerId), shared ones against the mailbox
      // owner: a grantee's writes on a shared mailbox may charge both.
      const accounts = new Set([writerId, ...(t.ownerId === null ? [] : [t.ownerId])]);
      for (const account of accounts) {
        const owned =
          ctx
            .column<number>(
              `SELECT count(*) FROM metadata WHERE account_id = ?
               OR (account_id IS NULL AND mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?))`,
            )
            .get(account, account) ?? 0;
        if (owned > METADATA_MAX_ENTRIES_PER_ACCOUNT) throw new StoreError('LIMIT', 'too many entries for this account');
      }
    }
  }
  const feedRows: number[] = [];
  for (const e of metadataEvents(t.ownerId, t.mailboxId, writerId, changed)) {
    const feed = ctx.stmt('INSERT INTO change_feed (account_id, mailbox_id, entry) VALUES (?, ?, ?)');
    if (e.type === 'metadata') for (const name of e.entries) feedRows.push(Number(feed.run(e.accountId, e.mailboxId, name).lastInsertRowid));
  }
  return { changed, feedRows };
}
