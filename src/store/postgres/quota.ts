/**
 * Quota usage and per-account settings of the PostgreSQL backend (RFC 9208, migration 5);
 * semantics as in src/store/sqlite/quota.ts.
 *
 * Invariants:
 * - Usage is one statement (one snapshot) over the account's mailbox rows, whose counters the
 *   migration-5 trigger keeps in the same transaction as every message insert/delete.
 * - Settings: NULL = the operator's default, -1 = unlimited, else the limit.
 */
import { StoreError } from '../errors.js';
import type { AccountQuota, QuotaResource, QuotaSetting, QuotaSettings, QuotaUsage } from '../types.js';
import type { Db, PgContext } from './context.js';
import { QUOTA_COLUMNS, quotaFromRow, settingToColumn, type QuotaRow } from '../quota/sql-rows.js';

const SELECT = `SELECT a.id, a.name,
    coalesce(u.mailboxes, 0)::int8 AS mailboxes, coalesce(u.messages, 0)::int8 AS messages,
    coalesce(u.storage, 0)::int8 AS storage,
    q.storage AS s_storage, q.messages AS s_messages, q.mailboxes AS s_mailboxes
  FROM accounts a
  LEFT JOIN LATERAL (SELECT count(*) AS mailboxes, sum(b.message_count) AS messages, sum(b.message_octets) AS storage
                     FROM mailboxes b WHERE b.account_id = a.id) u ON true
  LEFT JOIN quota_settings q ON q.account_id = a.id`;

/** Inside a transaction: the account's usage from the per-mailbox counters. */
export async function accountUsage(db: Db, accountId: number): Promise<QuotaUsage> {
  const { rows } = await db.query<QuotaUsage>(
    `SELECT count(*)::int8 AS mailboxes, coalesce(sum(message_count), 0)::int8 AS messages, coalesce(sum(message_octets), 0)::int8 AS storage
     FROM mailboxes WHERE account_id = $1`,
    [accountId],
  );
  return rows[0];
}

export async function getAccountQuota(ctx: PgContext, name: string): Promise<AccountQuota> {
  const rows = await ctx.query<QuotaRow>(`${SELECT} WHERE a.name = $1`, [name]);
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
  return quotaFromRow(rows[0]);
}

export async function listAccountQuotas(ctx: PgContext): Promise<AccountQuota[]> {
  return (await ctx.query<QuotaRow>(`${SELECT} ORDER BY a.name`)).map(quotaFromRow);
}

export async function setAccountQuota(ctx: PgContext, name: string, settings: Partial<QuotaSettings>): Promise<void> {
  await ctx.tx(async (db) => {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM accounts WHERE name = $1', [name]);
    if (rows.length === 0) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
    const id = rows[0].id;
    await db.query('INSERT INTO quota_settings (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING', [id]);
    for (const [resource, value] of Object.entries(settings) as Array<[QuotaResource, QuotaSetting]>) {
      await db.query(`UPDATE quota_settings SET ${QUOTA_COLUMNS[resource]} = $1 WHERE account_id = $2`, [settingToColumn(value), id]);
    }
  });
}
