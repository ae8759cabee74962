/**
 * The state shared by the SQLite store's modules: the connection, cached statements, the blob
 * store, the bus, and the two ways of running a transaction.
 *
 * Invariants:
 * - Every mutation runs in `write`, a BEGIN IMMEDIATE transaction: the database write lock is
 *   taken before anything is read, so UID and modseq allocation is atomic across processes
 *   sharing the data directory.
 * - Reads that need one consistent view use `read` (a deferred transaction: a WAL snapshot).
 * - better-sqlite3 is synchronous, so nothing else of this process runs inside a transaction;
 *   callbacks must never await.
 * - SQLITE_BUSY/LOCKED (busy_timeout elapsed) and I/O failures (SQLite's or the filesystem's
 *   errno codes) become StoreError('UNAVAILABLE'),
 *   SQLITE_CORRUPT/NOTADB become 'CORRUPTED'; StoreErrors thrown inside pass through unchanged
 *   (and roll the transaction back).
 * - Statements are prepared once per SQL text and reused.
 */
import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type { ChangeBus, ModSeq } from '../types.js';
import type { FsBlobStore } from '../blobs/fs-blob-store.js';

export interface StoreLogger {
  warn(obj: object, msg: string): void;
}

import { MAILBOX_COLUMNS, type MailboxRow } from '../sql-rows.js';
export { MAILBOX_COLUMNS, toMailbox, type MailboxRow } from '../sql-rows.js';

export class SqliteContext {
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();
  closed = false;
  /**
   * change_feed rows (by seq) this process wrote and whose events it already published on its
   * own bus after the commit: the feed poll (change-feed.ts) skips them. Only committed rows are
   * added (a rolled-back AUTOINCREMENT seq may be reused by another process).
   */
  readonly ownFeed = new Set<number>();

  constructor(
    readonly db: Database,
    readonly blobs: FsBlobStore,
    readonly bus: ChangeBus,
    readonly logger: StoreLogger | undefined,
  ) {}

  /** Marks committed change_feed rows as announced already (see ownFeed). */
  ownFeedRows(seqs: readonly number[]): void {
    for (const seq of seqs) this.ownFeed.add(seq);
  }

  /** The prepared statement for `sql`, cached. */
  stmt<R = unknown>(sql: string): Statement<unknown[], R> {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s as Statement<unknown[], R>;
  }

  /** The prepared statement for `sql` returning its first column only, cached separately. */
  column<R = unknown>(sql: string): Statement<unknown[], R> {
    const key = `pluck:${sql}`;
    let s = this.statements.get(key);
    if (s === undefined) {
      s = this.db.prepare(sql).pluck();
      this.statements.set(key, s);
    }
    return s as Statement<unknown[], R>;
  }

  write<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw mapError(e);
    }
  }

  read<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(fn).deferred();
    } catch (e) {
      throw mapError(e);
    }
  }

  /** The actor's mailbox by id, or NONEXISTENT (ids of other accounts do not exist for them). */
  mailboxById(accountId: number, mailboxId: number): MailboxRow {
    const row = this.stmt<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ? AND account_id = ?`).get(
      mailboxId,
      accountId,
    );
    if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
    return row;
  }

  /** The actor's mailbox by canonical name, or undefined. */
  mailboxByName(accountId: number, name: string): MailboxRow | undefined {
    return this.stmt<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?`).get(
      accountId,
      name,
    );
  }

  /** Takes the mailbox's next modseq (highest + 1) and records it as the highest. */
  nextModSeq(mailboxId: number): number {
    const row = this.stmt<{ highest_modseq: number }>(
      'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq',
    ).get(mailboxId);
    if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
    return row.highest_modseq;
  }

  publishMailbox(accountId: number, mailboxId: number, highestModSeq: number): void {
    this.bus.publish({ type: 'mailbox', accountId, mailboxId, highestModSeq: highestModSeq as ModSeq });
  }

  publishMailboxes(accountId: number): void {
    this.bus.publish({ type: 'mailboxes', accountId });
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('UNAVAILABLE', 'store is closed');
  }
}

export function mapError(e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new StoreError('UNAVAILABLE', `database busy: ${(e as Error).message}`);
    }
    if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_CANTOPEN') {
      return new StoreError('UNAVAILABLE', `database I/O failure: ${(e as Error).message}`);
    }
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      return new StoreError('CORRUPTED', `database corrupted: ${(e as Error).message}`);
    }
  }
  // Filesystem failures (ENOSPC, EIO, EMFILE...) of the blob store: temporary from our side.
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
    return new StoreError('UNAVAILABLE', `storage I/O failure: ${(e as Error).message}`);
  }
  return e;
}
