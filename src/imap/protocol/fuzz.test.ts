import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandFramer, type FramerEvent } from '../../wire/framer.js';
import { ImapParseError } from './errors.js';
import { parseCommand } from './parser.js';
import { ResponseBuilder } from './response.js';
import { encodeSequenceSet } from './sequence-set.js';

const VALID = [
  'a1 LOGIN {4+}\r\nuser "pass"',
  'a2 SELECT INBOX (CONDSTORE)',
  'a3 UID FETCH 1:*,7 (FLAGS BODY.PEEK[1.HEADER.FIELDS (FROM TO)]<0.10> BINARY[2]) (CHANGEDSINCE 5 VANISHED)',
  'a4 SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM x SINCE 1-Feb-1994) NOT HEADER Subject {3}\r\nabc',
  'a5 STORE 1:3 (UNCHANGEDSINCE 9) +FLAGS.SILENT (\\Seen $x)',
  'a6 APPEND INBOX (\\Seen) "07-Feb-1994 21:52:25 -0800" {5}\r\nhello ~{2}\r\nhi',
  'a7 LIST (SUBSCRIBED) "" ("*" %) RETURN (CHILDREN STATUS (MESSAGES SIZE))',
  'a8 ID ("name" "x" "v" NIL)',
  'a9 CREATE "a&U,BTFw-" (USE (\\Drafts))',
  'b1 AUTHENTICATE PLAIN =',
  'b2 UID EXPUNGE 1:5',
  'b3 STATUS INBOX (UIDNEXT)',
  'b4 ESEARCH IN (mailboxes ("a" INBOX) subtree-one x personal) RETURN (COUNT) EMAILID M1 THREADID T-2_x',
  'b5 STATUS INBOX (MAILBOXID UIDNEXT)',
  'b6 UID FETCH 1:* (EMAILID THREADID)',
  'b6a UID SEARCH UIDAFTER 5 NOT UIDBEFORE 9 OR (UIDAFTER 1) UIDBEFORE 2',
  'b7 NOTIFY SET STATUS (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (FROM)]) MessageExpunge FlagChange)) (subtree ("a b" INBOX) (MailboxName SubscriptionChange))',
  'b8 NOTIFY SET (mailboxes x (MessageNew MessageExpunge)) (personal NONE) (subscribed (ServerMetadataChange XFoo))',
  'b9 GETMETADATA (MAXSIZE 1024 DEPTH infinity) "" (/shared/comment /private)',
  'b10 SETMETADATA INBOX (/private/comment {3}\r\nabc /shared/x ~{2}\r\nhi /shared/y NIL)',
  'b11 LIST "" % RETURN (METADATA (/shared/comment))',
];

/** Feeds bytes in the given chunk sizes; parses every framed command; returns what was thrown. */
function frameAndParseAll(bytes: Uint8Array, cuts: number[], utf8Accept: boolean): void {
  const commands: Buffer[] = [];
  const f = new CommandFramer({
    onEvent: (e: FramerEvent) => {
      if (e.type === 'command') commands.push(e.bytes);
    },
    limits: { maxLineLength: 512, maxCommandBytes: 2048, maxLiteralSize: 256, maxCommandTotalBytes: 4096, maxSkippableLiteral: 1 << 20 },
  });
  const buf = Buffer.from(bytes);
  let pos = 0;
  for (const cut of cuts) {
    if (pos >= buf.length) break;
    f.push(buf.subarray(pos, pos + cut));
    pos += cut;
  }
  if (pos < buf.length) f.push(buf.subarray(pos));
  for (const c of commands) {
    try {
      parseCommand(c, { utf8Accept });
    } catch (err) {
      if (!(err instanceof ImapParseError)) throw err;
    }
  }
}

test('random bytes never throw anything but ImapParseError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 20 })), fc.boolean(), (bytes, cuts, utf8) => {
      frameAndParseAll(bytes, cuts, utf8);
    }),
    { numRuns: 500 },
  );
});

test('parser alone on random bytes never throws anything but ImapParseError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, utf8) => {
      try {
        parseCommand(Buffer.from(bytes), { utf8Accept: utf8 });
      } catch (err) {
        assert.ok(err instanceof ImapParseError, String(err));
      }
    }),
    { numRuns: 1000 },
  );
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.constantFrom(0x20, 0x28, 0x29, 0x7b, 0x7d, 0x22, 0x5c, 0x2a, 0x0d, 0x0a, 0x2b, 0x7e, 0x30, 0x39, 0x24) }),
);

test('mutated valid commands never throw anything but ImapParseError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 })), (cmd, muts, cuts) => {
      const bytes = [...Buffer.from(`${cmd}\r\n`, 'utf8')];
      for (const m of muts) {
        const at = m.at % (bytes.length + 1);
        if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
        else if (m.kind === 'delete') bytes.splice(at, 1);
        else bytes[Math.min(at, bytes.length - 1)] = m.byte;
      }
      frameAndParseAll(Uint8Array.from(bytes), cuts, false);
      try {
        parseCommand(Buffer.from(bytes), { utf8Accept: false });
      } catch (err) {
        assert.ok(err instanceof ImapParseError, String(err));
      }
    }),
    { numRuns: 2000 },
  );
});

test('valid commands parse', () => {
  for (const v of VALID) parseCommand(Buffer.from(v, 'utf8'), { utf8Accept: false });
});

test('sequence sets: encode -> parse round trip', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 100000 }), { minLength: 1, maxLength: 200 }), (nums) => {
      const text = encodeSequenceSet(nums);
      const parsed = parseCommand(Buffer.from(`a UID FETCH ${text} FLAGS`), { utf8Accept: false }).command;
      assert.equal(parsed.name, 'FETCH');
      if (parsed.name !== 'FETCH' || parsed.set.kind !== 'set') return;
      const out: number[] = [];
      for (const r of parsed.set.ranges) {
        assert.ok(typeof r.start === 'number' && typeof r.end === 'number');
        for (let n = r.start; n <= r.end; n++) out.push(n);
      }
      assert.deepEqual(out, [...nums].sort((a, b) => a - b));
    }),
  );
});

const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

test('strings: builder -> parser round trip', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.boolean(), (s, utf8) => {
      fc.pre(!s.includes('\0') && wellFormed(s));
      const b = new ResponseBuilder({ utf8Accept: utf8 }).raw('a LOGIN ').string(s).raw(' ').string(s);
      const parsed = parseCommand(b.toBuffer(), { utf8Accept: utf8 }).command;
      assert.deepEqual(parsed, { name: 'LOGIN', user: s, password: s });
    }),
  );
});

test('mailbox names: builder -> parser round trip', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.boolean(), (name, utf8) => {
      fc.pre(wellFormed(name) && name.normalize('NFC') === name && name.toUpperCase() !== 'INBOX' && !(utf8 && name.includes('\0')));
      const b = new ResponseBuilder().raw('a SELECT ').mailbox(name, utf8);
      const parsed = parseCommand(b.toBuffer(), { utf8Accept: utf8 }).command;
      assert.deepEqual(parsed, { name: 'SELECT', mailbox: name, condstore: false });
    }),
  );
});
