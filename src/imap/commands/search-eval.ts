/**
 * Evaluation of SEARCH criteria (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 5032 OLDER/YOUNGER,
 * RFC 7162 §3.1.5 MODSEQ, RFC 9738 §3.2 UIDAFTER/UIDBEFORE) against one message at a time.
 *
 * Invariants:
 * - A criteria tree is compiled once per command: sets resolved to UIDs, strings folded,
 *   dates turned into day numbers, and every AND/OR's children ordered cheapest first.
 * - Evaluation is three-valued: a key that needs content not yet loaded answers `unknown`.
 *   The caller loads the next level (header, then whole message) only while the answer is
 *   unknown, so content is read only for messages still possibly matching.
 * - String matching is a substring test on searchFold()ed text (RFC 9051 §6.4.4: case-
 *   insensitive); the empty string matches any text, so HEADER name "" tests presence.
 * - INTERNALDATE keys compare UTC calendar days; SENT* keys compare the calendar day written in
 *   the Date: field (its own zone), else the parsed instant's UTC day; no usable Date: field,
 *   no match (RFC 9051 §6.4.4: "disregarding time and timezone").
 * - SAVEDBEFORE/SAVEDON/SAVEDSINCE compare the UTC calendar day of the save date, as the
 *   INTERNALDATE keys do (RFC 8514 §4.3); every mailbox supports save dates, so
 *   SAVEDATESUPPORTED matches every message and no key falls back to INTERNALDATE.
 */
import type { SearchDate, SearchKey } from '../protocol/ast.js';
import type { MailboxView } from '../session/mailbox-view.js';
import type { MimePart } from '../../mime/types.js';
import { allHeaderText, bodyText, decodeEncodedWords, headerValues, parseRfc5322Date, searchFold } from '../../mime/index.js';
import { searchSetUids } from './sequence.js';

/** Content cost of a key: what must be loaded before it can be decided. */
export const Cost = { Metadata: 0, Structure: 1, Header: 2, Body: 3 } as const;
export type Cost = (typeof Cost)[keyof typeof Cost];

export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Tri = typeof FALSE | typeof TRUE | typeof UNKNOWN;

/** Per-message metadata every key can use without reading content. */
export interface SearchMessage {
  uid: number;
  flags: readonly string[];
  internalDate: number;
  size: number;
  modseq: number;
  /** Save date (RFC 8514 §3), ms since the epoch. */
  savedAt: number;
  /** RFC 8474 §6: EMAILID and THREADID keys compare these exactly (ids are case-sensitive). */
  emailId: string;
  threadId: string;
}

/** What the evaluator is given of a message's content; each level is loaded lazily. */
export interface LoadedContent {
  /**
   * Raw bytes covering at least the top-level header block (the whole message once `whole`);
   * null at the structure stage, when only the cached MIME structure (with ENVELOPE) is known.
   */
  raw: Buffer | null;
  root: MimePart;
  /** true when `raw` is the whole message (BODY/TEXT can be decided). */
  whole: boolean;
  /** Folded values per lower-cased field name, filled on demand. */
  fields?: Map<string, string[]>;
  foldedHeader?: string;
  foldedBody?: string;
}

type Compiled =
  | { op: 'const'; value: boolean }
  | { op: 'flag'; flag: string; present: boolean }
  | { op: 'recent'; present: boolean }
  | { op: 'uids'; set: ReadonlySet<number> }
  /** UIDs low..high inclusive, for messages that arrive later too (RFC 9738 §3.2). */
  | { op: 'uidrange'; low: number; high: number }
  | { op: 'internal'; cmp: 'before' | 'on' | 'since'; day: number }
  | { op: 'saved'; cmp: 'before' | 'on' | 'since'; day: number }
  | { op: 'sent'; cmp: 'before' | 'on' | 'since'; day: number }
  | { op: 'size'; cmp: 'larger' | 'smaller'; size: number }
  | { op: 'modseq'; modseq: number }
  | { op: 'objectid'; field: 'emailId' | 'threadId'; id: string }
  | { op: 'age'; cmp: 'older' | 'younger'; limit: number }
  | { op: 'header'; field: string; needle: string }
  | { op: 'envelope'; field: 'from' | 'to' | 'cc' | 'bcc' | 'subject'; needle: string }
  | { op: 'body'; needle: string; withHeader: boolean }
  | { op: 'not'; key: CompiledKey }
  | { op: 'and' | 'or'; keys: CompiledKey[] };

