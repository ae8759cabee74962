/**
 * Accounts, mailboxes and subscriptions of the PostgreSQL backend. Semantics are the SQLite
 * backend's (src/store/sqlite/accounts.ts, mailboxes.ts), restated where they matter here.
 *
 * Invariants:
 * - UIDVALIDITY comes from one counter row, max(now in seconds, last + 1), taken under that row's
 *   lock: unique for every mailbox ever created in the database, across all nodes.
 * - Every change to an account's mailbox list or subscriptions locks the account row first
 *   (context.ts lockAccount), so superior/inferior checks cannot race between nodes.
 * - RENAME keeps the mailbox row (id, UIDVALIDITY, MAILBOXID, UIDs, modseqs) and moves inferiors
 *   and their subscriptions; renaming INBOX moves its messages (keeping EMAILID and THREADID)
 *   into a new mailbox with a fresh MAILBOXID, and leaves INBOX empty (RFC 8474 §4).
 * - Deleting a mailbox or account drops message rows by cascade; the refs trigger releases their
 *   blobs, and the blobs left without reference are deleted in the same transaction.
 * - `mailboxes` events are published after the commit of every create/delete/rename/subscribe.
 */
import { StoreError } from '../errors.js';
import { forgetIdentifier } from './acl.js';
import type { AccountRecord, Actor, Mailbox, MailboxCounts, SpecialUse, Uid } from '../types.js';
import { canonicalName, INBOX, INITIAL_MAILBOXES, isInferior, requireName, superiorsOf, validateAccountName } from '../mailbox-names.js';
import { newObjectId } from '../object-ids.js';
import {
  highestModSeq,
  lockAccount,
  MAILBOX_COLUMNS,
  mailboxByName,
  toMailbox,
  type Db,
  type MailboxRow,
  type PgContext,
} from './context.js';
import { collectBlobs } from './blob-refs.js';
import { allRows, expungeUids, hasFlagSql, transferRows } from './message-rows.js';

const MAX_UID_VALIDITY = 0xffffffff;

interface AccountDbRow {
  id: number;
  name: string;
  password_hash: string;
  created_at: number;
}

const ACCOUNT_COLUMNS = 'id, name, password_hash, created_at';

const toAccount = (r: AccountDbRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

/**
 * Inside a transaction: takes `count` consecutive UIDVALIDITY values, as `count` single
 * allocations would (each max(now, last + 1)), and returns the last. The counter row's lock
 * serialises nodes.
 */
async function allocateUidValidities(db: Db, count: number): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const { rows } = await db.query<{ value: number }>(
    `INSERT INTO counters (name, value) VALUES ('uidvalidity', $1::int8 + $2::int8 - 1)
     ON CONFLICT (name) DO UPDATE SET value = greatest($1::int8 + $2::int8 - 1, counters.value + $2::int8) RETURNING value`,
    [now, count],
  );
  const last = rows[0].value;
  if (last > MAX_UID_VALIDITY) throw new StoreError('LIMIT', 'UIDVALIDITY space exhausted');
  return last;
}

async function insertMailbox(db: Db, accountId: number, name: string, specialUse: SpecialUse | null): Promise<MailboxRow> {
  const { rows } = await db.query<MailboxRow>(
    `INSERT INTO mailboxes (account_id, name, uid_validity, special_use, object_id) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${MAILBOX_COLUMNS}`,
    [accountId, name, await allocateUidValidities(db, 1), specialUse, newObjectId('F')],
  );
  return rows[0];
}

async function ensureSuperiors(db: Db, accountId: number, name: string): Promise<void> {
  for (const sup of superiorsOf(name)) {
    if ((await mailboxByName(db, accountId, sup)) === undefined) await insertMailbox(db, accountId, sup, null);
  }
}

async function inferiors(db: Db, accountId: number, name: string): Promise<{ id: number; name: string }[]> {
  const prefix = name + '/';
  const { rows } = await db.query<{ id: number; name: string }>(
    'SELECT id, name FROM mailboxes WHERE account_id = $1 AND left(name, length($2)) = $2 ORDER BY name',
    [accountId, prefix],
  );
  return rows;
}

