/**
 * Seen marks of the PostgreSQL backend (docs/decisions/0019); semantics are the SQLite
 * backend's (src/store/sqlite/seen-marks.ts).
 *
 * Invariants:
 * - Marks go with their message, mailbox and reader account by foreign-key cascades (schema.ts
 *   migration 8).
 * - A change of marks locks the mailbox row first, like every write to the mailbox's messages
 *   (messages.ts), then takes one new modseq for every message whose mark changed and publishes
 *   the 'mailbox' event after the commit (RFC 7162 §3.1.4 example 14).
 * - Reads are one statement each, which also checks that the mailbox is the actor's.
 */
import { StoreError } from '../errors.js';
import { unchangedSinceVerdict } from '../flag-lists.js';
import type { Actor, ModSeq, SeenMarkUpdate, SeenMarksResult, Uid } from '../types.js';
import { lockMailbox, nextModSeq, type PgContext } from './context.js';

export async function seenMarks(ctx: PgContext, actor: Actor, mailboxId: number, reader: number, uids?: readonly Uid[]): Promise<Uid[]> {
  const rows = await ctx.query<{ uid: number | null }>(
    `SELECT s.uid FROM mailboxes x
       LEFT JOIN seen_marks s ON s.mailbox_id = x.id AND s.account_id = $3${uids === undefined ? '' : ' AND s.uid = ANY($4::int8[])'}
     WHERE x.id = $1 AND x.account_id = $2 ORDER BY s.uid`,
    uids === undefined ? [mailboxId, actor.accountId, reader] : [mailboxId, actor.accountId, reader, uids],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return rows.filter((r) => r.uid !== null).map((r) => r.uid as Uid);
}

export async function countSeenMarks(ctx: PgContext, actor: Actor, mailboxId: number, reader: number): Promise<number> {
  const rows = await ctx.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM seen_marks s WHERE s.mailbox_id = x.id AND s.account_id = $3)::int8 AS n
     FROM mailboxes x WHERE x.id = $1 AND x.account_id = $2`,
    [mailboxId, actor.accountId, reader],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return Number(rows[0].n);
}

export async function storeSeenMarks(
  ctx: PgContext,
  actor: Actor,
  mailboxId: number,
  reader: number,
  uids: readonly Uid[],
  seen: boolean,
  options: { unchangedSince?: ModSeq; replace?: boolean } = {},
): Promise<SeenMarksResult> {
  const { unchangedSince, replace = false } = options;
  const result = await ctx.tx(async (db) => {
    await lockMailbox(db, actor.accountId, mailboxId);
    const { rows } = await db.query<{ uid: number; modseq: number; seen: boolean }>(
      `SELECT m.uid, m.modseq, (s.uid IS NOT NULL) AS seen
       FROM messages m LEFT JOIN seen_marks s ON s.mailbox_id = m.mailbox_id AND s.uid = m.uid AND s.account_id = $2
       WHERE m.mailbox_id = $1 AND m.uid = ANY($3::int8[]) ORDER BY m.uid`,
      [mailboxId, reader, uids],
    );
    const modified: Uid[] = [];
    const changes: number[] = [];
    for (const r of rows) {
      const flips = r.seen !== seen;
      // RFC 7162 §3.1.3 and §3.1.12, as storeFlags.
      const verdict = unchangedSinceVerdict(r.modseq, unchangedSince, replace, flips);
      if (verdict === 'modified') modified.push(r.uid as Uid);
      else if (verdict === 'apply' && flips) changes.push(r.uid);
    }
    const updated: SeenMarkUpdate[] = [];
    if (changes.length > 0) {
      const modseq = (await nextModSeq(db, mailboxId)) as ModSeq;
      await db.query(
        seen
          ? 'INSERT INTO seen_marks (mailbox_id, uid, account_id) SELECT $1, u, $2 FROM unnest($3::int8[]) AS u'
          : 'DELETE FROM seen_marks WHERE mailbox_id = $1 AND account_id = $2 AND uid = ANY($3::int8[])',
        [mailboxId, reader, changes],
      );
      await db.query('UPDATE messages SET modseq = $2 WHERE mailbox_id = $1 AND uid = ANY($3::int8[])', [mailboxId, modseq, changes]);
      for (const uid of changes) updated.push({ uid: uid as Uid, modseq, seen });
    }
    return { updated, modified };
  });
  if (result.updated.length > 0) ctx.publishMailbox(actor.accountId, mailboxId, result.updated[0].modseq);
  return result;
}
