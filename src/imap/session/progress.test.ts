import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandProgress } from './progress.js';

function reporter(tag: string, every: number): { p: CommandProgress; lines: string[] } {
  const lines: string[] = [];
  return { p: new CommandProgress(tag, every, (l) => lines.push(l)), lines };
}

test('reports every N units, never at the end, never twice for one count (RFC 9585)', () => {
  const { p, lines } = reporter('A1', 3);
  for (let i = 0; i <= 10; i++) p.step(i, 10);
  p.step(9, 10);
  assert.deepEqual(lines, [
    '* OK [INPROGRESS ("A1" 3 10)] Still working',
    '* OK [INPROGRESS ("A1" 6 10)] Still working',
    '* OK [INPROGRESS ("A1" 9 10)] Still working',
  ]);
});

test('a tag with "]" is NIL; an unknown goal is NIL, a zero goal too', () => {
  const { p, lines } = reporter('a]1', 1);
  p.step(1, null);
  p.step(2, 0);
  assert.deepEqual(lines, ['* OK [INPROGRESS (NIL 1 NIL)] Still working', '* OK [INPROGRESS (NIL 2 NIL)] Still working']);
});

test('below N units and before the interval nothing is written', () => {
  const { p, lines } = reporter('t', 1000);
  for (let i = 0; i < 100; i++) p.step(i, 100);
  assert.deepEqual(lines, []);
});
