/**
 * URLAUTH mailbox access keys of the PostgreSQL backend (RFC 4467 §2.2, §7 RESETKEY and
 * GENURLAUTH; semantics of src/store/sqlite/urlauth-keys.ts).
 *
 * Invariants:
 * - A key is 32 bytes from the CSPRNG (RFC 4467 §10: at least 128 bits, unpredictable).
 * - Keys belong to mailbox rows (ON DELETE CASCADE): deleting a mailbox revokes its URLs.
 * - Creation is INSERT ... ON CONFLICT DO NOTHING then a re-read in the same transaction, so two
 *   nodes generating at once end up with one key.
 * - A reset publishes an 'urlauth-keys' event after its commit (PgChangeBus carries it to every
 *   node, whose sessions announce URLMECH).
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../types.js';
import { mailboxById, type PgContext } from './context.js';

const KEY_BYTES = 32;

export async function urlAuthKey(ctx: PgContext, actor: Actor, mailboxId: number, create: boolean): Promise<Buffer | null> {
  return ctx.tx(async (db) => {
    await mailboxById(db, actor.accountId, mailboxId);
    if (create) {
      await db.query('INSERT INTO urlauth_keys (mailbox_id, key) VALUES ($1, $2) ON CONFLICT (mailbox_id) DO NOTHING', [
        mailboxId,
        randomBytes(KEY_BYTES),
      ]);
    }
    const { rows } = await db.query<{ key: Buffer }>('SELECT key FROM urlauth_keys WHERE mailbox_id = $1', [mailboxId]);
    return rows[0]?.key ?? null;
  });
}

export async function resetUrlAuthKeys(ctx: PgContext, actor: Actor, mailboxId: number | null): Promise<void> {
  await ctx.tx(async (db) => {
    if (mailboxId === null) {
      await db.query('DELETE FROM urlauth_keys WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = $1)', [actor.accountId]);
      return;
    }
    await mailboxById(db, actor.accountId, mailboxId);
    await db.query(
      'INSERT INTO urlauth_keys (mailbox_id, key) VALUES ($1, $2) ON CONFLICT (mailbox_id) DO UPDATE SET key = excluded.key',
      [mailboxId, randomBytes(KEY_BYTES)],
    );
  });
  ctx.bus.publish({ type: 'urlauth-keys', accountId: actor.accountId, mailboxId });
}
