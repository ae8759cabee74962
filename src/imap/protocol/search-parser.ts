/**
 * SEARCH arguments (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731 ESEARCH RETURN options,
 * RFC 5182 SAVE and "$", RFC 7162 §3.1.5 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 8514 §4.3
 * SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED, RFC 8474 §6 EMAILID/THREADID, RFC 9738 §3.2
 * UIDAFTER/UIDBEFORE).
 *
 * Invariants:
 * - criteria is always an AND at the top; a parenthesized list is an AND too.
 * - "RETURN ()" means RETURN (ALL) (RFC 4731 §3.1); no RETURN gives null (classic reply).
 * - RETURN takes CONTEXT, UPDATE and PARTIAL too (RFC 5267 §4, RFC 9394 §3.1); see
 *   parseReturnOptions.
 * - String values are decoded with the given CHARSET (UTF-8 when absent); an unknown
 *   charset fails with response code BADCHARSET (RFC 9051 §6.4.4).
 * - Recursion (parentheses, NOT, OR) is bounded by MAX_NESTING_DEPTH through Reader.enter().
 */
import iconv from 'iconv-lite';
import type { FetchAttribute, PartialRange, SearchCommand, SearchKey, SearchReturnOption } from './ast.js';
import { fetchAtt } from './fetch-parser.js';
import { readSearchDate } from './datetime.js';
import type { Reader } from './reader.js';
import { parseSequenceSet, startsSequenceSet } from './sequence-set.js';

const RETURN_OPTIONS: ReadonlySet<string> = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);
/** RFC 5267 §4 (and RFC 9394 for PARTIAL): accepted only where the caller supports them. */
const CONTEXT_OPTIONS: ReadonlySet<string> = new Set(['CONTEXT', 'UPDATE', 'PARTIAL']);

const FLAG_KEYS: ReadonlySet<string> = new Set([
  'ALL', 'ANSWERED', 'DELETED', 'DRAFT', 'FLAGGED', 'NEW', 'OLD', 'RECENT', 'SEEN',
  'UNANSWERED', 'UNDELETED', 'UNDRAFT', 'UNFLAGGED', 'UNSEEN',
  'SAVEDATESUPPORTED', // RFC 8514 §4.3: an argument-less key like these
]);
const STRING_KEYS: ReadonlySet<string> = new Set(['BCC', 'BODY', 'CC', 'FROM', 'SUBJECT', 'TEXT', 'TO']);
const DATE_KEYS: ReadonlySet<string> = new Set([
  'BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE',
  'SAVEDBEFORE', 'SAVEDON', 'SAVEDSINCE', // RFC 8514 §4.3
]);

type Decode = (bytes: Buffer, what: string) => string;

/** `save`: the command asked for RETURN (SAVE), which a refused charset empties (RFC 5182 §2.1). */
function charsetDecoder(r: Reader, charset: string | null, save: boolean): Decode {
  const upper = charset?.toUpperCase() ?? 'UTF-8';
  if (upper === 'UTF-8' || upper === 'US-ASCII' || upper === 'UTF8') {
    return (bytes, what) => r.decodeUtf8(bytes, what);
  }
  if (charset === null || !iconv.encodingExists(charset)) r.fail(`Unsupported charset ${charset ?? ''}`, 'BADCHARSET', save);
  return (bytes) => iconv.decode(bytes, charset);
}

/** Parses what follows "SEARCH" (the reader is just after the command name). */
export function parseSearchArgs(r: Reader): SearchCommand {
  r.sp('SEARCH');
  const extras: ReturnExtras = {};
  const returnOptions = parseReturnOptions(r, extras);
  let charset: string | null = null;
  if (r.peekWord('CHARSET')) {
    r.pos += 7;
    r.sp('CHARSET');
    charset = r.astring('charset');
    r.sp('charset');
  }
  const decode = charsetDecoder(r, charset, returnOptions?.includes('SAVE') ?? false);
  const keys: SearchKey[] = [];
  do {
    keys.push(searchKey(r, decode));
  } while (r.trySp());
  r.end();
  const criteria: SearchKey = { op: 'AND', keys };
  const cmd: SearchCommand = extras.partial === undefined ? { charset, returnOptions, criteria } : { charset, returnOptions, partial: extras.partial, criteria };
  if (extras.updateFetch !== undefined) cmd.updateFetch = extras.updateFetch;
  return cmd;
}

