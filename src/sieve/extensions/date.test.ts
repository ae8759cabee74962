import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, message, run, summary } from '../test-support.js';
import { datePart, parseDateTime, dateOfField } from './date.js';

const MSG = message(
  [
    'Received: from a.example by mx.example.org; Sat, 3 Feb 2007 23:30:15 -0500',
    'Received: from b.example by a.example; Mon, 26 Feb 2007 09:00:00 -0500 (EST)',
    'From: boss@example.com',
    'To: x@example.org, y@example.org',
    'To: z@example.org',
    'X-Note: one',
    'X-Note: two',
    'X-Note: three',
    'Date: Tue, 1 Jul 2003 10:52:37 +0200',
    'X-Bad-Date: Thu, 29 Feb 2007 10:00:00 +0000',
  ].join('\n'),
);
const IN = { message: MSG };

async function files(src: string, over = {}): Promise<string[]> {
  return summary(await run(`require ["date", "relational", "fileinto", "index", "variables"]; ${src}`, { ...IN, ...over }));
}

test('date (RFC 5260 §4.4): the examples: working hours in the original zone; weekend Received', async () => {
  assert.deepEqual(
    await files('if allof(header :is "from" "boss@example.com", date :value "ge" :originalzone "date" "hour" "09", date :value "lt" :originalzone "date" "hour" "17") { fileinto "urgent"; }'),
    ['fileinto urgent'],
  );
  // In UTC (the host zone here) 10:52 +0200 is 08:52: outside the window.
  assert.deepEqual(await files('if date :value "ge" "date" "hour" "09" { fileinto "late"; }'), ['implicit-keep']);
  // The first Received is Saturday in its zone but Sunday in UTC (04:30 on the 4th).
  assert.deepEqual(await files('if anyof(date :is "received" "weekday" "0", date :is "received" "weekday" "6") { fileinto "weekend"; }'), ['fileinto weekend']);
  assert.deepEqual(await files('if date :originalzone "received" "weekday" "6" { fileinto "sat"; }'), ['fileinto sat']);
  assert.deepEqual(await files('if date :zone "+0000" "received" "weekday" "0" { fileinto "sun"; }'), ['fileinto sun']);
});

