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
 * - RFC 6855 §4: utf8-literal = "UTF8" SP "(" literal8 ")", both as append-data and as a
 *   cat-part; either form is parsed in every session and marked `utf8`, and the handler refuses
 *   it unless the session enabled UTF8=ACCEPT (the parser does not know what was enabled).
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
    messages.push(parseAppendMessage(r));
  } while (!r.atEnd());
  return { mailbox, messages };
}

/**
 * One RFC 4466 append-message after its leading SP: [flag-list SP] [date-time SP] append-data.
 * Shared with REPLACE (RFC 8508 §5: replace = "REPLACE" SP seq-number SP mailbox append-message),
 * so every append-data form APPEND accepts (CATENATE, literal8 ...) is accepted there too.
 */
export function parseAppendMessage(r: Reader): AppendMessage {
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
    return { flags, internalDate, content: Buffer.alloc(0), binary: false, catenate };
  }
  if (r.peekWord('UTF8')) {
    const data = readUtf8Literal(r);
    return { flags, internalDate, content: data, binary: true, utf8: true };
  }
  if (!r.isLiteralStart()) r.fail('Expected message literal');
  const { data, binary } = r.literal(true);
  return { flags, internalDate, content: data, binary };
}

/** RFC 6855 §4 utf8-literal after its keyword was peeked: "UTF8" SP "(" literal8 ")". */
function readUtf8Literal(r: Reader): Buffer {
  r.pos += 'UTF8'.length;
  r.sp('UTF8');
  r.expect('(', '"(" after UTF8');
  if (r.peek() !== 0x7e) r.fail('Expected literal8 after UTF8 (');
  const { data } = r.literal(true);
  r.expect(')', '")" after UTF8 literal');
  return data;
}

function readCatPart(r: Reader): CatenatePart {
  if (r.peekWord('TEXT')) {
    r.pos += 4;
    r.sp('TEXT');
    if (!r.isLiteralStart()) r.fail('Expected literal after TEXT');
    return { kind: 'TEXT', data: r.literal(false).data };
  }
  if (r.peekWord('UTF8')) return { kind: 'TEXT', data: readUtf8Literal(r), utf8: true };
  if (r.peekWord('URL')) {
    r.pos += 3;
    r.sp('URL');
    return { kind: 'URL', url: r.astring('URL') };
  }
  return r.fail('Expected TEXT, URL or UTF8 in CATENATE list');
}
