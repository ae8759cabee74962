/**
 * SORT and UID SORT (RFC 5256 §3) with the DISPLAYFROM/DISPLAYTO keys of SORT=DISPLAY (RFC 5957).
 *
 * Invariants:
 * - The search part is SEARCH's own compiler and evaluator (runSearch), so SORT selects exactly
 *   the messages SEARCH would, with the same expunge rules (RFC 2180 §4.3, EXPUNGEISSUED).
 * - Sort keys come from the cached MIME structure's ENVELOPE (store.readMeta); a message is read
 *   only when its structure was never cached. The keys derived from it (SortKeys) are kept in a
 *   bounded process-wide cache by blob id, so repeated SORT/THREAD on a large mailbox read and
 *   parse no meta at all (loadSortKeys). ARRIVAL and SIZE need no structure, so a SORT on
 *   them alone reads none.
 * - Strings compare as i;unicode-casemap keys (RFC 5256 §7, RFC 5051); a missing value is the
 *   empty string, which sorts first (RFC 5256 §3). REVERSE flips only its own key; a full tie is
 *   broken by ascending sequence number, never reversed (RFC 5256 §3 implicit last criterion).
 * - DATE is the sent date of RFC 5256 §2.2: the Date: field as a UTC instant, falling back to
 *   INTERNALDATE when it is absent or unparseable.
 * - A MODSEQ search key makes the command CONDSTORE enabling and a non-empty reply ends with
 *   "(MODSEQ n)" (RFC 7162 §3.1.5, sort-data ABNF in §7).
 * - ESORT (RFC 5267 §3): with RETURN the reply is one "* ESEARCH" built by SEARCH's esearchLine
 *   over the sorted result, none for RETURN (SAVE) alone. MIN/MAX are the first/last message in
 *   the requested sort order ("lowest/highest sorted message", §3.1); ALL keeps the sort order,
 *   a range only for an ascending run of consecutive numbers (§3.2, RFC 7162 example 20
 *   "ALL 5,3,2,1"). MODSEQ is the RFC 4731 §3.2 result option (RFC 7162 §3.1.10).
 * - CONTEXT=SORT (RFC 5267 §4): PARTIAL gives a slice of the sorted result (sorted-set encoding);
 *   UPDATE registers a context that keeps the sorted UIDs with their key values, so ADDTO can
 *   name the position a new match takes (session/search-context.ts).
 * - SAVE (RFC 5182, RFC 9051 §6.4.4.1 table 4; RFC 9394 §3.2 with PARTIAL) stores the UIDs
 *   the reply refers to, ascending, empty for an empty result or a command answered NO.
 * - MESSAGELIMIT (RFC 9738 §3.3): SORT and THREAD never sort part of the messages; when the
 *   candidates (SEARCH's, search.ts candidateUids) exceed the limit the command is refused with
 *   NO [MESSAGELIMIT n] before anything is read, and the client narrows the search down (e.g.
 *   with UIDAFTER/UIDBEFORE, §3.2).
 */
import { ResponseBuilder } from '../protocol/response.js';
import type { SortCriterion, SortKeyName } from '../protocol/ast.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { bad, no, ok, type CommandResult } from '../session/state.js';
import { enableCondstore } from '../session/condstore.js';
import type { Actor, MessageRow } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import {
  compareCasemapKeys,
  decodeEncodedWords,
  extractBaseSubject,
  firstMessageId,
  parseMessage,
  parseRfc5322Date,
  unicodeCasemapKey,
  type Address,
  type MimePart,
} from '../../mime/index.js';
import { compileSearch, hasModSeqKey, type CompiledKey } from './search-eval.js';
import { candidateUids, charsetSupported, esearchLine, runSearch, savedUids } from './search.js';
import { limitCode, processLimit } from '../session/message-limit.js';
import { UpdateContext, encodeRuns, startContext, type ContextEntry } from '../session/search-context.js';
import { unsolicitedFetch } from './unsolicited-fetch.js';
import { parseStructure } from './fetch-items.js';

/** Structures read per readMeta call. */
const META_BATCH = 256;

/**
 * What SORT and THREAD use of a message, derived once from its top-level ENVELOPE and References
 * (all strings already i;unicode-casemap keys where they are compared, RFC 5256 §7).
 */
export interface SortKeys {
  /** The Date: field as a UTC instant; null when absent or unparseable (RFC 5256 §2.2). */
  date: number | null;
  /** Base subject key (RFC 5256 §2.1) and whether extracting it found a reply/forward marker. */
  subject: string;
  replyOrForward: boolean;
  from: string;
  to: string;
  cc: string;
  displayFrom: string;
  displayTo: string;
  /** First valid Message ID of Message-ID: and In-Reply-To:, normalised. */
  messageId: string | null;
  inReplyTo: string | null;
  /** References: Message IDs; undefined when the cached structure predates them. */
  references: string[] | undefined;
}

