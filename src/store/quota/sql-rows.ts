/**
 * The quota rows both SQL backends read and write (RFC 9208; SQLite migration 10, PostgreSQL
 * migration 7): one shape for the account-usage query, one encoding of a stored setting.
 *
 * Invariants: a stored setting is NULL (the operator's default), -1 (unlimited) or the limit
 * (storage in units of 1024 octets); QUOTA_COLUMNS names the quota_settings column of each
 * resource, so no resource name is ever spliced into SQL from elsewhere.
 */
import type { AccountQuota, QuotaResource, QuotaSetting } from '../types.js';

/** What each backend's usage SELECT returns per account. */
export interface QuotaRow {
  id: number;
  name: string;
  mailboxes: number;
  messages: number;
  storage: number;
  s_storage: number | null;
  s_messages: number | null;
  s_mailboxes: number | null;
}

export const QUOTA_COLUMNS: Readonly<Record<QuotaResource, string>> = { storage: 'storage', messages: 'messages', mailboxes: 'mailboxes' };

export const settingFromColumn = (v: number | null): QuotaSetting => (v === null ? null : v < 0 ? 'unlimited' : v);
export const settingToColumn = (v: QuotaSetting): number | null => (v === null ? null : v === 'unlimited' ? -1 : v);

export const quotaFromRow = (r: QuotaRow): AccountQuota => ({
  accountId: r.id,
  account: r.name,
  usage: { storage: r.storage, messages: r.messages, mailboxes: r.mailboxes },
  settings: { storage: settingFromColumn(r.s_storage), messages: settingFromColumn(r.s_messages), mailboxes: settingFromColumn(r.s_mailboxes) },
});
