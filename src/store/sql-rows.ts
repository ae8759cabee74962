/**
 * The mailbox row both SQL backends (SQLite, PostgreSQL) store, with the same column names, and
 * its mapping to the domain Mailbox. One definition, so a new column is added in one place.
 */
import type { Mailbox, ModSeq, SpecialUse, Uid } from './types.js';

export interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  recent_floor: number;
  special_use: string | null;
  object_id: string;
}

export const MAILBOX_COLUMNS = 'id, account_id, name, uid_validity, uid_next, highest_modseq, recent_floor, special_use, object_id';

export const toMailbox = (r: MailboxRow): Mailbox => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  uidValidity: r.uid_validity,
  uidNext: r.uid_next as Uid,
  highestModSeq: r.highest_modseq as ModSeq,
  specialUse: r.special_use as SpecialUse | null,
  objectId: r.object_id,
});
