/**
 * Seen marks of the SQLite backend: a grantee's private \Seen on another account's messages
 * (docs/decisions/0019, MailStore.seenMarks/storeSeenMarks/countSeenMarks).
 *
 * Invariants:
 * - A mark is a row (mailbox_id, uid, account_id) of seen_marks; it goes with its message
 *   (expunge, MOVE out, mailbox deletion) and with the reader's account, by foreign-key cascades
 *   (schema.ts migration 12), in the transaction that removes them.
 * - A change of marks is a change of the message: one BEGIN IMMEDIATE transaction takes the
 *   mailbox's next modseq and gives it to every message whose mark changed (RFC 7162 §3.1.4
 *   example 14: a private flag change still gets a new mod-sequence), then the 'mailbox' event
 *   is published, exactly as storeFlags does.
 */
import { unchangedSinceVerdict } from '../flag-lists.js';
import type { Actor, ModSeq, SeenMarkUpdate, SeenMarksResult, Uid } from '../types.js';
import type { SqliteContext } from './context.js';

export function seenMarks(ctx: SqliteContext, actor: Actor, mailboxId: number, reader: number, uids?: readonly Uid[]): Uid[] {
  return ctx.read(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    if (uids === undefined) {
      return ctx.column<number>('SELECT uid FROM seen_marks WHERE mailbox_id = ? AND account_id = ? ORDER BY uid').all(mailboxId, reader) as Uid[];
    }
    return ctx
      .column<number>(
        `SELECT uid FROM seen_marks WHERE mailbox_id = ? AND account_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
      )
      .all(mailboxId, reader, JSON.stringify(uids)) as Uid[];
  });
}

export function countSeenMarks(ctx: SqliteContext, actor: Actor, mailboxId: number, reader: number): number {
  return ctx.read(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    return ctx.column<number>('SELECT count(*) FROM seen_marks WHERE mailbox_id = ? AND account_id = ?').get(mailboxId, reader) ?? 0;
  });
}

export function storeSeenMarks(
  ctx: SqliteContext,
  actor: Actor,
  mailboxId: number,
  reader: number,
  uids: readonly Uid[],
  seen: boolean,
  options: { unchangedSince?: ModSeq; replace?: boolean } = {},
): SeenMarksResult {
  const { unchangedSince, replace = false } = options;
  const result = ctx.write(() => {
    ctx.mailboxById(actor.accountId, mailboxId);
    const rows = ctx
      .stmt<{ uid: number; modseq: number; seen: number }>(
        `SELECT m.uid, m.modseq, (s.uid IS NOT NULL) AS seen
         FROM messages m LEFT JOIN seen_marks s ON s.mailbox_id = m.mailbox_id AND s.uid = m.uid AND s.account_id = ?
         WHERE m.mailbox_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
      )
      .all(reader, mailboxId, JSON.stringify(uids));
    const modified: Uid[] = [];
    const changes: number[] = [];
    for (const r of rows) {
      const flips = (r.seen === 1) !== seen;
      // RFC 7162 §3.1.3 and §3.1.12, as storeFlags.
      const verdict = unchangedSinceVerdict(r.modseq, unchangedSince, replace, flips);
      if (verdict === 'modified') modified.push(r.uid as Uid);
      else if (verdict === 'apply' && flips) changes.push(r.uid);
    }
    const updated: SeenMarkUpdate[] = [];
    if (changes.length > 0) {
      const modseq = ctx.nextModSeq(mailboxId) as ModSeq;
      const mark = seen
        ? ctx.stmt('INSERT INTO seen_marks (mailbox_id, uid, account_id) VALUES (?, ?, ?)')
        : ctx.stmt('DELETE FROM seen_marks WHERE mailbox_id = ? AND uid = ? AND account_id = ?');
      const bump = ctx.stmt('UPDATE messages SET modseq = ? WHERE mailbox_id = ? AND uid = ?');
      for (const uid of changes) {
        mark.run(mailboxId, uid, reader);
        bump.run(modseq, mailboxId, uid);
        updated.push({ uid: uid as Uid, modseq, seen });
      }
    }
    return { updated, modified };
  });
  if (result.updated.length > 0) ctx.publishMailbox(actor.accountId, mailboxId, result.updated[0].modseq);
  return result;
}
