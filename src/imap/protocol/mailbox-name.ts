/**
 * Mailbox names on the wire <-> JS strings (RFC 9051 §5.1, RFC 3501 §5.1.3, RFC 6855 §3).
 *
 * Invariants:
 * - Without UTF8=ACCEPT, an all-ASCII name is strict modified UTF-7; a name carrying 8-bit
 *   octets is taken as UTF-8 (IMAP4rev2 names are Net-Unicode, RFC 9051 §5.1).
 * - With UTF8=ACCEPT the octets are UTF-8 as-is; "&" sequences are not decoded.
 * - Names are NFC-normalised (RFC 9051 §5.1 allows accepting denormalised UTF-8 this way).
 * - Only the exact name INBOX, in any case, becomes "INBOX"; "inbox/foo" is left alone.
 */
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './mutf7.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a mailbox astring's (or LIST pattern's) octets; null when not valid mUTF-7 / UTF-8. */
export function decodeMailboxName(bytes: Buffer, utf8Accept: boolean, normalizeInbox = true): string | null {
  let name: string;
  const ascii = bytes.every((b) => b < 0x80);
  if (utf8Accept || !ascii) {
    try {
      name = utf8.decode(bytes);
    } catch {
      return null;
    }
  } else {
    const decoded = decodeModifiedUtf7(bytes.toString('latin1'));
    if (decoded === null) return null;
    name = decoded;
  }
  name = name.normalize('NFC');
  return normalizeInbox && name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** The wire form of a mailbox name (before quoting): mUTF-7 unless UTF8=ACCEPT is enabled. */
export function encodeMailboxName(name: string, utf8Accept: boolean): string {
  return utf8Accept ? name : encodeModifiedUtf7(name);
}
