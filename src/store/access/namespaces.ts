/**
 * The three namespaces of RFC 2342 as Facteur lays them out (docs/decisions/0009): personal
 * names as they are, other users' mailboxes under "Other Users/<owner>/", public mailboxes under
 * "Shared/" (owned by the reserved account SHARED_OWNER). Pure name arithmetic.
 *
 * Invariants:
 * - A name the actor sends is located exactly once, by its first levels: a personal name can
 *   never start with a namespace prefix (such names always go to the other namespaces).
 * - The owner level is one level: account names with "/" cannot be addressed (new ones are
 *   refused, auth/account-name.ts).
 * - Namespace roots ("Other Users", "Other Users/bob", "Shared") are not mailboxes.
 */

export const SEPARATOR = '/';
/** RFC 2342 §5 other users' namespace prefix, without its trailing separator. */
export const OTHER_USERS = 'Other Users';
/** RFC 2342 §5 shared namespace prefix, without its trailing separator. */
export const SHARED = 'Shared';
/** Internal accounts start with this character; users cannot create such accounts. */
export const RESERVED_PREFIX = '#';
/** The account that owns every "Shared/" mailbox. It cannot log in (no verifiable password). */
export const SHARED_OWNER = '#shared';
/** The shared owner's password hash: a scheme no verifier knows, so it never authenticates. */
export const NOLOGIN_HASH = '{NOLOGIN}';

export const isReservedAccount = (name: string): boolean => name.startsWith(RESERVED_PREFIX);

export type Location =
  | { kind: 'personal'; name: string }
  | { kind: 'other'; owner: string; name: string }
  | { kind: 'shared'; name: string }
  /** A namespace root or an owner level: never a mailbox. */
  | { kind: 'root' };

/** Where the name an actor sent lives. */
export function locate(name: string): Location {
  if (name === OTHER_USERS || name === SHARED) return { kind: 'root' };
  if (name.startsWith(OTHER_USERS + SEPARATOR)) {
    const rest = name.slice(OTHER_USERS.length + 1);
    const cut = rest.indexOf(SEPARATOR);
    if (cut <= 0 || cut === rest.length - 1) return { kind: 'root' };
    return { kind: 'other', owner: rest.slice(0, cut), name: rest.slice(cut + 1) };
  }
  if (name.startsWith(SHARED + SEPARATOR)) {
    const rest = name.slice(SHARED.length + 1);
    return rest === '' ? { kind: 'root' } : { kind: 'shared', name: rest };
  }
  return { kind: 'personal', name };
}

/** The prefix an owner's mailboxes carry for everybody else. */
export const prefixOf = (owner: string): string =>
  owner === SHARED_OWNER ? SHARED + SEPARATOR : `${OTHER_USERS}${SEPARATOR}${owner}${SEPARATOR}`;

/** Whether a personal name is hidden by the namespaces (it would route elsewhere). */
export const shadowedPersonalName = (name: string): boolean => locate(name).kind !== 'personal';
