/**
 * Fills a SQLite data directory for measuring `facteur store copy` on a large store:
 *
 *   node dist/bench/store-copy.js DIR [MESSAGES=100000] [BIG_BLOBS=20]
 *   /usr/bin/time -v node bin/facteur.js store copy --from sqlite:DIR --to postgres://.../db
 *
 * Two accounts, the messages spread over 10 mailboxes of the first (~2 KB each, distinct), every
 * tenth also copied to Archive (shared blobs), and BIG_BLOBS 1 MB messages. Filled through the
 * storage API (openStore), 500 messages per append.
 */
import { openStore } from '../src/main.js';
import { DEFAULT_CONFIG } from '../src/config/index.js';
import { asUid, type Actor, type NewMessage } from '../src/store/types.js';

const [dir, n = '100000', big = '20'] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: node dist/bench/store-copy.js DIR [MESSAGES] [BIG_BLOBS]');
  process.exit(2);
}
const total = Number(n);
const store = await openStore({ ...DEFAULT_CONFIG, dataDir: dir, store: 'sqlite' });
const actors: Actor[] = [];
for (const name of ['bench', 'other']) {
  const rec = (await store.getAccount(name)) ?? (await store.createAccount(name, '{PLAIN}bench'));
  actors.push({ accountId: rec.id, name });
}
const message = (i: number, size: number): NewMessage => ({
  content: Buffer.from(`From: a@example.org\r\nSubject: message ${i}\r\nMessage-ID: <${i}@bench>\r\n\r\n${`line ${i} `.repeat(Math.ceil(size / 12))}\r\n`),
  flags: i % 3 === 0 ? ['\\Seen'] : [],
  internalDate: Date.UTC(2024, 0, 1) + i * 1000,
  meta: '{}',
});
const BATCH = 500;
for (let f = 0; f < 10; f++) if ((await store.getMailbox(actors[0], `Folder${f}`)) === null) await store.createMailbox(actors[0], `Folder${f}`);
for (let from = 0; from < total; from += BATCH) {
  const box = `Folder${(from / BATCH) % 10}`;
  const batch = Array.from({ length: Math.min(BATCH, total - from) }, (_, k) => message(from + k, 2000));
  const r = await store.append(actors[0], box, batch);
  const mailbox = (await store.getMailbox(actors[0], box))!;
  await store.copy(actors[0], mailbox.id, r.uids.filter((_, k) => k % 10 === 0).map(asUid), 'Archive');
  if ((from / BATCH) % 20 === 0) process.stderr.write(`${from + batch.length} messages\n`);
}
for (let i = 0; i < Number(big); i++) await store.append(actors[1], 'INBOX', [message(total + i, 1 << 20)]);
await store.close();
console.log(`filled ${dir}: ${total} + ${Math.floor(total / 10)} copies + ${big} x 1 MB`);