/** What parseReturnOptions found besides the option names. */
export interface ReturnExtras {
  /** The range of PARTIAL (RFC 9394 §3.1), when given. */
  partial?: PartialRange;
  /** UPDATE's fetch attributes (RFC 5465 §7 modifier-update), when given. */
  updateFetch?: FetchAttribute[];
}

/**
 * An optional `"RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" SP` (RFC 4466 §2.6,
 * RFC 4731 §3.1, RFC 5267 §3 for SORT): null when absent; duplicates are dropped.
 * - CONTEXT is a hint the server may ignore (RFC 5267 §4.2) and is dropped; an empty list, or
 *   one that held only CONTEXT, gives ['ALL'] (RFC 4731 §3.1 "RETURN ()").
 * - UPDATE (RFC 5267 §4.3) and PARTIAL (RFC 5267 §4.4, RFC 9394 §3.1) are accepted only when the
 *   caller passes `extras`, which receives PARTIAL's range. Two PARTIALs, or PARTIAL with ALL,
 *   are a syntax error (RFC 9394 §3.1: "either one PARTIAL, one ALL, or neither").
 */
export function parseReturnOptions(r: Reader, extras?: ReturnExtras): SearchReturnOption[] | null {
  if (!r.peekWord('RETURN')) return null;
  r.pos += 6;
  r.sp('RETURN');
  const opts = r.list(
    () => {
      const opt = r.atom('search return option').toUpperCase();
      if (extras !== undefined && CONTEXT_OPTIONS.has(opt)) {
        if (opt === 'PARTIAL') {
          if (extras.partial !== undefined) r.fail('Only one PARTIAL return option is allowed');
          r.sp('PARTIAL');
          extras.partial = parsePartialRange(r);
        }
        // RFC 5465 §8: modifier-update = "UPDATE" [ "(" fetch-att *(SP fetch-att) ")" ].
        if (opt === 'UPDATE' && r.peek() === 0x20 && r.peek(1) === 0x28) {
          r.sp();
          extras.updateFetch = r.list(() => fetchAtt(r), 'UPDATE fetch attributes');
        }
        return opt as SearchReturnOption | 'CONTEXT';
      }
      if (!RETURN_OPTIONS.has(opt)) r.fail(`Unknown search return option ${opt}`);
      return opt as SearchReturnOption;
    },
    'search return options',
    true,
  );
  r.sp('RETURN options');
  const kept = [...new Set(opts)].filter((o): o is SearchReturnOption => o !== 'CONTEXT');
  if (kept.includes('PARTIAL') && kept.includes('ALL')) r.fail('PARTIAL and ALL cannot be combined');
  return kept.length === 0 ? ['ALL'] : kept;
}

/**
 * RFC 9394 §4 partial-range: `nz-number ":" nz-number` or `"-" nz-number ":" "-" nz-number`;
 * "500:400" is "400:500" and "-500:-400" is "-400:-500". No "*", no single number.
 */
export function parsePartialRange(r: Reader): PartialRange {
  const fromEnd = r.peekChar('-');
  if (fromEnd) r.pos++;
  const a = r.nzNumber('partial range');
  r.expect(':', '":" in partial range');
  if (fromEnd) r.expect('-', '"-" in partial range');
  else if (r.peekChar('-')) r.fail('Partial range mixes positive and negative positions');
  const b = r.nzNumber('partial range');
  return { low: Math.min(a, b), high: Math.max(a, b), fromEnd };
}

