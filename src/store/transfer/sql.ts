/**
 * The SQL text of bulk reads and writes, shared by both backends' transfer endpoints
 * (src/store/sqlite/transfer.ts, src/store/postgres/transfer.ts).
 *
 * Invariants:
 * - Statements use `?` placeholders; the PostgreSQL endpoint numbers them ($1, $2, ...). No
 *   generated statement contains a literal `?` otherwise.
 * - Identifiers come from the step list (steps.ts), checked against IDENTIFIER anyway, so a typo in
 *   a new step fails loudly instead of building odd SQL.
 * - Pages are keyset-paginated (WHERE key > last ORDER BY key LIMIT n): each page costs an index
 *   range, not a scan of what came before, and memory holds one page.
 */
import type { Column, RowQuery, Value } from './types.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`transfer: bad identifier ${JSON.stringify(name)}`);
  return name;
}

/**
 * SELECT of one page. `textKey` renders a text key column for ordering and comparison
 * (PostgreSQL: `name COLLATE "C"`, so both backends order by UTF-8 bytes).
 */
export function selectPage(q: RowQuery, textKey: (column: string) => string): { sql: string; params: Value[] } {
  const byName = new Map(q.columns.map((c) => [c.name, c]));
  const keyExpr = q.key.map((k) => {
    const c = byName.get(k);
    if (c === undefined) throw new Error(`transfer: key ${k} is not a column of ${q.table}`);
    if (c.type === 'text') return textKey(ident(k));
    // NULL never compares; as 0 it sorts first on both backends (coalesce exists in both).
    return c.nullable === true && c.type === 'int' ? `coalesce(${ident(k)}, 0)` : ident(k);
  });
  const where: string[] = [];
  const params: Value[] = [];
  if (q.scope !== undefined) {
    where.push(`${ident(q.scope.column)} = ?`);
    params.push(q.scope.value);
  }
  for (const column of q.isNull ?? []) where.push(`${ident(column)} IS NULL`);
  if (q.after !== null && q.key.length > 0) {
    where.push(`(${keyExpr.join(', ')}) > (${q.key.map(() => '?').join(', ')})`);
    params.push(...q.after.map((v) => v ?? 0));
  }
  const sql =
    `SELECT ${q.columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(q.table)}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    (keyExpr.length > 0 ? ` ORDER BY ${keyExpr.join(', ')}` : '') +
    ` LIMIT ?`;
  params.push(q.key.length === 0 ? 1 : q.limit);
  return { sql, params };
}

/** Most bind variables in one INSERT (SQLite's default limit is 32766; PostgreSQL's 65535). */
const MAX_PARAMS = 30_000;

/** Multi-row INSERTs covering `rowCount` rows: [sql, first row, row count] per statement. */
export function insertStatements(table: string, columns: readonly Column[], rowCount: number, suffix = ''): Array<{ sql: string; from: number; count: number }> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns.length)));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${ident(table)} (${columns.map((c) => ident(c.name)).join(', ')}) VALUES `;
  const out: Array<{ sql: string; from: number; count: number }> = [];
  for (let from = 0; from < rowCount; from += perStatement) {
    const count = Math.min(perStatement, rowCount - from);
    out.push({ sql: head + Array.from({ length: count }, () => tuple).join(', ') + suffix, from, count });
  }
  return out;
}

/** Blobs referenced by at least one message, by id, after a given id (messages_blob index). */
export const REFERENCED_BLOBS = (textKey: (column: string) => string): string =>
  `SELECT x.id, x.size, x.meta FROM blobs x
   WHERE ${textKey('x.id')} > ? AND EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = x.id)
   ORDER BY ${textKey('x.id')} LIMIT ?`;

/**
 * The change fingerprint (TransferReader.changeMark): row counts and sums that every kind of
 * write moves. Any message change raises a mailbox's HIGHESTMODSEQ; creations and deletions move
 * counts and greatest ids. A password change or a mailbox rename alone is not seen here (the
 * SQLite endpoint adds its change feed, which records renames).
 */
export const CHANGE_MARK = `
  SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT coalesce(max(id), 0) FROM accounts) AS account_max,
         (SELECT count(*) FROM mailboxes) AS mailboxes, (SELECT coalesce(max(id), 0) FROM mailboxes) AS mailbox_max,
         (SELECT coalesce(sum(highest_modseq), 0) FROM mailboxes) AS modseqs,
         (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM subscriptions) AS subscriptions,
         (SELECT count(*) FROM sieve_scripts) AS scripts, (SELECT coalesce(max(updated_at), 0) FROM sieve_scripts) AS script_time,
         (SELECT count(*) FROM delivery_marks) AS marks, (SELECT count(*) FROM urlauth_keys) AS urlauth_keys,
         (SELECT count(*) FROM metadata) AS annotations`;
