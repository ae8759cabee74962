/**
 * RFC 2047 encoded-word decoding for display and search. Invariants:
 * - text outside encoded words is kept verbatim;
 * - whitespace between two adjacent encoded words is removed (RFC 2047 §6.2);
 * - adjacent encoded words in the same charset are decoded as one byte run, so a multi-byte
 *   character split across words (common with B encoding) survives;
 * - tolerant: unknown charsets fall back to UTF-8/latin1, malformed words stay as written,
 *   Q words with spaces or words inside atoms are still decoded (as mail clients do).
 */
import { decodeCharset } from './charset.js';
import { decodeBase64 } from './transfer-encoding.js';

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*?)\?=/g;

function qBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) {
      out.push(0x20);
    } else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x100) {
      out.push(c);
    } else {
      for (const b of Buffer.from(text[i]!, 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

interface Run {
  charset: string;
  chunks: Buffer[];
}

/** Decodes the encoded words of an (unfolded) header value. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let run: Run | null = null;
  const flush = (): void => {
    if (run !== null) out += decodeCharset(Buffer.concat(run.chunks), run.charset);
    run = null;
  };
  WORD.lastIndex = 0;
  for (let m = WORD.exec(value); m !== null; m = WORD.exec(value)) {
    const between = value.slice(last, m.index);
    const adjacent = run !== null && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      flush();
      out += between;
    }
    const charset = m[1]!.toLowerCase().split('*')[0]!;
    const bytes = m[2]!.toUpperCase() === 'B' ? decodeBase64(Buffer.from(m[3]!, 'latin1')) : qBytes(m[3]!);
    const current = run as Run | null;
    if (current !== null && current.charset === charset) {
      current.chunks.push(bytes);
    } else {
      flush();
      run = { charset, chunks: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}
