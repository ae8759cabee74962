/**
 * The server entry /shared/admin (RFC 5464 §3.2.1.1): a URI for contacting the administrator,
 * which the operator configures (--metadata-admin) and clients can only read. A decorator of the
 * domain layer (domain.ts), so IMAP GETMETADATA and Sieve servermetadata (RFC 5490 §4) see it
 * alike; it is never stored, so changing the option needs no database change.
 *
 * Invariants: only server reads (mailbox name null) are touched; the entry joins the backend's
 * entries when the request selects it (same DEPTH rules), in name order. Writes to it are refused
 * by the backends (store/metadata.ts prepareWrites: NOPERM for clients, CANNOT for the operator).
 */
import { selectEntries, SERVER_ADMIN_ENTRY } from './metadata.js';
import type { MailStore } from './types.js';

export function withServerAdminEntry(inner: MailStore, adminUri: string | null): MailStore {
  if (adminUri === null || adminUri === '') return inner;
  const admin = [{ name: SERVER_ADMIN_ENTRY, value: Buffer.from(adminUri, 'utf8') }];
  return {
    ...inner,
    getMetadata: async (actor, mailboxName, entries, depth) => {
      const stored = await inner.getMetadata(actor, mailboxName, entries, depth);
      if (mailboxName !== null) return stored;
      const extra = selectEntries(admin, entries, depth);
      if (extra.length === 0) return stored;
      return [...stored.filter((e) => e.name !== SERVER_ADMIN_ENTRY), ...extra].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