export type CompiledKey = Compiled & { cost: Cost };

const SYSTEM_FLAG: Record<string, string> = {
  ANSWERED: '\\Answered',
  DELETED: '\\Deleted',
  DRAFT: '\\Draft',
  FLAGGED: '\\Flagged',
  SEEN: '\\Seen',
};

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian). */
export function dayNumber(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / 86_400_000);
}

const dayOf = (d: SearchDate): number => dayNumber(d.year, d.month, d.day);
const utcDay = (ms: number): number => Math.floor(ms / 86_400_000);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The calendar day an RFC 5322 Date: value names in its own zone (RFC 5322 §3.3, obsolete
 * two- and three-digit years per §4.3), else the UTC day of the parsed instant, else null.
 */
export function sentDay(value: string): number | null {
  const m = /(?:^|[\s,])(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})(?!\d)/.exec(value);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toLowerCase()) + 1;
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const day = Number(m[1]);
    if (month > 0 && day >= 1 && day <= 31) return dayNumber(year, month, day);
  }
  const ms = parseRfc5322Date(value);
  return ms === null ? null : utcDay(ms);
}

function leaf(c: Compiled, cost: Cost = Cost.Metadata): CompiledKey {
  return { ...c, cost } as CompiledKey;
}

/**
 * Compiles criteria for one command. `uidCommand` does not matter for keys (a bare set is
 * always message numbers, UID <set> always UIDs); `now` anchors OLDER/YOUNGER.
 */
export function compileSearch(key: SearchKey, view: MailboxView, now: number): CompiledKey {
  switch (key.op) {
    case 'ALL':
      return leaf({ op: 'const', value: true });
    case 'ANSWERED':
    case 'DELETED':
    case 'DRAFT':
    case 'FLAGGED':
    case 'SEEN':
      return leaf({ op: 'flag', flag: SYSTEM_FLAG[key.op]!.toLowerCase(), present: true });
    case 'UNANSWERED':
    case 'UNDELETED':
    case 'UNDRAFT':
    case 'UNFLAGGED':
    case 'UNSEEN':
      return leaf({ op: 'flag', flag: SYSTEM_FLAG[key.op.slice(2)]!.toLowerCase(), present: false });
    case 'RECENT':
      return leaf({ op: 'recent', present: true });
    case 'OLD':
      return leaf({ op: 'recent', present: false });
    case 'NEW':
      // RFC 9051 §6.4.4 (RFC 3501): NEW = RECENT UNSEEN.
      return leaf({
        op: 'and',
        keys: [leaf({ op: 'recent', present: true }), leaf({ op: 'flag', flag: '\\seen', present: false })],
      });
    case 'KEYWORD':
    case 'UNKEYWORD':
      return leaf({ op: 'flag', flag: key.flag.toLowerCase(), present: key.op === 'KEYWORD' });
    case 'BEFORE':
    case 'ON':
    case 'SINCE':
      return leaf({ op: 'internal', cmp: key.op === 'BEFORE' ? 'before' : key.op === 'ON' ? 'on' : 'since', day: dayOf(key.date) });
    case 'SAVEDBEFORE':
    case 'SAVEDON':
    case 'SAVEDSINCE':
      return leaf({
        op: 'saved',
        cmp: key.op === 'SAVEDBEFORE' ? 'before' : key.op === 'SAVEDON' ? 'on' : 'since',
        day: dayOf(key.date),
      });
    case 'SAVEDATESUPPORTED':
      // RFC 8514 §4.3: all messages, since this server's storage records save dates everywhere.
      return leaf({ op: 'const', value: true });
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE':
      return leaf(
        { op: 'sent', cmp: key.op === 'SENTBEFORE' ? 'before' : key.op === 'SENTON' ? 'on' : 'since', day: dayOf(key.date) },
        Cost.Structure,
      );
    case 'LARGER':
    case 'SMALLER':
      return leaf({ op: 'size', cmp: key.op === 'LARGER' ? 'larger' : 'smaller', size: key.size });
    case 'UID':
      return leaf({ op: 'uids', set: searchSetUids(view, key.set, true) });
    case 'SEQ':
      return leaf({ op: 'uids', set: searchSetUids(view, key.set, false) });
    case 'UIDAFTER':
      // RFC 9738 §3.2: UIDAFTER n = UID n+1:*, without "*" meaning the highest UID when n is
      // at or above it (RFC 9051 §9 seq-range): then nothing matches.
      return leaf({ op: 'uidrange', low: key.uid + 1, high: Infinity });
    case 'UIDBEFORE':
      // RFC 9738 §3.2: UIDBEFORE n = UID 1:n-1 (nothing for n = 1).
      return leaf({ op: 'uidrange', low: 1, high: key.uid - 1 });
    case 'MODSEQ':
      return leaf({ op: 'modseq', modseq: key.modseq });
    case 'EMAILID':
    case 'THREADID':
      return leaf({ op: 'objectid', field: key.op === 'EMAILID' ? 'emailId' : 'threadId', id: key.id });
    case 'OLDER':
    case 'YOUNGER':
      return leaf({ op: 'age', cmp: key.op === 'OLDER' ? 'older' : 'younger', limit: now - key.seconds * 1000 });
    case 'FROM':
    case 'TO':
    case 'CC':
    case 'BCC':
    case 'SUBJECT':
      // Answered from the ENVELOPE cached with the structure: no message read (RFC 9051 §6.4.4
      // defines these keys on the envelope structure's fields).
      return leaf({ op: 'envelope', field: key.op.toLowerCase() as 'from', needle: searchFold(key.value) }, Cost.Structure);
    case 'HEADER':
      return leaf({ op: 'header', field: key.field.toLowerCase(), needle: searchFold(key.value) }, Cost.Header);
    case 'BODY':
    case 'TEXT':
      return leaf({ op: 'body', needle: searchFold(key.value), withHeader: key.op === 'TEXT' }, Cost.Body);
    case 'NOT': {
      const inner = compileSearch(key.key, view, now);
      return { op: 'not', key: inner, cost: inner.cost };
    }
    case 'OR':
      return group('or', [compileSearch(key.a, view, now), compileSearch(key.b, view, now)]);
    case 'AND':
      return group('and', key.keys.map((k) => compileSearch(k, view, now)));
  }
}

