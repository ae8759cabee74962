import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapParseError } from './errors.js';
import { parseCommand } from './parser.js';

const parse = (line: string) => parseCommand(Buffer.from(line), { utf8Accept: false }).command;

test('RFC 7377 §3 examples parse into sources, return options and criteria', () => {
  assert.deepEqual(parse('tag1 ESEARCH IN (mailboxes "folder1" subtree "folder2") unseen'), {
    name: 'ESEARCH',
    sources: [
      { kind: 'mailboxes', names: ['folder1'] },
      { kind: 'subtree', names: ['folder2'] },
    ],
    charset: null,
    returnOptions: null,
    criteria: { op: 'AND', keys: [{ op: 'UNSEEN' }] },
  });
  const c = parse('tag2 ESEARCH IN (MAILBOXES ("a" inbox) SUBTREE-ONE "folder2" personal Inboxes subscribed selected) RETURN (COUNT) subject "chad"');
  assert.equal(c.name, 'ESEARCH');
  if (c.name !== 'ESEARCH') return;
  assert.deepEqual(c.sources, [
    { kind: 'mailboxes', names: ['a', 'INBOX'] },
    { kind: 'subtree-one', names: ['folder2'] },
    { kind: 'personal' },
    { kind: 'inboxes' },
    { kind: 'subscribed' },
    { kind: 'selected' },
  ]);
  assert.deepEqual(c.returnOptions, ['COUNT']);
});

test('without IN the selected mailbox is meant; a search key cannot be mistaken for IN', () => {
  const c = parse('t ESEARCH RETURN (MIN) ALL');
  assert.ok(c.name === 'ESEARCH' && c.sources === null && c.returnOptions?.[0] === 'MIN');
  const d = parse('t ESEARCH 1:5');
  assert.ok(d.name === 'ESEARCH' && d.sources === null);
});

test('bad source options are BAD', () => {
  for (const line of [
    't ESEARCH IN (selected-delayed) ALL',
    't ESEARCH IN () ALL',
    't ESEARCH IN (personal (depth 1)) ALL',
    't ESEARCH IN (mailboxes) ALL',
    't ESEARCH IN (everything) ALL',
    't ESEARCH IN (personal)',
    't ESEARCH IN personal ALL',
    `t ESEARCH IN (mailboxes (${Array.from({ length: 1001 }, (_, i) => `m${i}`).join(' ')})) ALL`,
  ]) {
    assert.throws(() => parse(line), ImapParseError, line.slice(0, 60));
  }
});
