/**
 * APPEND arguments (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 literal8).
 *
 * Invariants:
 * - One or more messages, each: [flag-list SP] [date-time SP] (literal / literal8).
 * - The message content is a view into the command Buffer (no copy).
 * - RFC 4469 §5: append-data =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")", cat-part =
 *   "TEXT" SP literal / "URL" SP astring. TEXT takes a plain literal only (the grammar does not
 *   extend it to literal8), so NUL in a TEXT part is a syntax error. Such a message has empty
 *   `content` and its parts in `catenate`.
 */
import type { AppendMessage, CatenatePart } from './ast.js';
import { readDateTime } from './datetime.js';
import type { Reader } from './reader.js';

/** Parses what follows "APPEND". */
export function parseAppendArgs(r: Reader): { mailbox: string; messages: AppendMessage[] } {
  r.sp('APPEND');
  const mailbox = r.mailbox();
  const messages: AppendMessage[] = [];
  do {
    r.sp(messages.length === 0 ? 'mailbox name' : 'message literal');
    let flags: string[] = [];
    let internalDate: number | null = null;
    if (r.peekChar('(')) {
      flags = [...new Set(r.flagList())];
      r.sp('flag list');
    }
    if (r.peekChar('"')) {
      internalDate = readDateTime(r);
      r.sp('date-time');
    }
    if (r.peekWord('CATENATE')) {
      r.pos += 'CATENATE'.length;
      r.sp('CATENATE');
      const catenate = r.list(() => readCatPart(r), 'CATENATE parts');
      messages.push({ flags, internalDate, content: Buffer.alloc(0), binary: false, catenate });
      continue;
    }
    if (!r.isLiteralStart()) r.fail('Expected message literal');
    const { data, binary } = r.literal(true);
    messages.push({ flags, internalDate, content: data, binary });
  } while (!r.atEnd());
  return { mailbox, messages };
}

function readCatPart(r: Reader): CatenatePart {
  if (r.peekWord('TEXT')) {
    r.pos += 4;
    r.sp('TEXT');
    if (!r.isLiteralStart()) r.fail('Expected literal after TEXT');
    return { kind: 'TEXT', data: r.literal(false).data };
  }
  if (r.peekWord('URL')) {
    r.pos += 3;
    r.sp('URL');
    return { kind: 'URL', url: r.astring('URL') };
  }
  return r.fail('Expected TEXT or URL in CATENATE list');
}
