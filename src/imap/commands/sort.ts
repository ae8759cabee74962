/**
 * SORT and UID SORT (RFC 5256 §3) with the DISPLAYFROM/DISPLAYTO keys of SORT=DISPLAY (RFC 5957).
 *
 * Invariants:
 * - The search part is SEARCH's own compiler and evaluator (runSearch), so SORT selects exactly
 *   the messages SEARCH would, with the same expunge rules (RFC 2180 §4.3, EXPUNGEISSUED).
 * - Sort keys come from the cached MIME structure's ENVELOPE (store.readMeta); a message is read
 *   only when its structure was never cached. The top level of each structure (ENVELOPE,
 *   References) is kept in a bounded process-wide cache by blob id, so repeated SORT/THREAD on a
 *   large mailbox read no meta at all (loadStructures). ARRIVAL and SIZE need no structure, so a SORT on
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
 * - SAVE (RFC 5182, RFC 9051 §6.4.4.1 table 4) stores the UIDs the reply refers to, ascending,
 *   empty for an empty result or a command answered NO.
 */
import { ResponseBuilder } from '../protocol/response.js';
import type { SortCriterion, SortKeyName } from '../protocol/ast.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, no, ok } from '../session/state.js';
import { enableCondstore } from '../session/condstore.js';
import type { Actor, MessageRow } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import {
  compareCasemapKeys,
  decodeEncodedWords,
  extractBaseSubject,
  parseMessage,
  parseRfc5322Date,
  unicodeCasemapKey,
  type Address,
  type Envelope,
  type MimePart,
} from '../../mime/index.js';
import { compileSearch, hasModSeqKey } from './search-eval.js';
import { charsetSupported, esearchLine, runSearch, savedUids } from './search.js';
import { parseStructure } from './fetch-items.js';

/** Structures read per readMeta call. */
const META_BATCH = 256;

/** One searched message with what SORT and THREAD need of it. */
export interface SortSubject {
  row: MessageRow;
  seq: number;
  /** The top-level ENVELOPE, null when the message vanished or has no header at all. */
  envelope: Envelope | null;
  /** The cached MIME structure, null when the message vanished meanwhile. */
  root: MimePart | null;
}

/**
 * What SORT and THREAD keep of a structure: the top-level part without its subparts (ENVELOPE,
 * References, header offsets), so the cache below holds a few hundred bytes per message.
 */
function sortData(root: MimePart): MimePart {
  return { ...root, children: [], message: null };
}

/**
 * Process-wide cache of sortData by blob id. Blobs are content-addressed and immutable, so an
 * entry never goes stale; rows only reach it after SEARCH ran on the caller's own mailbox, so it
 * grants no access the store would refuse. Map order is recency; the least recently used
 * entries go once the estimated size passes the budget.
 */
const SORT_CACHE_BUDGET = 48 * 1024 * 1024; // about 100,000 typical messages
const sortCache = new Map<string, { root: MimePart; bytes: number }>();
let sortCacheBytes = 0;

function cacheGet(blobId: string): MimePart | undefined {
  const hit = sortCache.get(blobId);
  if (hit === undefined) return undefined;
  sortCache.delete(blobId);
  sortCache.set(blobId, hit);
  return hit.root;
}

function cachePut(blobId: string, root: MimePart, metaLength: number): void {
  // The stored meta's length bounds the trimmed structure's size from above.
  const bytes = 256 + metaLength;
  const old = sortCache.get(blobId);
  if (old !== undefined) {
    sortCacheBytes -= old.bytes;
    sortCache.delete(blobId);
  }
  sortCache.set(blobId, { root, bytes });
  sortCacheBytes += bytes;
  for (const [key, entry] of sortCache) {
    if (sortCacheBytes <= SORT_CACHE_BUDGET) break;
    sortCache.delete(key);
    sortCacheBytes -= entry.bytes;
  }
}

/**
 * The top-level structures of `rows` (same order, subparts dropped): from the process cache,
 * else the stored meta, else parsed from the message.
 */
export async function loadStructures(session: ImapSession, actor: Actor, rows: readonly MessageRow[]): Promise<Array<MimePart | null>> {
  const out: Array<MimePart | null> = rows.map((r) => cacheGet(r.blobId) ?? null);
  const missing = rows.map((_, i) => i).filter((i) => out[i] === null);
  for (let start = 0; start < missing.length; start += META_BATCH) {
    const batch = missing.slice(start, start + META_BATCH);
    const metas = await session.store.readMeta(
      actor,
      batch.map((i) => rows[i]!.blobId),
    );
    for (const i of batch) {
      const row = rows[i]!;
      const meta = metas.get(row.blobId);
      let root = parseStructure(meta);
      if (root === null) {
        try {
          root = parseMessage(await session.store.readBlob(actor, row.blobId));
        } catch (e) {
          if (!isStoreError(e, 'NONEXISTENT')) throw e;
          continue;
        }
      }
      const slim = sortData(root);
      // Structures without References (cached before they were) stay out: THREAD would read
      // the header each time; parsed ones carry them.
      if (slim.references !== undefined) cachePut(row.blobId, slim, meta?.length ?? 2048);
      out[i] = slim;
    }
  }
  return out;
}

