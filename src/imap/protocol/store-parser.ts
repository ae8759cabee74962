/**
 * STORE arguments (RFC 9051 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE).
 *
 * Invariants:
 * - The flags come either as one parenthesized list (possibly empty) or as 1*(flag SP) flags.
 * - System flags are canonically cased ("\seen" -> "\Seen"); keywords are kept as sent.
 */
import type { SequenceSet, StoreAction } from './ast.js';
import type { Reader } from './reader.js';
import { parseSequenceSet } from './sequence-set.js';

export interface StoreArgs {
  set: SequenceSet;
  action: StoreAction;
  unchangedSince?: number;
}

/** Parses what follows "STORE". */
export function parseStoreArgs(r: Reader): StoreArgs {
  r.sp('STORE');
  const set = parseSequenceSet(r);
  r.sp('sequence set');
  let unchangedSince: number | undefined;
  if (r.peekChar('(')) {
    r.list(
      () => {
        const name = r.atom('store modifier').toUpperCase();
        if (name !== 'UNCHANGEDSINCE') r.fail(`Unknown store modifier ${name}`);
        r.sp(name);
        unchangedSince = r.number64('mod-sequence');
      },
      'store modifiers',
    );
    r.sp('store modifiers');
  }
  let op: StoreAction['op'] = 'set';
  if (r.peekChar('+')) {
    op = 'add';
    r.pos++;
  } else if (r.peekChar('-')) {
    op = 'remove';
    r.pos++;
  }
  const item = r.atom('FLAGS').toUpperCase();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') r.fail(`Unknown store item ${item}`);
  r.sp(item);
  let flags: string[];
  if (r.peekChar('(')) {
    flags = r.flagList();
  } else {
    flags = [r.flag()];
    while (r.trySp()) flags.push(r.flag());
  }
  r.end();
  const action: StoreAction = { op, silent: item === 'FLAGS.SILENT', flags: [...new Set(flags)] };
  return unchangedSince === undefined ? { set, action } : { set, action, unchangedSince };
}
