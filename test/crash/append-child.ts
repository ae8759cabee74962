/**
 * Crash-test child: appends messages in a loop, and now and then expunges one, printing a line
 * per acknowledged operation ("A <uid> <i>" after an append resolved, "E <uid>" after an expunge
 * resolved; "X <uid>" just before an expunge starts). Killed with SIGKILL by crash.test.ts at an arbitrary moment.
 */
import { LocalChangeBus } from '../../src/store/bus.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { asUid } from '../../src/store/types.js';
import { CRASH_ACCOUNT, crashContent } from './content.js';

const dataDir = process.argv[2];
const store = await openSqliteStore({ dataDir, bus: new LocalChangeBus() });
const acc = await store.getAccount(CRASH_ACCOUNT);
if (acc === null) throw new Error('crash account missing');
const actor = { accountId: acc.id, name: acc.name };
const inbox = await store.getMailbox(actor, 'INBOX');
if (inbox === null) throw new Error('INBOX missing');

for (let i = 0; ; i++) {
  const r = await store.append(actor, 'INBOX', [
    { content: crashContent(i), flags: i % 3 === 0 ? ['\\Seen'] : [], internalDate: 1_700_000_000_000 + i, meta: `m${i}` },
  ]);
  process.stdout.write(`A ${r.uids[0]} ${i}\n`);
  if (i % 5 === 4) {
    const victim = asUid(r.uids[0] - 2);
    // Announced before the expunge starts: if killed before "E", the victim may be gone or not.
    process.stdout.write(`X ${victim}\n`);
    await store.storeFlags(actor, inbox.id, [victim], 'add', ['\\Deleted']);
    const gone = await store.expunge(actor, inbox.id, [victim]);
    for (const uid of gone) process.stdout.write(`E ${uid}\n`);
  }
}
