/**
 * SORT and THREAD arguments (RFC 5256 §5 ABNF, RFC 5957 §5 DISPLAYFROM/DISPLAYTO):
 *   sort   = ["UID" SP] "SORT" [SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"]
 *            SP sort-criteria SP search-criteria            ; RETURN: ESORT, RFC 5267 §3
 *   thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
 *   sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
 *   sort-criterion = ["REVERSE" SP] sort-key
 *   search-criteria = charset 1*(SP search-key)
 *
 * Invariants:
 * - The charset is mandatory; an unknown one fails with BADCHARSET (answered NO, like SEARCH).
 * - An unknown sort key or threading algorithm is a syntax error (tagged BAD, RFC 5256 §3).
 * - Search keys are parsed by search-parser.ts, so SORT/THREAD accept exactly SEARCH's keys.
 * - ESORT (RFC 5267 §3): an optional `"RETURN" SP "(" [return options] ")" SP` right after
 *   "SORT" takes SEARCH's options (MIN MAX ALL COUNT SAVE, parsed by search-parser.ts);
 *   returnOptions is set only when RETURN was given. CONTEXT, UPDATE and PARTIAL (RFC 5267 §4,
 *   RFC 9394) are accepted as for SEARCH.
 */
import type { SortCommand, SortCriterion, SortKeyName, ThreadAlgorithm, ThreadCommand } from './ast.js';
import type { Reader } from './reader.js';
import { parseReturnOptions, parseSearchKeys, type ReturnExtras } from './search-parser.js';

const SORT_KEYS: ReadonlySet<string> = new Set(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO']);
const THREAD_ALGORITHMS: ReadonlySet<string> = new Set(['ORDEREDSUBJECT', 'REFERENCES', 'REFS']);

/** Parses what follows "SORT" (the reader is just after the command name). */
export function parseSortArgs(r: Reader): SortCommand {
  r.sp('SORT');
  const extras: ReturnExtras = {};
  const returnOptions = parseReturnOptions(r, extras);
  const criteria = r.list(
    (): SortCriterion => {
      let key = r.atom('sort key').toUpperCase();
      let reverse = false;
      if (key === 'REVERSE') {
        reverse = true;
        r.sp('REVERSE');
        key = r.atom('sort key').toUpperCase();
      }
      if (!SORT_KEYS.has(key)) r.fail(`Unknown sort key ${key}`);
      return { key: key as SortKeyName, reverse };
    },
    'sort criteria',
  );
  r.sp('sort criteria');
  const charset = r.astring('charset');
  r.sp('charset');
  const search = parseSearchKeys(r, charset, returnOptions?.includes('SAVE') ?? false);
  r.end();
  if (returnOptions === null) return { criteria, charset, search };
  const cmd = extras.partial === undefined ? { criteria, charset, search, returnOptions } : { criteria, charset, search, returnOptions, partial: extras.partial };
  return extras.updateFetch === undefined ? cmd : { ...cmd, updateFetch: extras.updateFetch };
}

/** Parses what follows "THREAD". */
export function parseThreadArgs(r: Reader): ThreadCommand {
  r.sp('THREAD');
  const algorithm = r.atom('threading algorithm').toUpperCase();
  if (!THREAD_ALGORITHMS.has(algorithm)) r.fail(`Unsupported threading algorithm ${algorithm}`);
  r.sp('threading algorithm');
  const charset = r.astring('charset');
  r.sp('charset');
  const search = parseSearchKeys(r, charset);
  r.end();
  return { algorithm: algorithm as ThreadAlgorithm, charset, search };
}
