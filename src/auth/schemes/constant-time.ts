/**
 * Constant-time equality for secrets and derived values.
 *
 * Invariants:
 * - The running time depends only on the length of `expected`, never on where inputs differ;
 *   a length mismatch still performs one full comparison.
 */
import { timingSafeEqual } from 'node:crypto';

export function safeEqual(actual: Uint8Array | string, expected: Uint8Array | string): boolean {
  const a = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : Buffer.from(actual);
  const e = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : Buffer.from(expected);
  if (a.length !== e.length) {
    timingSafeEqual(e, e);
    return false;
  }
  return timingSafeEqual(a, e);
}
