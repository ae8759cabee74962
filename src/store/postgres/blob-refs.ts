/**
 * Blob rows of the PostgreSQL backend: content lives in the `blobs` table, named by its SHA-256,
 * shared by every message row that references it (refs counted by trigger).
 *
 * Invariants:
 * - Blob content is written in the same transaction as the message row that references it (so
 *   an acknowledged APPEND has both, and a failed one neither). The insert of a blob row locks an
 *   existing row (ON CONFLICT DO UPDATE), so a concurrent collector either deleted it before (and
 *   the insert recreates it) or sees refs > 0 after (and keeps it).
 * - Blobs whose last reference a transaction dropped are deleted in that same transaction
 *   (collectBlobs): nothing is left to collect later.
 */
import { createHash } from 'node:crypto';
import type { Db } from './context.js';

/** Blob rows per INSERT: 4 parameters each, far below the protocol's 65,535 parameters. */
const BLOBS_PER_STATEMENT = 1000;

export const blobId = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/**
 * Inserts the blob rows (or locks the existing ones; see the invariants), all in one statement:
 * a multi-row VALUES with one parameter per value, so that content travels as binary Buffer
 * parameters (a bytea[] array parameter would be hex text). Ids are deduplicated first: ON
 * CONFLICT cannot touch one row twice in a statement.
 */
export async function ensureBlobs(db: Db, blobs: ReadonlyArray<{ id: string; content: Buffer; meta: string }>): Promise<void> {
  const unique = [...new Map(blobs.map((b) => [b.id, b])).values()];
  for (let start = 0; start < unique.length; start += BLOBS_PER_STATEMENT) {
    const values: unknown[] = [];
    const tuples = unique.slice(start, start + BLOBS_PER_STATEMENT).map((b, i) => {
      values.push(b.id, b.content.length, b.meta, b.content);
      return `($${4 * i + 1}, $${4 * i + 2}::int8, $${4 * i + 3}, 0, $${4 * i + 4}::bytea)`;
    });
    await db.query(
      `INSERT INTO blobs (id, size, meta, refs, content) VALUES ${tuples.join(', ')}
       ON CONFLICT (id) DO UPDATE SET refs = blobs.refs`,
      values,
    );
  }
}

/** Inside a transaction: deletes those of `ids` that no message references any more. */
export async function collectBlobs(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('DELETE FROM blobs WHERE id = ANY($1::text[]) AND refs <= 0', [[...new Set(ids)]]);
}