function group(op: 'and' | 'or', keys: CompiledKey[]): CompiledKey {
  const sorted = keys.map((k, i) => [k, i] as const).sort((x, y) => x[0].cost - y[0].cost || x[1] - y[1]).map((x) => x[0]);
  const cost = sorted.reduce<Cost>((m, k) => (k.cost > m ? k.cost : m), Cost.Metadata);
  return { op, keys: sorted, cost };
}

/** true when the tree contains a MODSEQ key (RFC 7162 §3.1.5: the reply then carries MODSEQ). */
export function hasModSeqKey(key: SearchKey): boolean {
  switch (key.op) {
    case 'MODSEQ':
      return true;
    case 'NOT':
      return hasModSeqKey(key.key);
    case 'OR':
      return hasModSeqKey(key.a) || hasModSeqKey(key.b);
    case 'AND':
      return key.keys.some(hasModSeqKey);
    default:
      return false;
  }
}

export interface EvalContext {
  isRecent(uid: number): boolean;
}

const tri = (b: boolean): Tri => (b ? TRUE : FALSE);

function cmpDay(cmp: 'before' | 'on' | 'since', day: number, target: number): boolean {
  if (cmp === 'before') return day < target;
  if (cmp === 'on') return day === target;
  return day >= target;
}

function hasFlag(flags: readonly string[], lower: string): boolean {
  for (const f of flags) if (f.toLowerCase() === lower) return true;
  return false;
}

function fieldValues(c: LoadedContent, field: string): string[] {
  c.fields ??= new Map();
  let v = c.fields.get(field);
  if (v === undefined) {
    v = c.raw === null ? [] : headerValues(c.raw, c.root, field).map(searchFold);
    c.fields.set(field, v);
  }
  return v;
}

/**
 * Folded strings for an ENVELOPE field: the decoded subject, or for an address field each
 * address as "display name <mailbox@host>" (comments and route syntax already removed, so
 * "user (c)@ (c) domain.org" matches "user@domain.org"), plus group names.
 */
