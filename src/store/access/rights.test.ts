// RFC 4314 rights arithmetic with the RFC's own examples (§2, §2.1.1, §3.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyModification, effectiveRights, parseModification, parseRights, withVirtual } from './rights.js';

test('parseRights expands c and d (§2.1.1) and refuses unknown or uppercase rights (§3.1)', () => {
  assert.deepEqual(parseRights('lrswida'), { rights: 'lrswitea' });
  assert.deepEqual(parseRights('lrswikda'), { rights: 'lrswiktea' });
  assert.deepEqual(parseRights('c'), { rights: 'kx' });
  assert.deepEqual(parseRights(''), { rights: '' });
  assert.deepEqual(parseRights('lrQswicda'), { error: 'Uppercase rights are not allowed' });
  assert.deepEqual(parseRights('lrqswicda'), { error: 'The "q" right is not supported' });
  assert.deepEqual(parseRights('0'), { error: 'The "0" right is not supported' });
});

test('withVirtual adds c for k/x and d for e/t; +/- modify, plain replaces (§3.1 example)', () => {
  assert.equal(withVirtual('lrswi'), 'lrswi');
  assert.equal(withVirtual('lrswikxtea'), 'lrswikxteacd');
  const chris = applyModification('lrswi', parseModification('+cda') as never);
  assert.equal(withVirtual(chris), 'lrswikxteacd');
  assert.equal(applyModification('lrswi', parseModification('-w') as never), 'lrsi');
  assert.equal(applyModification('lrswi', parseModification('lr') as never), 'lr');
  assert.deepEqual(parseModification('+Z'), { error: 'Uppercase rights are not allowed' });
});

test('effectiveRights: union of user, anyone and authenticated, minus negative entries (§2)', () => {
  const acl = [
    { identifier: 'fred', rights: 'lrswi' },
    { identifier: 'anyone', rights: 'l' },
    { identifier: 'authenticated', rights: 'p' },
    { identifier: '-fred', rights: 'w' },
    { identifier: '-anyone', rights: 'p' },
    { identifier: 'other', rights: 'a' },
  ];
  assert.equal(effectiveRights('fred', acl), 'lrsi');
  assert.equal(effectiveRights('bob', acl), 'l');
  assert.equal(effectiveRights('bob', []), '');
});
