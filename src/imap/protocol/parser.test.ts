import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandFramer, type FramerEvent } from '../../wire/framer.js';
import type { Command, SearchKey, SequenceSet } from './ast.js';
import { ImapParseError } from './errors.js';
import { parseCommand } from './parser.js';
import { refused } from './parse.test-support.js';

const opts = { utf8Accept: false };

/** Frames `wire` (whole or byte at a time) and parses each command. */
function frameAndParse(wire: Buffer, byteAtATime: boolean): Command[] {
  const events: FramerEvent[] = [];
  const f = new CommandFramer({ onEvent: (e) => events.push(e) });
  if (byteAtATime) for (let i = 0; i < wire.length; i++) f.push(wire.subarray(i, i + 1));
  else f.push(wire);
  const out: Command[] = [];
  for (const e of events) {
    if (e.type === 'command') out.push(parseCommand(e.bytes, opts).command);
    else if (e.type !== 'continuation-needed') assert.fail(`unexpected framer event ${JSON.stringify(e)}`);
  }
  return out;
}

/** Parses `line` (with CRLF separators for literals) directly, framed whole and framed byte by byte. */
function check(line: string | Buffer, expected: Command, tag?: string): void {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const direct = parseCommand(bytes, opts);
  assert.deepEqual(direct.command, expected);
  if (tag !== undefined) assert.equal(direct.tag, tag);
  const wire = Buffer.concat([bytes, Buffer.from('\r\n')]);
  assert.deepEqual(frameAndParse(wire, false), [expected]);
  assert.deepEqual(frameAndParse(wire, true), [expected]);
}

const bad = (line: string, message?: RegExp, tag: string | null = 'a'): void => refused(line, { message, tag });

const set = (...ranges: Array<[number | '*', (number | '*')?]>): SequenceSet => ({
  kind: 'set',
  ranges: ranges.map(([start, end]) => ({ start, end: end ?? start })),
});
const and = (...keys: SearchKey[]): SearchKey => ({ op: 'AND', keys });
const search = (criteria: SearchKey, extra: Partial<{ charset: string | null; returnOptions: Array<'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE'> | null; uid: boolean }> = {}): Command => ({
  name: 'SEARCH',
  uid: extra.uid ?? false,
  charset: extra.charset ?? null,
  returnOptions: extra.returnOptions ?? null,
  criteria,
});

