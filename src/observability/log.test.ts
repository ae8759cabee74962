import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './log.js';

test('JSON lines with level, message, bindings and child bindings', () => {
  let out = '';
  const log = createLogger('info', { destination: { write: (s: string) => (out += s) } });
  log.debug('hidden');
  log.info('plain');
  log.child({ remote: '10.0.0.1' }).warn({ user: 'alice' }, 'auth failed');
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  assert.equal(lines[0].msg, 'plain');
  assert.equal(lines[0].name, 'facteur');
  assert.deepEqual([lines[1].msg, lines[1].remote, lines[1].user, lines[1].level], ['auth failed', '10.0.0.1', 'alice', 40]);
  assert.equal(log.isLevelEnabled?.('debug'), false);
  assert.equal(log.isLevelEnabled?.('info'), true);
});
