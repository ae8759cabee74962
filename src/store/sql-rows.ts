/**
 * The mailbox and message rows both SQL backends (SQLite, PostgreSQL) store, with the same column
 * names, and their mapping to the domain types. One definition, so a new column is added in one
 * place.
 */
import type { Mailbox, MessageRow, ModSeq, SpecialUse, Uid } from './types.js';
import { decodeFlags } from './flag-lists.js';

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

/** A message row as both backends select it (MESSAGE_COLUMNS). */
export interface MessageDbRow {
  uid: number;
  modseq: number;
  flags: string;
  internal_date: number;
  size: number;
  blob_id: string;
  saved_at: number;
  email_id: string;
  thread_id: string;
}

export const MESSAGE_COLUMNS = 'uid, modseq, flags, internal_date, size, blob_id, saved_at, email_id, thread_id';

export const toRow = (r: MessageDbRow): MessageRow => ({
  uid: r.uid as Uid,
  modseq: r.modseq as ModSeq,
  flags: decodeFlags(r.flags),
  internalDate: r.internal_date,
  size: r.size,
  blobId: r.blob_id,
  savedAt: r.saved_at,
  emailId: r.email_id,
  threadId: r.thread_id,
});
