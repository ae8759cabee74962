/**
 * The messages the crash child appends, derived from their sequence number, so the parent can
 * check every acknowledged message byte for byte. Every 7th message repeats the previous one's
 * content, so shared blobs are exercised too.
 */
export function crashContent(i: number): Buffer {
  const n = i % 7 === 0 && i > 0 ? i - 1 : i;
  const body = `line ${n} `.repeat(1 + (n % 50));
  return Buffer.from(`From: crash@example.org\r\nSubject: message ${n}\r\n\r\n${body}\r\n`);
}

export const CRASH_ACCOUNT = 'crash';
