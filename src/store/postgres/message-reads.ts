/**
 * Reads of the PostgreSQL backend's messages: listing, changes since a modseq (with the
 * expunge-history horizon that bounds them), and content. Semantics are the SQLite backend's
 * (src/store/sqlite/messages.ts).
 *
 * Invariants:
 * - Each read is one statement: one snapshot and one round trip, no transaction; a mailbox that
 *   is not the actor's is NONEXISTENT.
 * - changesSince reports expunges completely only above the mailbox's expunge floor, which
 *   pruneExpungeHistory raises in the same transaction that drops history records.
 * - Content is readable only through a message of the actor's own account; ranges are cut in
 *   SQL (substring on bytea), so a partial FETCH never loads the whole message.
 */
import { StoreError } from '../errors.js';
import type { Actor, MailboxChanges, MessageRow, ModSeq, Uid } from '../types.js';
import type { PgContext } from './context.js';
import { MESSAGE_COLUMNS, toRow, type MessageDbRow } from '../sql-rows.js';

/** substring() takes int4 offsets; larger ones are past any blob anyway. */
const MAX_INT4 = 0x7fffffff;

/**
 * The actor's mailbox's messages (all, or those of `uids`) in one statement: the LEFT JOIN keeps
 * one row with a null uid for an existing mailbox without such messages, and none at all for a
 * mailbox that is not the actor's (NONEXISTENT). One snapshot, one round trip, no transaction.
 */
async function mailboxMessages(ctx: PgContext, actor: Actor, mailboxId: number, uids?: readonly Uid[]): Promise<MessageRow[]> {
  const cols = MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ');
  const rows = await ctx.query<{ [K in keyof MessageDbRow]: MessageDbRow[K] | null }>(
    `SELECT ${cols} FROM mailboxes x
       LEFT JOIN messages m ON m.mailbox_id = x.id${uids === undefined ? '' : ' AND m.uid = ANY($3::int8[])'}
     WHERE x.id = $1 AND x.account_id = $2 ORDER BY m.uid`,
    uids === undefined ? [mailboxId, actor.accountId] : [mailboxId, actor.accountId, uids],
  );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return rows.filter((r): r is MessageDbRow => r.uid !== null).map(toRow);
}

export function listMessages(ctx: PgContext, actor: Actor, mailboxId: number): Promise<MessageRow[]> {
  return mailboxMessages(ctx, actor, mailboxId);
}

export function getMessages(ctx: PgContext, actor: Actor, mailboxId: number, uids: readonly Uid[]): Promise<MessageRow[]> {
  return mailboxMessages(ctx, actor, mailboxId, uids);
}

/**
 * One statement, so the mailbox row, the changed messages, the expunge history and its floor come
 * from one snapshot without a REPEATABLE READ transaction (BEGIN, SET, four queries, COMMIT were
 * seven round trips for every session told of a change). Rows: k = 0 a changed message, k = 1 an
 * expunged UID, k = 2 the mailbox (uid = uid_next, modseq = highest_modseq, size = floor); no
 * k = 2 row when the mailbox is not the actor's.
 */
export async function changesSince(ctx: PgContext, actor: Actor, mailboxId: number, since: ModSeq): Promise<MailboxChanges> {
  type Row = { k: number } & { [K in keyof MessageDbRow]: MessageDbRow[K] | null };
  const rows = await ctx.query<Row>(
    `SELECT 0 AS k, ${MESSAGE_COLUMNS} FROM messages
       WHERE mailbox_id = $1 AND modseq > $3 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2)
     UNION ALL
     SELECT 1, uid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM expunged
       WHERE mailbox_id = $1 AND modseq > $3 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $2)
     UNION ALL
     SELECT 2, uid_next, highest_modseq, NULL, NULL, (SELECT f.modseq FROM expunge_floors f WHERE f.mailbox_id = $1), NULL, NULL, NULL, NULL
       FROM mailboxes WHERE id = $1 AND account_id = $2
     ORDER BY k, uid`,
    [mailboxId, actor.accountId, since],
  );
  const mb = rows.find((r) => r.k === 2);
  if (mb === undefined) throw new StoreError('NONEXISTENT', `no mailbox ${mailboxId}`);
  return {
    highestModSeq: mb.modseq as ModSeq,
    uidNext: mb.uid as Uid,
    changed: rows.filter((r): r is Row & MessageDbRow => r.k === 0).map(toRow),
    expunged: rows.filter((r) => r.k === 1).map((r) => r.uid as Uid),
    // Everything pruned had a modseq <= floor, so the list above `since` is whole iff since >= floor.
    expungedComplete: since >= (mb.size ?? 0),
  };
}