// --- accounts ---

/**
 * Inside a transaction: inserts the accounts whose names are free, each with its initial
 * mailboxes (subscribed), in a constant number of statements whatever the count. Returns the
 * rows created, in input order; a name already present, or repeated in the input, is skipped.
 */
async function insertAccounts(
  db: Db,
  entries: ReadonlyArray<{ name: string; passwordHash: string }>,
  now: number,
): Promise<{ created: AccountDbRow[]; skipped: string[] }> {
  if (entries.length === 0) return { created: [], skipped: [] };
  const { rows } = await db.query<AccountDbRow>(
    `INSERT INTO accounts (name, password_hash, created_at)
     SELECT n, h, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(n, h, o) ORDER BY o
     ON CONFLICT (name) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [entries.map((e) => e.name), entries.map((e) => e.passwordHash), now],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const created: AccountDbRow[] = [];
  const skipped: string[] = [];
  for (const e of entries) {
    const row = byName.get(e.name);
    if (row === undefined) skipped.push(e.name);
    else {
      created.push(row);
      byName.delete(e.name);
    }
  }
  if (created.length === 0) return { created, skipped };
  const count = created.length * INITIAL_MAILBOXES.length;
  const last = await allocateUidValidities(db, count);
  const accountIds = created.flatMap((r) => INITIAL_MAILBOXES.map(() => r.id));
  const names = created.flatMap(() => INITIAL_MAILBOXES.map(([n]) => n));
  const uses = created.flatMap(() => INITIAL_MAILBOXES.map(([, u]) => u));
  await db.query(
    `INSERT INTO mailboxes (account_id, name, uid_validity, special_use, object_id)
     SELECT a, n, $4::int8 - $5::int8 + o, u, f
     FROM unnest($1::int8[], $2::text[], $3::text[], $6::text[]) WITH ORDINALITY AS t(a, n, u, f, o)`,
    [accountIds, names, uses, last, count, accountIds.map(() => newObjectId('F'))],
  );
  await db.query('INSERT INTO subscriptions (account_id, name) SELECT * FROM unnest($1::int8[], $2::text[]) ON CONFLICT DO NOTHING', [
    accountIds,
    names,
  ]);
  return { created, skipped };
}

export async function createAccount(ctx: PgContext, name: string, passwordHash: string): Promise<AccountRecord> {
  validateAccountName(name);
  const { created } = await ctx.tx((db) => insertAccounts(db, [{ name, passwordHash }], Date.now()));
  if (created.length === 0) throw new StoreError('ALREADYEXISTS', `account ${JSON.stringify(name)} exists`);
  ctx.publishMailboxes(created[0].id);
  return toAccount(created[0]);
}

export async function createAccounts(
  ctx: PgContext,
  entries: ReadonlyArray<{ name: string; passwordHash: string }>,
): Promise<{ created: number; skipped: string[] }> {
  for (const e of entries) validateAccountName(e.name);
  const r = await ctx.tx((db) => insertAccounts(db, entries, Date.now()));
  return { created: r.created.length, skipped: r.skipped };
}

export async function getAccount(ctx: PgContext, name: string): Promise<AccountRecord | null> {
  const rows = await ctx.query<AccountDbRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE name = $1`, [name]);
  return rows.length === 0 ? null : toAccount(rows[0]);
}

