/**
 * Decoded text for SEARCH (RFC 9051 §6.4.4 HEADER, BODY, TEXT). Choices:
 * - header values are unfolded and RFC 2047-decoded;
 * - body text covers text/* leaves only (as Dovecot without FTS), transfer-decoded and converted
 *   from their charset (default us-ascii, read as UTF-8/latin1); HTML is kept as-is, tags
 *   included; other leaves contribute nothing;
 * - multiparts recurse into children; message/rfc822 parts contribute their encapsulated
 *   header block (decoded) and body text;
 * - pieces are joined with "\n" so no match spans two parts.
 */
import type { MimePart } from './types.js';
import { readHeaderBlock, unfoldedValue } from './header-block.js';
import { decodeEncodedWords } from './encoded-word.js';
import { decodeTransfer } from './transfer-encoding.js';
import { decodeCharset } from './charset.js';
import { MAX_MIME_DEPTH } from './limits.js';

function fieldsOf(raw: Buffer, part: MimePart) {
  return readHeaderBlock<never>(raw, part.headerStart, part.bodyStart).fields;
}

/** Unfolded, RFC 2047-decoded values of every field named `name` (case-insensitive), in order. */
export function headerValues(raw: Buffer, part: MimePart, name: string): string[] {
  const lower = name.toLowerCase();
  return fieldsOf(raw, part)
    .filter((f) => f.name.toLowerCase() === lower)
    .map((f) => decodeEncodedWords(unfoldedValue(raw, f)));
}

/** The whole header block decoded, one "Name: value" line per field. */
export function allHeaderText(raw: Buffer, part: MimePart): string {
  return fieldsOf(raw, part)
    .map((f) => `${f.name}: ${decodeEncodedWords(unfoldedValue(raw, f))}`)
    .join('\n');
}

function collect(raw: Buffer, part: MimePart, out: string[], depth: number): void {
  if (depth > MAX_MIME_DEPTH) return;
  if (part.type === 'multipart') {
    for (const c of part.children) collect(raw, c, out, depth + 1);
    return;
  }
  if (part.message !== null) {
    out.push(allHeaderText(raw, part.message));
    collect(raw, part.message, out, depth + 1);
    return;
  }
  if (part.type !== 'text') return;
  const decoded = decodeTransfer(raw.subarray(part.bodyStart, part.end), part.encoding);
  if (decoded === null) return;
  const charset = part.params.find(([k]) => k === 'charset')?.[1] ?? 'us-ascii';
  out.push(decodeCharset(decoded, charset));
}

/** Decoded text of the message body (the root's header excluded) for SEARCH BODY/TEXT. */
export function bodyText(raw: Buffer, root: MimePart): string {
  const out: string[] = [];
  collect(raw, root, out, 0);
  return out.join('\n');
}
