/**
 * subaddress (RFC 5233): the address parts :user and :detail. The separator is the host's
 * (SieveInput.subaddressDelimiters, the same characters delivery splits recipients on), '+' by
 * default (RFC 5233 §4: user+detail@domain; the first separator found separates).
 *
 * Invariants: an address without a separator has no detail, so :detail does not match it at all
 * (RFC 5233 §4), while "user+@domain" has an empty detail.
 */
import type { SieveInput } from '../api.js';
import type { SieveExtension } from './extension.js';

export const SUBADDRESS_SEPARATOR = '+';

/** Index of the first separator in `local`, or -1. */
function separatorAt(local: string, input: SieveInput): number {
  const delimiters = input.subaddressDelimiters ?? SUBADDRESS_SEPARATOR;
  for (let i = 0; i < local.length; i++) if (delimiters.includes(local[i]!)) return i;
  return -1;
}

export const subaddressExtension: SieveExtension = {
  capabilities: ['subaddress'],
  addressParts: [
    {
      tag: { name: 'user', group: 'address-part', capability: 'subaddress' },
      extract: (a, input) => {
        const i = separatorAt(a.localpart, input);
        return i < 0 ? a.localpart : a.localpart.slice(0, i);
      },
    },
    {
      tag: { name: 'detail', group: 'address-part', capability: 'subaddress' },
      extract: (a, input) => {
        const i = separatorAt(a.localpart, input);
        return i < 0 ? null : a.localpart.slice(i + 1);
      },
    },
  ],
};
