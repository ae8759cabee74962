/**
 * Parser tests of GETMETADATA / SETMETADATA (RFC 5464 §5, with the §4 examples) and LIST RETURN
 * (METADATA ...) (RFC 9590).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from './ast.js';
import { MAX_METADATA_ENTRIES } from '../../wire/limits.js';
import { parse, refused } from './parse.test-support.js';
import { ImapParseError } from './errors.js';

const bad = (line: string): void => refused(line, { tag: 'a' });

test('GETMETADATA: one entry, a list, server "" (§4.2 examples)', () => {
  assert.deepEqual(parse('a GETMETADATA "" /shared/comment'), { name: 'GETMETADATA', mailbox: '', entries: ['/shared/comment'], maxSize: null, depth: '0' });
  assert.deepEqual(parse('a GETMETADATA "INBOX" (/shared/comment /private/comment)'), {
    name: 'GETMETADATA', mailbox: 'INBOX', entries: ['/shared/comment', '/private/comment'], maxSize: null, depth: '0',
  });
  assert.deepEqual(parse('a getmetadata inbox "/private/comment"'), { name: 'GETMETADATA', mailbox: 'INBOX', entries: ['/private/comment'], maxSize: null, depth: '0' });
});

test('GETMETADATA options before the mailbox (§5 ABNF) and after it (§4.2.1, §4.2.2 examples)', () => {
  const want = { name: 'GETMETADATA', mailbox: 'INBOX', entries: ['/shared/comment', '/private/comment'], maxSize: 1024, depth: '1' };
  assert.deepEqual(parse('a GETMETADATA (MAXSIZE 1024 DEPTH 1) INBOX (/shared/comment /private/comment)'), want);
  assert.deepEqual(parse('a GETMETADATA "INBOX" (maxsize 1024 depth 1) (/shared/comment /private/comment)'), want);
  assert.equal((parse('a GETMETADATA INBOX (DEPTH infinity) /private') as { depth: string }).depth, 'infinity');
  assert.equal((parse('a GETMETADATA INBOX (DEPTH INFINITY) /private') as { depth: string }).depth, 'infinity');
});

test('GETMETADATA refusals: unknown or repeated options, bad DEPTH, missing entries, options twice', () => {
  bad('a GETMETADATA INBOX');
  bad('a GETMETADATA INBOX ()');
  bad('a GETMETADATA (DEPTH 2) INBOX /private');
  bad('a GETMETADATA (MAXSIZE) INBOX /private');
  bad('a GETMETADATA (MAXSIZE -1) INBOX /private');
  bad('a GETMETADATA (FOO 1) INBOX /private');
  bad('a GETMETADATA (DEPTH 0 DEPTH 1) INBOX /private');
  bad('a GETMETADATA (DEPTH 0) INBOX (MAXSIZE 5) /private');
  bad('a GETMETADATA INBOX /private extra');
  bad(`a GETMETADATA INBOX (${Array.from({ length: MAX_METADATA_ENTRIES + 1 }, (_, i) => `/private/e${i}`).join(' ')})`);
});

test('SETMETADATA: values as quoted, literal, NIL, literal8 with binary data (§4.3 examples)', () => {
  assert.deepEqual(parse('a SETMETADATA INBOX (/private/comment "My new comment" /shared/comment NIL)'), {
    name: 'SETMETADATA', mailbox: 'INBOX', values: [
      { entry: '/private/comment', value: Buffer.from('My new comment') },
      { entry: '/shared/comment', value: null },
    ],
  });
  const lit = parse('a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)') as Extract<Command, { name: 'SETMETADATA' }>;
  assert.equal(lit.values[0]!.value!.toString(), 'My new comment across\r\ntwo lines.');
  const bin = Buffer.concat([Buffer.from('a SETMETADATA "" (/private/vendor/x/y ~{3}\r\n'), Buffer.from([0, 0xff, 1]), Buffer.from(')')]);
  const parsed = parse(bin) as Extract<Command, { name: 'SETMETADATA' }>;
  assert.deepEqual([...parsed.values[0]!.value!], [0, 0xff, 1]);
  assert.equal(parsed.mailbox, '');
});

test('SETMETADATA refusals: no list, odd list, empty list, NUL in a plain literal', () => {
  bad('a SETMETADATA INBOX /private/comment "x"');
  bad('a SETMETADATA INBOX (/private/comment)');
  bad('a SETMETADATA INBOX ()');
  bad('a SETMETADATA INBOX (/private/comment "x" /shared/comment)');
  assert.throws(() => parse(Buffer.concat([Buffer.from('a SETMETADATA INBOX (/p/x {1}\r\n'), Buffer.from([0]), Buffer.from(')')])), ImapParseError);
});

test('LIST RETURN (METADATA (entries)) (RFC 9590), alone and with other return options', () => {
  const l = parse('a LIST "" "*" RETURN (METADATA (/shared/comment /private/comment))') as Extract<Command, { name: 'LIST' }>;
  assert.deepEqual(l.returnOptions.metadata, ['/shared/comment', '/private/comment']);
  assert.equal(l.extended, true);
  const m = parse('a LIST "" % RETURN (SPECIAL-USE METADATA ("/shared/comment") CHILDREN)') as Extract<Command, { name: 'LIST' }>;
  assert.deepEqual(m.returnOptions.metadata, ['/shared/comment']);
  assert.equal(m.returnOptions.specialUse, true);
  bad('a LIST "" * RETURN (METADATA)');
  bad('a LIST "" * RETURN (METADATA ())');
  bad('a LIST "" * RETURN (METADATA /shared/comment)');
});
