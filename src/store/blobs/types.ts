/**
 * Blob storage: immutable, content-addressed message bodies (DESIGN rule 3).
 *
 * Invariants:
 * - A blob id is the lowercase hex SHA-256 of the content; writing the same content twice
 *   yields the same id and one stored copy.
 * - `write` resolves only once the content and its name are durable (a crash afterwards keeps
 *   them); metadata may reference a blob only after its `write` resolved.
 * - Deletion is the caller's decision: the blob store keeps no reference counts. The metadata
 *   backend decides when nothing refers to a blob any more.
 */

export interface BlobStore {
  /** Stores `content` durably and returns its id (SHA-256 hex). Idempotent. */
  write(content: Buffer): Promise<string>;
  /** The bytes of the blob, or the range [start, end) clamped to its size. CORRUPTED if absent. */
  read(id: string, start?: number, end?: number): Promise<Buffer>;
  /** Whether the blob is present. */
  exists(id: string): Promise<boolean>;
  /** Removes the blob; absent blobs are not an error. */
  delete(id: string): Promise<void>;
  /** Every stored blob id (for orphan sweeps); order unspecified. */
  list(): AsyncIterable<string>;
}

/** The id of `content`: lowercase hex SHA-256. */
export const BLOB_ID_PATTERN = /^[0-9a-f]{64}$/;
