/**
 * APPEND arguments (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 literal8).
 *
 * Invariants:
 * - One or more messages, each: [flag-list SP] [date-time SP] (literal / literal8).
 * - The message content is a view into the command Buffer (no copy).
 */
import type { AppendMessage } from './ast.js';
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
    if (!r.isLiteralStart()) r.fail('Expected message literal');
    const { data, binary } = r.literal(true);
    messages.push({ flags, internalDate, content: data, binary });
  } while (!r.atEnd());
  return { mailbox, messages };
}
