/**
 * Quota usage and per-account settings of the SQLite backend (RFC 9208, migration 8).
 *
 * Invariants:
 * - Usage is read from the per-mailbox counters the triggers of migration 8 keep in the same
 *   transaction as every message insert/delete: one indexed scan of the account's mailboxes,
 *   whatever the number of messages.
 * - Settings: NULL = the operator's default, -1 = unlimited, else the limit.
 */
import { StoreError } from '../errors.js';
import type { AccountQuota, QuotaResource, QuotaSetting, QuotaSettings, QuotaUsage } from '../types.js';
import type { SqliteContext } from './context.js';
import { QUOTA_COLUMNS, quotaFromRow, settingToColumn, type QuotaRow } from '../quota/sql-rows.js';

const SELECT = `SELECT a.id, a.name,
    (SELECT count(*) FROM mailboxes b WHERE b.account_id = a.id) AS mailboxes,
    (SELECT coalesce(sum(b.message_count), 0) FROM mailboxes b WHERE b.account_id = a.id) AS messages,
    (SELECT coalesce(sum(b.message_octets), 0) FROM mailboxes b WHERE b.account_id = a.id) AS storage,
    q.storage AS s_storage, q.messages AS s_messages, q.mailboxes AS s_mailboxes
  FROM accounts a LEFT JOIN quota_settings q ON q.account_id = a.id`;

/** Inside a transaction: the account's usage from the per-mailbox counters. */
export function accountUsage(ctx: SqliteContext, accountId: number): QuotaUsage {
  const r = ctx
    .stmt<QuotaUsage>(
      `SELECT count(*) AS mailboxes, coalesce(sum(message_count), 0) AS messages, coalesce(sum(message_octets), 0) AS storage
       FROM mailboxes WHERE account_id = ?`,
    )
    .get(accountId);
  if (r === undefined) throw new Error('aggregate returned no row');
  return r;
}

export function getAccountQuota(ctx: SqliteContext, name: string): AccountQuota {
  const row = ctx.read(() => ctx.stmt<QuotaRow>(`${SELECT} WHERE a.name = ?`).get(name));
  if (row === undefined) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
  return quotaFromRow(row);
}

export function listAccountQuotas(ctx: SqliteContext): AccountQuota[] {
  return ctx.read(() => ctx.stmt<QuotaRow>(`${SELECT} ORDER BY a.name`).all()).map(quotaFromRow);
}

export function setAccountQuota(ctx: SqliteContext, name: string, settings: Partial<QuotaSettings>): void {
  ctx.write(() => {
    const id = ctx.column<number>('SELECT id FROM accounts WHERE name = ?').get(name);
    if (id === undefined) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
    ctx.stmt('INSERT INTO quota_settings (account_id) VALUES (?) ON CONFLICT (account_id) DO NOTHING').run(id);
    for (const [resource, value] of Object.entries(settings) as Array<[QuotaResource, QuotaSetting]>) {
      ctx.stmt(`UPDATE quota_settings SET ${QUOTA_COLUMNS[resource]} = ? WHERE account_id = ?`).run(settingToColumn(value), id);
    }
  });
}
