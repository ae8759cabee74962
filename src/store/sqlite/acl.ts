/**
 * Access control lists of the SQLite backend (RFC 4314 rows; rights are checked by the domain's
 * access layer, store/access/, never here).
 *
 * Invariants:
 * - One row per (mailbox, identifier), deleted with the mailbox (ON DELETE CASCADE, RFC 4314 §4
 *   "DELETE MUST delete the ACL") and, for an account's own identifiers, with the account.
 * - An empty rights string is not stored: setting it removes the entry.
 * - Every change publishes a 'mailboxes' event after its commit, on the grantee's account or on
 *   SERVER_CHANNEL for anyone/authenticated: the grantee's visible mailboxes may have changed.
 */
import { StoreError } from '../errors.js';
import { SERVER_CHANNEL, type AclChangeMode, type AclEntry, type AclGrant, type Actor, type Mailbox } from '../types.js';
import { canonicalName } from '../mailbox-names.js';
import { ALL_RIGHTS, applyModification, granteeOf } from '../access/rights.js';
import { MAILBOX_COLUMNS, toMailbox, type MailboxRow, type SqliteContext } from './context.js';

function ownMailbox(ctx: SqliteContext, actor: Actor, name: string): MailboxRow {
  const canonical = canonicalName(name);
  const row = canonical === null ? undefined : ctx.mailboxByName(actor.accountId, canonical);
  if (row === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(name)}`);
  return row;
}

const entriesOf = (ctx: SqliteContext, mailboxId: number): AclEntry[] =>
  ctx.stmt<AclEntry>('SELECT identifier, rights FROM mailbox_acl WHERE mailbox_id = ? ORDER BY identifier').all(mailboxId);

export function getAcl(ctx: SqliteContext, actor: Actor, name: string): AclEntry[] {
  return ctx.read(() => entriesOf(ctx, ownMailbox(ctx, actor, name).id));
}

export function setAcl(ctx: SqliteContext, actor: Actor, name: string, identifier: string, rights: string | null, mode: AclChangeMode = 'set'): string {
  const grantee = granteeOf(identifier);
  const { channel, next } = ctx.write(() => {
    const id = ownMailbox(ctx, actor, name).id;
    // "+"/"-" apply to the entry as stored now: the write lock is held, nobody changes it between.
    const current = mode === 'set' || rights === null ? '' : (ctx.column<string>('SELECT rights FROM mailbox_acl WHERE mailbox_id = ? AND identifier = ?').get(id, identifier) ?? '');
    const next = rights === null ? '' : applyModification(current, { mode, rights });
    if (next === '') ctx.stmt('DELETE FROM mailbox_acl WHERE mailbox_id = ? AND identifier = ?').run(id, identifier);
    else {
      ctx
        .stmt('INSERT INTO mailbox_acl (mailbox_id, identifier, rights) VALUES (?, ?, ?) ON CONFLICT (mailbox_id, identifier) DO UPDATE SET rights = excluded.rights')
        .run(id, identifier, next);
    }
    const channel = grantee.all ? SERVER_CHANNEL : (ctx.column<number>('SELECT id FROM accounts WHERE name = ?').get(grantee.account) ?? null);
    return { channel, next };
  });
  // After the commit: the grantee's (or every NOTIFY session's) mailbox list may have changed
  // (RFC 5465 §5.4, §5.9). Other processes hear it through the change feed (schema migration 11).
  if (channel !== null) ctx.publishMailboxes(channel);
  return next;
}

export function myRights(ctx: SqliteContext, actor: Actor, name: string): string {
  ctx.read(() => ownMailbox(ctx, actor, name));
  return ALL_RIGHTS;
}

export function mailboxById(ctx: SqliteContext, mailboxId: number): { mailbox: Mailbox; owner: string } | null {
  const row = ctx.read(() =>
    ctx
      .stmt<MailboxRow & { owner: string }>(
        `SELECT ${MAILBOX_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}, a.name AS owner
         FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE m.id = ?`,
      )
      .get(mailboxId),
  );
  return row === undefined ? null : { mailbox: toMailbox(row), owner: row.owner };
}

export function mailboxAcl(ctx: SqliteContext, mailboxId: number): AclEntry[] {
  return ctx.read(() => entriesOf(ctx, mailboxId));
}

export function aclGrants(ctx: SqliteContext, identifiers: readonly string[]): AclGrant[] {
  return ctx.read(() =>
    ctx
      .stmt<AclGrant>(
        `SELECT g.mailbox_id AS mailboxId, g.identifier, g.rights, m.account_id AS accountId, a.name AS owner, m.name AS mailboxName
         FROM mailbox_acl g JOIN mailboxes m ON m.id = g.mailbox_id JOIN accounts a ON a.id = m.account_id
         WHERE g.identifier IN (SELECT value FROM json_each(?))
         ORDER BY a.name, m.name, g.identifier`,
      )
      .all(JSON.stringify(identifiers)),
  );
}

/** Inside the account-deleting transaction: entries naming the account go with it. */
export function forgetIdentifier(ctx: SqliteContext, name: string): void {
  ctx.stmt('DELETE FROM mailbox_acl WHERE identifier = ? OR identifier = ?').run(name, `-${name}`);
}
