/**
 * What `facteur store copy` copies and `facteur store verify` compares: one entry per table.
 *
 * Invariants:
 * - Accounts and mailboxes get new ids in the destination (its identity sequences); every other
 *   row names its account or mailbox through `scope`, which the copier maps to the new id. Names,
 *   UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, modseqs, UIDs and object ids are copied as they are, so
 *   clients see the same mailboxes and need no resynchronisation (RFC 9051 §2.3.1.1, RFC 7162,
 *   RFC 8474).
 * - Blobs are content-addressed and global: copied once each, before the messages that reference
 *   them (copy.ts); blobs.refs is not copied, the destination's triggers count the references
 *   as message rows arrive.
 * - Not copied, on purpose: change_feed (SQLite's cross-process notification log, meaningless in
 *   another store) and unreferenced blobs (garbage).
 * - Adding a table is adding an entry here: a table hanging off an account (account_id) or a
 *   mailbox (mailbox_id), its unique key within that scope and its other columns. Both the copy
 *   and the verification pick it up.
 */
import type { Column } from './types.js';

export interface TableStep {
  /** Label in progress lines and difference reports. */
  name: string;
  table: string;
  /**
   * The column naming the account or mailbox the row belongs to (remapped on copy); 'server':
   * rows of nobody (copied once, after the counters).
   */
  scope: 'account' | 'mailbox' | 'server';
  /** Unique key of a row within its scope (columns of `columns`); empty: one row per scope. */
  key: readonly string[];
  /** The copied columns, the scope column excepted. */
  columns: readonly Column[];
  /** Only the rows where these columns (not copied: NULL in the destination too) are NULL. */
  isNull?: readonly string[];
  /**
   * A second column (one of `columns`, nullable int) naming ANY account, not the scope's: a
   * private METADATA entry's owner on another account's mailbox. Remapped on copy through the
   * accounts copied first; verified by account name, the scope's rows read whole (so such a
   * step must have a bounded number of rows per scope).
   */
  accountColumn?: string;
}

const int = (name: string): Column => ({ name, type: 'int' });
const text = (name: string): Column => ({ name, type: 'text' });
const nint = (name: string): Column => ({ name, type: 'int', nullable: true });

export const SCOPE_COLUMN = { account: 'account_id', mailbox: 'mailbox_id', server: null } as const;

/** The account row, by name (its id is the destination's). */
export const ACCOUNT_COLUMNS: readonly Column[] = [text('name'), { name: 'password_hash', type: 'text', secret: true }, int('created_at')];

/** The mailbox row, by name within its account (its id is the destination's; MAILBOXID is object_id). */
export const MAILBOX_COLUMNS: readonly Column[] = [
  text('name'),
  int('uid_validity'),
  int('uid_next'),
  int('highest_modseq'),
  int('recent_floor'),
  { name: 'special_use', type: 'text', nullable: true },
  text('object_id'),
];

/** Global counters (UIDVALIDITY's last value): raised, never lowered, in the destination. */
export const COUNTER_COLUMNS: readonly Column[] = [text('name'), int('value')];

