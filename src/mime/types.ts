/**
 * The MIME structure of a message as parsed once at APPEND/delivery and cached (as JSON) beside
 * the blob. Everything here is plain JSON-serialisable data: FETCH ENVELOPE/BODYSTRUCTURE are
 * answered from it without reading the blob, and byte offsets let BODY[section] read exact ranges.
 *
 * Offsets are byte offsets into the raw message (the blob), half-open ranges.
 */

export interface Address {
  /** Display name (phrase), raw header text with RFC 2047 words left encoded; null if absent. */
  name: string | null;
  /** Source route (obsolete); almost always null. */
  adl: string | null;
  /** Local part; for group syntax (RFC 9051 §7.5.2) the group name starts a group, null ends it. */
  mailbox: string | null;
  /** Domain; null marks group start/end. */
  host: string | null;
}

/** RFC 9051 §7.5.2 ENVELOPE fields: raw header values (unfolded, encoded words kept). */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface MimePart {
  /** Start of this part's header block. */
  headerStart: number;
  /** Start of the body (just after the blank line ending the header; = end of header incl. blank line). */
  bodyStart: number;
  /** End of the body (for multipart children: before the CRLF that precedes the next boundary). */
  end: number;
  /** Lower-cased media type and subtype; defaults per RFC 2045 §5.2 / RFC 2046 §5.1.5. */
  type: string;
  subtype: string;
  /** Content-Type parameters: names lower-cased, values RFC 2231-decoded to Unicode. Order kept. */
  params: Array<[string, string]>;
  /** Content-ID, Content-Description (raw), Content-Transfer-Encoding (upper-cased, default 7BIT). */
  id: string | null;
  description: string | null;
  encoding: string;
  md5: string | null;
  disposition: { type: string; params: Array<[string, string]> } | null;
  language: string[] | null;
  location: string | null;
  /** Octets of the body (end - bodyStart). */
  size: number;
  /** Lines of the body (counted for text/* and message/rfc822 as IMAP wants; 0 otherwise). */
  lines: number;
  /** Children of a multipart, in order. */
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 (or message/global) part. */
  message: MimePart | null;
  /** ENVELOPE of the message this part heads: the top-level message and each encapsulated one. */
  envelope: Envelope | null;
  /**
   * Normalised Message IDs of the References: field of the message this part heads (set with
   * `envelope`). Absent in structures cached before this field existed: readers then take
   * them from the header block.
   */
  references?: string[];
}

/** A BODY[...] section as the mime layer understands it (see FetchSection in imap/protocol/ast.ts). */
export interface SectionSpec {
  part: number[];
  text?: 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';
  fields?: string[];
}
