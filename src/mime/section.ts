/**
 * BODY[section] and BINARY[section] bytes (RFC 9051 §6.4.5, RFC 3516 §4.2) from the parsed tree.
 * Part numbering: a message's parts are its multipart children, or itself as part 1 when it is
 * not multipart; a message/rfc822 part's subparts are the parts of its encapsulated message.
 * HEADER/TEXT/HEADER.FIELDS[.NOT] with a part number apply to a message/rfc822 part's
 * encapsulated message; for any other part they are empty (as Dovecot answers). MIME is the
 * part's own header block. null always means "no such part".
 */
import type { MimePart, SectionSpec } from './types.js';
import { readHeaderBlock } from './header-block.js';
import { decodeTransfer } from './transfer-encoding.js';

function subparts(p: MimePart, isMessage: boolean): MimePart[] {
  if (p.type === 'multipart') return p.children;
  if (isMessage) return [p];
  if (p.message !== null) return subparts(p.message, true);
  return [];
}

/** RFC 9051 §6.4.5 part specifier lookup; [] is the message itself. */
export function findPart(root: MimePart, path: number[]): MimePart | null {
  let cur = root;
  let isMessage = true;
  for (const n of path) {
    if (!Number.isInteger(n) || n < 1) return null;
    const next = subparts(cur, isMessage)[n - 1];
    if (next === undefined) return null;
    cur = next;
    isMessage = false;
  }
  return cur;
}

const CRLF = Buffer.from('\r\n');
const LF = 0x0a;

/** Header lines whose names are (or, with exclude, are not) in `names`, original folding kept,
 * then the terminating blank line. */
function headerFields(raw: Buffer, msg: MimePart, names: string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const block = readHeaderBlock<never>(raw, msg.headerStart, msg.bodyStart);
  const chunks: Buffer[] = [];
  for (const f of block.fields) {
    if (wanted.has(f.name.toLowerCase()) === exclude) continue;
    let e = f.end;
    // the blank line ending the block is not part of the last field
    if (e > msg.bodyStart) e = msg.bodyStart;
    const bytes = raw.subarray(f.start, e);
    chunks.push(bytes);
    if (bytes.length === 0 || bytes[bytes.length - 1] !== LF) chunks.push(CRLF);
  }
  chunks.push(CRLF);
  return Buffer.concat(chunks);
}

/** The exact bytes of BODY[section]; null when the part does not exist. */
export function sectionBytes(raw: Buffer, root: MimePart, spec: SectionSpec): Buffer | null {
  const part = findPart(root, spec.part);
  if (part === null) return null;
  const text = spec.text;
  if (text === undefined) {
    return spec.part.length === 0 ? raw.subarray(0, raw.length) : raw.subarray(part.bodyStart, part.end);
  }
  if (text === 'MIME') {
    if (spec.part.length === 0) return null;
    return raw.subarray(part.headerStart, part.bodyStart);
  }
  const msg = spec.part.length === 0 ? part : part.message;
  if (msg === null) return Buffer.alloc(0);
  switch (text) {
    case 'HEADER':
      return raw.subarray(msg.headerStart, msg.bodyStart);
    case 'TEXT':
      return raw.subarray(msg.bodyStart, msg.end);
    case 'HEADER.FIELDS':
      return headerFields(raw, msg, spec.fields ?? [], false);
    case 'HEADER.FIELDS.NOT':
      return headerFields(raw, msg, spec.fields ?? [], true);
  }
  return null;
}

export type BinaryResult = { data: Buffer } | { error: 'UNKNOWN-CTE' };

/** FETCH BINARY[path] (RFC 3516 §4.2): the part's body with its Content-Transfer-Encoding
 * removed. [] is the whole message as stored (a header block has no CTE to remove); multipart
 * bodies are returned as stored (RFC 2045 §6.4 forbids encoding them). */
export function binarySection(raw: Buffer, root: MimePart, path: number[]): BinaryResult | null {
  const part = findPart(root, path);
  if (part === null) return null;
  if (path.length === 0) return { data: raw.subarray(0, raw.length) };
  const body = raw.subarray(part.bodyStart, part.end);
  if (part.type === 'multipart') return { data: body };
  const data = decodeTransfer(body, part.encoding);
  return data === null ? { error: 'UNKNOWN-CTE' } : { data };
}
