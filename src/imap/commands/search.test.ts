import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SearchKey, SearchReturnOption } from '../protocol/ast.js';
import type { CommandOf } from '../session/command-table.js';
import { searchCommand } from './search.js';
import { sentDay, dayNumber } from './search-eval.js';
import { FakeStore, harness, type FakeSessionOptions, type Harness } from './fake-session.test-support.js';

const NOW = Date.now();

const M1 = [
  'From: Alice <alice@example.com>',
  'To: bob@example.com',
  'Subject: Hello =?UTF-8?Q?W=C3=B6rld?=',
  'Date: Mon, 7 Feb 1994 23:52:25 -0800',
  '',
  'Hello body text',
  '',
].join('\r\n');

const M2 = [
  'From: carol@example.org',
  'To: Dave <dave@example.net>',
  'Cc: eve@example.com',
  'Subject: report',
  'Date: 15 Jan 2024 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Gr=FC=DFe aus K=F6ln',
  '--b--',
  '',
].join('\r\n');

const M3 = ['From: spam@example.biz', 'X-Spam: yes', 'Subject: cheap', '', 'nothing to see', ''].join('\r\n');

function setup(opts: FakeSessionOptions = {}): Harness {
  return harness(
    new FakeStore([
      { raw: M1, flags: ['\\Seen', '$Work'], internalDate: Date.UTC(1994, 1, 8, 5, 52, 25) },
      { raw: M2, flags: ['\\Flagged'], internalDate: Date.UTC(2024, 0, 15, 23, 59, 59) },
      { raw: M3, flags: ['\\Deleted'], internalDate: NOW - 3600_000 },
    ]),
    opts,
  );
}

function search(keys: SearchKey[], opts: { uid?: boolean; ret?: SearchReturnOption[] | null; charset?: string | null } = {}): CommandOf<'SEARCH'> {
  return { name: 'SEARCH', uid: opts.uid ?? false, charset: opts.charset ?? null, returnOptions: opts.ret ?? null, criteria: { op: 'AND', keys } };
}

async function run(h: Harness, keys: SearchKey[], opts: Parameters<typeof search>[1] = {}): Promise<string> {
  h.clear();
  const r = await searchCommand.handler(h.session, search(keys, opts), 't1');
  assert.equal(r.status, 'OK', r.text);
  return h.output();
}

const hits = async (h: Harness, ...keys: SearchKey[]): Promise<string> => (await run(h, keys)).trim();
const d = (year: number, month: number, day: number) => ({ year, month, day });

test('flag keys', async () => {
  const h = setup({ recent: [30, 31] });
  assert.equal(await hits(h, { op: 'ALL' }), '* SEARCH 1 2 3');
  assert.equal(await hits(h, { op: 'SEEN' }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'UNSEEN' }), '* SEARCH 2 3');
  assert.equal(await hits(h, { op: 'FLAGGED' }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'UNDELETED' }), '* SEARCH 1 2');
  assert.equal(await hits(h, { op: 'NEW' }), '* SEARCH 3');
  assert.equal(await hits(h, { op: 'OLD' }), '* SEARCH 1 2');
  assert.equal(await hits(h, { op: 'RECENT' }), '* SEARCH 3');
  assert.equal(await hits(h, { op: 'KEYWORD', flag: '$work' }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'UNKEYWORD', flag: '$WORK' }), '* SEARCH 2 3');
  assert.equal(await hits(h, { op: 'DRAFT' }), '* SEARCH');
  assert.equal(h.store.reads.length, 0);
  assert.equal(h.store.metaReads.length, 0);
});

test('INTERNALDATE keys compare UTC calendar days', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'ON', date: d(1994, 2, 8) }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'ON', date: d(2024, 1, 15) }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'BEFORE', date: d(2024, 1, 15) }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'SINCE', date: d(2024, 1, 15) }), '* SEARCH 2 3');
  assert.equal(await hits(h, { op: 'SINCE', date: d(2024, 1, 16) }), '* SEARCH 3');
});

test('SENT* keys use the Date: field day as written; no Date: never matches', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'SENTON', date: d(1994, 2, 7) }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'SENTBEFORE', date: d(2024, 1, 15) }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'SENTSINCE', date: d(2024, 1, 15) }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'NOT', key: { op: 'SENTSINCE', date: d(2024, 1, 15) } }), '* SEARCH 1 3');
  assert.equal(sentDay('Sat, 1 Jan 00 00:00 GMT'), dayNumber(2000, 1, 1));
  assert.equal(sentDay('Fri, 31 Dec 99 23:00 EST'), dayNumber(1999, 12, 31));
  assert.equal(sentDay('garbage'), null);
});

