/**
 * Byte-level helpers on a message being delivered: line-end normalisation, trace fields
 * prepended at delivery, header lookups delivery itself needs (loop and auto-reply checks), and
 * RFC 5322 dates.
 *
 * Invariants:
 * - Stored messages end lines with CRLF (IMAP, RFC 9051 §2.3.1 and RFC 5322 §2.1): input with
 *   bare LF (a pipe from an MTA into `facteur deliver`) is converted once, here.
 * - Header lookups read only the header block (up to the first empty line) and are bounded by it.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Converts bare LF (and bare CR) line ends to CRLF; returns the input when already CRLF-clean. */
export function toCrlf(buf: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === LF && (i === 0 || buf[i - 1] !== CR)) bare++;
    else if (c === CR && buf[i + 1] !== LF) bare++;
  }
  if (bare === 0) return buf;
  const out = Buffer.allocUnsafe(buf.length + bare);
  let o = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === LF && (i === 0 || buf[i - 1] !== CR)) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (c === CR && buf[i + 1] !== LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
}

/** Offset of the empty line ending the header block (the CRLF before it), or the buffer length. */
export function headerEnd(buf: Buffer): number {
  if (buf[0] === CR && buf[1] === LF) return 0;
  const i = buf.indexOf('\r\n\r\n');
  return i === -1 ? buf.length : i + 2;
}

/** Unfolded values of every field named `name` (case-insensitive), in order. */
export function headerFields(buf: Buffer, name: string): string[] {
  const text = buf.subarray(0, headerEnd(buf)).toString('latin1');
  const want = name.toLowerCase();
  const out: string[] = [];
  const lines = text.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue;
    if (line.slice(0, colon).trim().toLowerCase() !== want) continue;
    let value = line.slice(colon + 1);
    while (i + 1 < lines.length && (lines[i + 1].startsWith(' ') || lines[i + 1].startsWith('\t'))) value += lines[++i];
    out.push(value.trim());
  }
  return out;
}

/** Prepends header fields (each "Name: value", no line end) to the message. */
export function prependFields(message: Buffer, fields: readonly string[]): Buffer {
  if (fields.length === 0) return message;
  return Buffer.concat([Buffer.from(fields.map((f) => f + '\r\n').join(''), 'utf8'), message]);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 26 Nov 2026 01:02:03 +0000". */
export function rfc5322Date(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The address inside the first <...> of a field value, or the trimmed value itself. */
export function bareAddress(value: string): string {
  const m = /<([^>]*)>/.exec(value);
  return (m ? m[1] : value).trim();
}

/**
 * RFC 3834 §2 and RFC 5230 §4.5-§4.6: whether a message must never get an automatic reply
 * (auto-submitted, list or bulk mail, or a sender that is a mailer or a list robot). Checked by
 * the host as well as by the Sieve library, since the envelope is the host's to judge.
 */
export function mustNotAutoReply(message: Buffer, envelopeFrom: string): boolean {
  if (envelopeFrom === '') return true;
  const local = envelopeFrom.slice(0, envelopeFrom.lastIndexOf('@') === -1 ? undefined : envelopeFrom.lastIndexOf('@')).toLowerCase();
  if (/^(owner-.*|.*-request|mailer-daemon|listserv|majordomo|postmaster|.*-bounces?)$/.test(local)) return true;
  if (headerFields(message, 'Auto-Submitted').some((v) => v.toLowerCase().split(';')[0].trim() !== 'no')) return true;
  if (headerFields(message, 'Precedence').some((v) => /^(bulk|list|junk)$/i.test(v))) return true;
  for (const f of ['List-Id', 'List-Unsubscribe', 'List-Post', 'List-Help', 'X-Loop']) {
    if (headerFields(message, f).length > 0) return true;
  }
  return false;
}

/**
 * The message as it leaves again (Sieve redirect): without the Return-Path delivery put on top,
 * since that field belongs to final delivery only (RFC 5321 §4.4) and the next hop adds its own.
 */
export function withoutLeadingReturnPath(message: Buffer): Buffer {
  if (!/^return-path:/i.test(message.subarray(0, 12).toString('latin1'))) return message;
  const nl = message.indexOf('\r\n');
  return nl === -1 ? message : message.subarray(nl + 2);
}
