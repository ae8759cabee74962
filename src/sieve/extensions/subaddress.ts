/**
 * subaddress (RFC 5233): the address parts :user and :detail, with '+' as the separator
 * (RFC 5233 §4: user+detail@domain; the first '+' separates).
 *
 * Invariants: an address without a separator has no detail, so :detail does not match it at all
 * (RFC 5233 §4), while "user+@domain" has an empty detail.
 */
import type { SieveExtension } from './extension.js';

export const SUBADDRESS_SEPARATOR = '+';

export const subaddressExtension: SieveExtension = {
  capabilities: ['subaddress'],
  addressParts: [
    {
      tag: { name: 'user', group: 'address-part', capability: 'subaddress' },
      extract: (a) => {
        const i = a.localpart.indexOf(SUBADDRESS_SEPARATOR);
        return i < 0 ? a.localpart : a.localpart.slice(0, i);
      },
    },
    {
      tag: { name: 'detail', group: 'address-part', capability: 'subaddress' },
      extract: (a) => {
        const i = a.localpart.indexOf(SUBADDRESS_SEPARATOR);
        return i < 0 ? null : a.localpart.slice(i + 1);
      },
    },
  ],
};
