/**
 * Delivery test helpers: a user's active Sieve script written straight into the store, the
 * number of messages per mailbox, one LMTP transaction (RFC 2033) with a single recipient, and
 * one `facteur deliver` run in process.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/main.js';
import type { Config } from '../../src/config/index.js';
import { LmtpTestClient, dotStuffed } from './lmtp-client.js';

/** Makes `source` the user's active script "main" (creating the account and `mailboxes` first). */
export async function activateScript(config: Config, user: string, source: string, mailboxes: readonly string[] = []): Promise<void> {
  const store = await openStore(config);
  try {
    const acc = (await store.getAccount(user)) ?? (await store.createAccount(user, '{PLAIN}pw'));
    const actor = { accountId: acc.id, name: acc.name };
    for (const m of mailboxes) await store.createMailbox(actor, m);
    await store.putSieveScript(actor, 'main', source);
    await store.setActiveSieveScript(actor, 'main');
  } finally {
    await store.close();
  }
}

/** Messages per non-empty mailbox the user lists (its own and those shared with it). */
export async function messageCounts(config: Config, user: string): Promise<Record<string, number>> {
  const store = await openStore(config);
  try {
    const acc = (await store.getAccount(user))!;
    const actor = { accountId: acc.id, name: acc.name };
    const out: Record<string, number> = {};
    for (const b of await store.listMailboxes(actor)) {
      const n = (await store.listMessages(actor, b.id)).length;
      if (n > 0) out[b.name] = n;
    }
    return out;
  } finally {
    await store.close();
  }
}

/** LHLO, MAIL, one RCPT and DATA (each must be accepted); returns the text of the final reply. */
export async function lmtpDeliver(port: number, from: string, to: string, message: string): Promise<string> {
  const c = await LmtpTestClient.connect(port);
  try {
    c.write(`LHLO t\r\nMAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    const r = await c.readN(4);
    assert.deepEqual(r.map((x) => x.code), [250, 250, 250, 354], r.map((x) => x.text).join('\n'));
    c.write(dotStuffed(message));
    return (await c.read()).text;
  } finally {
    c.close();
  }
}

/** Runs `facteur deliver ARGS` in process with `stdin` as the message: its exit code and stderr. */
export async function runDeliver(args: string[], stdin: string | Buffer): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['deliver', ...args, '--log-level', 'silent'], {
    stdin: Readable.from([Buffer.from(stdin)]) as never,
    stderr: { write: (s: string) => (err += s) },
    stdout: { write: () => true },
  });
  return { code, err };
}