test('size, UID, sequence set, MODSEQ, OLDER/YOUNGER', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'LARGER', size: M1.length }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'SMALLER', size: M1.length }), '* SEARCH 3');
  assert.equal(await hits(h, { op: 'UID', set: { kind: 'set', ranges: [{ start: 15, end: '*' }] } }), '* SEARCH 2 3');
  assert.equal(await hits(h, { op: 'SEQ', set: { kind: 'set', ranges: [{ start: 2, end: 9 }] } }), '* SEARCH 2 3');
  // SEARCH MODSEQ is a CONDSTORE enabling command: the first one with a mailbox selected announces
  // HIGHESTMODSEQ before the result (RFC 7162 §3.1), later ones do not.
  h.clear();
  await searchCommand.handler(h.session, search([{ op: 'MODSEQ', modseq: 51 }]), 't1');
  assert.equal(h.output(), '* OK [HIGHESTMODSEQ 100] Highest mod-sequence\r\n* SEARCH 2 3 (MODSEQ 52)\r\n');
  assert.equal(await hits(h, { op: 'MODSEQ', modseq: 51 }), '* SEARCH 2 3 (MODSEQ 52)');
  assert.equal(await hits(h, { op: 'YOUNGER', seconds: 7200 }), '* SEARCH 3');
  assert.equal(await hits(h, { op: 'OLDER', seconds: 7200 }), '* SEARCH 1 2');
});

test('header keys decode RFC 2047 and charsets and read only headers', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'SUBJECT', value: 'wörld' }), '* SEARCH 1');
  assert.equal(h.store.reads.every(([, s, e]) => s === 0 && e !== undefined), true);
  assert.equal(await hits(h, { op: 'FROM', value: 'ALICE' }), '* SEARCH 1');
  assert.equal(await hits(h, { op: 'TO', value: 'dave' }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'CC', value: 'eve@' }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'BCC', value: '' }), '* SEARCH');
  assert.equal(await hits(h, { op: 'HEADER', field: 'x-spam', value: '' }), '* SEARCH 3');
  assert.equal(await hits(h, { op: 'HEADER', field: 'X-SPAM', value: 'no' }), '* SEARCH');
});

test('BODY and TEXT search decoded text', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'BODY', value: 'grüße aus köln' }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'BODY', value: 'report' }), '* SEARCH');
  assert.equal(await hits(h, { op: 'TEXT', value: 'report' }), '* SEARCH 2');
  assert.equal(await hits(h, { op: 'TEXT', value: 'hello' }), '* SEARCH 1');
});

test('cheap keys decide first: content is read only for undecided messages', async () => {
  const h = setup();
  h.store.reads.length = 0;
  assert.equal(await hits(h, { op: 'FLAGGED' }, { op: 'BODY', value: 'köln' }), '* SEARCH 2');
  assert.deepEqual(h.store.reads, [['blob20', undefined, undefined]]);
  h.store.reads.length = 0;
  // FROM is answered from the ENVELOPE cached with the structure: no message is read.
  assert.equal(await hits(h, { op: 'OR', a: { op: 'SEEN' }, b: { op: 'FROM', value: 'spam' } }), '* SEARCH 1 3');
  assert.equal(h.store.reads.length, 0);
  // HEADER needs the header block only, read by range from offset 0.
  assert.equal(await hits(h, { op: 'OR', a: { op: 'SEEN' }, b: { op: 'HEADER', field: 'From', value: 'spam' } }), '* SEARCH 1 3');
  assert.deepEqual(
    h.store.reads.map(([id, s]) => [id, s]),
    [
      ['blob20', 0],
      ['blob30', 0],
    ],
  );
});

test('NOT, OR and nested AND', async () => {
  const h = setup();
  assert.equal(await hits(h, { op: 'NOT', key: { op: 'SEEN' } }), '* SEARCH 2 3');
  assert.equal(await hits(h, { op: 'OR', a: { op: 'SEEN' }, b: { op: 'DELETED' } }), '* SEARCH 1 3');
  assert.equal(await hits(h, { op: 'AND', keys: [{ op: 'UNSEEN' }, { op: 'NOT', key: { op: 'DELETED' } }] }), '* SEARCH 2');
});

