/**
 * The state shared by the PostgreSQL store's modules: the connection pool, the bus, and the way a
 * transaction runs.
 *
 * Invariants:
 * - Every mutation runs in `tx` (READ COMMITTED). A write to a mailbox first locks that mailbox's
 *   row (`lockMailbox`, SELECT ... FOR UPDATE): writers of one mailbox are serialised across every
 *   node sharing the database, which is what makes UID and modseq allocation atomic cluster-wide.
 *   Writers of different mailboxes run in parallel.
 * - Changes to an account's mailbox list (create, delete, rename, subscriptions) lock the account
 *   row first, so superiors/inferiors checks never race with another node.
 * - A deadlock (40P01) or serialization failure (40001) rolls back and re-runs the whole callback,
 *   at most TX_ATTEMPTS times; callbacks therefore touch nothing but the database before commit.
 *   Events are published by the callers after `tx` resolved (DESIGN rule 3).
 * - Connection failures, pool exhaustion timeouts, server shutdowns and resource errors become
 *   StoreError('UNAVAILABLE'); data-corruption classes become 'CORRUPTED'; StoreErrors thrown
 *   inside a callback pass through unchanged (after the rollback).
 * - int8 columns are parsed to JS numbers (every stored integer is below 2^53: UIDs and
 *   UIDVALIDITY are 32-bit, modseqs and times far below).
 */
import pg from 'pg';
import { StoreError } from '../errors.js';
import type { ChangeBus, ModSeq } from '../types.js';

export interface StoreLogger {
  warn(obj: object, msg: string): void;
}

export type Db = pg.PoolClient;

import { MAILBOX_COLUMNS, type MailboxRow } from '../sql-rows.js';
export { MAILBOX_COLUMNS, toMailbox, type MailboxRow } from '../sql-rows.js';

/** Re-runs of a transaction that lost a deadlock or serialization race. */
const TX_ATTEMPTS = 5;
const RETRYABLE = new Set(['40001', '40P01']);

const INT8_OID = 20;
const parseInt8 = (v: string): number => Number(v);

/** Type parsers for every connection of the store: int8 as number (see invariants). */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export class PgContext {
  closed = false;

  constructor(
    readonly pool: pg.Pool,
    readonly bus: ChangeBus,
    readonly logger: StoreLogger | undefined,
  ) {}

  /** Runs `fn` in one transaction on one pooled connection; see the invariants for retries. */
  async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    this.assertOpen();
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken = false;
      // A checked-out connection that fails emits 'error' besides rejecting the query in flight;
      // without a listener that event would crash the process.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        const code = pgCode(e);
        if (code !== undefined && RETRYABLE.has(code) && attempt < TX_ATTEMPTS) continue;
        throw mapError(e);
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  /**
   * One statement outside an explicit transaction (a single consistent snapshot). `name` makes it
   * a prepared statement on each pooled connection (parsed and planned once per connection): for
   * the per-message statements run thousands of times per command (content and structure reads).
   */
  async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = [], name?: string): Promise<R[]> {
    this.assertOpen();
    const client = await this.connect();
    let broken = false;
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      try {
        return (await client.query<R>(name === undefined ? { text: sql, values } : { name, text: sql, values })).rows;
      } catch (e) {
        // A node migrated the schema under a statement this connection prepared ("cached plan
        // must not change result type"): run it unprepared, and drop the connection (and its
        // stale statements) from the pool instead of returning it.
        if (name === undefined || pgCode(e) !== '0A000') throw e;
        broken = true;
        return (await client.query<R>(sql, values)).rows;
      }
    } catch (e) {
      throw mapError(e);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * A pooled connection. Whatever stops us getting one (refused, timed out, the server refusing
   * logins or the database) is a temporary unavailability, never the caller's error.
   */
  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('UNAVAILABLE', `database unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
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

/** The actor's mailbox by id, or NONEXISTENT (ids of other accounts do not exist for them). */
export async function mailboxById(db: Db, accountId: number, mailboxId: number, lock = false): Promise<MailboxRow> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1 AND account_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [mailboxId, accountId],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return rows[0];
}

/** Locks the actor's mailbox for this transaction (serialises its writers across nodes). */
export const lockMailbox = (db: Db, accountId: number, mailboxId: number): Promise<MailboxRow> =>
  mailboxById(db, accountId, mailboxId, true);

/** The actor's mailbox by canonical name, or undefined; `lock` takes its row lock. */
export async function mailboxByName(db: Db, accountId: number, name: string, lock = false): Promise<MailboxRow | undefined> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
    [accountId, name],
  );
  return rows[0];
}

/** Takes the mailbox's next modseq (highest + 1) and records it as the highest. */
export async function nextModSeq(db: Db, mailboxId: number): Promise<number> {
  const { rows } = await db.query<{ highest_modseq: number }>(
    'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq',
    [mailboxId],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return rows[0].highest_modseq;
}

export async function highestModSeq(db: Db, mailboxId: number): Promise<number> {
  const { rows } = await db.query<{ highest_modseq: number }>('SELECT highest_modseq FROM mailboxes WHERE id = $1', [mailboxId]);
  return rows[0]?.highest_modseq ?? 0;
}

/** Locks the account row: serialises changes to its mailbox list and subscriptions. */
export async function lockAccount(db: Db, accountId: number): Promise<void> {
  await db.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
}

export function pgCode(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Client was closed',
  'connection is closed',
];

export function mapError(e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const code = pgCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code !== undefined) {
    // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x shutdown,
    // 57014 statement timeout, 40 transaction rollback (after our retries), 55P03 lock not
    // available.
    if (/^(08|53|57P0|40)/.test(code) || code === '57014' || code === '55P03') {
      return new StoreError('UNAVAILABLE', `database unavailable: ${message}`);
    }
    if (code.startsWith('XX')) return new StoreError('CORRUPTED', `database corrupted: ${message}`);
    // Node socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND...).
    if (/^E[A-Z0-9]+$/.test(code)) return new StoreError('UNAVAILABLE', `database unreachable: ${message}`);
  }
  if (e instanceof Error && CONNECTION_MESSAGES.some((m) => message.includes(m))) {
    return new StoreError('UNAVAILABLE', `database unavailable: ${message}`);
  }
  if (e instanceof AggregateError) return new StoreError('UNAVAILABLE', `database unreachable: ${message}`);
  return e;
}
