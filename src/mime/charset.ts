/**
 * Byte -> string conversions. Never throws: an unknown or failing charset falls back to
 * UTF-8 when the bytes are valid UTF-8, else latin1 (each byte one code point), so no input
 * byte is ever lost or replaced by a guess that hides it from search.
 */
import iconv from 'iconv-lite';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Raw header/parameter bytes as a JS string: UTF-8 when valid (RFC 6532), else latin1. */
export function rawString(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  }
}

/** Charset labels that promise nothing about the bytes (RFC 1428 unknown-8bit and friends). */
const UNLABELLED = new Set(['', 'us-ascii', 'ascii', 'unknown-8bit', 'x-unknown', 'unknown', 'default', '7bit', '8bit']);

function normaliseLabel(charset: string): string {
  let cs = charset.trim().toLowerCase();
  if (cs.startsWith('"') && cs.endsWith('"') && cs.length >= 2) cs = cs.slice(1, -1).trim();
  // RFC 2231 §5: a language may follow the charset in encoded words ("utf-8*en").
  const star = cs.indexOf('*');
  if (star >= 0) cs = cs.slice(0, star);
  return cs;
}

/** Decode bytes labelled with a MIME charset; tolerant of unknown labels and bad sequences. */
export function decodeCharset(bytes: Buffer, charset: string): string {
  const cs = normaliseLabel(charset);
  if (UNLABELLED.has(cs) || cs === 'utf-8' || cs === 'utf8') return rawString(bytes);
  try {
    if (iconv.encodingExists(cs)) return iconv.decode(bytes, cs);
  } catch {
    // fall through to the unlabelled interpretation
  }
  return rawString(bytes);
}