/** One searched message with what SORT and THREAD need of it. */
export interface SortSubject {
  row: MessageRow;
  seq: number;
  keys: SortKeys;
  /** The structure, kept only when References must be read from the header (keys.references undefined). */
  root: MimePart | null;
}

export function sortKeysOf(root: MimePart | null): SortKeys {
  const env = root?.envelope ?? null;
  const date = env?.date ?? null;
  const subject = extractBaseSubject(env?.subject ?? null);
  return {
    // RFC 5256 §2.2 sent date: the Date: field normalised to UTC (INTERNALDATE when null).
    date: date === null ? null : parseRfc5322Date(decodeEncodedWords(date)),
    subject: unicodeCasemapKey(subject.base),
    replyOrForward: subject.replyOrForward,
    from: unicodeCasemapKey(addressSortValue(env?.from)),
    to: unicodeCasemapKey(addressSortValue(env?.to)),
    cc: unicodeCasemapKey(addressSortValue(env?.cc)),
    displayFrom: unicodeCasemapKey(displaySortValue(env?.from)),
    displayTo: unicodeCasemapKey(displaySortValue(env?.to)),
    messageId: firstMessageId(env?.messageId ?? null),
    inReplyTo: firstMessageId(env?.inReplyTo ?? null),
    references: root === null ? [] : root.references,
  };
}

/**
 * Process-wide cache of SortKeys by blob id. Blobs are content-addressed and immutable, so an
 * entry never goes stale; rows only reach it after SEARCH ran on the caller's own mailbox, so it
 * grants no access the store would refuse. Map order is recency; the least recently used
 * entries go once the estimated size passes the budget (a few hundred bytes per message, so a
 * 100,000-message mailbox fits).
 */
const SORT_CACHE_BUDGET = 64 * 1024 * 1024;
const sortCache = new Map<string, { keys: SortKeys; bytes: number }>();
let sortCacheBytes = 0;

function cacheGet(blobId: string): SortKeys | undefined {
  const hit = sortCache.get(blobId);
  if (hit === undefined) return undefined;
  sortCache.delete(blobId);
  sortCache.set(blobId, hit);
  return hit.keys;
}

function keysBytes(k: SortKeys): number {
  let n = 160 + (k.references?.length ?? 0) * 48;
  for (const v of [k.subject, k.from, k.to, k.cc, k.displayFrom, k.displayTo, k.messageId, k.inReplyTo]) n += 2 * (v?.length ?? 0);
  for (const r of k.references ?? []) n += 2 * r.length;
  return n;
}

function cachePut(blobId: string, keys: SortKeys): void {
  const bytes = keysBytes(keys);
  const old = sortCache.get(blobId);
  if (old !== undefined) {
    sortCacheBytes -= old.bytes;
    sortCache.delete(blobId);
  }
  sortCache.set(blobId, { keys, bytes });
  sortCacheBytes += bytes;
  for (const [key, entry] of sortCache) {
    if (sortCacheBytes <= SORT_CACHE_BUDGET) break;
    sortCache.delete(key);
    sortCacheBytes -= entry.bytes;
  }
}

/**
 * SortKeys of `rows` (same order): from the process cache, else from the stored structure, else
 * from the message parsed. `root` is kept only where References must still be read.
 */
export async function loadSortKeys(session: ImapSession, actor: Actor, rows: readonly MessageRow[]): Promise<Array<{ keys: SortKeys; root: MimePart | null }>> {
  const out: Array<{ keys: SortKeys; root: MimePart | null } | undefined> = rows.map((r) => {
    const keys = cacheGet(r.blobId);
    return keys === undefined ? undefined : { keys, root: null };
  });
  const missing = rows.map((_, i) => i).filter((i) => out[i] === undefined);
  for (let start = 0; start < missing.length; start += META_BATCH) {
    const batch = missing.slice(start, start + META_BATCH);
    const metas = await session.store.readMeta(
      actor,
      batch.map((i) => rows[i]!.blobId),
    );
    for (const i of batch) {
      const row = rows[i]!;
      let root = parseStructure(metas.get(row.blobId));
      if (root === null) {
        try {
          root = parseMessage(await session.store.readBlob(actor, row.blobId));
        } catch (e) {
          if (!isStoreError(e, 'NONEXISTENT')) throw e;
        }
      }
      const keys = sortKeysOf(root);
      if (root !== null && keys.references !== undefined) {
        cachePut(row.blobId, keys);
        out[i] = { keys, root: null };
      } else out[i] = { keys, root };
    }
  }
  return out as Array<{ keys: SortKeys; root: MimePart | null }>;
}

