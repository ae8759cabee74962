/**
 * Accounts of the SQLite backend.
 *
 * Invariants:
 * - Account names are unique (ALREADYEXISTS); an account always has INBOX plus the special-use
 *   mailboxes Drafts, Sent, Trash, Junk and Archive (RFC 6154), all created and subscribed in the
 *   same transaction as the account row.
 * - createAccounts is one transaction with prepared statements, so a bulk import is all or none
 *   and costs one commit; names already present (or repeated in the input) are skipped.
 * - deleteAccount removes mailboxes, messages, history and subscriptions by cascade in one
 *   transaction; the refs triggers release the blobs, which are collected after the commit.
 */
import { StoreError } from '../errors.js';
import type { AccountRecord } from '../types.js';
import { collectAfterCommit } from './blob-refs.js';
import type { SqliteContext } from './context.js';
import { insertMailbox } from './mailboxes.js';
import { forgetIdentifier } from './acl.js';
import { INITIAL_MAILBOXES, validateAccountName } from '../mailbox-names.js';

interface AccountDbRow {
  id: number;
  name: string;
  password_hash: string;
  created_at: number;
}

const toAccount = (r: AccountDbRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

/** Inside a write transaction: the account row and its initial mailboxes, or null if the name is taken. */
function insertAccount(ctx: SqliteContext, name: string, passwordHash: string, now: number): AccountDbRow | null {
  const row = ctx
    .stmt<AccountDbRow>(
      `INSERT INTO accounts (name, password_hash, created_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO NOTHING RETURNING id, name, password_hash, created_at`,
    )
    .get(name, passwordHash, now);
  if (row === undefined) return null;
  const sub = ctx.stmt('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING');
  for (const [mailbox, use] of INITIAL_MAILBOXES) {
    insertMailbox(ctx, row.id, mailbox, use);
    sub.run(row.id, mailbox);
  }
  return row;
}

export function createAccount(ctx: SqliteContext, name: string, passwordHash: string): AccountRecord {
  validateAccountName(name);
  const row = ctx.write(() => insertAccount(ctx, name, passwordHash, Date.now()));
  if (row === null) throw new StoreError('ALREADYEXISTS', `account ${JSON.stringify(name)} exists`);
  ctx.publishMailboxes(row.id);
  return toAccount(row);
}

export function createAccounts(
  ctx: SqliteContext,
  entries: ReadonlyArray<{ name: string; passwordHash: string }>,
): { created: number; skipped: string[] } {
  for (const e of entries) validateAccountName(e.name);
  const now = Date.now();
  return ctx.write(() => {
    let created = 0;
    const skipped: string[] = [];
    for (const e of entries) {
      if (insertAccount(ctx, e.name, e.passwordHash, now) === null) skipped.push(e.name);
      else created++;
    }
    return { created, skipped };
  });
}

export function getAccount(ctx: SqliteContext, name: string): AccountRecord | null {
  const row = ctx.read(() =>
    ctx.stmt<AccountDbRow>('SELECT id, name, password_hash, created_at FROM accounts WHERE name = ?').get(name),
  );
  return row === undefined ? null : toAccount(row);
}

export function listAccounts(ctx: SqliteContext): AccountRecord[] {
  return ctx
    .read(() => ctx.stmt<AccountDbRow>('SELECT id, name, password_hash, created_at FROM accounts ORDER BY name').all())
    .map(toAccount);
}

export function setPasswordHash(ctx: SqliteContext, name: string, passwordHash: string): void {
  const changes = ctx.write(() => ctx.stmt('UPDATE accounts SET password_hash = ? WHERE name = ?').run(passwordHash, name).changes);
  if (changes === 0) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
}

export function deleteAccount(ctx: SqliteContext, name: string): void {
  const id = ctx.write(() => {
    const deleted = ctx.column<number>('DELETE FROM accounts WHERE name = ? RETURNING id').get(name);
    // Entries naming the account would otherwise grant its rights to a later account of that name.
    if (deleted !== undefined) forgetIdentifier(ctx, name);
    return deleted;
  });
  if (id === undefined) throw new StoreError('NONEXISTENT', `no account ${JSON.stringify(name)}`);
  ctx.publishMailboxes(id);
  collectAfterCommit(ctx);
}