export async function listAccounts(ctx: PgContext): Promise<AccountRecord[]> {
  // COLLATE "C": byte order, as SQLite's default BINARY collation sorts.
  return (await ctx.query<AccountDbRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY name COLLATE "C"`)).map(toAccount);
}

export async function setPasswordHash(ctx: PgContext, name: string, passwordHash: string): Promise<void> {
  const n = await ctx.tx(async (db) => (await db.query('UPDATE accounts SET password_hash = $1 WHERE name = $2', [passwordHash, name])).rowCount);
  if (!n) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
}

export async function deleteAccount(ctx: PgContext, name: string): Promise<void> {
  const id = await ctx.tx(async (db) => {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM accounts WHERE name = $1 FOR UPDATE', [name]);
    if (rows.length === 0) return undefined;
    const blobs = await db.query<{ blob_id: string }>(
      'SELECT DISTINCT m.blob_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = $1',
      [rows[0].id],
    );
    await db.query('DELETE FROM accounts WHERE id = $1', [rows[0].id]);
    // Entries naming the account would otherwise grant its rights to a later account of that name.
    await forgetIdentifier(db, name);
    await collectBlobs(db, blobs.rows.map((r) => r.blob_id));
    return rows[0].id;
  });
  if (id === undefined) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
  ctx.publishMailboxes(id);
}

// --- mailboxes ---

export async function listMailboxes(ctx: PgContext, actor: Actor): Promise<Mailbox[]> {
  const rows = await ctx.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 ORDER BY name COLLATE "C"`,
    [actor.accountId],
  );
  return rows.map(toMailbox);
}

export async function getMailbox(ctx: PgContext, actor: Actor, name: string): Promise<Mailbox | null> {
  const canonical = canonicalName(name);
  if (canonical === null) return null;
  const rows = await ctx.query<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2`, [
    actor.accountId,
    canonical,
  ]);
  return rows.length === 0 ? null : toMailbox(rows[0]);
}

export async function createMailbox(ctx: PgContext, actor: Actor, name: string, specialUse: SpecialUse | null): Promise<Mailbox> {
  const canonical = requireName(name);
  const row = await ctx.tx(async (db) => {
    await lockAccount(db, actor.accountId);
    if ((await mailboxByName(db, actor.accountId, canonical)) !== undefined) {
      throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(canonical)} exists`);
    }
    await ensureSuperiors(db, actor.accountId, canonical);
    return insertMailbox(db, actor.accountId, canonical, specialUse);
  });
  ctx.publishMailboxes(actor.accountId);
  return toMailbox(row);
}

export async function deleteMailbox(ctx: PgContext, actor: Actor, name: string): Promise<void> {
  const canonical = canonicalName(name);
  if (canonical === INBOX) throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  await ctx.tx(async (db) => {
    await lockAccount(db, actor.accountId);
    const mb = canonical === null ? undefined : await mailboxByName(db, actor.accountId, canonical, true);
    if (mb === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(name)}`);
    if ((await inferiors(db, actor.accountId, mb.name)).length > 0) {
      throw new StoreError('HASCHILDREN', `mailbox ${JSON.stringify(mb.name)} has inferiors`);
    }
    const blobs = await db.query<{ blob_id: string }>('SELECT DISTINCT blob_id FROM messages WHERE mailbox_id = $1', [mb.id]);
    // Messages and expunge history go by cascade; the refs trigger releases their blobs.
    await db.query('DELETE FROM mailboxes WHERE id = $1', [mb.id]);
    await collectBlobs(db, blobs.rows.map((r) => r.blob_id));
  });
  ctx.publishMailboxes(actor.accountId);
}

export async function renameMailbox(ctx: PgContext, actor: Actor, oldName: string, newName: string): Promise<void> {
  const from = canonicalName(oldName);
  const to = requireName(newName);
  const movedFromInbox = await ctx.tx(async (db) => {
    await lockAccount(db, actor.accountId);
    const src = from === null ? undefined : await mailboxByName(db, actor.accountId, from, true);
    if (src === undefined || from === null) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(oldName)}`);
    if (from !== INBOX && isInferior(to, from)) throw new StoreError('CANNOT', 'cannot rename a mailbox into its own inferior');
    if ((await mailboxByName(db, actor.accountId, to)) !== undefined) {
      throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(to)} exists`);
    }
    if (from === INBOX) {
      await ensureSuperiors(db, actor.accountId, to);
      const dest = await insertMailbox(db, actor.accountId, to, null);
      const rows = await allRows(db, src.id);
      await transferRows(db, rows, dest.id);
      await expungeUids(db, src.id, rows.map((r) => r.uid));
      // RFC 5464 §4.1: INBOX keeps its annotations and the new mailbox gets a copy of them.
      await db.query('INSERT INTO metadata (mailbox_id, account_id, name, value) SELECT $1, account_id, name, value FROM metadata WHERE mailbox_id = $2', [dest.id, src.id]);
      return rows.length > 0 ? { inboxId: src.id, modseq: await highestModSeq(db, src.id) } : null;
    }
    const moves = [{ id: src.id, name: from }, ...(await inferiors(db, actor.accountId, from))].map((m) => ({
      id: m.id,
      newName: to + m.name.slice(from.length),
    }));
    for (const m of moves.slice(1)) {
      if ((await mailboxByName(db, actor.accountId, m.newName)) !== undefined) {
        throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(m.newName)} exists`);
      }
    }
    await ensureSuperiors(db, actor.accountId, to);
    for (const m of moves) await db.query('UPDATE mailboxes SET name = $1 WHERE id = $2', [m.newName, m.id]);
    await moveSubscriptions(db, actor.accountId, from, to);
    return null;
  });
  if (movedFromInbox !== null) ctx.publishMailbox(actor.accountId, movedFromInbox.inboxId, movedFromInbox.modseq);
  ctx.publishMailboxes(actor.accountId);
}

