/**
 * From an envelope recipient (RCPT TO / `deliver --to`) to the account that receives the mail.
 *
 * Invariants:
 * - Pure: no store access. The caller looks the account name up.
 * - `user+detail@domain` names account `user` (RFC 5233 §1 "subaddress"); the detail is kept for
 *   Sieve's :detail. Only the first delimiter splits, so `a+b+c` has detail `b+c`.
 * - Domain handling is configured ('strip': accounts are bare local parts; 'keep': accounts are
 *   named `user@domain`, domain lower-cased). A recipient without '@' is a bare account name.
 * - The local part's case is kept: account names are compared exactly by the store.
 */

export type DomainMode = 'strip' | 'keep';

export interface RecipientPolicy {
  domain: DomainMode;
  /** Delimiter characters; '' disables subaddressing. */
  delimiters: string;
}

export interface ParsedRecipient {
  /** The address as given, without angle brackets. */
  address: string;
  /** The account name to deliver to. */
  account: string;
  /** The local part before the delimiter. */
  user: string;
  /** RFC 5233 detail, or null when the address has no delimiter. */
  detail: string | null;
  /** Domain part (lower-cased), or '' when the address had none. */
  domain: string;
}

/** RFC 5321 §4.1.2: a quoted local part; we unquote it (backslash escapes) before splitting. */
function unquoteLocal(local: string): string {
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) return local.slice(1, -1).replace(/\\(.)/g, '$1');
  return local;
}

export function parseRecipient(address: string, policy: RecipientPolicy): ParsedRecipient | null {
  const at = address.lastIndexOf('@');
  const local = unquoteLocal(at === -1 ? address : address.slice(0, at));
  const domain = at === -1 ? '' : address.slice(at + 1).toLowerCase();
  if (local === '' || (at !== -1 && domain === '')) return null;
  let user = local;
  let detail: string | null = null;
  if (policy.delimiters !== '') {
    for (let i = 0; i < local.length; i++) {
      if (policy.delimiters.includes(local[i])) {
        user = local.slice(0, i);
        detail = local.slice(i + 1);
        break;
      }
    }
  }
  if (user === '') return null;
  const account = policy.domain === 'keep' && domain !== '' ? `${user}@${domain}` : user;
  return { address, account, user, detail, domain };
}

/** The delimiter setting as configured: 'none' disables subaddressing. */
export function delimitersFromConfig(value: string): string {
  return value.toLowerCase() === 'none' ? '' : value;
}
