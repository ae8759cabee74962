/**
 * Mailboxes and subscriptions of the SQLite backend.
 *
 * Invariants:
 * - UIDVALIDITY comes from one global counter, max(now in seconds, last + 1): unique for every
 *   mailbox ever created in this data directory, also when a name is deleted and re-created
 *   (RFC 9051 §2.3.1.1), and within 32 bits unsigned.
 * - Every mailbox's superiors exist: CREATE and RENAME create missing ones (RFC 9051 §6.3.4),
 *   DELETE refuses a mailbox that has inferiors (HASCHILDREN).
 * - RENAME keeps the mailbox row, hence its id, UIDVALIDITY, MAILBOXID, UIDs and modseqs
 *   (RFC 9051 §6.3.6, RFC 8474 §4), and moves every inferior with it. Renaming INBOX instead creates the new mailbox with a fresh
 *   UIDVALIDITY and moves all INBOX messages into it (new UIDs from 1, flags and dates kept,
 *   expunge history written in INBOX); INBOX stays, empty, and its inferiors do not move.
 *   The new mailbox gets a fresh MAILBOXID (it is a new mailbox, RFC 8474 §4); INBOX keeps its
 *   own, as it keeps its name and UIDVALIDITY (§4: same name and UIDVALIDITY, same MAILBOXID).
 *   The moved messages keep EMAILID and THREADID, as a MOVE does.
 * - Subscriptions are names and may name missing mailboxes (RFC 9051 §6.3.9); DELETE leaves them.
 *   RENAME moves the subscriptions of the old name and its inferiors to the new names (as Dovecot
 *   does); renaming INBOX moves none, since INBOX remains.
 * - `mailboxes` events are published after the commit of every create/delete/rename/subscribe.
 */
import { StoreError } from '../errors.js';
import type { Actor, Mailbox, MailboxCounts, SpecialUse, Uid } from '../types.js';
import { collectAfterCommit } from './blob-refs.js';
import { MAILBOX_COLUMNS, toMailbox, type MailboxRow, type SqliteContext } from './context.js';
import { allRows, expungeUids, hasFlagSql, transferRows } from './messages.js';
import { newObjectId } from '../object-ids.js';
import { canonicalName, INBOX, isInferior, requireName, superiorsOf } from '../mailbox-names.js';

const MAX_UID_VALIDITY = 0xffffffff;

/** Inside a write transaction: the next UIDVALIDITY. */
export function allocateUidValidity(ctx: SqliteContext): number {
  const last = ctx.column<number>("SELECT value FROM counters WHERE name = 'uidvalidity'").get() ?? 0;
  const next = Math.max(Math.floor(Date.now() / 1000), last + 1);
  if (next > MAX_UID_VALIDITY) throw new StoreError('LIMIT', 'UIDVALIDITY space exhausted');
  ctx
    .stmt("INSERT INTO counters (name, value) VALUES ('uidvalidity', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
    .run(next);
  return next;
}

/** Inside a write transaction: inserts a mailbox with a fresh UIDVALIDITY and MAILBOXID (RFC 8474 §4). */
export function insertMailbox(ctx: SqliteContext, accountId: number, name: string, specialUse: SpecialUse | null): MailboxRow {
  const row = ctx
    .stmt<MailboxRow>(
      `INSERT INTO mailboxes (account_id, name, uid_validity, special_use, object_id) VALUES (?, ?, ?, ?, ?) RETURNING ${MAILBOX_COLUMNS}`,
    )
    .get(accountId, name, allocateUidValidity(ctx), specialUse, newObjectId('F'));
  if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
  return row;
}

/** Inside a write transaction: creates the missing superiors of `name`. */
function ensureSuperiors(ctx: SqliteContext, accountId: number, name: string): void {
  for (const sup of superiorsOf(name)) {
    if (ctx.mailboxByName(accountId, sup) === undefined) insertMailbox(ctx, accountId, sup, null);
  }
}

/** Inside a transaction: the proper inferiors of `name`. */
function inferiors(ctx: SqliteContext, accountId: number, name: string): { id: number; name: string }[] {
  const prefix = name + '/';
  return ctx
    .stmt<{ id: number; name: string }>(
      'SELECT id, name FROM mailboxes WHERE account_id = ? AND substr(name, 1, length(?)) = ? ORDER BY name',
    )
    .all(accountId, prefix, prefix);
}

export function listMailboxes(ctx: SqliteContext, actor: Actor): Mailbox[] {
  return ctx
    .read(() => ctx.stmt<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY name`).all(actor.accountId))
    .map(toMailbox);
}

export function getMailbox(ctx: SqliteContext, actor: Actor, name: string): Mailbox | null {
  const canonical = canonicalName(name);
  if (canonical === null) return null;
  const row = ctx.read(() => ctx.mailboxByName(actor.accountId, canonical));
  return row === undefined ? null : toMailbox(row);
}

export function createMailbox(ctx: SqliteContext, actor: Actor, name: string, specialUse: SpecialUse | null): Mailbox {
  const canonical = requireName(name);
  const row = ctx.write(() => {
    if (ctx.mailboxByName(actor.accountId, canonical) !== undefined) {
      throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(canonical)} exists`);
    }
    ensureSuperiors(ctx, actor.accountId, canonical);
    return insertMailbox(ctx, actor.accountId, canonical, specialUse);
  });
  ctx.publishMailboxes(actor.accountId);
  return toMailbox(row);
}

