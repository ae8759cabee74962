/**
 * The bulk export/import interface every backend implements for `facteur store copy` and
 * `facteur store verify` (docs/decisions/0013-store-copy.md).
 *
 * Invariants:
 * - A TransferReader reads one consistent snapshot (SQLite: one read transaction on a read-only
 *   connection; PostgreSQL: one REPEATABLE READ READ ONLY transaction) and never writes, except
 *   `changeMark`, which reads the current state outside that snapshot (also read-only).
 * - A TransferWriter runs in ONE write transaction opened after migrating the schema: commit
 *   makes the whole copy visible at once, rollback leaves the destination as it was (SQLite blob
 *   files written meanwhile are orphans, removed by the orphan sweep like a crashed append's).
 * - Values are normalised: integers as JS numbers (every stored integer is below 2^53), booleans
 *   as booleans, binary as Buffer, NULL as null. Rows are arrays in the order of the query's
 *   columns.
 * - Text keys order by their UTF-8 bytes on every backend (SQLite BINARY, PostgreSQL COLLATE
 *   "C"), so two readers' streams of one table can be merged key by key.
 * - Table and column names come only from the step list (steps.ts), never from input.
 */

export type ColumnType = 'int' | 'text' | 'bool' | 'bytes';

export interface Column {
  name: string;
  type: ColumnType;
  nullable?: boolean;
  /** Never printed in a difference report (password hashes, URLAUTH keys). */
  secret?: boolean;
}

export type Value = number | string | boolean | Buffer | null;
export type Row = Value[];

/** One keyset-paginated page of a table. */
export interface RowQuery {
  table: string;
  /** Returned in this order. */
  columns: readonly Column[];
  /** Only the rows whose `column` equals `value` (the account or mailbox a row belongs to). */
  scope?: { column: string; value: number };
  /** Only the rows where these columns are NULL (server METADATA entries have no mailbox). */
  isNull?: readonly string[];
  /**
   * Unique key within the scope, in order; each is one of `columns`. Empty: one row at most. A
   * nullable int key column orders and compares as 0 for NULL (ids start at 1).
   */
  key: readonly string[];
  /** Key values of the last row of the previous page; null for the first page. */
  after: Row | null;
  limit: number;
}

/** A blob's metadata row (the content-addressed id is the SHA-256 hex of the content). */
export interface BlobRecord {
  id: string;
  size: number;
  meta: string;
}

export interface BlobCheck extends BlobRecord {
  digest: string | null;
}

export interface TransferReader {
  /** For messages: "sqlite:/var/lib/facteur" or the URL without its password. */
  readonly description: string;
  rows(q: RowQuery): Promise<Row[]>;
  /** Blobs referenced by at least one message, ordered by id, after `after`. */
  referencedBlobs(after: string | null, limit: number): Promise<BlobRecord[]>;
  /** The stored contents of blobs (absent ones, file or row, are missing from the map). The
   * caller bounds the total size of one call. */
  blobContents(ids: readonly string[]): Promise<Map<string, Buffer>>;
  /** Metadata and SHA-256 hex of the stored content of each of `ids` that has a blob row
   * (digest null when the row exists but the content does not). */
  blobChecks(ids: readonly string[]): Promise<Map<string, BlobCheck>>;
  /** The change mark read just before the snapshot began. */
  readonly startMark: string;
  /** A fingerprint of the store's current state, read outside the snapshot: a mark equal to
   * startMark after the copy means no writer changed what the copy covers (see 0013). */
  changeMark(): Promise<string>;
  close(): Promise<void>;
}

export interface TransferWriter {
  readonly description: string;
  /** Inserts rows (columns in order) in the copy's transaction. */
  insertRows(table: string, columns: readonly Column[], rows: readonly Row[]): Promise<void>;
  /** Inserts one row and returns the id the destination assigned to it. */
  insertReturningId(table: string, columns: readonly Column[], row: Row): Promise<number>;
  /** The ids of `ids` the destination has no blob for. */
  missingBlobs(ids: readonly string[]): Promise<string[]>;
  /** Stores blobs (no reference yet: message rows add their references when inserted). */
  putBlobs(blobs: ReadonlyArray<{ record: BlobRecord; content: Buffer }>): Promise<void>;
  /** Sets a counter to the greater of its value and `value` (UIDVALIDITY must never go back). */
  raiseCounter(name: string, value: number): Promise<void>;
  /** Account names of the destination among `names`. */
  existingAccounts(names: readonly string[]): Promise<string[]>;
  accountCount(): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** An expected refusal or failure of a copy or verification, printed as one line. */
export class TransferError extends Error {
  override readonly name = 'TransferError';
}
