import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactCommand, redactSaslLine } from './redact.js';

test('LOGIN keeps the user and hides the password', () => {
  assert.equal(redactCommand('a1 LOGIN alice s3cret'), 'a1 LOGIN alice ***');
  assert.equal(redactCommand('a1 login "alice b" "pa ss\\"word"\r\n'), 'a1 login "alice b" ***');
  assert.equal(redactCommand('a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n'), 'a1 LOGIN {5}\r\nalice ***');
  assert.equal(redactCommand('a1 LOGIN alice'), 'a1 LOGIN alice');
  assert.equal(redactCommand('a1 LOGIN "unterminated secret'), 'a1 LOGIN ***');
});

test('AUTHENTICATE hides the initial response', () => {
  assert.equal(redactCommand('a2 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZg=='), 'a2 AUTHENTICATE PLAIN ***');
  assert.equal(redactCommand('a2 AUTHENTICATE PLAIN'), 'a2 AUTHENTICATE PLAIN');
  assert.equal(redactCommand('AUTHENTICATE "PLAIN" "AHRpbQB0YW5zdGFhZg=="'), 'AUTHENTICATE "PLAIN" ***');
  assert.equal(redactSaslLine('AHRpbQB0YW5zdGFhZg=='), '***');
  assert.equal(redactSaslLine('*\r\n'), '*');
});

test('other commands pass through', () => {
  for (const l of ['a3 SELECT INBOX', 'a4 FETCH 1 (BODY[])', 'a5 SEARCH SUBJECT LOGIN']) assert.equal(redactCommand(l), l);
});
