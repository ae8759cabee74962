/**
 * Re-encodes the leaf parts whose bodies contain NUL octets as base64, for messages APPENDed as
 * literal8 (RFC 3516 §4.1). Afterwards every BODY[...] / RFC822 literal is NUL-free, as RFC 9051
 * §4.3 requires (CHAR8 excludes %x00; only BINARY responses may use literal8), and BODYSTRUCTURE
 * reports the base64 encoding the stored message really has. BINARY[part] still returns the
 * original octets (the transfer encoding removed).
 *
 * Invariants: parts without NUL are untouched byte for byte; the result parses into the same
 * tree shape; null means nothing needed rewriting.
 */
import { parseMessage } from './parse.js';
import { firstField, readHeaderBlock } from './header-block.js';
import { decodeTransfer } from './transfer-encoding.js';
import type { MimePart } from './types.js';

interface Edit {
  start: number;
  end: number;
  data: Buffer;
}

const CTE_BASE64 = Buffer.from('Content-Transfer-Encoding: base64\r\n');

function base64Lines(data: Buffer, finalNewline: boolean): Buffer {
  const text = data.toString('base64');
  const lines: string[] = [];
  // RFC 2045 §6.8: encoded lines of at most 76 characters.
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return Buffer.from(lines.join('\r\n') + (finalNewline ? '\r\n' : ''));
}

function collect(raw: Buffer, part: MimePart, edits: Edit[]): void {
  if (part.message) {
    collect(raw, part.message, edits);
    return;
  }
  if (part.children.length > 0 || part.type === 'multipart') {
    for (const child of part.children) collect(raw, child, edits);
    return;
  }
  const body = raw.subarray(part.bodyStart, part.end);
  if (body.indexOf(0) < 0) return;
  const content = decodeTransfer(body, part.encoding) ?? body;
  const header = readHeaderBlock(raw, part.headerStart, part.bodyStart);
  const cte = firstField(header.fields, 'content-transfer-encoding');
  if (cte) edits.push({ start: cte.start, end: cte.end, data: CTE_BASE64 });
  else edits.push({ start: part.headerStart, end: part.headerStart, data: CTE_BASE64 });
  edits.push({ start: part.bodyStart, end: part.end, data: base64Lines(content, body[body.length - 1] === 0x0a) });
}

export function encodeNulParts(raw: Buffer): Buffer | null {
  if (raw.indexOf(0) < 0) return null;
  const edits: Edit[] = [];
  collect(raw, parseMessage(raw), edits);
  if (edits.length === 0) return null;
  edits.sort((a, b) => a.start - b.start);
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const e of edits) {
    pieces.push(raw.subarray(pos, e.start), e.data);
    pos = e.end;
  }
  pieces.push(raw.subarray(pos));
  return Buffer.concat(pieces);
}
