/**
 * Mailbox name attributes (RFC 9051 §7.3.1, RFC 3348 CHILDREN, RFC 6154 SPECIAL-USE) and LIST
 * pattern matching (RFC 9051 §6.3.9: "*" matches anything, "%" anything but the separator;
 * INBOX matches case-insensitively).
 */
import type { Actor, Mailbox } from '../../store/types.js';
import type { ImapSession } from '../session/session.js';

export const SEPARATOR = '/';

export function hasChildren(all: readonly Mailbox[], name: string): boolean {
  const prefix = name + SEPARATOR;
  return all.some((m) => m.name.startsWith(prefix));
}

export function attributesOf(all: readonly Mailbox[], mailbox: Mailbox): string[] {
  const attrs = [hasChildren(all, mailbox.name) ? '\\HasChildren' : '\\HasNoChildren'];
  if (mailbox.specialUse) attrs.push(mailbox.specialUse);
  return attrs;
}

export async function mailboxAttributes(session: ImapSession, actor: Actor, name: string): Promise<string[]> {
  const all = await session.store.listMailboxes(actor);
  const mailbox = all.find((m) => m.name === name);
  return mailbox ? attributesOf(all, mailbox) : ['\\NonExistent'];
}

/** Compiles a LIST pattern (already prefixed with its reference) to a matcher. */
export function compilePattern(pattern: string): (name: string) => boolean {
  const toRegex = (p: string): RegExp => {
    let src = '';
    for (const ch of p) {
      if (ch === '*') src += '.*';
      else if (ch === '%') src += '[^/]*';
      else src += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${src}$`, 's');
  };
  const exact = toRegex(pattern);
  // INBOX is case-insensitive, also as the first level of a pattern ("inbox/%" matches INBOX/x).
  const upper = pattern.toUpperCase();
  const inboxPattern = upper.startsWith('INBOX') ? toRegex('INBOX' + pattern.slice(5)) : null;
  return (name: string) => {
    if (exact.test(name)) return true;
    if (inboxPattern && (name === 'INBOX' || name.startsWith('INBOX/'))) return inboxPattern.test(name);
    return false;
  };
}

/** Joins reference and pattern (RFC 9051 §6.3.9: the reference is prepended to the pattern). */
export function canonicalPattern(reference: string, pattern: string): string {
  if (reference === '') return pattern;
  if (pattern.startsWith(SEPARATOR)) return pattern; // an absolute pattern ignores the reference
  return reference + pattern;
}