/**
 * The expunge-history horizon (MailStore.pruneExpungeHistory): in one transaction, deletes the
 * records older than `olderThan` and raises each affected mailbox's floor to the highest modseq
 * deleted (the same rows: DELETE ... RETURNING feeds the floor update).
 */
export async function pruneExpungeHistory(ctx: PgContext, olderThan: number): Promise<number> {
  return ctx.tx(async (db) => {
    const { rows } = await db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM expunged WHERE expunged_at < $1 RETURNING mailbox_id, modseq),
            floors AS (
              INSERT INTO expunge_floors (mailbox_id, modseq)
                SELECT mailbox_id, MAX(modseq) FROM gone GROUP BY mailbox_id
              ON CONFLICT (mailbox_id) DO UPDATE SET modseq = GREATEST(expunge_floors.modseq, excluded.modseq)
            )
       SELECT COUNT(*) AS n FROM gone`,
      [olderThan],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/**
 * The blob is named by a message of the actor's account. Written so that the only way to plan it
 * is one probe of messages_blob per blob (then the mailbox by primary key): a scalar subquery with
 * LIMIT 1 is never turned into a join, and its FROM has nothing but messages filtered by blob_id.
 * EXISTS over messages JOIN mailboxes was planned as a hash semi-join over every message of the
 * account (a sequential scan of `messages` per readMeta batch: ~25 ms at 20,000 messages,
 * ~100 ms at 100,000), or, with fresh statistics missing, as a scan of each mailbox's index.
 */
const ACTOR_REFERENCES = `(SELECT true FROM messages m
                            WHERE m.blob_id = b.id AND (SELECT x.account_id FROM mailboxes x WHERE x.id = m.mailbox_id) = $2
                            LIMIT 1)`;

export async function readBlob(ctx: PgContext, actor: Actor, id: string, start?: number, end?: number): Promise<Buffer> {
  const from = Math.max(0, Math.floor(start ?? 0));
  const rows =
    end === undefined
      ? await ctx.query<{ part: Buffer }>(
          `SELECT substring(b.content FROM $3) AS part FROM blobs b WHERE b.id = $1 AND ${ACTOR_REFERENCES}`,
          [id, actor.accountId, Math.min(from, MAX_INT4 - 1) + 1],
          'facteur_read_blob_tail',
        )
      : await ctx.query<{ part: Buffer }>(
          `SELECT substring(b.content FROM $3 FOR $4) AS part FROM blobs b WHERE b.id = $1 AND ${ACTOR_REFERENCES}`,
          [id, actor.accountId, Math.min(from, MAX_INT4 - 1) + 1, Math.min(MAX_INT4, Math.max(0, Math.floor(end) - from))],
          'facteur_read_blob_range',
        );
  if (rows.length === 0) throw new StoreError('NONEXISTENT', `no blob ${id}`);
  return rows[0].part;
}

export async function readMeta(ctx: PgContext, actor: Actor, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await ctx.query<{ id: string; meta: string }>(
    `SELECT b.id, b.meta FROM blobs b WHERE b.id = ANY($1::text[]) AND ${ACTOR_REFERENCES}`,
    [ids, actor.accountId],
    'facteur_read_meta',
  );
  return new Map(rows.map((r) => [r.id, r.meta]));
}
