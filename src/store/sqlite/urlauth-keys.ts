/**
 * URLAUTH mailbox access keys of the SQLite backend (RFC 4467 §2.2, §7 RESETKEY/GENURLAUTH).
 *
 * Invariants:
 * - A key is 32 bytes from the CSPRNG (RFC 4467 §10: at least 128 bits of entropy, unpredictable).
 * - Keys belong to mailbox rows (ON DELETE CASCADE): deleting a mailbox revokes its URLs, and a
 *   re-created mailbox of the same name starts without a key. RENAME keeps the key, but the URLs
 *   name the old mailbox and so no longer resolve.
 * - Creation runs in a write transaction that re-reads first, so two sessions generating at once
 *   end up with one key.
 * - A reset publishes an 'urlauth-keys' event after its commit (sessions announce URLMECH).
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../types.js';
import type { SqliteContext } from './context.js';

const KEY_BYTES = 32;

export function urlAuthKey(ctx: SqliteContext, actor: Actor, mailboxId: number, create: boolean): Buffer | null {
  const lookup = (): Buffer | null => {
    ctx.mailboxById(actor.accountId, mailboxId);
    return ctx.column<Buffer>('SELECT key FROM urlauth_keys WHERE mailbox_id = ?').get(mailboxId) ?? null;
  };
  const existing = ctx.read(lookup);
  if (existing !== null || !create) return existing;
  return ctx.write(() => {
    const again = lookup();
    if (again !== null) return again;
    const key = randomBytes(KEY_BYTES);
    ctx.stmt('INSERT INTO urlauth_keys (mailbox_id, key) VALUES (?, ?)').run(mailboxId, key);
    return key;
  });
}

export function resetUrlAuthKeys(ctx: SqliteContext, actor: Actor, mailboxId: number | null): void {
  write(ctx, actor, mailboxId);
  ctx.bus.publish({ type: 'urlauth-keys', accountId: actor.accountId, mailboxId });
}

function write(ctx: SqliteContext, actor: Actor, mailboxId: number | null): void {
  ctx.write(() => {
    if (mailboxId === null) {
      ctx.stmt('DELETE FROM urlauth_keys WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?)').run(actor.accountId);
      return;
    }
    ctx.mailboxById(actor.accountId, mailboxId);
    ctx
      .stmt('INSERT INTO urlauth_keys (mailbox_id, key) VALUES (?, ?) ON CONFLICT (mailbox_id) DO UPDATE SET key = excluded.key')
      .run(mailboxId, randomBytes(KEY_BYTES));
  });
}