test('commands without arguments (RFC 9051 §6.1, §6.3.13, §6.4)', () => {
  for (const name of ['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'CHECK', 'CLOSE', 'UNSELECT', 'IDLE', 'NAMESPACE', 'UNAUTHENTICATE', 'EXPUNGE'] as const) {
    check(`a1 ${name}`, { name }, 'a1');
    check(`a1 ${name.toLowerCase()}`, { name });
  }
  bad('a NOOP x', /end of command/);
  bad('a NOOP ', /trailing space/);
});

test('tags', () => {
  check('A001.x-]y NOOP', { name: 'NOOP' }, 'A001.x-]y');
  bad('+a NOOP', /tag/, null);
  bad('* NOOP', /tag/, null);
  bad('a', /Missing command/);
  bad('a  NOOP', /command name/);
  bad('a{ NOOP', /tag/, null);
  bad('', /tag/, null);
  bad('a FOO', /Unknown command FOO/);
});

test('LOGIN with atoms, quoted strings and literals (RFC 9051 §6.2.3)', () => {
  check('a001 LOGIN SMITH SESAME', { name: 'LOGIN', user: 'SMITH', password: 'SESAME' });
  check('a LOGIN "fred \\"x\\" \\\\" {5}\r\np a\ns', { name: 'LOGIN', user: 'fred "x" \\', password: 'p a\ns' });
  check('a LOGIN {4+}\r\nuser "pässword"', { name: 'LOGIN', user: 'user', password: 'pässword' });
  bad('a LOGIN user', /SP after user name/);
  bad('a LOGIN "a\\b" c', /escape/);
  bad('a LOGIN {5}\r\nab', /truncated/);
});

test('AUTHENTICATE with and without SASL-IR', () => {
  check('A001 AUTHENTICATE GSSAPI', { name: 'AUTHENTICATE', mechanism: 'GSSAPI', initialResponse: null });
  check('a authenticate plain AGZyZWQAc2VjcmV0', { name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: 'AGZyZWQAc2VjcmV0' });
  check('a AUTHENTICATE EXTERNAL =', { name: 'AUTHENTICATE', mechanism: 'EXTERNAL', initialResponse: '' });
  check('a AUTHENTICATE PLAIN dGVzdA==', { name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: 'dGVzdA==' });
  bad('a AUTHENTICATE PLAIN dGVzdA=', /base64/);
  bad('a AUTHENTICATE PLAIN ab$c', /base64/);
});

test('ENABLE', () => {
  check('t2 ENABLE CONDSTORE X-GOOD-IDEA', { name: 'ENABLE', capabilities: ['CONDSTORE', 'X-GOOD-IDEA'] });
  check('a enable utf8=accept', { name: 'ENABLE', capabilities: ['UTF8=ACCEPT'] });
  bad('a ENABLE', /SP after ENABLE/);
});

test('SELECT / EXAMINE with CONDSTORE', () => {
  check('A142 SELECT INBOX', { name: 'SELECT', mailbox: 'INBOX', condstore: false });
  check('A142 SELECT inbox', { name: 'SELECT', mailbox: 'INBOX', condstore: false });
  check('A932 EXAMINE blurdybloop', { name: 'EXAMINE', mailbox: 'blurdybloop', condstore: false });
  check('a SELECT "INBOX/foo" (condstore)', { name: 'SELECT', mailbox: 'INBOX/foo', condstore: true });
  check('a SELECT inbox/foo', { name: 'SELECT', mailbox: 'inbox/foo', condstore: false });
  bad('a SELECT INBOX (X-UNKNOWN)', /X-UNKNOWN/); // QRESYNC: qresync-parser.test.ts
  bad('a SELECT INBOX ()', /select parameter/);
});

test('mailbox names: modified UTF-7, UTF-8, INBOX', () => {
  check('a CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-', { name: 'CREATE', mailbox: '~peter/mail/台北/日本語', specialUse: [] });
  check('a DELETE "Entw&APw-rfe"', { name: 'DELETE', mailbox: 'Entwürfe' });
  check('a DELETE "Entwürfe"', { name: 'DELETE', mailbox: 'Entwürfe' });
  bad('a DELETE &Jjo', /modified UTF-7/);
  bad('a DELETE &AGE-', /modified UTF-7/);
  const u = parseCommand(Buffer.from('a DELETE "&U,BTFw-/Entwürfe"'), { utf8Accept: true });
  assert.deepEqual(u.command, { name: 'DELETE', mailbox: '&U,BTFw-/Entwürfe' });
  const atomUtf8 = parseCommand(Buffer.from('a SELECT Entwürfe'), { utf8Accept: true });
  assert.deepEqual(atomUtf8.command, { name: 'SELECT', mailbox: 'Entwürfe', condstore: false });
  assert.throws(() => parseCommand(Buffer.concat([Buffer.from('a DELETE "'), Buffer.from([0xff]), Buffer.from('"')]), opts), /not valid UTF-8/);
});

test('CREATE with USE (RFC 6154 §5.2)', () => {
  check('A003 CREATE owatagusiam/', { name: 'CREATE', mailbox: 'owatagusiam/', specialUse: [] });
  check('t1 CREATE "Important Messages" (USE (\\important))', { name: 'CREATE', mailbox: 'Important Messages', specialUse: ['\\Important'] });
  check('a CREATE MyDrafts (USE (\\Drafts \\Sent))', { name: 'CREATE', mailbox: 'MyDrafts', specialUse: ['\\Drafts', '\\Sent'] });
  bad('a CREATE x (FOO)', /CREATE parameter FOO/);
});

test('DELETE RENAME SUBSCRIBE UNSUBSCRIBE', () => {
  check('A682 DELETE blurdybloop', { name: 'DELETE', mailbox: 'blurdybloop' });
  check('A683 RENAME blurdybloop sarasoop', { name: 'RENAME', from: 'blurdybloop', to: 'sarasoop' });
  check('A684 RENAME "foo/bar" zowie', { name: 'RENAME', from: 'foo/bar', to: 'zowie' });
  check('A002 SUBSCRIBE #news.comp.mail.mime', { name: 'SUBSCRIBE', mailbox: '#news.comp.mail.mime' });
  check('A002 UNSUBSCRIBE #news.comp.mail.mime', { name: 'UNSUBSCRIBE', mailbox: '#news.comp.mail.mime' });
});

const noReturn = { subscribed: false, children: false, specialUse: false, status: null };

test('LIST basic (RFC 9051 §6.3.9)', () => {
  check('A101 LIST "" ""', { name: 'LIST', selection: [], reference: '', patterns: [''], returnOptions: noReturn, extended: false });
  check('A102 LIST #news.comp.mail.misc ""', { name: 'LIST', selection: [], reference: '#news.comp.mail.misc', patterns: [''], returnOptions: noReturn, extended: false });
  check('A202 LIST ~/Mail/ %', { name: 'LIST', selection: [], reference: '~/Mail/', patterns: ['%'], returnOptions: noReturn, extended: false });
  check('A682 LIST "" *', { name: 'LIST', selection: [], reference: '', patterns: ['*'], returnOptions: noReturn, extended: false });
  check('a LIST "" inbox', { name: 'LIST', selection: [], reference: '', patterns: ['inbox'], returnOptions: noReturn, extended: false });
  check('a LIST "" &U,BTFw-/%', { name: 'LIST', selection: [], reference: '', patterns: ['台北/%'], returnOptions: noReturn, extended: false });
});

test('LIST-EXTENDED (RFC 5258, RFC 5819, RFC 6154)', () => {
  check('A02 LIST (SUBSCRIBED) "" "*"', { name: 'LIST', selection: ['SUBSCRIBED'], reference: '', patterns: ['*'], returnOptions: noReturn, extended: true });
  check('A03 LIST () "" (INBOX "%/*" Drafts)', { name: 'LIST', selection: [], reference: '', patterns: ['INBOX', '%/*', 'Drafts'], returnOptions: noReturn, extended: true });
  check('A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)', {
    name: 'LIST', selection: ['SUBSCRIBED', 'RECURSIVEMATCH'], reference: '', patterns: ['%'], returnOptions: { ...noReturn, children: true }, extended: true,
  });
  check('t1 LIST (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)', {
    name: 'LIST', selection: ['SUBSCRIBED'], reference: '', patterns: ['*'], returnOptions: { ...noReturn, specialUse: true }, extended: true,
  });
  check('A05 LIST "" * RETURN (CHILDREN SUBSCRIBED STATUS (MESSAGES UNSEEN HIGHESTMODSEQ) SPECIAL-USE)', {
    name: 'LIST', selection: [], reference: '', patterns: ['*'],
    returnOptions: { subscribed: true, children: true, specialUse: true, status: ['MESSAGES', 'UNSEEN', 'HIGHESTMODSEQ'] }, extended: true,
  });
  check('a LIST "" % RETURN ()', { name: 'LIST', selection: [], reference: '', patterns: ['%'], returnOptions: noReturn, extended: true });
  bad('a LIST (RECURSIVEMATCH) "" %', /RECURSIVEMATCH/);
  bad('a LIST (FOO) "" %', /selection option FOO/);
  bad('a LIST "" % RETURN (FOO)', /return option FOO/);
  bad('a LIST "" % FOO', /RETURN/);
});

test('LSUB, NAMESPACE, STATUS', () => {
  check('A002 LSUB "#news." "comp.mail.*"', { name: 'LSUB', reference: '#news.', pattern: 'comp.mail.*' });
  check('A042 STATUS blurdybloop (UIDNEXT MESSAGES)', { name: 'STATUS', mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES'] });
  check('a status INBOX (messages recent uidnext uidvalidity unseen deleted size highestmodseq)', {
    name: 'STATUS', mailbox: 'INBOX', items: ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ'],
  });
  bad('a STATUS INBOX ()', /status item/);
  bad('a STATUS INBOX (FOO)', /Unknown status item FOO/);
});

const MSG = 'Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n';

test('APPEND forms (RFC 9051 §6.3.12, RFC 3502, RFC 3516)', () => {
  const len = Buffer.byteLength(MSG);
  check(`A003 APPEND saved-messages (\\Seen) {${len}}\r\n${MSG}`, {
    name: 'APPEND', mailbox: 'saved-messages', messages: [{ flags: ['\\Seen'], internalDate: null, content: Buffer.from(MSG), binary: false }],
  });
  check(`a APPEND INBOX "07-Feb-1994 21:52:25 -0800" {${len}+}\r\n${MSG}`, {
    name: 'APPEND', mailbox: 'INBOX', messages: [{ flags: [], internalDate: Date.UTC(1994, 1, 8, 5, 52, 25), content: Buffer.from(MSG), binary: false }],
  });
  check('a APPEND INBOX (\\seen $Forwarded) " 7-Feb-1994 21:52:25 +0100" ~{3}\r\na\0b', {
    name: 'APPEND', mailbox: 'INBOX',
    messages: [{ flags: ['\\Seen', '$Forwarded'], internalDate: Date.UTC(1994, 1, 7, 20, 52, 25), content: Buffer.from('a\0b'), binary: true }],
  });
  check('A003 APPEND saved-messages (\\Seen) {3}\r\nabc (\\Draft) {2+}\r\nde {1}\r\nf', {
    name: 'APPEND', mailbox: 'saved-messages',
    messages: [
      { flags: ['\\Seen'], internalDate: null, content: Buffer.from('abc'), binary: false },
      { flags: ['\\Draft'], internalDate: null, content: Buffer.from('de'), binary: false },
      { flags: [], internalDate: null, content: Buffer.from('f'), binary: false },
    ],
  });
  bad('a APPEND INBOX {3}\r\na\0b', /NUL/);
  bad('a APPEND INBOX "31-Feb-1994 21:52:25 -0800" {1}\r\nx', /date-time/);
  bad('a APPEND INBOX', /SP after mailbox/);
  bad('a APPEND INBOX (\\Seen)', /SP after flag list/);
  bad('a APPEND INBOX "hello"', /date-time/);
});

test('SEARCH (RFC 9051 §6.4.4 examples)', () => {
  check('A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', search(
    and({ op: 'FLAGGED' }, { op: 'SINCE', date: { year: 1994, month: 2, day: 1 } }, { op: 'NOT', key: { op: 'FROM', value: 'Smith' } }),
    { returnOptions: ['MIN', 'COUNT'] },
  ));
  check('A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', search(
    and({ op: 'FLAGGED' }, { op: 'SINCE', date: { year: 1994, month: 2, day: 1 } }, { op: 'NOT', key: { op: 'FROM', value: 'Smith' } }),
    { returnOptions: ['ALL'] },
  ));
  check('A284 SEARCH TEXT "string not in mailbox"', search(and({ op: 'TEXT', value: 'string not in mailbox' })));
  const utf8 = Buffer.from('A285 SEARCH CHARSET UTF-8 TEXT {12}\r\n', 'latin1');
  check(Buffer.concat([utf8, Buffer.from('Дмитрий', 'utf8').subarray(0, 12)]), search(and({ op: 'TEXT', value: 'Дмитрий'.slice(0, 6) }), { charset: 'UTF-8' }));
  check(Buffer.concat([Buffer.from('a SEARCH CHARSET ISO-8859-1 SUBJECT {4}\r\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), search(and({ op: 'SUBJECT', value: 'café' }), { charset: 'ISO-8859-1' }));
  assert.throws(() => parseCommand(Buffer.from('a SEARCH CHARSET X-NOPE ALL'), opts), (e: unknown) => e instanceof ImapParseError && e.responseCode === 'BADCHARSET');
});

test('SEARCH keys of RFC 3501 and RFC 9051', () => {
  check('a SEARCH ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN', search(and(
    ...(['ALL', 'ANSWERED', 'DELETED', 'DRAFT', 'FLAGGED', 'NEW', 'OLD', 'RECENT', 'SEEN', 'UNANSWERED', 'UNDELETED', 'UNDRAFT', 'UNFLAGGED', 'UNSEEN'] as const).map((op) => ({ op }) as SearchKey),
  )));
  check('a SEARCH BCC a CC "b c" BODY d FROM e SUBJECT f TEXT g TO {1}\r\nh', search(and(
    { op: 'BCC', value: 'a' }, { op: 'CC', value: 'b c' }, { op: 'BODY', value: 'd' }, { op: 'FROM', value: 'e' },
    { op: 'SUBJECT', value: 'f' }, { op: 'TEXT', value: 'g' }, { op: 'TO', value: 'h' },
  )));
  check('a SEARCH BEFORE 01-jan-2020 ON "2-Feb-2021" SINCE 10-Mar-2022 SENTBEFORE 1-APR-2000 SENTON 29-Feb-2024 SENTSINCE 31-Dec-1999', search(and(
    { op: 'BEFORE', date: { year: 2020, month: 1, day: 1 } }, { op: 'ON', date: { year: 2021, month: 2, day: 2 } },
    { op: 'SINCE', date: { year: 2022, month: 3, day: 10 } }, { op: 'SENTBEFORE', date: { year: 2000, month: 4, day: 1 } },
    { op: 'SENTON', date: { year: 2024, month: 2, day: 29 } }, { op: 'SENTSINCE', date: { year: 1999, month: 12, day: 31 } },
  )));
  check('a SEARCH HEADER Message-ID "<x@y>" KEYWORD $Junk UNKEYWORD foo LARGER 100 SMALLER 9007199254740991', search(and(
    { op: 'HEADER', field: 'Message-ID', value: '<x@y>' }, { op: 'KEYWORD', flag: '$Junk' }, { op: 'UNKEYWORD', flag: 'foo' },
    { op: 'LARGER', size: 100 }, { op: 'SMALLER', size: 9007199254740991 },
  )));
  check('a UID SEARCH 1:*,5 UID 2:4 $ UID $ (SEEN OR DRAFT (DELETED)) NOT NOT SEEN', search(and(
    { op: 'SEQ', set: set([1, '*'], [5]) }, { op: 'UID', set: set([2, 4]) }, { op: 'SEQ', set: { kind: 'saved' } }, { op: 'UID', set: { kind: 'saved' } },
    and({ op: 'SEEN' }, { op: 'OR', a: { op: 'DRAFT' }, b: and({ op: 'DELETED' }) }),
    { op: 'NOT', key: { op: 'NOT', key: { op: 'SEEN' } } },
  ), { uid: true }));
  check('a SEARCH MODSEQ 620162338 MODSEQ "/flags/\\\\draft" all 620162338 OLDER 3600 YOUNGER 60', search(and(
    { op: 'MODSEQ', modseq: 620162338 }, { op: 'MODSEQ', modseq: 620162338 }, { op: 'OLDER', seconds: 3600 }, { op: 'YOUNGER', seconds: 60 },
  )));
  check('a SEARCH RETURN (SAVE) charset us-ascii OR FROM x TO y', search(
    and({ op: 'OR', a: { op: 'FROM', value: 'x' }, b: { op: 'TO', value: 'y' } }), { returnOptions: ['SAVE'], charset: 'us-ascii' },
  ));
  bad('a SEARCH', /SP after SEARCH/);
  bad('a SEARCH FOO', /Unknown search key FOO/);
  bad('a SEARCH SINCE 32-Jan-2020', /Invalid date/);
  bad('a SEARCH SINCE 29-Feb-2023', /Invalid date/);
  bad('a SEARCH SINCE 1-Foo-2020', /Invalid date/);
  bad('a SEARCH 1:2,', /sequence set/);
  bad('a SEARCH 0', /sequence set/);
  bad('a SEARCH $,1', /sequence set/);
  bad('a SEARCH (SEEN', /"\)"/);
  bad('a SEARCH OR SEEN', /SP after OR key/);
  bad('a SEARCH RETURN (FOO) ALL', /return option FOO/);
  bad('a SEARCH LARGER 99999999999999999', /too large/);
  bad(`a SEARCH ${'NOT '.repeat(100)}SEEN`, /Nesting too deep/);
  bad(`a SEARCH ${'('.repeat(100)}SEEN${')'.repeat(100)}`, /Nesting too deep/);
});

test('UIDAFTER and UIDBEFORE (RFC 9738 §3.2): one nz-number UID each', () => {
  check('a UID SEARCH UIDAFTER 5 (uidbefore 4294967295) NOT UIDAFTER 1', search(and(
    { op: 'UIDAFTER', uid: 5 }, and({ op: 'UIDBEFORE', uid: 4294967295 }), { op: 'NOT', key: { op: 'UIDAFTER', uid: 1 } },
  ), { uid: true }));
  bad('a SEARCH UIDAFTER 1:5', /one UID, not a set/);
  bad('a SEARCH UIDBEFORE 5,6', /one UID, not a set/);
  bad('a SEARCH UIDAFTER 0', /non-zero UID/);
  bad('a SEARCH UIDAFTER *', /Expected UID/);
  bad('a SEARCH UIDBEFORE $', /Expected UID/);
  bad('a SEARCH UIDBEFORE 4294967296', /too large/);
  bad('a SEARCH UIDAFTER', /SP after UIDAFTER/);
});

test('FETCH (RFC 9051 §6.4.5)', () => {
  check('A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])', {
    name: 'FETCH', uid: false, set: set([2, 4]),
    attributes: [{ kind: 'FLAGS' }, { kind: 'BODY[]', peek: false, section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] } }],
  });
  check('a FETCH 1 ALL', { name: 'FETCH', uid: false, set: set([1]), attributes: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }] });
  check('a FETCH 1 fast', { name: 'FETCH', uid: false, set: set([1]), attributes: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }] });
  check('a FETCH 1 FULL', { name: 'FETCH', uid: false, set: set([1]), attributes: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }, { kind: 'BODY' }] });
  check('a FETCH * body.peek[]', { name: 'FETCH', uid: false, set: set(['*']), attributes: [{ kind: 'BODY[]', peek: true, section: { part: [] } }] });
  check('a FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE UID MODSEQ)', {
    name: 'FETCH', uid: false, set: set([1, '*']),
    attributes: (['ENVELOPE', 'FLAGS', 'INTERNALDATE', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODY', 'BODYSTRUCTURE', 'UID', 'MODSEQ'] as const).map((kind) => ({ kind })),
  });
  check('a FETCH 3 (BODY[1.2.MIME] BODY.PEEK[2.HEADER.FIELDS.NOT ("X-A" b)]<0.100> BODY[TEXT]<5.10> BODY[3.1] BODY[HEADER])', {
    name: 'FETCH', uid: false, set: set([3]),
    attributes: [
      { kind: 'BODY[]', peek: false, section: { part: [1, 2], text: 'MIME' } },
      { kind: 'BODY[]', peek: true, section: { part: [2], text: 'HEADER.FIELDS.NOT', fields: ['X-A', 'b'] }, partial: { offset: 0, length: 100 } },
      { kind: 'BODY[]', peek: false, section: { part: [], text: 'TEXT' }, partial: { offset: 5, length: 10 } },
      { kind: 'BODY[]', peek: false, section: { part: [3, 1] } },
      { kind: 'BODY[]', peek: false, section: { part: [], text: 'HEADER' } },
    ],
  });
  check('a FETCH 1 (BINARY[1] BINARY.PEEK[]<0.1024> BINARY.SIZE[2.1])', {
    name: 'FETCH', uid: false, set: set([1]),
    attributes: [{ kind: 'BINARY[]', peek: false, part: [1] }, { kind: 'BINARY[]', peek: true, part: [], partial: { offset: 0, length: 1024 } }, { kind: 'BINARY.SIZE', part: [2, 1] }],
  });
  check('A999 UID FETCH 4827313:4828442 FLAGS', { name: 'FETCH', uid: true, set: set([4827313, 4828442]), attributes: [{ kind: 'FLAGS' }] });
  check('s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)', {
    name: 'FETCH', uid: true, set: set([300, 500]), attributes: [{ kind: 'FLAGS' }], changedSince: 12345, vanished: true,
  });
  check('s100 FETCH $ (FLAGS) (CHANGEDSINCE 12345)', { name: 'FETCH', uid: false, set: { kind: 'saved' }, attributes: [{ kind: 'FLAGS' }], changedSince: 12345 });
  bad('a FETCH 1 (FLAGS) (VANISHED)', /VANISHED/);
  bad('a UID FETCH 1 (FLAGS) (VANISHED)', /CHANGEDSINCE/);
  bad('a FETCH 1 (FLAGS) (FOO)', /fetch modifier FOO/);
  bad('a FETCH 1 BODY[MIME]', /section text/);
  bad('a FETCH 1 BODY[0]', /non-zero/);
  bad('a FETCH 1 BODY.PEEK', /"\["/);
  bad('a FETCH 1 BODY[]<1>', /"\."/);
  bad('a FETCH 1 BODY[]<1.0>', /non-zero/);
  bad('a FETCH 1 (FLAGS', /"\)"/);
  bad('a FETCH 1 FOO', /fetch attribute FOO/);
  bad('a FETCH 1 ()', /fetch attribute/);
  bad('a FETCH 1:2:3 FLAGS', /sequence set/);
  bad('a FETCH 4294967296 FLAGS', /too large/);
});

test('STORE (RFC 9051 §6.4.6, RFC 7162)', () => {
  check('A003 STORE 2:4 +FLAGS (\\Deleted)', { name: 'STORE', uid: false, set: set([2, 4]), action: { op: 'add', silent: false, flags: ['\\Deleted'] } });
  check('a STORE 1 -flags.silent \\seen $Label1', { name: 'STORE', uid: false, set: set([1]), action: { op: 'remove', silent: true, flags: ['\\Seen', '$Label1'] } });
  check('a UID STORE 1,3:* FLAGS ()', { name: 'STORE', uid: true, set: set([1], [3, '*']), action: { op: 'set', silent: false, flags: [] } });
  check('d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)', {
    name: 'STORE', uid: false, set: set([7], [5], [9]), action: { op: 'add', silent: true, flags: ['\\Deleted'] }, unchangedSince: 320162338,
  });
  bad('a STORE 1 FLAG (\\Seen)', /store item FLAG/);
  bad('a STORE 1 +FLAGS', /SP after FLAGS/);
  bad('a STORE 1 (FOO 1) FLAGS ()', /store modifier FOO/);
});

test('COPY MOVE EXPUNGE UID variants', () => {
  check('A004 COPY 2:4 MEETING', { name: 'COPY', uid: false, set: set([2, 4]), mailbox: 'MEETING' });
  check('a UID COPY 1:* inbox', { name: 'COPY', uid: true, set: set([1, '*']), mailbox: 'INBOX' });
  check('a MOVE 2:4 "Archive/2020"', { name: 'MOVE', uid: false, set: set([2, 4]), mailbox: 'Archive/2020' });
  check('a uid move $ Trash', { name: 'MOVE', uid: true, set: { kind: 'saved' }, mailbox: 'Trash' });
  check('A202 EXPUNGE', { name: 'EXPUNGE' });
  check('A003 UID EXPUNGE 3000:3002', { name: 'UID EXPUNGE', set: set([3000, 3002]) });
  bad('a UID FOO 1', /Unknown command UID FOO/);
  bad('a UID EXPUNGE', /SP after UID EXPUNGE/);
});

test('ID (RFC 2971)', () => {
  check('a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")', {
    name: 'ID', params: [['name', 'sodr'], ['version', '19.34'], ['vendor', 'Pink Floyd Music Limited']],
  });
  check('a ID NIL', { name: 'ID', params: null });
  check('a ID ("x" NIL {1}\r\ny "z")', { name: 'ID', params: [['x', null], ['y', 'z']] });
  check('a ID ()', { name: 'ID', params: [] });
  bad('a ID (name "x")', /ID field name/);
  bad(`a ID (${'"a" "b" '.repeat(31).trim()})`, /Too many/);
});

test('pipelined commands through the framer, byte by byte', () => {
  const wire = Buffer.from('a1 LOGIN {4+}\r\nuser {6}\r\nsecret\r\na2 SELECT INBOX\r\na3 UID FETCH 1:* (FLAGS)\n', 'latin1');
  const expected: Command[] = [
    { name: 'LOGIN', user: 'user', password: 'secret' },
    { name: 'SELECT', mailbox: 'INBOX', condstore: false },
    { name: 'FETCH', uid: true, set: set([1, '*']), attributes: [{ kind: 'FLAGS' }] },
  ];
  assert.deepEqual(frameAndParse(wire, false), expected);
  assert.deepEqual(frameAndParse(wire, true), expected);
});

test('UTF8=ACCEPT: LIST patterns and references are raw UTF-8', () => {
  const u = { utf8Accept: true };
  assert.deepEqual(parseCommand(Buffer.from('a LIST "Entwürfe/" Entwürfe/%'), u).command, {
    name: 'LIST', selection: [], reference: 'Entwürfe/', patterns: ['Entwürfe/%'], returnOptions: noReturn, extended: false,
  });
  assert.deepEqual(parseCommand(Buffer.from('a STATUS "&ZeVnLIqe-" (MESSAGES)'), u).command, { name: 'STATUS', mailbox: '&ZeVnLIqe-', items: ['MESSAGES'] });
  assert.deepEqual(parseCommand(Buffer.from('a RENAME "Cafe\u0301" x'), u).command, { name: 'RENAME', from: 'Café', to: 'x' });
});

test('REPLACE and UID REPLACE (RFC 8508 §5: seq-number SP mailbox append-message)', () => {
  check('a REPLACE 4 Drafts (\\Seen \\Draft) {3}\r\nabc', {
    name: 'REPLACE', uid: false, id: 4, mailbox: 'Drafts',
    message: { flags: ['\\Seen', '\\Draft'], internalDate: null, content: Buffer.from('abc'), binary: false },
  });
  check('a uid replace * INBOX "07-Feb-1994 21:52:25 -0800" ~{2+}\r\nx\0', {
    name: 'REPLACE', uid: true, id: '*', mailbox: 'INBOX',
    message: { flags: [], internalDate: Date.UTC(1994, 1, 8, 5, 52, 25), content: Buffer.from('x\0'), binary: true },
  });
  check('a UID REPLACE 3002 Drafts CATENATE (TEXT {2}\r\nhi URL "/Drafts/;UID=3002")', {
    name: 'REPLACE', uid: true, id: 3002, mailbox: 'Drafts',
    message: {
      flags: [], internalDate: null, content: Buffer.alloc(0), binary: false,
      catenate: [{ kind: 'TEXT', data: Buffer.from('hi') }, { kind: 'URL', url: '/Drafts/;UID=3002' }],
    },
  });
  bad('a REPLACE 0 Drafts {1}\r\nx');
  bad('a REPLACE 1:2 Drafts {1}\r\nx');
  bad('a REPLACE 1 Drafts');
  bad('a REPLACE 1 Drafts {1}\r\nx {1}\r\ny');
});

test('URLAUTH commands (RFC 4467 §9, RFC 5524 §5)', () => {
  const p = (s: string) => parseCommand(Buffer.from(s), { utf8Accept: false }).command;
  assert.deepEqual(p('a GENURLAUTH "imap://j@h/a/;UID=1;URLAUTH=anonymous" internal'), {
    name: 'GENURLAUTH',
    pairs: [{ url: 'imap://j@h/a/;UID=1;URLAUTH=anonymous', mechanism: 'INTERNAL' }],
  });
  assert.deepEqual(p('a RESETKEY'), { name: 'RESETKEY', mailbox: null, mechanisms: [] });
  assert.deepEqual(p('a RESETKEY inbox INTERNAL x.y-1'), { name: 'RESETKEY', mailbox: 'INBOX', mechanisms: ['INTERNAL', 'X.Y-1'] });
  assert.deepEqual(p('a URLFETCH "u1" ("u2" binary BODYPARTSTRUCTURE) ("u3")'), {
    name: 'URLFETCH',
    urls: [
      { url: 'u1', extended: false, params: [] },
      { url: 'u2', extended: true, params: ['BINARY', 'BODYPARTSTRUCTURE'] },
      { url: 'u3', extended: false, params: [] },
    ],
  });
  for (const bad of ['a GENURLAUTH', 'a GENURLAUTH "u"', 'a GENURLAUTH "u" in_ternal', 'a RESETKEY ', 'a URLFETCH', 'a URLFETCH ("u" BODY BINARY)',
    'a URLFETCH ("u" BODY BODY)', 'a URLFETCH ("u" X)', 'a URLFETCH ("u"', 'a URLFETCH "u" ']) {
    assert.throws(() => p(bad), ImapParseError, bad);
  }
});
