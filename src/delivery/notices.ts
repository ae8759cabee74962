/**
 * Messages delivery composes itself: the RFC 5429 §2.1 refusal notice (an MDN, RFC 8098 format)
 * sent to the envelope sender when a Sieve `reject` runs where no protocol-level refusal is
 * possible (`facteur deliver`).
 *
 * Invariants:
 * - Pure: builds bytes, sends nothing. CRLF line ends, 7-bit headers (the reason is carried in a
 *   UTF-8 body part, never in a header).
 * - The original's header block is returned (text/rfc822-headers), never the body: the sender
 *   learns which message was refused without us echoing content back.
 */
import { randomBytes } from 'node:crypto';
import { headerEnd, headerFields, rfc5322Date } from './message.js';

export interface RejectNotice {
  /** The refusing recipient's address (Final-Recipient). */
  recipient: string;
  /** Envelope sender the notice goes to. */
  sender: string;
  reason: string;
  original: Buffer;
  hostname: string;
  now: Date;
}

export function buildRejectMdn(n: RejectNotice): Buffer {
  const boundary = `=_facteur_${randomBytes(12).toString('hex')}`;
  const originalId = headerFields(n.original, 'Message-ID')[0];
  const subject = headerFields(n.original, 'Subject')[0];
  const safeSubject = subject !== undefined && /^[\x20-\x7e]*$/.test(subject) ? subject.slice(0, 200) : 'your message';
  const headers = n.original.subarray(0, headerEnd(n.original));
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${n.hostname}>`,
    `To: <${n.sender}>`,
    `Subject: Rejected: ${safeSubject}`,
    `Date: ${rfc5322Date(n.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${n.hostname}>`,
    ...(originalId !== undefined ? [`In-Reply-To: ${originalId}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Your message to <${n.recipient}> was automatically rejected:`,
    '',
    ...n.reason.split(/\r?\n/),
    '',
    `--${boundary}`,
    'Content-Type: message/disposition-notification',
    '',
    `Reporting-UA: ${n.hostname}; Facteur`,
    `Final-Recipient: rfc822; ${n.recipient}`,
    ...(originalId !== undefined ? [`Original-Message-ID: ${originalId}`] : []),
    'Disposition: automatic-action/MDN-sent-automatically; deleted',
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
  ];
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'), headers, Buffer.from(`\r\n--${boundary}--\r\n`)]);
}
