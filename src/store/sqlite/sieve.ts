/**
 * Sieve scripts and delivery marks of the SQLite backend.
 *
 * Invariants:
 * - At most one script per account is active: setActiveSieveScript clears and sets in one write
 *   transaction, and the partial unique index sieve_scripts_one_active refuses a second mark.
 * - Script names are compared exactly (RFC 5804 §1.6 leaves case to the server; we keep it).
 * - Delivery marks are keyed (account, scope, key); an expired mark reads as absent and is pruned
 *   by the next put, so the table stays bounded by what is live.
 * - These calls change no mailbox, so they publish nothing on the ChangeBus.
 */
import { StoreError } from '../errors.js';
import type { Actor, DeliveryMarkScope, SieveScriptInfo } from '../types.js';
import type { SqliteContext } from './context.js';

interface ScriptRow {
  name: string;
  active: number;
  size: number;
  updated_at: number;
}

export function listSieveScripts(ctx: SqliteContext, actor: Actor): SieveScriptInfo[] {
  return ctx
    .stmt<ScriptRow>(
      `SELECT name, active, length(CAST(source AS BLOB)) AS size, updated_at FROM sieve_scripts
       WHERE account_id = ? ORDER BY name`,
    )
    .all(actor.accountId)
    .map((r) => ({ name: r.name, active: r.active === 1, size: r.size, updatedAt: r.updated_at }));
}

export function getSieveScript(ctx: SqliteContext, actor: Actor, name: string): string | null {
  const source = ctx
    .column<string>('SELECT source FROM sieve_scripts WHERE account_id = ? AND name = ?')
    .get(actor.accountId, name);
  return source ?? null;
}

export function putSieveScript(ctx: SqliteContext, actor: Actor, name: string, source: string, maxScripts?: number): void {
  // ctx.write is BEGIN IMMEDIATE: the count and the insert see no other writer in between.
  ctx.write(() => {
    if (maxScripts !== undefined) {
      const others = ctx
        .column<number>('SELECT count(*) FROM sieve_scripts WHERE account_id = ? AND name <> ?')
        .get(actor.accountId, name)!;
      const exists = ctx.column<number>('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?').get(actor.accountId, name) !== undefined;
      if (!exists && others >= maxScripts) throw new StoreError('OVERQUOTA', `at most ${maxScripts} scripts`);
    }
    ctx
      .stmt(
        `INSERT INTO sieve_scripts (account_id, name, source, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, name) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run(actor.accountId, name, source, Date.now());
  });
}

export function deleteSieveScript(ctx: SqliteContext, actor: Actor, name: string): void {
  ctx.write(() => {
    const active = ctx
      .column<number>('SELECT active FROM sieve_scripts WHERE account_id = ? AND name = ?')
      .get(actor.accountId, name);
    if (active === undefined) throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(name)}`);
    if (active === 1) throw new StoreError('INUSE', `script ${JSON.stringify(name)} is active`);
    ctx.stmt('DELETE FROM sieve_scripts WHERE account_id = ? AND name = ?').run(actor.accountId, name);
  });
}

export function renameSieveScript(ctx: SqliteContext, actor: Actor, oldName: string, newName: string): void {
  ctx.write(() => {
    const exists = (n: string): boolean =>
      ctx.column<number>('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?').get(actor.accountId, n) !== undefined;
    if (!exists(oldName)) throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(oldName)}`);
    if (oldName === newName) return;
    if (exists(newName)) throw new StoreError('ALREADYEXISTS', `script ${JSON.stringify(newName)} exists`);
    ctx
      .stmt('UPDATE sieve_scripts SET name = ?, updated_at = ? WHERE account_id = ? AND name = ?')
      .run(newName, Date.now(), actor.accountId, oldName);
  });
}

export function setActiveSieveScript(ctx: SqliteContext, actor: Actor, name: string | null): void {
  ctx.write(() => {
    if (name !== null) {
      const found = ctx
        .column<number>('SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?')
        .get(actor.accountId, name);
      if (found === undefined) throw new StoreError('NONEXISTENT', `no script ${JSON.stringify(name)}`);
    }
    ctx.stmt('UPDATE sieve_scripts SET active = 0 WHERE account_id = ? AND active = 1').run(actor.accountId);
    if (name !== null) {
      ctx.stmt('UPDATE sieve_scripts SET active = 1 WHERE account_id = ? AND name = ?').run(actor.accountId, name);
    }
  });
}

export function getActiveSieveScript(ctx: SqliteContext, actor: Actor): { name: string; source: string } | null {
  const row = ctx
    .stmt<{ name: string; source: string }>('SELECT name, source FROM sieve_scripts WHERE account_id = ? AND active = 1')
    .get(actor.accountId);
  return row ?? null;
}

export function hasDeliveryMark(ctx: SqliteContext, actor: Actor, scope: DeliveryMarkScope, key: string, now: number): boolean {
  const found = ctx
    .column<number>('SELECT 1 FROM delivery_marks WHERE account_id = ? AND scope = ? AND key = ? AND expires_at > ?')
    .get(actor.accountId, scope, key, now);
  return found !== undefined;
}

export function putDeliveryMark(ctx: SqliteContext, actor: Actor, scope: DeliveryMarkScope, key: string, expiresAt: number): void {
  ctx.write(() => {
    ctx.stmt('DELETE FROM delivery_marks WHERE expires_at <= ?').run(Date.now());
    ctx
      .stmt(
        `INSERT INTO delivery_marks (account_id, scope, key, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, scope, key) DO UPDATE SET expires_at = excluded.expires_at`,
      )
      .run(actor.accountId, scope, key, expiresAt);
  });
}
