/**
 * Keyset pagination over a TransferReader, and the byte order both backends sort text keys in.
 *
 * Invariants: one page in memory at a time; the next page is read only when the consumer asks,
 * so nested reads (mailboxes of an account, messages of a mailbox) interleave on one connection.
 */
import type { BlobRecord, Column, Row, RowQuery, TransferReader, Value } from './types.js';

/** Rows per page of a table (a page of messages is a few hundred small rows). */
export const PAGE_ROWS = 500;

export type PageQuery = Omit<RowQuery, 'after' | 'limit'> & { limit?: number };

export async function* pages(reader: TransferReader, q: PageQuery): AsyncGenerator<Row[]> {
  const limit = q.limit ?? PAGE_ROWS;
  const keyAt = q.key.map((k) => q.columns.findIndex((c) => c.name === k));
  let after: Row | null = null;
  for (;;) {
    const rows = await reader.rows({ ...q, after, limit });
    if (rows.length > 0) yield rows;
    if (q.key.length === 0 || rows.length < limit) return;
    const last = rows[rows.length - 1];
    after = keyAt.map((i) => last[i]);
  }
}

/** Blobs per page of referencedBlobs (each page's contents are read in batches). */
const BLOB_PAGE = 200;

/** The blobs some message references, a page at a time, in id order. */
export async function* blobPages(reader: TransferReader): AsyncGenerator<BlobRecord[]> {
  let after: string | null = null;
  for (;;) {
    const records = await reader.referencedBlobs(after, BLOB_PAGE);
    if (records.length > 0) yield records;
    if (records.length < BLOB_PAGE) return;
    after = records[records.length - 1].id;
  }
}

/**
 * A progress reporter for a running total: `say(total)` whenever the total has passed another
 * multiple of `every` since the last report (never when `every` is 0).
 */
export function progressTicker(every: number, say: (total: number) => void): (total: number) => void {
  let next = every;
  return (total) => {
    if (every <= 0 || total < next) return;
    next = (Math.floor(total / every) + 1) * every;
    say(total);
  };
}

export async function* rowsOf(reader: TransferReader, q: PageQuery): AsyncGenerator<Row> {
  for await (const page of pages(reader, q)) yield* page;
}

/** Orders two key values as both backends do: numbers numerically, text by UTF-8 bytes. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

export function sameValue(a: Value, b: Value): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** A comparator of rows by the key columns of `columns`. */
export function keyComparator(columns: readonly Column[], key: readonly string[]): (x: Row, y: Row) => number {
  const at = key.map((k) => columns.findIndex((c) => c.name === k));
  return (x, y) => {
    for (const i of at) {
      const c = compareValues(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
}