test('UID SEARCH returns UIDs', async () => {
  const h = setup();
  assert.equal((await run(h, [{ op: 'UNSEEN' }], { uid: true })).trim(), '* SEARCH 20 30');
});

test('ESEARCH forms (RFC 4731, RFC 9051)', async () => {
  const h = setup();
  assert.equal(await run(h, [{ op: 'UNSEEN' }], { ret: ['MIN', 'MAX', 'COUNT'] }), '* ESEARCH (TAG "t1") MIN 2 MAX 3 COUNT 2\r\n');
  assert.equal(await run(h, [{ op: 'ALL' }], { ret: ['ALL'], uid: true }), '* ESEARCH (TAG "t1") UID ALL 10,20,30\r\n');
  assert.equal(await run(h, [{ op: 'DRAFT' }], { ret: ['MIN', 'COUNT', 'ALL'] }), '* ESEARCH (TAG "t1") COUNT 0\r\n');
  assert.equal(await run(h, [{ op: 'DRAFT' }], { ret: ['ALL'] }), '* ESEARCH (TAG "t1")\r\n');
  const rev2 = setup({ rev2: true });
  assert.equal(await run(rev2, [{ op: 'SEEN' }, { op: 'NOT', key: { op: 'DRAFT' } }]), '* ESEARCH (TAG "t1") ALL 1\r\n');
  // The first MODSEQ search enables CONDSTORE and announces HIGHESTMODSEQ first (RFC 7162 §3.1).
  assert.equal(
    await run(rev2, [{ op: 'MODSEQ', modseq: 1 }], { ret: ['MIN'] }),
    '* OK [HIGHESTMODSEQ 100] Highest mod-sequence\r\n* ESEARCH (TAG "t1") MIN 1 MODSEQ 50\r\n',
  );
});

test('SAVE (RFC 5182): alone it is silent; with MIN/MAX it saves those', async () => {
  const h = setup();
  assert.equal(await run(h, [{ op: 'UNSEEN' }], { ret: ['SAVE'] }), '');
  assert.deepEqual(h.view.savedSearch, [20, 30]);
  assert.equal(await run(h, [{ op: 'ALL' }], { ret: ['SAVE', 'MIN'] }), '* ESEARCH (TAG "t1") MIN 1\r\n');
  assert.deepEqual(h.view.savedSearch, [10]);
  await run(h, [{ op: 'ALL' }], { ret: ['SAVE', 'MIN', 'MAX'] });
  assert.deepEqual(h.view.savedSearch, [10, 30]);
  await run(h, [{ op: 'ALL' }], { ret: ['SAVE', 'MIN', 'COUNT'] });
  assert.deepEqual(h.view.savedSearch, [10, 20, 30]);
  await run(h, [{ op: 'DRAFT' }], { ret: ['SAVE'] });
  assert.deepEqual(h.view.savedSearch, []);
  await run(h, [{ op: 'FLAGGED' }], { ret: ['SAVE'] });
  assert.equal(await run(h, [{ op: 'SEQ', set: { kind: 'saved' } }]), '* SEARCH 2\r\n');
});

test('unknown charset is NO [BADCHARSET] and empties a SAVE result', async () => {
  const h = setup();
  h.view.savedSearch = [10];
  const r = await searchCommand.handler(h.session, search([{ op: 'ALL' }], { charset: 'X-NOPE', ret: ['SAVE'] }), 't');
  assert.deepEqual([r.status, r.code], ['NO', 'BADCHARSET (US-ASCII UTF-8)']);
  assert.deepEqual(h.view.savedSearch, []);
  assert.equal((await searchCommand.handler(h.session, search([{ op: 'ALL' }], { charset: 'iso-8859-1' }), 't')).status, 'OK');
});

test('messages expunged elsewhere never match; OK [EXPUNGEISSUED]', async () => {
  const h = setup();
  h.view.pendingExpunge.add(20);
  h.store.remove(30);
  const r = await searchCommand.handler(h.session, search([{ op: 'ALL' }]), 't');
  assert.deepEqual([r.status, r.code], ['OK', 'EXPUNGEISSUED']);
  assert.equal(h.output(), '* SEARCH 1\r\n');
});
