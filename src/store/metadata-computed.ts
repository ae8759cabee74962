/**
 * METADATA entries that are computed, never stored (RFC 5464 §4.1 "read-only ... computed"):
 * - the server entry /shared/admin (§3.2.1.1): a URI for contacting the administrator, which the
 *   operator configures (--metadata-admin);
 * - the mailbox entry /private/specialuse (RFC 6154 §4): the mailbox's special-use attribute, as
 *   LIST RETURN (SPECIAL-USE) shows it, NIL when it has none.
 * A decorator of the domain layer (domain.ts), so IMAP GETMETADATA, LIST RETURN (METADATA) and
 * Sieve (RFC 5490) see them alike.
 *
 * Invariants: a computed entry joins the backend's entries when the request selects it (same
 * DEPTH rules, selectEntries), in name order. Writes to either are refused by the backends
 * (store/metadata.ts prepareWrites): /shared/admin is read-only for everyone (§3.2.1.1), and
 * special uses change through CREATE (USE ...) only (RFC 6154 §4 makes setting them a MAY).
 */
import { MAILBOX_SPECIALUSE_ENTRY, selectEntries, SERVER_ADMIN_ENTRY, type MetadataEntry } from './metadata.js';
import type { MailStore } from './types.js';

const byName = (a: MetadataEntry, b: MetadataEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function merge(stored: MetadataEntry[], computed: MetadataEntry[]): MetadataEntry[] {
  if (computed.length === 0) return stored;
  const names = new Set(computed.map((e) => e.name));
  return [...stored.filter((e) => !names.has(e.name)), ...computed].sort(byName);
}

export function withComputedMetadata(inner: MailStore, adminUri: string | null): MailStore {
  const admin = adminUri === null || adminUri === '' ? [] : [{ name: SERVER_ADMIN_ENTRY, value: Buffer.from(adminUri, 'utf8') }];
  return {
    ...inner,
    getMetadata: async (actor, mailboxName, entries, depth) => {
      const stored = await inner.getMetadata(actor, mailboxName, entries, depth);
      if (mailboxName === null) return merge(stored, selectEntries(admin, entries, depth));
      // The mailbox exists (the backend answered); its special use is an attribute of the row.
      const wanted = selectEntries([{ name: MAILBOX_SPECIALUSE_ENTRY, value: Buffer.alloc(0) }], entries, depth);
      if (wanted.length === 0) return stored;
      const mailbox = await inner.getMailbox(actor, mailboxName);
      if (mailbox === null || mailbox.specialUse === null) return stored;
      return merge(stored, [{ name: MAILBOX_SPECIALUSE_ENTRY, value: Buffer.from(mailbox.specialUse, 'utf8') }]);
    },
  };
}