/**
 * The first address structure of a list, or null. A group's start marker counts: its
 * addr-mailbox is the group name (RFC 9051 §7.5.2), so "undisclosed:;" sorts as "undisclosed".
 */
function firstAddress(list: Address[] | null | undefined): Address | null {
  return list?.[0] ?? null;
}

/** RFC 5256 §3 FROM/TO/CC: the addr-mailbox of the first address, "" when none. */
export function addressSortValue(list: Address[] | null | undefined): string {
  return firstAddress(list)?.mailbox ?? '';
}

/**
 * RFC 5957 §3: the decoded display name when non-empty, else mailbox@host, else the mailbox,
 * else "".
 */
export function displaySortValue(list: Address[] | null | undefined): string {
  const a = firstAddress(list);
  if (a === null) return '';
  if (a.name !== null) {
    const name = decodeEncodedWords(a.name);
    if (name !== '') return name;
  }
  if (a.mailbox !== null && a.host !== null) return `${a.mailbox}@${a.host}`;
  return a.mailbox ?? '';
}

/** The value of one sort key for one message (RFC 5256 §3, RFC 5957 §3). */
function keyValue(key: SortKeyName, m: SortSubject): number | string {
  switch (key) {
    case 'ARRIVAL':
      return m.row.internalDate;
    case 'SIZE':
      return m.row.size;
    case 'DATE':
      return m.keys.date ?? m.row.internalDate;
    case 'SUBJECT':
      return m.keys.subject;
    case 'FROM':
      return m.keys.from;
    case 'TO':
      return m.keys.to;
    case 'CC':
      return m.keys.cc;
    case 'DISPLAYFROM':
      return m.keys.displayFrom;
    case 'DISPLAYTO':
      return m.keys.displayTo;
  }
}

/** A message with its sort-key values, in criteria order. */
export interface SortEntry extends ContextEntry {
  subject: SortSubject;
}

export function sortEntry(m: SortSubject, criteria: readonly SortCriterion[]): SortEntry {
  return { uid: m.row.uid, keys: criteria.map((c) => keyValue(c.key, m)), subject: m };
}

/**
 * The order of `criteria` over entries: key by key, REVERSE flipping its own key only, then
 * ascending UID, which is ascending sequence number (RFC 5256 §3 implicit last criterion).
 */
export function entryOrder(criteria: readonly SortCriterion[]): (a: ContextEntry, b: ContextEntry) => number {
  const signs = criteria.map((c) => (c.reverse ? -1 : 1));
  return (x, y) => {
    for (let k = 0; k < signs.length; k++) {
      const a = x.keys[k]!;
      const b = y.keys[k]!;
      const d = typeof a === 'number' ? a - (b as number) : compareCasemapKeys(a, b as string);
      if (d !== 0) return d < 0 ? -signs[k]! : signs[k]!;
    }
    return x.uid - y.uid;
  };
}

/**
 * Runs the search part of SORT/THREAD: the matching messages in sequence order with their
 * envelopes, whether some were expunged, and whether MODSEQ was a key.
 */
export async function searchForSort(
  session: ImapSession,
  search: Parameters<typeof compileSearch>[0],
  needStructures = true,
): Promise<{ items: SortSubject[]; expunged: boolean; modseqWanted: boolean; key: CompiledKey } | CommandResult> {
  const state = session.state;
  if (state.kind !== 'selected') throw new Error('searchForSort outside the selected state');
  const view = state.view;
  const modseqWanted = hasModSeqKey(search);
  if (modseqWanted) enableCondstore(session);
  const key = compileSearch(search, view, Date.now());
  // RFC 9738 §3.3: no partial SORT or THREAD.
  const limit = processLimit(session);
  if (candidateUids(key, view).length > limit) {
    return no(`More than ${limit} messages to sort; narrow the search down (e.g. UIDAFTER, UIDBEFORE)`, limitCode(limit));
  }
  const { rows, expunged } = await runSearch(session, state.actor, view, key);
  const items = await sortSubjects(session, state.actor, view, rows, needStructures);
  return { items, expunged, modseqWanted, key };
}

/** The rows with their sort keys, in sequence order. ARRIVAL and SIZE come from the rows alone,
 * so without `needStructures` no structure is read. */
