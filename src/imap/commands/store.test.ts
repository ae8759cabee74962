import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SequenceSet, StoreAction } from '../protocol/ast.js';
import type { CommandOf } from '../session/command-table.js';
import { storeCommand, storableFlags } from './store.js';
import { FakeStore, harness, type FakeSessionOptions, type Harness } from './fake-session.test-support.js';

const MSG = 'Subject: x\r\n\r\nbody\r\n';
const all: SequenceSet = { kind: 'set', ranges: [{ start: 1, end: '*' }] };

function setup(opts: FakeSessionOptions = {}): Harness {
  return harness(
    new FakeStore([
      { raw: MSG, flags: ['\\Seen'] },
      { raw: MSG, flags: [] },
      { raw: MSG, flags: ['\\Flagged', '$Work'] },
    ]),
    opts,
  );
}

function store(action: StoreAction, extra: Partial<CommandOf<'STORE'>> = {}): CommandOf<'STORE'> {
  return { name: 'STORE', uid: false, set: all, action, ...extra };
}

test('+FLAGS reports every message of the set, changed or not', async () => {
  const h = setup();
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Seen'] }), 'a');
  assert.equal(r.status, 'OK');
  assert.equal(h.output(), '* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Flagged $Work \\Seen))\r\n');
  assert.deepEqual([...h.view.ownChanges.keys()], [20, 30]);
});

test('UID STORE adds UID; .SILENT sends nothing', async () => {
  const h = setup();
  await storeCommand.handler(h.session, store({ op: 'remove', silent: false, flags: ['$work'] }, { uid: true, set: { kind: 'set', ranges: [{ start: 30, end: 99 }] } }), 'a');
  assert.equal(h.output(), '* 3 FETCH (UID 30 FLAGS (\\Flagged))\r\n');
  h.clear();
  await storeCommand.handler(h.session, store({ op: 'set', silent: true, flags: ['\\Draft'] }), 'a');
  assert.equal(h.output(), '');
  assert.deepEqual(h.store.flagCalls.at(-1), { uids: [10, 20, 30], op: 'set', flags: ['\\Draft'] });
});

test('\\Recent is ignored, other reserved flags are BAD, read-only is NO', async () => {
  assert.deepEqual(storableFlags(['\\Recent', '\\Seen', 'foo']), ['\\Seen', 'foo']);
  assert.equal(storableFlags(['\\Bogus']), null);
  const h = setup();
  assert.equal((await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Bogus'] }), 'a')).status, 'BAD');
  const ro = setup({ readOnly: true });
  const r = await storeCommand.handler(ro.session, store({ op: 'add', silent: false, flags: ['\\Seen'] }), 'a');
  assert.deepEqual([r.status, r.code], ['NO', 'READ-ONLY']);
  assert.equal(ro.store.flagCalls.length, 0);
});

test('UNCHANGEDSINCE: MODIFIED codes, MODSEQ even when silent', async () => {
  const h = setup();
  h.store.messages[2]!.row = { ...h.store.messages[2]!.row, modseq: 90 as never };
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: true, flags: ['$Done'] }, { unchangedSince: 60 }), 'a');
  assert.deepEqual([r.status, r.code], ['OK', 'MODIFIED 3']);
  // UNCHANGEDSINCE enables CONDSTORE: HIGHESTMODSEQ is announced first (RFC 7162 §3.1, Example 5)
  // and the FETCH responses carry UID as well (RFC 7162 §3.2.4, SHOULD per §3.1.4.2).
  assert.equal(
    h.output(),
    '* OK [HIGHESTMODSEQ 100] Highest mod-sequence\r\n' +
      '* 1 FETCH (UID 10 MODSEQ (101))\r\n* 2 FETCH (UID 20 MODSEQ (102))\r\n* 3 FETCH (UID 30 FLAGS (\\Flagged $Work) MODSEQ (90))\r\n',
  );
  h.clear();
  const r2 = await storeCommand.handler(
    h.session,
    store({ op: 'add', silent: false, flags: ['$Late'] }, { uid: true, unchangedSince: 95, set: { kind: 'set', ranges: [{ start: 10, end: 30 }] } }),
    'a',
  );
  assert.deepEqual([r2.status, r2.code], ['OK', 'MODIFIED 10,20']);
  // Keywords new to the mailbox are announced with FLAGS/PERMANENTFLAGS first (RFC 9051 §7.3.5).
  assert.equal(
    h.output(),
    '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work $Done)\r\n' +
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work $Done \\*)] Flags permitted\r\n' +
      '* 1 FETCH (UID 10 FLAGS (\\Seen $Done) MODSEQ (101))\r\n* 2 FETCH (UID 20 FLAGS ($Done) MODSEQ (102))\r\n' +
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work $Done $Late)\r\n' +
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work $Done $Late \\*)] Flags permitted\r\n' +
      '* 3 FETCH (UID 30 FLAGS (\\Flagged $Work $Late) MODSEQ (103))\r\n',
  );
});

