/**
 * RFC 9051 §7.5.2 ENVELOPE from a message header block. Invariants: string fields are the
 * first occurrence's unfolded raw value (encoded words kept), null when the field is absent;
 * address fields are null when absent or empty; Sender and Reply-To fall back to From.
 */
import type { Envelope } from './types.js';
import { firstField, unfoldedValue, type HeaderField } from './header-block.js';
import { parseAddressList } from './address.js';

export function buildEnvelope(raw: Buffer, fields: HeaderField[]): Envelope {
  const text = (name: string): string | null => {
    const f = firstField(fields, name);
    return f === null ? null : unfoldedValue(raw, f);
  };
  const addresses = (name: string) => {
    const v = text(name);
    return v === null ? null : parseAddressList(v);
  };
  const from = addresses('from');
  return {
    date: text('date'),
    subject: text('subject'),
    from,
    sender: addresses('sender') ?? from,
    replyTo: addresses('reply-to') ?? from,
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    inReplyTo: text('in-reply-to'),
    messageId: text('message-id'),
  };
}
