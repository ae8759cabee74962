import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCommand, parseStringLine, commandNameOf } from './parser.js';
import { ManageSieveParseError } from './errors.js';
import { encodeString, completion, capabilityResponse, dataLine } from './response.js';
import { scriptNameProblem } from './script-name.js';

const p = (s: string | Buffer) => parseCommand(Buffer.from(s));

test('RFC 5804 examples parse (case-insensitive names, quoted and literal strings)', () => {
  assert.deepEqual(p('Authenticate "PLAIN" "QJIrweAPyo6Q1T9xu"'), { name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: 'QJIrweAPyo6Q1T9xu' });
  assert.deepEqual(p('AUTHENTICATE "GSSAPI" {4+}\r\nYIIE'), { name: 'AUTHENTICATE', mechanism: 'GSSAPI', initialResponse: 'YIIE' });
  assert.deepEqual(p('StartTls'), { name: 'STARTTLS' });
  assert.deepEqual(p('HAVESPACE "myscript" 999999'), { name: 'HAVESPACE', scriptName: 'myscript', size: 999999 });
  const put = p('Putscript "foo" {31+}\r\n#comment\r\nInvalidSieveCommand\r\n');
  assert.equal(put.name, 'PUTSCRIPT');
  assert.equal((put as { script: Buffer }).script.toString(), '#comment\r\nInvalidSieveCommand\r\n');
  assert.deepEqual(p('Setactive ""'), { name: 'SETACTIVE', scriptName: '' });
  assert.deepEqual(p('Renamescript "foo" "bar"'), { name: 'RENAMESCRIPT', oldName: 'foo', newName: 'bar' });
  assert.deepEqual(p('NOOP "STARTTLS-SYNC-42"'), { name: 'NOOP', tag: 'STARTTLS-SYNC-42' });
  assert.deepEqual(p('noop'), { name: 'NOOP', tag: null });
  assert.deepEqual(p('GETSCRIPT "a\\"b\\\\c"'), { name: 'GETSCRIPT', scriptName: 'a"b\\c' });
  // A literal line may end with a bare LF; "{n}" is accepted like "{n+}".
  assert.equal((p('CHECKSCRIPT {4}\nkeep') as { script: Buffer }).script.toString(), 'keep');
});

test('malformed commands are ManageSieveParseError, never anything else', () => {
  const bad = [
    '', ' NOOP', 'NOOP  "x"', 'NOOP "x', 'NOOP x', 'FOO', 'LISTSCRIPTS "x"', 'PUTSCRIPT "x"', 'HAVESPACE "x" "1"',
    'HAVESPACE "x" 01', 'HAVESPACE "x" 4294967296', 'GETSCRIPT {5+}\r\nab', 'GETSCRIPT {x+}\r\n', 'GETSCRIPT "a\\b"',
    'GETSCRIPT "a\rb"', 'NOOP "a" "b"', 'GETSCRIPT "\u0000"', 'RENAMESCRIPT "a" "b" "c" "d" "e"', 'GETSCRIPT {3+}x\r\nabc',
    `NOOP "${'a'.repeat(1025)}"`,
  ];
  for (const s of bad) assert.throws(() => p(s), ManageSieveParseError, JSON.stringify(s));
  assert.throws(() => p(Buffer.from([0x47, 0x45, 0x54, 0x53, 0x43, 0x52, 0x49, 0x50, 0x54, 0x20, 0x22, 0xff, 0x22])), ManageSieveParseError);
});

test('random bytes never escape as anything but a parse error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        p(Buffer.from(bytes));
      } catch (e) {
        assert.ok(e instanceof ManageSieveParseError, String(e));
      }
    }),
  );
});

test('encodeString round-trips through the parser, quoted or literal', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
      const b = Buffer.from(bytes);
      const cmd = parseCommand(Buffer.concat([Buffer.from('CHECKSCRIPT '), encodeString(b)]));
      assert.deepEqual((cmd as { script: Buffer }).script, b);
    }),
  );
  assert.equal(encodeString('a"b').toString(), '"a\\"b"');
  assert.equal(encodeString('two\r\nlines').toString(), '{10}\r\ntwo\r\nlines');
  assert.equal(encodeString('x'.repeat(1025)).toString().slice(0, 8), '{1025}\r\n');
});

test('completions, capability lines and data lines (RFC 5804 §1.3, §1.7, §2.7, §2.13)', () => {
  assert.equal(completion('OK').toString(), 'OK\r\n');
  assert.equal(completion('NO', 'QUOTA/MAXSIZE', 'Quota exceeded').toString(), 'NO (QUOTA/MAXSIZE) "Quota exceeded"\r\n');
  assert.equal(completion('OK', { name: 'TAG', value: 'STARTTLS-SYNC-42' }, 'Done').toString(), 'OK (TAG "STARTTLS-SYNC-42") "Done"\r\n');
  assert.equal(completion('NO', null, 'line 1\r\nline 2').toString(), 'NO {14}\r\nline 1\r\nline 2\r\n');
  assert.equal(capabilityResponse([['SIEVE', 'fileinto'], ['STARTTLS', null]]).toString(), '"SIEVE" "fileinto"\r\n"STARTTLS"\r\n');
  assert.equal(dataLine('main', { atom: 'ACTIVE' }).toString(), '"main" ACTIVE\r\n');
  assert.equal(dataLine('clever"script').toString(), '"clever\\"script"\r\n');
});

test('AUTHENTICATE continuation lines are one string', () => {
  assert.equal(parseStringLine(Buffer.from('"*"')), '*');
  assert.equal(parseStringLine(Buffer.from('{4+}\r\nabcd')), 'abcd');
  assert.equal(parseStringLine(Buffer.from('""')), '');
  assert.throws(() => parseStringLine(Buffer.from('"a" "b"')), ManageSieveParseError);
  assert.throws(() => parseStringLine(Buffer.from('abc')), ManageSieveParseError);
});

test('command names for the literal policy', () => {
  assert.equal(commandNameOf(Buffer.from('putScript "x" {5+}\r\n')), 'PUTSCRIPT');
  assert.equal(commandNameOf(Buffer.from('{5+}\r\n')), null);
});

test('script names (RFC 5804 §1.6)', () => {
  assert.equal(scriptNameProblem('vacation'), null);
  assert.equal(scriptNameProblem('été à Paris'), null);
  assert.equal(scriptNameProblem('x'.repeat(255)), null);
  assert.match(scriptNameProblem('') ?? '', /empty/);
  assert.match(scriptNameProblem('x'.repeat(256)) ?? '', /longer/);
  for (const bad of ['a\tb', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b']) assert.match(scriptNameProblem(bad) ?? '', /control/);
  assert.match(scriptNameProblem('e\u0301') ?? '', /normalization/);
});
