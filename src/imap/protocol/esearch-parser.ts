/**
 * ESEARCH arguments (RFC 7377 §4): `"ESEARCH" [SP esearch-source-opts] [SP search-return-opts]
 * SP search-program`, with source options from RFC 5465 §6 filter-mailboxes as amended by
 * RFC 7377 §2.2 (subtree-one added, selected-delayed refused).
 *
 * Invariants:
 * - Filter names are case-insensitive; mailbox names decode as everywhere else (Reader.mailbox).
 * - At most MAX_ESEARCH_SOURCES filters and mailbox names in all, so the list is bounded.
 * - No scope option is defined (RFC 7377 §4), so any scope option is a BAD.
 * - The rest is exactly SEARCH's grammar (search-parser.ts).
 */
import { MAX_ESEARCH_SOURCES } from '../../wire/limits.js';
import type { EsearchSource, SearchCommand } from './ast.js';
import type { Reader } from './reader.js';
import { parseSearchArgs } from './search-parser.js';

export interface EsearchArgs extends SearchCommand {
  /** null when IN (...) was absent: the selected mailbox (RFC 7377 §2.2). */
  sources: EsearchSource[] | null;
}

/** Parses what follows "ESEARCH" (the reader is just after the command name). */
export function parseEsearchArgs(r: Reader): EsearchArgs {
  let sources: EsearchSource[] | null = null;
  const start = r.pos;
  if (r.trySp() && r.peekWord('IN') && r.peek(2) === 0x20) {
    r.pos += 2;
    r.sp('IN');
    sources = readSources(r);
  } else {
    r.pos = start;
  }
  return { sources, ...parseSearchArgs(r) };
}

function readSources(r: Reader): EsearchSource[] {
  const out: EsearchSource[] = [];
  let count = 0;
  const counted = (): void => {
    if (++count > MAX_ESEARCH_SOURCES) r.fail(`More than ${MAX_ESEARCH_SOURCES} source mailboxes`);
  };
  r.expect('(', '"(" starting source options');
  for (;;) {
    if (r.peekChar('(')) {
      // RFC 7377 §4 scope-options: none is defined, so whatever is named is unsupported.
      if (out.length === 0) r.fail('Expected a mailbox filter');
      r.fail('Unsupported ESEARCH scope option');
    }
    const name = r.atom('mailbox filter').toLowerCase();
    counted();
    switch (name) {
      case 'selected':
      case 'personal':
      case 'inboxes':
      case 'subscribed':
        out.push({ kind: name });
        break;
      case 'subtree':
      case 'subtree-one':
      case 'mailboxes': {
        r.sp(name);
        const names: string[] = [];
        const one = (): void => {
          counted();
          names.push(r.mailbox());
        };
        if (r.peekChar('(')) r.list(one, 'mailbox names');
        else one();
        out.push({ kind: name, names });
        break;
      }
      case 'selected-delayed':
        // RFC 7377 §2.2 item 1.
        r.fail('selected-delayed is not valid in ESEARCH');
        break;
      default:
        r.fail(`Unknown mailbox filter ${name}`);
    }
    if (!r.trySp()) break;
  }
  r.expect(')', '")" ending source options');
  return out;
}
