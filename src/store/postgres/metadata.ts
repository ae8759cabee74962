/**
 * METADATA entries (RFC 5464) of the PostgreSQL backend; semantics of src/store/sqlite/metadata.ts,
 * model, limits and rules in store/metadata.ts.
 *
 * Invariants:
 * - A SETMETADATA runs in one transaction that first locks the writer's account row (and, for a
 *   mailbox, the mailbox row; for the server's /shared entries an advisory lock): concurrent
 *   writers on every node serialise, so the limit counts are exact and no insert races another.
 * - All writes apply, the limits are checked on the result, and any refusal rolls all of it back.
 * - Events are published after the commit; PgChangeBus carries them to the other nodes.
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
} from '../metadata.js';
import { canonicalName } from '../mailbox-names.js';
import { SERVER_CHANNEL, type Actor } from '../types.js';
import { lockAccount, mailboxByName, type Db, type PgContext } from './context.js';

/** pg_advisory_xact_lock key serialising writers of the server's /shared entries ("fmeta"). */
const SERVER_METADATA_LOCK = 0x666d657461;

interface Target {
  mailboxId: number | null;
  ownerId: number | null;
}

async function target(db: Db, actor: Actor, mailboxName: string | null, lock: boolean): Promise<Target> {
  if (mailboxName === null) return { mailboxId: null, ownerId: null };
  const canonical = canonicalName(mailboxName);
  const row = canonical === null ? undefined : await mailboxByName(db, actor.accountId, canonical, lock);
  if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(mailboxName)}`);
  return { mailboxId: row.id, ownerId: actor.accountId };
}

export async function getMetadata(
  ctx: PgContext,
  actor: Actor,
  mailboxName: string | null,
  entries: readonly string[],
  depth: MetadataDepth,
): Promise<MetadataEntry[]> {
  return ctx.tx(async (db) => {
    const t = await target(db, actor, mailboxName, false);
    const { rows } = await db.query<{ name: string; value: Buffer }>(
      'SELECT name, value FROM metadata WHERE coalesce(mailbox_id, 0) = $1 AND (account_id IS NULL OR account_id = $2)',
      [t.mailboxId ?? 0, actor.accountId],
    );
    return selectEntries(rows, entries, depth);
  });
}

export async function setMetadata(ctx: PgContext, actor: Actor, mailboxName: string | null, writes: readonly MetadataWrite[]): Promise<void> {
  const prepared = prepareWrites(writes, mailboxName === null ? 'server-client' : 'mailbox');
  const done = await ctx.tx(async (db) => {
    await lockAccount(db, actor.accountId);
    const t = await target(db, actor, mailboxName, true);
    return { t, changed: await apply(db, t, actor.accountId, prepared, 'client') };
  });
  for (const e of metadataEvents(done.t.ownerId, done.t.mailboxId, actor.accountId, done.changed)) ctx.bus.publish(e);
}

export async function setServerMetadata(ctx: PgContext, writes: readonly MetadataWrite[]): Promise<void> {
  const prepared = prepareWrites(writes, 'server-admin');
  const t: Target = { mailboxId: null, ownerId: null };
  const changed = await ctx.tx(async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [SERVER_METADATA_LOCK]);
    return apply(db, t, SERVER_CHANNEL, prepared, 'admin');
  });
  for (const e of metadataEvents(null, null, SERVER_CHANNEL, changed)) ctx.bus.publish(e);
}

const KEY = 'coalesce(mailbox_id, 0) = $1 AND coalesce(account_id, 0) = $2 AND name = $3';

async function count(db: Db, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

async function apply(db: Db, t: Target, writerId: number, writes: readonly MetadataWrite[], by: 'client' | 'admin'): Promise<string[]> {
  const changed: string[] = [];
  let added = false;
  for (const w of writes) {
    const owner = w.name.startsWith('/private') ? writerId : null;
    const key = [t.mailboxId ?? 0, owner ?? 0, w.name];
    const { rows } = await db.query<{ value: Buffer }>(`SELECT value FROM metadata WHERE ${KEY}`, key);
    const old = rows[0]?.value;
    if (w.value === null) {
      if (old === undefined) continue;
      await db.query(`DELETE FROM metadata WHERE ${KEY}`, key);
    } else if (old === undefined) {
      await db.query('INSERT INTO metadata (mailbox_id, account_id, name, value) VALUES ($1, $2, $3, $4)', [t.mailboxId, owner, w.name, w.value]);
      added = true;
    } else {
      if (old.equals(w.value)) continue;
      await db.query(`UPDATE metadata SET value = $4 WHERE ${KEY}`, [...key, w.value]);
    }
    changed.push(w.name);
  }
  if (added) {
    const onTarget =
      t.mailboxId === null
        ? await count(db, 'SELECT count(*) AS n FROM metadata WHERE mailbox_id IS NULL AND (account_id IS NULL OR account_id = $1)', [writerId])
        : await count(db, 'SELECT count(*) AS n FROM metadata WHERE mailbox_id = $1', [t.mailboxId]);
    if (onTarget > METADATA_MAX_ENTRIES_PER_TARGET) throw new StoreError('LIMIT', 'too many entries on this mailbox or server');
    if (by === 'client') {
      const owned = await count(
        db,
        `SELECT count(*) AS n FROM metadata WHERE account_id = $1
         OR (account_id IS NULL AND mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = $1))`,
        [writerId],
      );
      if (owned > METADATA_MAX_ENTRIES_PER_ACCOUNT) throw new StoreError('LIMIT', 'too many entries for this account');
    }
  }
  return changed;
}
