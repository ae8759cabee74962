/**
 * Mailbox names as the store keeps them.
 *
 * Invariants:
 * - "/" is the hierarchy separator; a valid name has no empty level (no leading, trailing or
 *   doubled "/"), no NUL/CR/LF, no LIST wildcards "*" or "%", and is at most 1000 UTF-8 bytes.
 * - INBOX is case-insensitive (RFC 9051 §5.1): a first level spelled any-case "inbox" is stored
 *   as "INBOX", so "inbox/x" and "INBOX/x" are the same mailbox. Every other level is exact.
 * - Invalid names raise StoreError('CANNOT'); lookups of invalid names simply find nothing.
 */
import { StoreError } from './errors.js';
import type { SpecialUse } from './types.js';

export const SEPARATOR = '/';
export const INBOX = 'INBOX';

/** What every new account starts with: INBOX and the RFC 6154 special-use mailboxes, subscribed. */
export const INITIAL_MAILBOXES: ReadonlyArray<[string, SpecialUse | null]> = [
  [INBOX, null],
  ['Drafts', '\\Drafts'],
  ['Sent', '\\Sent'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

/** Account names: non-empty, no NUL, CR or LF (they appear in logs and protocol lines). CANNOT. */
export function validateAccountName(name: string): void {
  if (name.length === 0 || /[\0\r\n]/.test(name)) throw new StoreError('CANNOT', `invalid account name ${JSON.stringify(name)}`);
}
const MAX_NAME_BYTES = 1000;

/** The canonical spelling of `name`, or null when it is not a valid mailbox name. */
export function canonicalName(name: string): string | null {
  if (name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return null;
  if (/[\0\r\n*%]/.test(name)) return null;
  const levels = name.split(SEPARATOR);
  if (levels.some((l) => l.length === 0)) return null;
  if (levels[0].toUpperCase() === INBOX) levels[0] = INBOX;
  return levels.join(SEPARATOR);
}

/** canonicalName or StoreError('CANNOT'). */
export function requireName(name: string): string {
  const c = canonicalName(name);
  if (c === null) throw new StoreError('CANNOT', `invalid mailbox name ${JSON.stringify(name)}`);
  return c;
}

/** Proper superiors of a canonical name, outermost first ("a/b/c" -> ["a", "a/b"]). */
export function superiorsOf(name: string): string[] {
  const levels = name.split(SEPARATOR);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join(SEPARATOR));
  return out;
}

/** Whether `candidate` is a proper inferior of `name`. */
export const isInferior = (candidate: string, name: string): boolean => candidate.startsWith(name + SEPARATOR);