function searchKey(r: Reader, decode: Decode): SearchKey {
  if (r.peekChar('(')) {
    r.pos++;
    r.enter();
    const keys: SearchKey[] = [];
    do {
      keys.push(searchKey(r, decode));
    } while (r.trySp());
    r.expect(')', '")" ending search key list');
    r.leave();
    return { op: 'AND', keys };
  }
  if (startsSequenceSet(r)) return { op: 'SEQ', set: parseSequenceSet(r) };
  const name = r.atom('search key').toUpperCase();
  if (FLAG_KEYS.has(name)) return { op: name } as SearchKey;
  if (STRING_KEYS.has(name)) {
    r.sp(name);
    return { op: name, value: decode(r.astringBytes('search string'), 'search string') } as SearchKey;
  }
  if (DATE_KEYS.has(name)) {
    r.sp(name);
    return { op: name, date: readSearchDate(r) } as SearchKey;
  }
  switch (name) {
    case 'KEYWORD':
    case 'UNKEYWORD':
      r.sp(name);
      return { op: name, flag: r.atom('keyword') };
    case 'HEADER': {
      r.sp(name);
      const field = r.astring('header field name');
      r.sp('header field name');
      return { op: 'HEADER', field, value: decode(r.astringBytes('search string'), 'search string') };
    }
    case 'LARGER':
    case 'SMALLER':
      r.sp(name);
      return { op: name, size: r.number64('size') };
    case 'UID':
      r.sp(name);
      if (!startsSequenceSet(r)) r.fail('Invalid sequence set');
      return { op: 'UID', set: parseSequenceSet(r) };
    case 'NOT': {
      r.sp(name);
      r.enter();
      const key = searchKey(r, decode);
      r.leave();
      return { op: 'NOT', key };
    }
    case 'OR': {
      r.sp(name);
      r.enter();
      const a = searchKey(r, decode);
      r.sp('OR key');
      const b = searchKey(r, decode);
      r.leave();
      return { op: 'OR', a, b };
    }
    case 'MODSEQ': {
      r.sp(name);
      if (r.peekChar('"')) {
        // RFC 7162 §3.1.5: entry-name SP entry-type-req, accepted and not used.
        const entry = r.quotedBytes().toString('latin1');
        if (!/^\/flags\/\\?[^\s]+$/i.test(entry)) r.fail('Invalid MODSEQ entry name');
        r.sp('MODSEQ entry name');
        const type = r.atom('MODSEQ entry type').toLowerCase();
        if (type !== 'priv' && type !== 'shared' && type !== 'all') r.fail('Invalid MODSEQ entry type');
        r.sp('MODSEQ entry type');
      }
      return { op: 'MODSEQ', modseq: r.number64('mod-sequence') };
    }
    case 'OLDER':
    case 'YOUNGER':
      r.sp(name);
      return { op: name, seconds: r.nzNumber('interval') };
    case 'EMAILID':
    case 'THREADID': {
      // RFC 8474 §6, §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"), case-sensitive.
      r.sp(name);
      const id = r.atom('objectid');
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) r.fail('Invalid objectid');
      return { op: name, id };
    }
    case 'UIDAFTER':
    case 'UIDBEFORE': {
      // RFC 9738 §3.2: exactly one UID (uniqueid = nz-number); a set, "*", "$" or 0 is BAD.
      r.sp(name);
      const uid = r.nzNumber('UID');
      if (!r.atEnd() && r.peek() !== 0x20 && r.peek() !== 0x29) r.fail(`${name} takes one UID, not a set`);
      return { op: name, uid };
    }
    default:
      return r.fail(`Unknown search key ${name}`);
  }
}

/**
 * The search keys of SORT and THREAD (RFC 5256 §5 "search-criteria" after its charset): one or
 * more keys separated by SP up to the end of the command, strings decoded with `charset`.
 * Returns their top-level AND; the caller checks the end of the command.
 */
export function parseSearchKeys(r: Reader, charset: string, save = false): SearchKey {
  const decode = charsetDecoder(r, charset, save);
  const keys: SearchKey[] = [];
  do {
    keys.push(searchKey(r, decode));
  } while (r.trySp());
  return { op: 'AND', keys };
}