function envelopeValues(c: LoadedContent, field: 'from' | 'to' | 'cc' | 'bcc' | 'subject'): string[] {
  c.fields ??= new Map();
  const cacheKey = `envelope:${field}`;
  let v = c.fields.get(cacheKey);
  if (v !== undefined) return v;
  v = [];
  const env = c.root.envelope;
  if (env) {
    if (field === 'subject') {
      if (env.subject !== null) v.push(searchFold(decodeEncodedWords(env.subject)));
    } else {
      for (const a of env[field] ?? []) {
        const name = a.name === null ? '' : decodeEncodedWords(a.name);
        v.push(searchFold(a.host === null ? (a.mailbox ?? '') : `${name} <${a.mailbox ?? ''}@${a.host}>`));
      }
    }
  }
  c.fields.set(cacheKey, v);
  return v;
}

/**
 * Evaluates a compiled key for one message. `content` is null until loaded; keys needing more
 * than what is loaded answer UNKNOWN.
 */
export function evaluate(key: CompiledKey, msg: SearchMessage, ctx: EvalContext, content: LoadedContent | null): Tri {
  switch (key.op) {
    case 'const':
      return tri(key.value);
    case 'flag':
      return tri(hasFlag(msg.flags, key.flag) === key.present);
    case 'recent':
      return tri(ctx.isRecent(msg.uid) === key.present);
    case 'uids':
      return tri(key.set.has(msg.uid));
    case 'uidrange':
      return tri(msg.uid >= key.low && msg.uid <= key.high);
    case 'internal':
      return tri(cmpDay(key.cmp, utcDay(msg.internalDate), key.day));
    case 'saved':
      return tri(cmpDay(key.cmp, utcDay(msg.savedAt), key.day));
    case 'objectid':
      return tri(msg[key.field] === key.id);
    case 'size':
      return tri(key.cmp === 'larger' ? msg.size > key.size : msg.size < key.size);
    case 'modseq':
      return tri(msg.modseq >= key.modseq);
    case 'age':
      // RFC 5032 §3: YOUNGER n = within the last n seconds; OLDER n = the rest.
      return tri(key.cmp === 'younger' ? msg.internalDate >= key.limit : msg.internalDate < key.limit);
    case 'sent': {
      if (content === null) return UNKNOWN;
      const date = content.root.envelope?.date ?? null;
      const day = date !== null ? sentDay(decodeEncodedWords(date)) : null;
      return tri(day !== null && cmpDay(key.cmp, day, key.day));
    }
    case 'envelope': {
      if (content === null) return UNKNOWN;
      return tri(envelopeValues(content, key.field).some((v) => v.includes(key.needle)));
    }
    case 'header': {
      if (content === null || content.raw === null) return UNKNOWN;
      return tri(fieldValues(content, key.field).some((v) => v.includes(key.needle)));
    }
    case 'body': {
      if (content === null || content.raw === null || !content.whole) return UNKNOWN;
      if (key.withHeader) {
        content.foldedHeader ??= searchFold(allHeaderText(content.raw, content.root));
        if (content.foldedHeader.includes(key.needle)) return TRUE;
      }
      content.foldedBody ??= searchFold(bodyText(content.raw, content.root));
      return tri(content.foldedBody.includes(key.needle));
    }
    case 'not': {
      const r = evaluate(key.key, msg, ctx, content);
      return r === UNKNOWN ? UNKNOWN : r === TRUE ? FALSE : TRUE;
    }
    case 'and': {
      let unknown = false;
      for (const k of key.keys) {
        const r = evaluate(k, msg, ctx, content);
        if (r === FALSE) return FALSE;
        if (r === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : TRUE;
    }
    case 'or': {
      let unknown = false;
      for (const k of key.keys) {
        const r = evaluate(k, msg, ctx, content);
        if (r === TRUE) return TRUE;
        if (r === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : FALSE;
    }
  }
}

/** Loads content levels for one message: the header first, the whole message only if needed. */
export interface ContentLoader {
  header(): Promise<LoadedContent>;
  whole(): Promise<LoadedContent>;
}

/**
 * Decides one message, loading content only while the answer is unknown: metadata first, then
 * the header block, then the whole message.
 */
export async function matches(key: CompiledKey, msg: SearchMessage, ctx: EvalContext, load: ContentLoader): Promise<boolean> {
  let r = evaluate(key, msg, ctx, null);
  if (r !== UNKNOWN) return r === TRUE;
  let content = await load.header();
  if (!content.whole) {
    r = evaluate(key, msg, ctx, content);
    if (r !== UNKNOWN) return r === TRUE;
    content = await load.whole();
  }
  return evaluate(key, msg, ctx, content) === TRUE;
}
