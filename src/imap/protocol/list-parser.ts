/**
 * LIST, LSUB and STATUS arguments (RFC 9051 §6.3.9, §6.3.11; RFC 3501 §6.3.9 LSUB;
 * RFC 5258 LIST-EXTENDED; RFC 5819 LIST-STATUS; RFC 6154 SPECIAL-USE; RFC 9590 LIST-METADATA).
 *
 * Invariants:
 * - Patterns are decoded like mailbox names but "INBOX" is not case-normalised (the matcher
 *   handles INBOX case-insensitively, RFC 9051 §6.3.9).
 * - Unknown selection or return options are rejected (RFC 5258 §3); RECURSIVEMATCH needs
 *   another selection option besides REMOTE (RFC 5258 §3.1).
 * - `extended` is true as soon as any LIST-EXTENDED syntax appears.
 */
import type { ListCommand, StatusItem } from './ast.js';
import { decodeMailboxName } from './mailbox-name.js';
import { isListChar, type Reader } from './reader.js';
import { readListMetadataOption } from './metadata-parser.js';

const SELECTION = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const STATUS_ITEMS: ReadonlySet<string> = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ', 'MAILBOXID', 'DELETED-STORAGE']);

/** "(" status-att *(SP status-att) ")" (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8474 §4.3 MAILBOXID). */
export function readStatusItems(r: Reader): StatusItem[] {
  const items = r.list(
    () => {
      const item = r.atom('status item').toUpperCase();
      if (!STATUS_ITEMS.has(item)) r.fail(`Unknown status item ${item}`);
      return item as StatusItem;
    },
    'status items',
  );
  return [...new Set(items)];
}

/** list-mailbox = 1*list-char / string, decoded. */
export function readListMailbox(r: Reader): string {
  let bytes: Buffer;
  if (r.peekChar('"') || r.peekChar('{')) {
    bytes = r.stringBytes('mailbox pattern');
  } else {
    const start = r.pos;
    while (!r.atEnd() && (isListChar(r.peek()) || (r.utf8Accept && r.peek() >= 0x80))) r.pos++;
    if (r.pos === start) r.fail('Expected mailbox pattern');
    bytes = r.buf.subarray(start, r.pos);
  }
  const name = decodeMailboxName(bytes, r.utf8Accept, false);
  // A pattern that is not valid mUTF-7/UTF-8 names no mailbox: it matches nothing (NUL never
  // occurs in a mailbox name), and LIST answers OK with no entries.
  return name ?? UNMATCHABLE;
}

/** Stands for a pattern or reference that cannot match any mailbox name. */
export const UNMATCHABLE = '\u0000';

/** Parses what follows "LIST". */
export function parseListArgs(r: Reader): ListCommand {
  r.sp('LIST');
  let extended = false;
  const selection: ListCommand['selection'] = [];
  if (r.peekChar('(')) {
    extended = true;
    const opts = r.list(
      () => {
        const opt = r.atom('selection option').toUpperCase();
        if (!SELECTION.has(opt)) r.fail(`Unknown LIST selection option ${opt}`);
        return opt as ListCommand['selection'][number];
      },
      'selection options',
      true,
    );
    for (const o of opts) if (!selection.includes(o)) selection.push(o);
    if (selection.includes('RECURSIVEMATCH') && !selection.some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')) {
      r.fail('RECURSIVEMATCH requires another selection option');
    }
    r.sp('selection options');
  }
  const reference = readReference(r);
  r.sp('reference');
  let patterns: string[];
  if (r.peekChar('(')) {
    extended = true;
    patterns = r.list(() => readListMailbox(r), 'mailbox patterns');
  } else {
    patterns = [readListMailbox(r)];
  }
  const returnOptions: ListCommand['returnOptions'] = { subscribed: false, children: false, specialUse: false, status: null };
  if (r.trySp()) {
    if (!r.peekWord('RETURN')) r.fail('Expected RETURN');
    r.pos += 6;
    extended = true;
    r.sp('RETURN');
    r.list(
      () => {
        const opt = r.atom('return option').toUpperCase();
        if (opt === 'SUBSCRIBED') returnOptions.subscribed = true;
        else if (opt === 'CHILDREN') returnOptions.children = true;
        else if (opt === 'SPECIAL-USE') returnOptions.specialUse = true;
        else if (opt === 'MYRIGHTS') returnOptions.myRights = true; // RFC 8440 §3
        else if (opt === 'STATUS') {
          r.sp('STATUS');
          returnOptions.status = readStatusItems(r);
        } else if (opt === 'METADATA') {
          // RFC 9590: entries requested for every listed mailbox (repeats merge).
          returnOptions.metadata = [...(returnOptions.metadata ?? []), ...readListMetadataOption(r)];
        } else r.fail(`Unknown LIST return option ${opt}`);
      },
      'return options',
      true,
    );
  }
  r.end();
  return { selection, reference, patterns, returnOptions, extended };
}

/** The reference name: a mailbox, but never INBOX-normalised (it is a prefix, RFC 9051 §6.3.9). */
function readReference(r: Reader): string {
  const bytes = r.astringBytes('reference name', r.utf8Accept);
  const name = decodeMailboxName(bytes, r.utf8Accept, false);
  return name ?? UNMATCHABLE;
}

/** Parses what follows "LSUB". */
export function parseLsubArgs(r: Reader): { reference: string; pattern: string } {
  r.sp('LSUB');
  const reference = readReference(r);
  r.sp('reference');
  const pattern = readListMailbox(r);
  r.end();
  return { reference, pattern };
}
