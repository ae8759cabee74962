import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeOf } from './consistency.js';

test('placeOf prints names as they are, quoting those with control characters', () => {
  assert.equal(placeOf({ account: 'alice@example.org', mailbox: 'Projets/Été', uid: 7 }), 'alice@example.org/Projets/Été uid 7');
  assert.equal(placeOf({ account: 'bob', mailbox: 'Evil\u001b[2J', uid: 1 }), 'bob/"Evil\\u001b[2J" uid 1');
});