test('expunged elsewhere: NO [EXPUNGEISSUED] unless silent or UID', async () => {
  const h = setup();
  h.view.pendingExpunge.add(20);
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Answered'] }), 'a');
  assert.deepEqual([r.status, r.code], ['NO', 'EXPUNGEISSUED']);
  assert.equal(h.output(), '* 1 FETCH (FLAGS (\\Seen \\Answered))\r\n* 3 FETCH (FLAGS (\\Flagged $Work \\Answered))\r\n');
  const r2 = await storeCommand.handler(h.session, store({ op: 'add', silent: true, flags: ['\\Answered'] }), 'a');
  assert.equal(r2.status, 'OK');
  const r3 = await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Answered'] }, { uid: true }), 'a');
  assert.equal(r3.status, 'OK');
});

test('invalid sequence numbers are BAD', async () => {
  const h = setup();
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Seen'] }, { set: { kind: 'set', ranges: [{ start: 4, end: 4 }] } }), 'a');
  assert.equal(r.status, 'BAD');
});

test('CONDSTORE-aware .SILENT STORE reports MODSEQ of changed messages (RFC 7162 Example 14)', async () => {
  const h = setup({ enabled: ['CONDSTORE'] });
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: true, flags: ['\\Seen'] }), 'a');
  assert.equal(r.status, 'OK');
  // message 1 already had \Seen: nothing changed, nothing to report (the fake store gives each
  // changed message its own modseq)
  assert.equal(h.output(), '* 2 FETCH (UID 20 MODSEQ (101))\r\n* 3 FETCH (UID 30 MODSEQ (102))\r\n');
  h.clear();
  await storeCommand.handler(h.session, store({ op: 'remove', silent: false, flags: ['\\Seen'] }, { set: { kind: 'set', ranges: [{ start: 1, end: 1 }] } }), 'a');
  assert.equal(h.output(), '* 1 FETCH (UID 10 FLAGS () MODSEQ (103))\r\n');
});

test('UNCHANGEDSINCE 0 fails for every message (RFC 7162 Example 8); passed but unchanged still get MODSEQ', async () => {
  const h = setup({ enabled: ['CONDSTORE'] });
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: true, flags: ['$MDNSent'] }, { unchangedSince: 0, set: { kind: 'set', ranges: [{ start: 2, end: 2 }] } }), 'a');
  assert.deepEqual([r.status, r.code], ['OK', 'MODIFIED 2']);
  assert.equal(h.store.messages[1]!.row.flags.length, 0);
  assert.equal(h.output(), '* 2 FETCH (UID 20 FLAGS () MODSEQ (51))\r\n');
  h.clear();
  // \Seen is already set on message 1: the test passes, the store is a no-op, MODSEQ still reported (§3.1.3 MUST)
  const r2 = await storeCommand.handler(h.session, store({ op: 'add', silent: true, flags: ['\\Seen'] }, { unchangedSince: 50, set: { kind: 'set', ranges: [{ start: 1, end: 1 }] } }), 'a');
  assert.deepEqual([r2.status, r2.code], ['OK', undefined]);
  assert.equal(h.output(), '* 1 FETCH (UID 10 MODSEQ (50))\r\n');
});

test('UNCHANGEDSINCE with messages expunged elsewhere: NO [MODIFIED] (RFC 7162 Example 11)', async () => {
  const h = setup({ enabled: ['CONDSTORE'] });
  h.store.messages[1]!.row = { ...h.store.messages[1]!.row, modseq: 90 as never };
  h.view.pendingExpunge.add(30);
  const r = await storeCommand.handler(h.session, store({ op: 'add', silent: false, flags: ['\\Seen'] }, { unchangedSince: 60 }), 'a');
  assert.deepEqual([r.status, r.code], ['NO', 'MODIFIED 2']);
  assert.equal(h.output(), '* 1 FETCH (UID 10 FLAGS (\\Seen) MODSEQ (50))\r\n* 2 FETCH (UID 20 FLAGS () MODSEQ (90))\r\n');
});
