/**
 * Parsing of the RFC 5267 §4 / RFC 9394 additions: RETURN (CONTEXT UPDATE PARTIAL ...) for SEARCH
 * and SORT, the UID FETCH PARTIAL modifier, and CANCELUPDATE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, refused } from './parse.test-support.js';

const bad = (line: string, message?: RegExp): void => refused(line, { message });

test('RETURN: CONTEXT is dropped, alone it leaves RETURN () = ALL (RFC 5267 §4.2, RFC 4731 §3.1)', () => {
  const a = parse('A01 SEARCH RETURN (CONTEXT COUNT) UNDELETED UNKEYWORD $Junk');
  assert.ok(a.name === 'SEARCH');
  assert.deepEqual(a.returnOptions, ['COUNT']);
  const b = parse('a SEARCH RETURN (context) ALL');
  assert.ok(b.name === 'SEARCH');
  assert.deepEqual(b.returnOptions, ['ALL']);
  const c = parse('B01 UID SEARCH RETURN (UPDATE COUNT) DELETED KEYWORD $Junk');
  assert.ok(c.name === 'SEARCH' && c.uid);
  assert.deepEqual(c.returnOptions, ['UPDATE', 'COUNT']);
  assert.equal(c.partial, undefined);
});

test('PARTIAL ranges: normalised low:high, "-" counts from the end (RFC 9394 §4)', () => {
  const cases: Array<[string, { low: number; high: number; fromEnd: boolean }]> = [
    ['1:500', { low: 1, high: 500, fromEnd: false }],
    ['500:400', { low: 400, high: 500, fromEnd: false }],
    ['-1:-100', { low: 1, high: 100, fromEnd: true }],
    ['-500:-400', { low: 400, high: 500, fromEnd: true }],
    ['7:7', { low: 7, high: 7, fromEnd: false }],
    ['4294967295:1', { low: 1, high: 4294967295, fromEnd: false }],
  ];
  for (const [text, range] of cases) {
    const s = parse(`A02 UID SEARCH RETURN (PARTIAL ${text}) UNDELETED`);
    assert.ok(s.name === 'SEARCH');
    assert.deepEqual(s.returnOptions, ['PARTIAL']);
    assert.deepEqual(s.partial, range, text);
    const o = parse(`B02 UID SORT RETURN (COUNT PARTIAL ${text} UPDATE) (DATE) UTF-8 ALL`);
    assert.ok(o.name === 'SORT');
    assert.deepEqual(o.returnOptions, ['COUNT', 'PARTIAL', 'UPDATE']);
    assert.deepEqual(o.partial, range, text);
  }
});

test('PARTIAL syntax errors', () => {
  for (const r of ['1', '1:*', '*:1', '0:5', '5:0', '-0:-1', '-1:2', '1:-2', '', '1:2:3', '-1', '4294967296:1', '1 :2']) {
    bad(`a SEARCH RETURN (PARTIAL ${r}) ALL`);
    bad(`a SORT RETURN (PARTIAL ${r}) (DATE) UTF-8 ALL`);
  }
  bad('a SEARCH RETURN (PARTIAL) ALL');
  bad('a SEARCH RETURN (PARTIAL 1:2 ALL) ALL', /PARTIAL and ALL/);
  bad('a SEARCH RETURN (ALL PARTIAL 1:2) ALL', /PARTIAL and ALL/);
  bad('a SEARCH RETURN (PARTIAL 1:2 PARTIAL 1:2) ALL', /one PARTIAL/);
});

test('UID FETCH PARTIAL modifier (RFC 9394 §3.3), alone or with CHANGEDSINCE in either order', () => {
  const a = parse('10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)');
  assert.ok(a.name === 'FETCH' && a.uid);
  assert.deepEqual(a.partial, { low: 1, high: 3, fromEnd: true });
  const b = parse('101 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-30 CHANGEDSINCE 98305)');
  const c = parse('101 UID FETCH 25900:26600 (UID FLAGS) (CHANGEDSINCE 98305 PARTIAL -1:-30)');
  assert.ok(b.name === 'FETCH' && c.name === 'FETCH');
  assert.deepEqual([b.partial, b.changedSince], [{ low: 1, high: 30, fromEnd: true }, 98305]);
  assert.deepEqual([c.partial, c.changedSince], [b.partial, b.changedSince]);
  bad('11 FETCH 1:5 (UID FLAGS) (PARTIAL 1:5)', /only allowed in UID FETCH/);
  bad('11 UID FETCH 1:5 (UID FLAGS) (PARTIAL 1:5 PARTIAL 1:5)');
  bad('11 UID FETCH 1:5 (UID FLAGS) (PARTIAL 1:*)');
});

test('CANCELUPDATE: one or more strings (RFC 5267 §5)', () => {
  assert.deepEqual(parse('B04 CANCELUPDATE "B01"'), { name: 'CANCELUPDATE', tags: ['B01'] });
  assert.deepEqual(parse('B05 cancelupdate "B01" "B\\"2" {2}\r\nB3'), { name: 'CANCELUPDATE', tags: ['B01', 'B"2', 'B3'] });
  bad('B06 CANCELUPDATE');
  bad('B06 CANCELUPDATE ');
  bad('B06 CANCELUPDATE B01');
  bad('B06 CANCELUPDATE "B01"  "B02"');
});
