/**
 * Sieve scripts and delivery marks of the PostgreSQL backend (semantics: src/store/sqlite/sieve.ts).
 *
 * Invariants:
 * - At most one script per account is active: setActiveSieveScript clears and sets in one
 *   transaction, and the partial unique index sieve_scripts_one_active refuses a second mark.
 * - Script names are compared exactly; sizes are UTF-8 octets (octet_length).
 * - An expired delivery mark reads as absent and is pruned by the next put.
 * - These calls change no mailbox, so they publish nothing on the ChangeBus.
 */
import { StoreError } from '../errors.js';
import type { Actor, DeliveryMarkScope, SieveScriptInfo } from '../types.js';
import type { Db, PgContext } from './context.js';

export async function listSieveScripts(ctx: PgContext, actor: Actor): Promise<SieveScriptInfo[]> {
  const rows = await ctx.query<{ name: string; active: boolean; size: number; updated_at: number }>(
    `SELECT name, active, octet_length(source)::int8 AS size, updated_at FROM sieve_scripts
     WHERE account_id = $1 ORDER BY name COLLATE "C"`,
    [actor.accountId],
  );
  return rows.map((r) => ({ name: r.name, active: r.active, size: r.size, updatedAt: r.updated_at }));
}

export async function getSieveScript(ctx: PgContext, actor: Actor, name: string): Promise<string | null> {
  const rows = await ctx.query<{ source: string }>('SELECT source FROM sieve_scripts WHERE account_id = $1 AND name = $2', [
    actor.accountId,
    name,
  ]);
  return rows[0]?.source ?? null;
}

export async function putSieveScript(ctx: PgContext, actor: Actor, name: string, source: string, maxScripts?: number): Promise<void> {
  await ctx.tx(async (db) => {
    if (maxScripts !== undefined) {
      // The account row lock orders every node's script writes for this account: the count
      // below cannot change before this transaction commits.
      await lockScripts(db, actor.accountId);
      const { rows } = await db.query<{ others: number; mine: number }>(
        `SELECT count(*) FILTER (WHERE name <> $2)::int8 AS others, count(*) FILTER (WHERE name = $2)::int8 AS mine
         FROM sieve_scripts WHERE account_id = $1`,
        [actor.accountId, name],
      );
      if (rows[0].mine === 0 && rows[0].others >= maxScripts) throw new StoreError('OVERQUOTA', `at most ${maxScripts} scripts`);
    }
    await db.query(
      `INSERT INTO sieve_scripts (account_id, name, source, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, name) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
      [actor.accountId, name, source, Date.now()],
    );
  });
}

const lockScripts = (db: Db, accountId: number): Promise<unknown> =>
  db.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);

export async function deleteSieveScript(ctx: PgContext, actor: Actor, name: string): Promise<void> {
  await ctx.tx(async (db) => {
    await lockScripts(db, actor.accountId);
    const { rows } = await db.query<{ active: boolean }>('SELECT active FROM sieve_scripts WHERE account_id = $1 AND name = $2', [
      actor.accountId,
      name,
    ]);
    if (rows.length === 0) throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(name)}`);
    if (rows[0].active) throw new StoreError('INUSE', `script ${JSON.stringify(name)} is active`);
    await db.query('DELETE FROM sieve_scripts WHERE account_id = $1 AND name = $2', [actor.accountId, name]);
  });
}

async function scriptExists(db: Db, accountId: number, name: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM sieve_scripts WHERE account_id = $1 AND name = $2', [accountId, name]);
  return rows.length > 0;
}

export async function renameSieveScript(ctx: PgContext, actor: Actor, oldName: string, newName: string): Promise<void> {
  await ctx.tx(async (db) => {
    await lockScripts(db, actor.accountId);
    if (!(await scriptExists(db, actor.accountId, oldName))) throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(oldName)}`);
    if (oldName === newName) return;
    if (await scriptExists(db, actor.accountId, newName)) throw new StoreError('ALREADYEXISTS', `script ${JSON.stringify(newName)} exists`);
    await db.query('UPDATE sieve_scripts SET name = $1, updated_at = $2 WHERE account_id = $3 AND name = $4', [
      newName,
      Date.now(),
      actor.accountId,
      oldName,
    ]);
  });
}

export async function setActiveSieveScript(ctx: PgContext, actor: Actor, name: string | null): Promise<void> {
  await ctx.tx(async (db) => {
    await lockScripts(db, actor.accountId);
    if (name !== null && !(await scriptExists(db, actor.accountId, name))) {
      throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(name)}`);
    }
    await db.query('UPDATE sieve_scripts SET active = false WHERE account_id = $1 AND active', [actor.accountId]);
    if (name !== null) {
      await db.query('UPDATE sieve_scripts SET active = true WHERE account_id = $1 AND name = $2', [actor.accountId, name]);
    }
  });
}

export async function getActiveSieveScript(ctx: PgContext, actor: Actor): Promise<{ name: string; source: string } | null> {
  const rows = await ctx.query<{ name: string; source: string }>(
    'SELECT name, source FROM sieve_scripts WHERE account_id = $1 AND active',
    [actor.accountId],
  );
  return rows[0] ?? null;
}

export async function hasDeliveryMark(ctx: PgContext, actor: Actor, scope: DeliveryMarkScope, key: string, now: number): Promise<boolean> {
  const rows = await ctx.query(
    'SELECT 1 FROM delivery_marks WHERE account_id = $1 AND scope = $2 AND key = $3 AND expires_at > $4',
    [actor.accountId, scope, key, now],
  );
  return rows.length > 0;
}

export async function putDeliveryMark(ctx: PgContext, actor: Actor, scope: DeliveryMarkScope, key: string, expiresAt: number): Promise<void> {
  await ctx.tx(async (db) => {
    await db.query('DELETE FROM delivery_marks WHERE expires_at <= $1', [Date.now()]);
    await db.query(
      `INSERT INTO delivery_marks (account_id, scope, key, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, scope, key) DO UPDATE SET expires_at = excluded.expires_at`,
      [actor.accountId, scope, key, expiresAt],
    );
  });
}
