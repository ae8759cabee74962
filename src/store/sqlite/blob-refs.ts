/**
 * Blob references and garbage collection for the SQLite backend over the filesystem blob store.
 *
 * Invariant kept: every message row names a blob row, and every blob row with refs > 0 has its
 * file on disk. Several processes may share the data directory, so this must hold against an
 * append of identical content running in another process while a collector deletes it.
 *
 * How:
 * 1. Files are unlinked only while holding the database write lock (inside BEGIN IMMEDIATE), and
 *    only for blobs that no message row names (blob row with refs = 0, or no blob row at all).
 * 2. An append writes and fsyncs the file first (outside any transaction), then, inside its
 *    BEGIN IMMEDIATE transaction, inserts or reuses the blob row and checks the file still exists;
 *    if a collector removed it in between, the file is rewritten there, from the bytes in memory,
 *    before the message row is inserted. refs is incremented by trigger in the same transaction.
 *    Holding the lock, no collector can run between that check and the commit.
 * 3. COPY/MOVE only add references to blobs that already have refs > 0, hence files (by 1).
 * 4. The collector runs after (never inside) the transaction that dropped the last reference:
 *    unlinking inside it would lose the file if that transaction then failed to commit.
 *    It deletes rows and files of refs = 0 blobs in batches, one transaction per batch.
 *
 * Crashes: a crash after a blob write and before its commit leaves a file with no row (an orphan,
 * removed by sweepOrphans); a crash inside a collection leaves refs = 0 rows whose files may be
 * gone (harmless: nothing refers to them, step 2 rewrites if reused, the next collection deletes
 * them); unlinks that were not yet durable reappear as orphans. None can leave a message row
 * without its file, since files are written and fsynced before the row commits.
 */
import type { SqliteContext } from './context.js';

const COLLECT_BATCH = 500;
/** Temporary files older than this belong to crashed writers, not slow ones. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Inside a write transaction: makes sure blob `id` has a row and a file before a message row
 * references it (step 2 above).
 */
export function ensureBlob(ctx: SqliteContext, id: string, content: Buffer, meta: string): void {
  ctx.stmt('INSERT INTO blobs (id, size, meta, refs) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO NOTHING').run(
    id,
    content.length,
    meta,
  );
  if (!ctx.blobs.existsSync(id)) ctx.blobs.writeSync(content);
}

/** Deletes unreferenced blobs (rows and files). Returns how many were removed. */
export function collectGarbage(ctx: SqliteContext): number {
  let total = 0;
  for (;;) {
    const n = ctx.write(() => {
      const ids = ctx.column<string>('SELECT id FROM blobs WHERE refs <= 0 LIMIT ?').all(COLLECT_BATCH);
      const del = ctx.stmt('DELETE FROM blobs WHERE id = ? AND refs <= 0');
      for (const id of ids) {
        ctx.blobs.deleteSync(id);
        del.run(id);
      }
      return ids.length;
    });
    total += n;
    if (n < COLLECT_BATCH) return total;
  }
}

/** Collects after a commit that dropped references; a failure is logged, never surfaced. */
export function collectAfterCommit(ctx: SqliteContext): void {
  try {
    collectGarbage(ctx);
  } catch (e) {
    ctx.logger?.warn({ err: e }, 'blob collection failed; will retry after the next expunge');
  }
}

/**
 * Removes blob files that no blob row names (left by appends that crashed or failed before their
 * commit) and stale temporary files. Returns how many blob files were removed.
 */
export async function sweepOrphans(ctx: SqliteContext): Promise<number> {
  await ctx.blobs.sweepTemp(TEMP_MAX_AGE_MS);
  const candidates: string[] = [];
  const known = ctx.column<number>('SELECT 1 FROM blobs WHERE id = ?');
  for await (const id of ctx.blobs.list()) {
    if (known.get(id) === undefined) candidates.push(id);
  }
  let removed = 0;
  for (let i = 0; i < candidates.length; i += COLLECT_BATCH) {
    const batch = candidates.slice(i, i + COLLECT_BATCH);
    removed += ctx.write(() => {
      let n = 0;
      for (const id of batch) {
        // Re-checked under the write lock: an append may have committed a row since the listing.
        if (known.get(id) !== undefined) continue;
        ctx.blobs.deleteSync(id);
        n++;
      }
      return n;
    });
  }
  return removed;
}
