/**
 * Arguments of the URLAUTH commands: GENURLAUTH, RESETKEY, URLFETCH (RFC 4467 §9), with the
 * extended URLFETCH of URLAUTH=BINARY (RFC 5524 §5).
 *
 * Invariants:
 * - URLs are kept exactly as sent: URLAUTH tokens are computed over the URL's bytes (RFC 4467 §6),
 *   and URLFETCH echoes each URL in its reply. Whether a URL is valid is the handler's business
 *   (GENURLAUTH answers BAD, URLFETCH answers NIL); the parser checks only the command grammar.
 * - Mechanism names are upper-cased (RFC 4467 §9: case-insensitive).
 * - URLFETCH parameters appear at most once each and never BODY with BINARY (RFC 5524 §3.1);
 *   an unknown parameter is BAD. At most MAX_URLS_PER_COMMAND URLs per command.
 */
import { MAX_URLS_PER_COMMAND } from '../../wire/limits.js';
import type { Command, UrlFetchArg, UrlFetchParam } from './ast.js';
import type { Reader } from './reader.js';

/** RFC 4467 §9 mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / "."). */
function mechanism(r: Reader): string {
  const name = r.run((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e);
  if (name === '') r.fail('Expected URLAUTH mechanism');
  return name.toUpperCase();
}

/** "GENURLAUTH" 1*(SP url-rump SP mechanism) */
export function parseGenUrlAuth(r: Reader): Command {
  const pairs: Array<{ url: string; mechanism: string }> = [];
  do {
    if (pairs.length >= MAX_URLS_PER_COMMAND) r.fail('Too many URLs');
    r.sp(pairs.length === 0 ? 'GENURLAUTH' : 'mechanism');
    const url = r.astring('URL');
    r.sp('URL');
    pairs.push({ url, mechanism: mechanism(r) });
  } while (!r.atEnd());
  return { name: 'GENURLAUTH', pairs };
}

/** "RESETKEY" [SP mailbox *(SP mechanism)] */
export function parseResetKey(r: Reader): Command {
  if (r.atEnd()) return { name: 'RESETKEY', mailbox: null, mechanisms: [] };
  r.sp('RESETKEY');
  const mailbox = r.mailbox();
  const mechanisms: string[] = [];
  while (r.trySp()) mechanisms.push(mechanism(r));
  r.end();
  return { name: 'RESETKEY', mailbox, mechanisms };
}

const PARAMS: ReadonlySet<string> = new Set(['BODY', 'BINARY', 'BODYPARTSTRUCTURE']);

/** "URLFETCH" 1*(SP (url-full / "(" url-full *(SP url-fetch-param) ")")) */
export function parseUrlFetch(r: Reader): Command {
  const urls: UrlFetchArg[] = [];
  do {
    if (urls.length >= MAX_URLS_PER_COMMAND) r.fail('Too many URLs');
    r.sp(urls.length === 0 ? 'URLFETCH' : 'URL');
    if (!r.peekChar('(')) {
      urls.push({ url: r.astring('URL'), extended: false, params: [] });
      continue;
    }
    r.expect('(', '"("');
    const url = r.astring('URL');
    const params: UrlFetchParam[] = [];
    while (r.trySp()) {
      const p = r.atom('URLFETCH parameter').toUpperCase();
      if (!PARAMS.has(p)) r.fail(`Unknown URLFETCH parameter ${p}`);
      if (params.includes(p as UrlFetchParam)) r.fail(`Duplicate URLFETCH parameter ${p}`);
      params.push(p as UrlFetchParam);
    }
    if (params.includes('BODY') && params.includes('BINARY')) r.fail('BODY and BINARY are mutually exclusive');
    r.expect(')', '")" ending URLFETCH arguments');
    urls.push({ url, extended: params.length > 0, params });
  } while (!r.atEnd());
  return { name: 'URLFETCH', urls };
}
