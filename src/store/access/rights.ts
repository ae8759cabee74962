/**
 * RFC 4314 rights as sets of letters: parsing SETACL modifications, the virtual "c"/"d" rights
 * of §2.1.1, and how the entries of one ACL combine into one account's rights. Pure.
 *
 * Invariants:
 * - Stored rights are real rights only, in ALL_RIGHTS order, each at most once.
 * - "c" is the union of "k" and "x" and "d" the union of "e" and "t" (RFC 4314 §2.1.1, the
 *   first group, as in the RFC's examples); they are expanded on input and added on output.
 * - Rights combine as the union of the entries for the user, "anyone" and "authenticated",
 *   minus the union of their negative entries ("-alice", §2). The owner always has every right
 *   and no entry restricts the owner (decision 0009).
 */
import type { AclChangeMode } from '../types.js';

/** Every right Facteur implements, in canonical order (RFC 4314 §2.1). */
export const ALL_RIGHTS = 'lrswipkxtea';

/** Rights that reveal a mailbox's existence; without any of them it does not exist for the
 * account (RFC 4314 §4 MYRIGHTS "Any" set, plus "p": a poster is told where to post). */
export const VISIBLE_RIGHTS = 'lrikxap';

/** The rights beyond RFC 2086 (RFC 4314 §2.2, §5.1.1): the RIGHTS= capability. */
export const RIGHTS_CAPABILITY = 'RIGHTS=texk';

/** Identifiers every authenticated user matches (RFC 4314 §2; nobody logs in anonymously). */
export const ANYONE = 'anyone';
export const AUTHENTICATED = 'authenticated';

export type RightsModification = { mode: AclChangeMode; rights: string };

/** Canonical string of a set of rights (unknown letters dropped). */
export function normalize(rights: Iterable<string>): string {
  const set = new Set(rights);
  let out = '';
  for (const r of ALL_RIGHTS) if (set.has(r)) out += r;
  return out;
}

/** Why `text` is not a valid rights string, or null. Expands "c" and "d". */
export function parseRights(text: string): { rights: string } | { error: string } {
  const out = new Set<string>();
  for (const ch of text) {
    if (ch >= 'A' && ch <= 'Z') return { error: 'Uppercase rights are not allowed' };
    if (ch === 'c') {
      out.add('k');
      out.add('x');
    } else if (ch === 'd') {
      out.add('e');
      out.add('t');
    } else if (ALL_RIGHTS.includes(ch)) out.add(ch);
    // RFC 4314 §3.1: an unrecognized right MUST NOT be silently ignored.
    else return { error: `The ${JSON.stringify(ch)} right is not supported` };
  }
  return { rights: normalize(out) };
}

/** A SETACL mod-rights argument (RFC 4314 §3.1): "+rights", "-rights" or "rights". */
export function parseModification(text: string): RightsModification | { error: string } {
  let mode: RightsModification['mode'] = 'set';
  let body = text;
  if (text.startsWith('+')) {
    mode = 'add';
    body = text.slice(1);
  } else if (text.startsWith('-')) {
    mode = 'remove';
    body = text.slice(1);
  }
  const parsed = parseRights(body);
  if ('error' in parsed) return parsed;
  return { mode, rights: parsed.rights };
}

/** The rights an entry holds after applying `mod` to `current`. */
export function applyModification(current: string, mod: RightsModification): string {
  if (mod.mode === 'set') return mod.rights;
  if (mod.mode === 'add') return normalize(current + mod.rights);
  return normalize([...current].filter((r) => !mod.rights.includes(r)));
}

/** Rights as sent to clients: real rights plus the virtual "c" and "d" (RFC 4314 §2.1.1). */
export function withVirtual(rights: string): string {
  let out = rights;
  if (/[kx]/.test(rights)) out += 'c';
  if (/[et]/.test(rights)) out += 'd';
  return out;
}

/** The identifiers whose entries apply to `user`, positive then negative. */
export function identifiersOf(user: string): string[] {
  const positive = [user, ANYONE, AUTHENTICATED];
  return [...positive, ...positive.map((i) => `-${i}`)];
}

/** `user`'s rights from the entries of one ACL (the owner's implicit rights are the caller's). */
export function effectiveRights(user: string, entries: ReadonlyArray<{ identifier: string; rights: string }>): string {
  const applies = new Set([user, ANYONE, AUTHENTICATED]);
  const granted = new Set<string>();
  const denied = new Set<string>();
  for (const e of entries) {
    if (applies.has(e.identifier)) for (const r of e.rights) granted.add(r);
    else if (e.identifier.startsWith('-') && applies.has(e.identifier.slice(1))) for (const r of e.rights) denied.add(r);
  }
  return normalize([...granted].filter((r) => !denied.has(r)));
}

export const has = (rights: string, right: string): boolean => rights.includes(right);
export const visible = (rights: string): boolean => [...VISIBLE_RIGHTS].some((r) => rights.includes(r));

/**
 * Whom a change of `identifier`'s entry concerns, for the change event it publishes (RFC 5465
 * §5.4: granting or revoking "l" is a mailbox creation or deletion for the grantee): every
 * account ("anyone", "authenticated" and their negations), or the one named account.
 */
export function granteeOf(identifier: string): { all: true } | { all: false; account: string } {
  const base = identifier.startsWith('-') ? identifier.slice(1) : identifier;
  return base === ANYONE || base === AUTHENTICATED ? { all: true } : { all: false, account: base };
}