/** RFC 5256 §2.2 sent date: the Date: field normalised to UTC, else INTERNALDATE. */
export function sentDate(envelope: Envelope | null, internalDate: number): number {
  const date = envelope?.date ?? null;
  if (date === null) return internalDate;
  return parseRfc5322Date(decodeEncodedWords(date)) ?? internalDate;
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

type KeyValues = number[] | string[];

function keyValues(key: SortKeyName, items: readonly SortSubject[]): KeyValues {
  switch (key) {
    case 'ARRIVAL':
      return items.map((m) => m.row.internalDate);
    case 'SIZE':
      return items.map((m) => m.row.size);
    case 'DATE':
      return items.map((m) => sentDate(m.envelope, m.row.internalDate));
    case 'SUBJECT':
      return items.map((m) => unicodeCasemapKey(extractBaseSubject(m.envelope?.subject ?? null).base));
    case 'FROM':
      return items.map((m) => unicodeCasemapKey(addressSortValue(m.envelope?.from)));
    case 'TO':
      return items.map((m) => unicodeCasemapKey(addressSortValue(m.envelope?.to)));
    case 'CC':
      return items.map((m) => unicodeCasemapKey(addressSortValue(m.envelope?.cc)));
    case 'DISPLAYFROM':
      return items.map((m) => unicodeCasemapKey(displaySortValue(m.envelope?.from)));
    case 'DISPLAYTO':
      return items.map((m) => unicodeCasemapKey(displaySortValue(m.envelope?.to)));
  }
}

/** The items ordered by `criteria`, then by sequence number. */
export function sortMessages(items: readonly SortSubject[], criteria: readonly SortCriterion[]): SortSubject[] {
  const columns = criteria.map((c) => ({ values: keyValues(c.key, items), sign: c.reverse ? -1 : 1 }));
  const order = items.map((_, i) => i);
  order.sort((i, j) => {
    for (const { values, sign } of columns) {
      const a = values[i]!;
      const b = values[j]!;
      const d = typeof a === 'number' ? a - (b as number) : compareCasemapKeys(a, b as string);
      if (d !== 0) return d < 0 ? -sign : sign;
    }
    return items[i]!.seq - items[j]!.seq;
  });
  return order.map((i) => items[i]!);
}

/**
 * Runs the search part of SORT/THREAD: the matching messages in sequence order with their
 * envelopes, whether some were expunged, and whether MODSEQ was a key.
 */
export async function searchForSort(
  session: ImapSession,
  search: Parameters<typeof compileSearch>[0],
  needStructures = true,
): Promise<{ items: SortSubject[]; expunged: boolean; modseqWanted: boolean }> {
  const state = session.state;
  if (state.kind !== 'selected') throw new Error('searchForSort outside the selected state');
  const view = state.view;
  const modseqWanted = hasModSeqKey(search);
  if (modseqWanted) enableCondstore(session);
  const { rows, expunged } = await runSearch(session, state.actor, view, compileSearch(search, view, Date.now()));
  // ARRIVAL and SIZE come from the rows: no structure is read for them.
  const roots = needStructures ? await loadStructures(session, state.actor, rows) : [];
  const items = rows.map((row, i) => {
    const root = roots[i] ?? null;
    return { row, seq: view.seqOf(row.uid), envelope: root?.envelope ?? null, root };
  });
  items.sort((a, b) => a.seq - b.seq);
  return { items, expunged, modseqWanted };
}

export function highestModSeq(items: readonly SortSubject[]): number {
  let m = 0;
  for (const i of items) if (i.row.modseq > m) m = i.row.modseq;
  return m;
}

/**
 * An order-preserving sequence-set for ESORT's ALL (RFC 5267 §3.2): runs of consecutive
 * ascending numbers become "a:b", everything else stays a comma-separated list.
 */
export function encodeSortedSet(nums: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(j > i ? `${nums[i]}:${nums[j]}` : `${nums[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export const sortCommand: CommandSpec<'SORT'> = {
  name: 'SORT',
  states: ['selected'],
  updates: 'no-expunge',
  capabilities: ['SORT', 'SORT=DISPLAY', 'ESORT'],
  handler: async (session, cmd, tag) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const options = cmd.returnOptions ?? null;
    const save = options?.includes('SAVE') ?? false;
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
    const { items, expunged, modseqWanted } = found;
    const sorted = sortMessages(items, cmd.criteria);
    const numbers = sorted.map((m) => (cmd.uid ? m.row.uid : m.seq));
    let line: string | null;
    if (options !== null) {
      // RFC 5267 §3: ESORT; the parser already turned "RETURN ()" into ALL.
      const rows = sorted.map((m) => m.row);
      if (save) state.view.savedSearch = savedUids(options, rows).sort((x, y) => x - y);
      line = esearchLine(tag, cmd.uid, options, rows, numbers, encodeSortedSet(numbers), modseqWanted);
    } else {
      line = numbers.length > 0 ? `* SORT ${numbers.join(' ')}` : '* SORT';
      if (modseqWanted && items.length > 0) line += ` (MODSEQ ${highestModSeq(items)})`;
    }
    if (line !== null) {
      const b = new ResponseBuilder();
      b.raw(line);
      session.send(b);
    }
    await session.drainIfNeeded();
    return expunged ? ok('Sort completed, some messages were expunged', 'EXPUNGEISSUED') : ok('Sort completed');
  },
};
