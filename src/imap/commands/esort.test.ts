/**
 * Unit tests of ESORT (RFC 5267 §3): RETURN parsing for SORT / UID SORT and the
 * order-preserving sequence-set of the ALL result (§3.2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapParseError } from '../protocol/errors.js';
import { parseCommand } from '../protocol/parser.js';
import { encodeSortedSet } from './sort.js';

const opts = { utf8Accept: false };
const parse = (line: string): unknown => parseCommand(Buffer.from(line, 'utf8'), opts).command;

test('SORT RETURN options are parsed; RETURN () is ALL; duplicates dropped', () => {
  const search = { op: 'AND', keys: [{ op: 'UNDELETED' }, { op: 'UNKEYWORD', flag: '$Junk' }] };
  assert.deepEqual(parse('E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk'), {
    name: 'SORT',
    uid: true,
    criteria: [{ key: 'DATE', reverse: true }],
    charset: 'UTF-8',
    search,
    returnOptions: ['ALL'],
  });
  assert.deepEqual(parse('a sort return (min MAX count min save) (arrival) us-ascii ALL'), {
    name: 'SORT',
    uid: false,
    criteria: [{ key: 'ARRIVAL', reverse: false }],
    charset: 'us-ascii',
    search: { op: 'AND', keys: [{ op: 'ALL' }] },
    returnOptions: ['MIN', 'MAX', 'COUNT', 'SAVE'],
  });
  // Without RETURN there is no returnOptions field at all (classic SORT reply).
  assert.ok(!('returnOptions' in (parse('a SORT (SIZE) UTF-8 ALL') as object)));
});

test('SORT RETURN syntax errors are BAD (parse errors)', () => {
  for (const line of [
    'a SORT RETURN (PARTIAL 1:*) (ARRIVAL) UTF-8 ALL',
    'a SORT RETURN (PARTIAL 1:2 ALL) (ARRIVAL) UTF-8 ALL',
    'a SORT RETURN (ALL)(ARRIVAL) UTF-8 ALL',
    'a SORT RETURN ALL (ARRIVAL) UTF-8 ALL',
    'a SORT RETURN (ALL) UTF-8 ALL',
    'a SORT (ARRIVAL) RETURN (ALL) UTF-8 ALL',
  ]) {
    assert.throws(() => parse(line), ImapParseError, line);
  }
});

test('ALL sequence-set keeps sort order; ranges only for ascending runs (RFC 5267 §3.2)', () => {
  assert.equal(encodeSortedSet([]), '');
  assert.equal(encodeSortedSet([7]), '7');
  assert.equal(encodeSortedSet([1, 2, 3, 4, 5]), '1:5');
  // RFC 5267 §3.3: 23765,23764,23763 is never "23765:23763"
  assert.equal(encodeSortedSet([23765, 23764, 23763, 23761]), '23765,23764,23763,23761');
  // RFC 7162 example 20
  assert.equal(encodeSortedSet([5, 3, 2, 1]), '5,3,2,1');
  assert.equal(encodeSortedSet([4, 5, 6, 1, 2, 9, 8]), '4:6,1:2,9,8');
});