test('date §4.2: every date-part', () => {
  const t = parseDateTime('Tue, 1 Jul 2003 10:52:37 +0200')!;
  const at = (part: string, off = 120) => datePart(t, off, part);
  assert.deepEqual(
    ['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'iso8601', 'std11', 'zone', 'weekday'].map((p) => at(p)),
    ['2003', '07', '01', '2003-07-01', '52821', '10', '52', '37', '10:52:37', '2003-07-01T10:52:37+02:00', 'Tue, 01 Jul 2003 10:52:37 +0200', '+0200', '2'],
  );
  assert.equal(at('iso8601', 0), '2003-07-01T08:52:37Z');
  assert.equal(at('zone', 0), '+0000');
  assert.equal(at('iso8601', -330), '2003-07-01T03:22:37-05:30');
  // Modified Julian Day (§4.2): 1858-11-17 is day 0.
  assert.equal(datePart(parseDateTime('17 Nov 1858 00:00:00 +0000')!, 0, 'julian'), '0');
  assert.equal(datePart(parseDateTime('16 Nov 1858 23:59:59 +0000')!, 0, 'julian'), '-1');
  // A leap second survives a zone shift.
  const leap = parseDateTime('31 Dec 2016 23:59:60 +0000')!;
  assert.equal(datePart(leap, 60, 'time'), '00:59:60');
});

test('date §4: invalid dates and calendars make the test false; :count is 0 or 1', async () => {
  assert.equal(parseDateTime('Thu, 29 Feb 2007 10:00:00 +0000'), null);
  assert.equal(parseDateTime('32 Jan 2007 10:00:00 +0000'), null);
  assert.equal(parseDateTime('1 Jan 2007 24:00:00 +0000'), null);
  assert.equal(parseDateTime('Xyz, 1 Jan 2007 10:00:00 +0000'), null);
  assert.ok(parseDateTime('Thu, 29 Feb 2024 10:00 EST') !== null);
  assert.equal(parseDateTime('1 Jan 99 10:00:00 GMT')!.ms, Date.UTC(1999, 0, 1, 10));
  assert.equal(dateOfField('from x by y; Sat, 3 Feb 2007 23:30:15 -0500')!.offset, -300);
  assert.deepEqual(await files('if date :matches "x-bad-date" "date" "*" { fileinto "a"; } if date :count "eq" "x-bad-date" "date" "0" { fileinto "b"; }'), ['fileinto b']);
  assert.deepEqual(await files('if date :count "eq" "date" "year" "1" { fileinto "c"; } if date :matches "x-none" "year" "*" { fileinto "d"; }'), ['fileinto c']);
});

test('currentdate (§5): input.now in the host zone or :zone; examples', async () => {
  const now = new Date('2007-07-01T23:30:00Z');
  assert.deepEqual(await files('if allof(currentdate :value "ge" "date" "2007-06-30", currentdate :value "le" "date" "2007-07-07") { fileinto "away"; }', { now }), ['fileinto away']);
  assert.deepEqual(
    await files('if currentdate :matches "month" "*" { set "month" "${1}"; } if currentdate :matches "year" "*" { set "year" "${1}"; } fileinto "${month}-${year}";', { now }),
    ['fileinto 07-2007'],
  );
  assert.deepEqual(await files('if currentdate :zone "+0100" "date" "2007-07-02" { fileinto "tomorrow"; }', { now }), ['fileinto tomorrow']);
  assert.deepEqual(await files('if currentdate "zone" "-0300" { fileinto "local"; }', { now, zoneOffsetMinutes: -180 }), ['fileinto local']);
  assert.deepEqual(await files('if currentdate :count "eq" "weekday" "1" { fileinto "one"; }', { now }), ['fileinto one']);
});

test('date/currentdate: zones, date-parts and tags are checked', async () => {
  assert.equal(errorsOf('require "date"; if currentdate :zone "0100" "date" "x" { stop; }').length, 1);
  assert.equal(errorsOf('require "date"; if currentdate :zone "+0160" "date" "x" { stop; }').length, 1);
  assert.equal(errorsOf('require "date"; if currentdate "fortnight" "x" { stop; }').length, 1);
  assert.equal(errorsOf('require "date"; if date :zone "+0100" :originalzone "date" "year" "x" { stop; }').length, 1);
  assert.equal(errorsOf('require "date"; if currentdate :originalzone "year" "x" { stop; }').length, 1);
  assert.equal(errorsOf('if currentdate "year" "x" { stop; }').length, 1);
  const o = await run('require ["date", "variables"]; set "z" "bogus"; if currentdate :zone "${z}" "year" "2024" { discard; }');
  assert.match(o.error?.message ?? '', /invalid time zone "bogus"/);
});

test('index (RFC 5260 §6): :index / :last on header, address and date; example', async () => {
  assert.deepEqual(await files('if header :index 2 "x-note" "two" { fileinto "a"; } if header :index 2 :last "x-note" "two" { fileinto "b"; } if header :index 1 :last "x-note" "three" { fileinto "c"; }'), [
    'fileinto a',
    'fileinto b',
    'fileinto c',
  ]);
  // Fields are counted across the names in the order listed.
  assert.deepEqual(await files('if header :index 4 ["x-note", "from"] "boss@example.com" { fileinto "d"; } if header :index 9 "x-note" "" { fileinto "e"; }'), ['fileinto d']);
  // :index counts fields, not addresses within one.
  assert.deepEqual(await files('if address :index 2 "to" "z@example.org" { fileinto "f"; } if address :index 2 "to" "y@example.org" { fileinto "g"; }'), ['fileinto f']);
  assert.deepEqual(
    await files('if date :value "gt" :index 2 :zone "-0500" "received" "iso8601" "2007-02-26T09:00:00-05:00" { fileinto "aftercutoff"; }'),
    ['implicit-keep'],
  );
  assert.deepEqual(await files('if date :value "ge" :index 2 :zone "-0500" "received" "iso8601" "2007-02-26T09:00:00-05:00" { fileinto "atcutoff"; }'), ['fileinto atcutoff']);
  assert.deepEqual(await files('if date :index 1 :last "received" "date" "2007-02-26" { fileinto "h"; }'), ['fileinto h']);
});

test('index: :last needs :index; :index counts from 1; needs require', () => {
  assert.equal(errorsOf('require "index"; if header :last "x" "y" { stop; }').length, 1);
  assert.equal(errorsOf('require "index"; if header :index 0 "x" "y" { stop; }').length, 1);
  assert.equal(errorsOf('if header :index 1 "x" "y" { stop; }').length, 1);
  assert.deepEqual(errorsOf('require "index"; if address :index 1 :last :domain "to" "y" { stop; }'), []);
});

test('date §4: a comment holding ";" does not hide a Received date', () => {
  const t = dateOfField('from a (x; y) by b; Mon, 26 Feb 2007 09:00:00 -0500 (a; comment)');
  assert.equal(t?.offset, -300);
  assert.equal(datePart(t!, 0, 'iso8601'), '2007-02-26T14:00:00Z');
});
