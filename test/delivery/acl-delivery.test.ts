/**
 * Delivery into mailboxes of other accounts (RFC 4314 §2.1 "p"): a Sieve fileinto into
 * "Other Users/bob/Team" or "Shared/Desk" stores there when the recipient has the post right,
 * and falls back to INBOX (RFC 5228 §2.10.6 implicit keep) when it has not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/main.js';
import type { Config } from '../../src/config/index.js';
import { sharedOwnerActor } from '../../src/store/access/index.js';
import { freePort, startTestServer } from '../support/server.js';
import { simpleMessage } from '../support/transcript.js';
import { lmtpDeliver } from '../support/delivery.js';

const lmtpSend = (port: number, to: string, subject: string): Promise<string> => lmtpDeliver(port, 'x@example.org', to, simpleMessage({ subject }));

const SCRIPT = `require ["fileinto"];
if header :is "subject" "team" { fileinto "Other Users/bob/Team"; stop; }
if header :is "subject" "desk" { fileinto "Shared/Desk"; stop; }
`;

/** Messages per mailbox of `user`'s own namespace. */
async function own(config: Config, user: string): Promise<Record<string, number>> {
  const store = await openStore(config);
  try {
    const acc = user === '#shared' ? await sharedOwnerActor(store) : await store.getAccount(user).then((a) => ({ accountId: a!.id, name: a!.name }));
    const out: Record<string, number> = {};
    for (const b of await store.listMailboxes(acc)) {
      if (b.accountId !== acc.accountId) continue;
      const n = (await store.listMessages(acc, b.id)).length;
      if (n > 0) out[b.name] = n;
    }
    return out;
  } finally {
    await store.close();
  }
}

test('Sieve fileinto another account\'s mailbox needs "p"; without it the message is kept in INBOX', async () => {
  const s = await startTestServer({ users: [['alice', 'a'], ['bob', 'b'], ['carol', 'c']], config: { lmtpPort: await freePort() } });
  try {
    const store = await openStore(s.config);
    try {
      const actor = async (name: string) => {
        const a = (await store.getAccount(name))!;
        return { accountId: a.id, name: a.name };
      };
      const bob = await actor('bob');
      await store.createMailbox(bob, 'Team');
      await store.setAcl(bob, 'Team', 'alice', 'p');
      const shared = await sharedOwnerActor(store);
      await store.createMailbox(shared, 'Desk');
      await store.setAcl(shared, 'Desk', 'carol', 'lp');
      for (const u of ['alice', 'carol']) {
        const a = await actor(u);
        await store.putSieveScript(a, 'main', SCRIPT);
        await store.setActiveSieveScript(a, 'main');
      }
    } finally {
      await store.close();
    }
    const port = s.config.lmtpPort;
    assert.match(await lmtpSend(port, 'alice@example.com', 'team'), /^250 2\.0\.0/); // alice has p on Team
    assert.match(await lmtpSend(port, 'carol@example.com', 'team'), /^250 2\.0\.0/); // carol has nothing: INBOX
    assert.match(await lmtpSend(port, 'carol@example.com', 'desk'), /^250 2\.0\.0/); // carol has lp on Shared/Desk
    assert.match(await lmtpSend(port, 'alice@example.com', 'desk'), /^250 2\.0\.0/); // alice has nothing there: INBOX
    assert.deepEqual(await own(s.config, 'bob'), { Team: 1 });
    assert.deepEqual(await own(s.config, '#shared'), { Desk: 1 });
    assert.deepEqual(await own(s.config, 'alice'), { INBOX: 1 });
    assert.deepEqual(await own(s.config, 'carol'), { INBOX: 1 });
  } finally {
    await s.stop();
  }
});