export function deleteMailbox(ctx: SqliteContext, actor: Actor, name: string): void {
  const canonical = canonicalName(name);
  if (canonical === INBOX) throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  ctx.write(() => {
    const mb = canonical === null ? undefined : ctx.mailboxByName(actor.accountId, canonical);
    if (mb === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(name)}`);
    if (inferiors(ctx, actor.accountId, mb.name).length > 0) {
      throw new StoreError('HASCHILDREN', `mailbox ${JSON.stringify(mb.name)} has inferiors`);
    }
    // Messages and expunge history go by cascade; the refs triggers release their blobs.
    ctx.stmt('DELETE FROM mailboxes WHERE id = ?').run(mb.id);
  });
  ctx.publishMailboxes(actor.accountId);
  collectAfterCommit(ctx);
}

export function renameMailbox(ctx: SqliteContext, actor: Actor, oldName: string, newName: string): void {
  const from = canonicalName(oldName);
  const to = requireName(newName);
  const movedFromInbox = ctx.write(() => {
    const src = from === null ? undefined : ctx.mailboxByName(actor.accountId, from);
    if (src === undefined || from === null) throw new StoreError('NONEXISTENT', `no mailbox ${JSON.stringify(oldName)}`);
    // INBOX's inferiors stay where they are, so INBOX alone may be renamed below itself.
    if (from !== INBOX && isInferior(to, from)) throw new StoreError('CANNOT', 'cannot rename a mailbox into its own inferior');
    if (ctx.mailboxByName(actor.accountId, to) !== undefined) {
      throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(to)} exists`);
    }
    if (from === INBOX) {
      ensureSuperiors(ctx, actor.accountId, to);
      const dest = insertMailbox(ctx, actor.accountId, to, null);
      const rows = allRows(ctx, src.id);
      transferRows(ctx, rows, dest.id);
      expungeUids(ctx, src.id, rows.map((r) => r.uid));
      // RFC 5464 §4.1: INBOX keeps its annotations and the new mailbox gets a copy of them.
      ctx.stmt('INSERT INTO metadata (mailbox_id, account_id, name, value) SELECT ?, account_id, name, value FROM metadata WHERE mailbox_id = ?').run(dest.id, src.id);
      const modseq = ctx.column<number>('SELECT highest_modseq FROM mailboxes WHERE id = ?').get(src.id) ?? 0;
      return rows.length > 0 ? { inboxId: src.id, modseq } : null;
    }
    const moves = [{ id: src.id, name: from }, ...inferiors(ctx, actor.accountId, from)].map((m) => ({
      id: m.id,
      newName: to + m.name.slice(from.length),
    }));
    for (const m of moves.slice(1)) {
      if (ctx.mailboxByName(actor.accountId, m.newName) !== undefined) {
        throw new StoreError('ALREADYEXISTS', `mailbox ${JSON.stringify(m.newName)} exists`);
      }
    }
    ensureSuperiors(ctx, actor.accountId, to);
    const upd = ctx.stmt('UPDATE mailboxes SET name = ? WHERE id = ?');
    for (const m of moves) upd.run(m.newName, m.id);
    moveSubscriptions(ctx, actor.accountId, from, to);
    return null;
  });
  if (movedFromInbox !== null) ctx.publishMailbox(actor.accountId, movedFromInbox.inboxId, movedFromInbox.modseq);
  ctx.publishMailboxes(actor.accountId);
}

/** Inside a write transaction: re-points the subscriptions of `from` and its inferiors to `to`. */
function moveSubscriptions(ctx: SqliteContext, accountId: number, from: string, to: string): void {
  const names = ctx.column<string>('SELECT name FROM subscriptions WHERE account_id = ?').all(accountId);
  const ins = ctx.stmt('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const del = ctx.stmt('DELETE FROM subscriptions WHERE account_id = ? AND name = ?');
  for (const n of names) {
    if (n !== from && !isInferior(n, from)) continue;
    del.run(accountId, n);
    ins.run(accountId, to + n.slice(from.length));
  }
}

export function setSubscribed(ctx: SqliteContext, actor: Actor, name: string, subscribed: boolean): void {
  const canonical = requireName(name);
  ctx.write(() => {
    if (subscribed) {
      ctx.stmt('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING').run(actor.accountId, canonical);
    } else {
      ctx.stmt('DELETE FROM subscriptions WHERE account_id = ? AND name = ?').run(actor.accountId, canonical);
    }
  });
  ctx.publishMailboxes(actor.accountId);
}

export function listSubscriptions(ctx: SqliteContext, actor: Actor): string[] {
  return ctx.read(() => ctx.column<string>('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name').all(actor.accountId));
}

export function counts(ctx: SqliteContext, actor: Actor, mailboxId: number): MailboxCounts {
  return ctx.read(() => {
    const mb = ctx.mailboxById(actor.accountId, mailboxId);
    const r = ctx
      .stmt<MailboxCounts>(
        `SELECT count(*) AS messages,
                coalesce(sum(NOT (${hasFlagSql('\\Seen')})), 0) AS unseen,
                coalesce(sum(${hasFlagSql('\\Deleted')}), 0) AS deleted,
                coalesce(sum(size), 0) AS size,
                coalesce(sum(CASE WHEN ${hasFlagSql('\\Deleted')} THEN size ELSE 0 END), 0) AS deletedSize,
                coalesce(sum(uid >= ?), 0) AS recent
         FROM messages WHERE mailbox_id = ?`,
      )
      .get(mb.recent_floor, mailboxId);
    if (r === undefined) throw new Error('aggregate returned no row');
    return r;
  });
}

export function claimRecent(ctx: SqliteContext, actor: Actor, mailboxId: number): { from: Uid; to: Uid } {
  return ctx.write(() => {
    const mb = ctx.mailboxById(actor.accountId, mailboxId);
    ctx.stmt('UPDATE mailboxes SET recent_floor = uid_next WHERE id = ?').run(mailboxId);
    return { from: mb.recent_floor as Uid, to: mb.uid_next as Uid };
  });
}