async function moveSubscriptions(db: Db, accountId: number, from: string, to: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = $1', [accountId]);
  for (const { name: n } of rows) {
    if (n !== from && !isInferior(n, from)) continue;
    await db.query('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [accountId, n]);
    await db.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      accountId,
      to + n.slice(from.length),
    ]);
  }
}

export async function setSubscribed(ctx: PgContext, actor: Actor, name: string, subscribed: boolean): Promise<void> {
  const canonical = requireName(name);
  await ctx.tx(async (db) => {
    await lockAccount(db, actor.accountId);
    if (subscribed) {
      await db.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [actor.accountId, canonical]);
    } else {
      await db.query('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [actor.accountId, canonical]);
    }
  });
  ctx.publishMailboxes(actor.accountId);
}

export async function listSubscriptions(ctx: PgContext, actor: Actor): Promise<string[]> {
  const rows = await ctx.query<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name COLLATE "C"', [
    actor.accountId,
  ]);
  return rows.map((r) => r.name);
}

export async function counts(ctx: PgContext, actor: Actor, mailboxId: number): Promise<MailboxCounts> {
  // One statement: one snapshot for the mailbox row and its messages.
  const rows = await ctx.query<MailboxCounts & { found: boolean }>(
    `SELECT true AS found,
            count(m.uid)::int8 AS messages,
            count(m.uid) FILTER (WHERE NOT (${hasFlagSql('\\Seen', 'm')}))::int8 AS unseen,
            count(m.uid) FILTER (WHERE ${hasFlagSql('\\Deleted', 'm')})::int8 AS deleted,
            coalesce(sum(m.size), 0)::int8 AS size,
            coalesce(sum(m.size) FILTER (WHERE ${hasFlagSql('\\Deleted', 'm')}), 0)::int8 AS "deletedSize",
            count(m.uid) FILTER (WHERE m.uid >= b.recent_floor)::int8 AS recent
     FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id
     WHERE b.id = $1 AND b.account_id = $2
     GROUP BY b.id`,
    [mailboxId, actor.accountId],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  const { messages, unseen, deleted, size, deletedSize, recent } = rows[0];
  return { messages, unseen, deleted, size, deletedSize, recent };
}

/**
 * One statement (every SELECT runs it): the subquery locks the row and reads the floor before the
 * update (FOR UPDATE re-reads the latest committed version if another session claimed first),
 * the UPDATE moves the floor to uid_next of that same version.
 */
export async function claimRecent(ctx: PgContext, actor: Actor, mailboxId: number): Promise<{ from: Uid; to: Uid }> {
  const rows = await ctx.query<{ from: number; to: number }>(
    `UPDATE mailboxes x SET recent_floor = x.uid_next
     FROM (SELECT id, recent_floor FROM mailboxes WHERE id = $1 AND account_id = $2 FOR UPDATE) old
     WHERE x.id = old.id
     RETURNING old.recent_floor AS "from", x.uid_next AS "to"`,
    [mailboxId, actor.accountId],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return { from: rows[0].from as Uid, to: rows[0].to as Uid };
}

