/**
 * Access control lists of the PostgreSQL backend (semantics of src/store/sqlite/acl.ts: RFC 4314
 * rows only; rights are checked by the domain's access layer, store/access/).
 *
 * Invariants:
 * - One row per (mailbox, identifier), deleted with the mailbox (ON DELETE CASCADE) and, for an
 *   account's own identifiers, with the account.
 * - An empty rights string is not stored: setting it removes the entry.
 */
import { StoreError } from '../errors.js';
import { SERVER_CHANNEL, type AclChangeMode, type AclEntry, type AclGrant, type Actor, type Mailbox } from '../types.js';
import { canonicalName } from '../mailbox-names.js';
import { ALL_RIGHTS, applyModification, granteeOf } from '../access/rights.js';
import { MAILBOX_COLUMNS, toMailbox, type MailboxRow } from '../sql-rows.js';
import type { Db, PgContext } from './context.js';

/** The actor's mailbox `name`; with `lock`, its row stays locked until the transaction ends. */
async function ownMailboxId(db: Db, actor: Actor, name: string, lock = false): Promise<number> {
  const canonical = canonicalName(name);
  const sql = `SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`;
  const { rows } = canonical === null ? { rows: [] } : await db.query<{ id: number }>(sql, [actor.accountId, canonical]);
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(name)}`);
  return rows[0].id;
}

const ENTRIES = 'SELECT identifier, rights FROM mailbox_acl WHERE mailbox_id = $1 ORDER BY identifier COLLATE "C"';

export function getAcl(ctx: PgContext, actor: Actor, name: string): Promise<AclEntry[]> {
  return ctx.tx(async (db) => (await db.query<AclEntry>(ENTRIES, [await ownMailboxId(db, actor, name)])).rows);
}

export async function setAcl(
  ctx: PgContext,
  actor: Actor,
  name: string,
  identifier: string,
  rights: string | null,
  mode: AclChangeMode = 'set',
): Promise<string> {
  const grantee = granteeOf(identifier);
  const { channel, next } = await ctx.tx(async (db) => {
    // "+"/"-" apply to the entry as stored now: the mailbox row lock orders concurrent changes of
    // its ACL (a missing entry has no row to lock), on every node.
    const id = await ownMailboxId(db, actor, name, mode !== 'set');
    let current = '';
    if (mode !== 'set' && rights !== null) {
      const { rows } = await db.query<{ rights: string }>('SELECT rights FROM mailbox_acl WHERE mailbox_id = $1 AND identifier = $2', [id, identifier]);
      current = rows[0]?.rights ?? '';
    }
    const next = rights === null ? '' : applyModification(current, { mode, rights });
    if (next === '') await db.query('DELETE FROM mailbox_acl WHERE mailbox_id = $1 AND identifier = $2', [id, identifier]);
    else {
      await db.query(
        'INSERT INTO mailbox_acl (mailbox_id, identifier, rights) VALUES ($1, $2, $3) ON CONFLICT (mailbox_id, identifier) DO UPDATE SET rights = excluded.rights',
        [id, identifier, next],
      );
    }
    if (grantee.all) return { channel: SERVER_CHANNEL, next };
    const { rows } = await db.query<{ id: number }>('SELECT id FROM accounts WHERE name = $1', [grantee.account]);
    return { channel: rows.length === 0 ? null : rows[0].id, next };
  });
  // After the commit: the grantee's (or every NOTIFY session's) mailbox list may have changed
  // (RFC 5465 §5.4, §5.9). PgChangeBus carries the event to every node.
  if (channel !== null) ctx.publishMailboxes(channel);
  return next;
}

export async function myRights(ctx: PgContext, actor: Actor, name: string): Promise<string> {
  await ctx.tx((db) => ownMailboxId(db, actor, name));
  return ALL_RIGHTS;
}

export async function mailboxById(ctx: PgContext, mailboxId: number): Promise<{ mailbox: Mailbox; owner: string } | null> {
  const rows = await ctx.query<MailboxRow & { owner: string }>(
    `SELECT ${MAILBOX_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}, a.name AS owner
     FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1`,
    [mailboxId],
  );
  return rows.length === 0 ? null : { mailbox: toMailbox(rows[0]), owner: rows[0].owner };
}

export function mailboxAcl(ctx: PgContext, mailboxId: number): Promise<AclEntry[]> {
  return ctx.query<AclEntry & { [k: string]: unknown }>(ENTRIES, [mailboxId]);
}

export function aclGrants(ctx: PgContext, identifiers: readonly string[]): Promise<AclGrant[]> {
  return ctx.query<AclGrant & { [k: string]: unknown }>(
    `SELECT g.mailbox_id AS "mailboxId", g.identifier, g.rights, m.account_id AS "accountId", a.name AS owner, m.name AS "mailboxName"
     FROM mailbox_acl g JOIN mailboxes m ON m.id = g.mailbox_id JOIN accounts a ON a.id = m.account_id
     WHERE g.identifier = ANY($1::text[])
     ORDER BY a.name COLLATE "C", m.name COLLATE "C", g.identifier COLLATE "C"`,
    [identifiers],
  );
}

/** Inside the account-deleting transaction: entries naming the account go with it. */
export async function forgetIdentifier(db: Db, name: string): Promise<void> {
  await db.query('DELETE FROM mailbox_acl WHERE identifier = $1 OR identifier = $2', [name, `-${name}`]);
}