export const MAILBOX_STEPS: readonly TableStep[] = [
  {
    name: 'messages',
    table: 'messages',
    scope: 'mailbox',
    key: ['uid'],
    columns: [
      int('uid'), int('modseq'), text('flags'), int('internal_date'), int('size'), text('blob_id'), int('saved_at'),
      text('email_id'), text('thread_id'),
    ],
  },
  // Grantees' private \Seen (decision 0019), after the messages they name. account_id is the
  // reader, any account (copied first). Verify reads a mailbox's marks whole to compare them by
  // reader name: at most (messages x readers) small rows, the one such step that can be large.
  {
    name: 'seen marks',
    table: 'seen_marks',
    scope: 'mailbox',
    key: ['account_id', 'uid'],
    columns: [int('account_id'), int('uid')],
    accountColumn: 'account_id',
  },
  // QRESYNC's expunge history and its pruning floor (RFC 7162 §3.2.5, schema.ts migration 7).
  { name: 'expunge history', table: 'expunged', scope: 'mailbox', key: ['uid'], columns: [int('uid'), int('modseq'), int('expunged_at')] },
  { name: 'expunge floor', table: 'expunge_floors', scope: 'mailbox', key: [], columns: [int('modseq')] },
  // URLAUTH mailbox access keys (RFC 4467 §2.2): issued URLs keep working after the move.
  { name: 'URLAUTH key', table: 'urlauth_keys', scope: 'mailbox', key: [], columns: [{ name: 'key', type: 'bytes', secret: true }] },
  // RFC 4314 access rights (decision 0009): identifiers are account names, so they stay valid.
  { name: 'ACL entries', table: 'mailbox_acl', scope: 'mailbox', key: ['identifier'], columns: [text('identifier'), text('rights')] },
  // RFC 5464 mailbox annotations (decision 0011): /shared ones (account_id NULL) and every user's
  // /private ones (account_id: the entry's owner, who may not own the mailbox); at most
  // METADATA_MAX_ENTRIES_PER_TARGET per mailbox, so verify may read a mailbox's whole.
  {
    name: 'annotations',
    table: 'metadata',
    scope: 'mailbox',
    key: ['name', 'account_id'],
    columns: [text('name'), { name: 'account_id', type: 'int', nullable: true }, { name: 'value', type: 'bytes' }],
    accountColumn: 'account_id',
  },
];

export const ACCOUNT_STEPS: readonly TableStep[] = [
  { name: 'subscriptions', table: 'subscriptions', scope: 'account', key: ['name'], columns: [text('name')] },
  {
    name: 'Sieve scripts',
    table: 'sieve_scripts',
    scope: 'account',
    key: ['name'],
    columns: [text('name'), text('source'), { name: 'active', type: 'bool' }, int('updated_at')],
  },
  // Sieve duplicate ids (RFC 7352) and vacation responses sent (RFC 5230 §4.2): without them a
  // moved account would answer the same senders again.
  { name: 'delivery marks', table: 'delivery_marks', scope: 'account', key: ['scope', 'key'], columns: [text('scope'), text('key'), int('expires_at')] },
  // The Message-ID -> THREADID index (decision 0006): replies after the move join their threads.
  { name: 'thread index', table: 'thread_refs', scope: 'account', key: ['message_id'], columns: [text('message_id'), text('thread_id'), text('subject')] },
  // Quota limits (decision 0010; NULL = operator default, -1 = unlimited). Usage is not copied: the
  // mailboxes' message_count/message_octets are counted by the destination's triggers.
  { name: 'quota settings', table: 'quota_settings', scope: 'account', key: [], columns: [nint('storage'), nint('messages'), nint('mailboxes')] },
  // RFC 5464 server annotations the account wrote for itself (/private; mailbox_id NULL).
  {
    name: 'server annotations',
    table: 'metadata',
    scope: 'account',
    key: ['name'],
    columns: [text('name'), { name: 'value', type: 'bytes' }],
    isNull: ['mailbox_id'],
  },
];

/**
 * Rows of nobody: the server's /shared annotations, set by the operator (`facteur metadata`).
 * With --merge the destination's own are kept and the source's are not copied (copy.ts).
 */
export const SERVER_STEPS: readonly TableStep[] = [
  {
    name: '/shared annotations',
    table: 'metadata',
    scope: 'server',
    key: ['name'],
    columns: [text('name'), { name: 'value', type: 'bytes' }],
    isNull: ['mailbox_id', 'account_id'],
  },
];

/** Every table the copy writes, for reports ("copied tables: ..."); a table of several steps is listed once. */
export const COPIED_TABLES: readonly string[] = [...new Set([
  'blobs', 'counters', 'accounts', 'mailboxes',
  ...MAILBOX_STEPS.map((s) => s.table),
  ...ACCOUNT_STEPS.map((s) => s.table),
  ...SERVER_STEPS.map((s) => s.table),
])];

/**
 * Tables of either schema the copy leaves out, each on purpose (steps.test.ts fails when a new
 * table is in neither list, so a new table cannot be forgotten silently).
 */
export const NOT_COPIED_TABLES: Readonly<Record<string, string>> = {
  change_feed: "SQLite's cross-process notification log; meaningless in another store",
  facteur_schema: "PostgreSQL's migration record; the destination's own migrations write it",
  sqlite_sequence: "SQLite's AUTOINCREMENT bookkeeping; the destination assigns its own ids",
};