async function sortSubjects(
  session: ImapSession,
  actor: Actor,
  view: MailboxView,
  rows: readonly MessageRow[],
  needStructures = true,
): Promise<SortSubject[]> {
  const loaded = needStructures ? await loadSortKeys(session, actor, rows) : [];
  const empty = needStructures ? null : sortKeysOf(null);
  const items = rows.map((row, i) => {
    const l = loaded[i];
    return { row, seq: view.seqOf(row.uid), keys: l?.keys ?? empty!, root: l?.root ?? null };
  });
  items.sort((a, b) => a.seq - b.seq);
  return items;
}

export function highestModSeq(items: readonly SortSubject[]): number {
  let m = 0;
  for (const i of items) if (i.row.modseq > m) m = i.row.modseq;
  return m;
}

/**
 * An order-preserving sequence-set for ESORT's ALL (RFC 5267 §3.2): runs of consecutive
 * ascending numbers become "a:b", everything else stays a comma-separated list. The same form
 * carries SORT context updates.
 */
export const encodeSortedSet: (nums: readonly number[]) => string = encodeRuns;

export const sortCommand: CommandSpec<'SORT'> = {
  name: 'SORT',
  states: ['selected'],
  updates: 'no-expunge',
  capabilities: ['SORT', 'SORT=DISPLAY', 'ESORT', 'CONTEXT=SORT'],
  handler: async (session, cmd, tag) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const options = cmd.returnOptions ?? null;
    const save = options?.includes('SAVE') ?? false;
    // RFC 5267 §4.3: UPDATE under a tag that already names a live context is rejected.
    if (options?.includes('UPDATE') && state.view.contexts.has(tag)) return bad('Tag reuse: a context with this tag is live');
    if (!charsetSupported(cmd.charset)) {
      // RFC 5182 §2.1: a SAVE command answered NO leaves "$" empty.
      if (save) state.view.savedSearch = [];
      return no('Unsupported charset', 'BADCHARSET (US-ASCII UTF-8)');
    }
    let found: Awaited<ReturnType<typeof searchForSort>>;
    try {
      found = await searchForSort(session, cmd.search, cmd.criteria.some((c) => c.key !== 'ARRIVAL' && c.key !== 'SIZE'));
    } catch (e) {
      if (save) state.view.savedSearch = [];
      throw e;
    }
    if ('status' in found) {
      // RFC 5182 §2.1: a SAVE command answered NO leaves "$" empty.
      if (save) state.view.savedSearch = [];
      return found;
    }
    const { items, expunged, modseqWanted, key } = found;
    const order = entryOrder(cmd.criteria);
    const entries = items.map((m) => sortEntry(m, cmd.criteria)).sort(order);
    const sorted = entries.map((e) => e.subject);
    const numbers = sorted.map((m) => (cmd.uid ? m.row.uid : m.seq));
    let line: string | null;
    if (options !== null) {
      // RFC 5267 §3: ESORT; the parser already turned "RETURN ()" into ALL.
      const rows = sorted.map((m) => m.row);
      if (save) state.view.savedSearch = savedUids(options, rows, cmd.partial).sort((x, y) => x - y);
      const partial = cmd.partial && { range: cmd.partial, encode: encodeSortedSet };
      line = esearchLine(tag, cmd.uid, options, rows, numbers, encodeSortedSet(numbers), modseqWanted, partial);
    } else {
      line = numbers.length > 0 ? `* SORT ${numbers.join(' ')}` : '* SORT';
      if (modseqWanted && items.length > 0) line += ` (MODSEQ ${highestModSeq(items)})`;
    }
    if (line !== null) {
      const b = new ResponseBuilder();
      b.raw(line);
      session.send(b);
    }
    if (options?.includes('UPDATE')) {
      // RFC 5267 §4.3: the context keeps the sorted result with each message's key values.
      const { actor, view } = state;
      const criteria = cmd.criteria;
      const match = async (uids: readonly number[]): Promise<ContextEntry[]> => {
        const { rows } = await runSearch(session, actor, view, key, uids);
        return (await sortSubjects(session, actor, view, rows)).map((m) => ({ uid: m.row.uid, keys: sortEntry(m, criteria).keys }));
      };
      const slim = entries.map((e) => ({ uid: e.uid, keys: e.keys }));
      const attrs = cmd.updateFetch;
      const fetchNew = attrs ? (uids: readonly number[]) => unsolicitedFetch(session, view, uids, attrs) : null;
      startContext(session, view, new UpdateContext(tag, cmd.uid, order, slim, match, fetchNew));
    }
    await session.drainIfNeeded();
    return expunged ? ok('Sort completed, some messages were expunged', 'EXPUNGEISSUED') : ok('Sort completed');
  },
};
