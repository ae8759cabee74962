/**
 * Parser tests of NOTIFY (RFC 5465 §8), with the RFC's own examples (§3.1, §6) and the BAD
 * cases of §5 and §6.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, refused } from './parse.test-support.js';

const bad = (line: string, message?: RegExp): void => refused(line, { message, tag: 'a' });

test('NOTIFY NONE and the §3.1 example with STATUS, fetch attributes and SUBTREE', () => {
  assert.deepEqual(parse('a NOTIFY NONE'), { name: 'NOTIFY', set: null });
  assert.deepEqual(parse('a notify none'), { name: 'NOTIFY', set: null });
  const c = parse('a notify set status (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew MessageExpunge))');
  assert.equal(c.name, 'NOTIFY');
  assert.ok(c.name === 'NOTIFY' && c.set);
  assert.equal(c.set.status, true);
  assert.equal(c.set.groups.length, 2);
  const [sel, sub] = c.set.groups;
  assert.deepEqual(sel!.filter, { kind: 'SELECTED' });
  assert.deepEqual(sel!.events, ['MessageNew', 'MessageExpunge']);
  assert.equal(sel!.fetch.length, 2);
  assert.equal(sel!.fetch[0]!.kind, 'UID');
  assert.equal(sel!.fetch[1]!.kind, 'BODY[]');
  assert.deepEqual(sub, { filter: { kind: 'SUBTREE', names: ['Lists'] }, events: ['MessageNew', 'MessageExpunge'], unknown: [], fetch: [] });
});

test('§6 examples: several groups, case-insensitive names, lists of mailboxes, NONE', () => {
  const c = parse('a notify set (mailboxes INBOX (Messagenew messageExpunge)) (personal (SubscriptionChange))');
  assert.ok(c.name === 'NOTIFY' && c.set);
  assert.equal(c.set.status, false);
  assert.deepEqual(c.set.groups.map((g) => [g.filter, g.events]), [
    [{ kind: 'MAILBOXES', names: ['INBOX'] }, ['MessageNew', 'MessageExpunge']],
    [{ kind: 'PERSONAL' }, ['SubscriptionChange']],
  ]);
  const d = parse('a NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange)) (mailboxes (inbox "a b" &AOk-t&AOk-) NONE) (inboxes (MailboxName)) (subscribed (MailboxMetadataChange ServerMetadataChange))');
  assert.ok(d.name === 'NOTIFY' && d.set);
  assert.deepEqual(d.set.groups[0]!.filter, { kind: 'SELECTED-DELAYED' });
  assert.deepEqual(d.set.groups[1], { filter: { kind: 'MAILBOXES', names: ['INBOX', 'a b', 'été'] }, events: [], unknown: [], fetch: [] });
  assert.deepEqual(d.set.groups[2]!.filter, { kind: 'INBOXES' });
  assert.deepEqual(d.set.groups[3]!.events, ['MailboxMetadataChange', 'ServerMetadataChange']);
  // MAILBOXES names are not wildcard-expanded (§6.6): kept as names
  const e = parse('a NOTIFY SET (mailboxes "*" (MailboxName))');
  assert.ok(e.name === 'NOTIFY' && e.set);
  assert.deepEqual(e.set.groups[0]!.filter, { kind: 'MAILBOXES', names: ['*'] });
});

test('unknown events are kept for NO [BADEVENT], not refused as syntax errors', () => {
  const c = parse('a NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange XFoo))');
  assert.ok(c.name === 'NOTIFY' && c.set);
  assert.deepEqual(c.set.groups[0]!.events, ['MessageNew', 'MessageExpunge', 'AnnotationChange']);
  assert.deepEqual(c.set.groups[0]!.unknown, ['XFoo']);
});

test('BAD: invalid combinations (§5, §6.1) and syntax', () => {
  bad('a NOTIFY SET (personal (MessageNew))', /together/);
  bad('a NOTIFY SET (personal (MessageExpunge))', /together/);
  bad('a NOTIFY SET (personal (FlagChange))', /need MessageNew/);
  bad('a NOTIFY SET (personal (AnnotationChange MessageNew))', /together/);
  bad('a NOTIFY SET (selected (MailboxName))', /Only message events/);
  bad('a NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))', /Only one/);
  bad('a NOTIFY SET (personal (MessageNew (uid) MessageExpunge))', /fetch attributes/);
  bad('a NOTIFY SET (selected (MessageNew (nosuchatt) MessageExpunge))', /fetch attribute/);
  bad('a NOTIFY SET (personal (MailboxName MailboxName))', /twice/);
  bad('a NOTIFY SET (everything (MailboxName))', /filter/);
  bad('a NOTIFY SET (subtree (MailboxName))');
  bad('a NOTIFY SET (personal ())');
  bad('a NOTIFY SET (personal MailboxName)');
  bad('a NOTIFY SET');
  bad('a NOTIFY SET STATUS');
  bad('a NOTIFY');
  bad('a NOTIFY NONE (personal (MailboxName))');
  bad('a NOTIFY SET (personal (MailboxName))  (subscribed (MailboxName))');
  bad('a NOTIFY SET (personal (MailboxName)');
});

test('RFC 5465 §7: RETURN (UPDATE (fetch-att ...)) for SEARCH and SORT', () => {
  const c = parse('a SEARCH RETURN (COUNT UPDATE (UID BODY[HEADER.FIELDS (TO FROM SUBJECT)])) FROM "boss"');
  assert.ok(c.name === 'SEARCH');
  assert.deepEqual(c.returnOptions, ['COUNT', 'UPDATE']);
  assert.deepEqual(c.updateFetch?.map((a) => a.kind), ['UID', 'BODY[]']);
  const plain = parse('a SEARCH RETURN (UPDATE) ALL');
  assert.ok(plain.name === 'SEARCH' && plain.updateFetch === undefined);
  const s = parse('a UID SORT RETURN (UPDATE (FLAGS) COUNT) (DATE) UTF-8 ALL');
  assert.ok(s.name === 'SORT');
  assert.deepEqual(s.returnOptions, ['UPDATE', 'COUNT']);
  assert.deepEqual(s.updateFetch, [{ kind: 'FLAGS' }]);
  bad('a SEARCH RETURN (UPDATE ()) ALL');
  bad('a SEARCH RETURN (UPDATE (NOSUCH)) ALL', /fetch attribute/);
  bad('a SEARCH RETURN (COUNT (UID)) ALL');
});
