/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4) with ESEARCH replies (RFC 4731,
 * RFC 9051 §7.3.4), the saved result "$" (RFC 5182), WITHIN (RFC 5032) and MODSEQ (RFC 7162
 * §3.1.5).
 *
 * Invariants:
 * - Only messages this session knows (in the view) are searched; messages another session
 *   expunged and not yet announced never match (RFC 2180 §4.3), and their presence turns the
 *   tagged OK into OK [EXPUNGEISSUED] (RFC 9051 §7.1).
 * - Content is read only for messages the metadata keys could not decide, one message at a time:
 *   MIME structures in batches of META_BATCH, then the header block by range, then the whole
 *   message only if still undecided.
 * - Reply form: rev1 session without RETURN -> "* SEARCH"; rev2 session or RETURN given ->
 *   one "* ESEARCH" (RETURN absent or empty = ALL, RFC 9051 §6.4.4), none for RETURN (SAVE)
 *   alone (RFC 5182 §2.1).
 * - SAVE stores UIDs in view.savedSearch per RFC 9051 §6.4.4.1 table 4, also when empty; a SAVE
 *   search answered NO empties it.
 * - RETURN (UPDATE) (RFC 5267 §4.3) registers a context (session/search-context.ts) holding the
 *   compiled program and the result; a tag naming a live context is BAD, and past
 *   MAX_UPDATE_CONTEXTS the search is answered as usual plus "* NO [NOUPDATE tag]" (§4.3.1).
 * - PARTIAL (RFC 5267 §4.4, RFC 9394 §3.1) returns a slice of the result in mailbox order;
 *   MIN/MAX/COUNT still describe the whole result, and SAVE follows RFC 9394 §3.2 table 1.
 * - A MODSEQ key makes the command CONDSTORE enabling (RFC 7162 §3.1); a non-empty result then
 *   ends with "(MODSEQ n)", the highest modseq of the messages returned (RFC 7162 §3.1.5-3.1.6),
 *   or carries the ESEARCH MODSEQ result option (RFC 4731 §3.2, RFC 7162 §3.1.10). An empty
 *   result has no MODSEQ.
 * - MESSAGELIMIT (RFC 9738 §3.1) counts the messages searched, not the matches: the candidates
 *   are the view's messages allowed by the top-level set keys (message numbers, UID, UIDAFTER,
 *   UIDBEFORE); past the limit only the highest-UID candidates are searched, a "* SEARCH" reply
 *   lists its results from the highest UID down, ESEARCH result options (and "$", §3.4) describe
 *   the searched messages only, and the tagged OK carries [MESSAGELIMIT n lowest-searched-UID].
 * - After ENABLE UTF8=ACCEPT a CHARSET other than UTF-8 (or its subset US-ASCII) is BAD
 *   (RFC 6855 §3: the client MUST NOT send one, the server SHOULD answer BAD "due to the
 *   conflicting charset labels"); "CHARSET UTF-8" labels nothing conflicting and is accepted.
 */
import iconv from 'iconv-lite';
import type { PartialRange, SearchReturnOption } from '../protocol/ast.js';
import { ResponseBuilder, quoted } from '../protocol/response.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { bad, no, ok } from '../session/state.js';
import { enableCondstore } from '../session/condstore.js';
import type { Actor, MessageRow } from '../../store/types.js';
import { parseMessage } from '../../mime/index.js';
import type { MimePart } from '../../mime/types.js';
import { isStoreError } from '../../store/errors.js';
import { Cost, FALSE, TRUE, UNKNOWN, compileSearch, evaluate, hasModSeqKey, type CompiledKey, type LoadedContent } from './search-eval.js';
import { parseStructure } from './fetch-items.js';
import { loadRows } from './fetch.js';
import { formatPartialRange, partialWindow } from './sequence.js';
import { UpdateContext, startContext } from '../session/search-context.js';
import { unsolicitedFetch } from './unsolicited-fetch.js';
import { highestWithin, limitedResult, processLimit, type Bounded } from '../session/message-limit.js';

/** Messages read at once while scanning content, and their byte budget. */
const SEARCH_READ_CONCURRENCY = 8;
const SEARCH_READ_BYTES = 4 * 1024 * 1024;

/** Structures read per readMeta call while scanning. */
const META_BATCH = 64;

const NATIVE_CHARSETS = new Set(['US-ASCII', 'UTF-8', 'UTF8', 'ASCII']);
/** Charsets that do not conflict with UTF8=ACCEPT's UTF-8 strings (RFC 6855 §3). */
const UTF8_CHARSETS = new Set(['US-ASCII', 'UTF-8', 'ASCII']);

/** CHARSET support (RFC 9051 §6.4.4): US-ASCII and UTF-8, plus what iconv-lite decodes. */
export function charsetSupported(charset: string | null): boolean {
  if (charset === null || NATIVE_CHARSETS.has(charset.toUpperCase())) return true;
  return iconv.encodingExists(charset);
}

export const searchCommand: CommandSpec<'SEARCH'> = {
  name: 'SEARCH',
  states: ['selected'],
  updates: 'no-expunge',
  capabilities: ['ESEARCH', 'SEARCHRES', 'WITHIN', 'CONTEXT=SEARCH', 'PARTIAL'],
  handler: async (session, cmd, tag) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const view = state.view;
    const options = cmd.returnOptions;
    const save = options?.includes('SAVE') ?? false;
    const update = options?.includes('UPDATE') ?? false;
    // RFC 5267 §4.3: UPDATE under a tag that already names a live context is rejected.
    if (update && view.contexts.has(tag)) return bad('Tag reuse: a context with this tag is live');
    if (cmd.charset !== null && session.enabled.has('UTF8=ACCEPT') && !UTF8_CHARSETS.has(cmd.charset.toUpperCase())) {
      // RFC 5182 §2.1: a SEARCH answered BAD never changes "$" (a NO with SAVE empties it, below).
      return bad('SEARCH CHARSET conflicts with UTF8=ACCEPT (RFC 6855 §3)');
    }
    if (!charsetSupported(cmd.charset)) {
      if (save) view.savedSearch = [];
      return no('Unsupported charset', 'BADCHARSET (US-ASCII UTF-8)');
    }
    const modseqWanted = hasModSeqKey(cmd.criteria);
    // RFC 7162 §3.1: enabling; the first one announces HIGHESTMODSEQ before the result.
    if (modseqWanted) enableCondstore(session);
    // Compiled once: message numbers in the program mean what they meant now (RFC 5267 §4.3).
    const key = compileSearch(cmd.criteria, view, Date.now());
    let found: SearchFound;
    try {
      found = await runSearch(session, state.actor, view, key, undefined, processLimit(session));
    } catch (e) {
      // RFC 5182 §2.1: a SAVE search answered NO leaves "$" empty.
      if (save) view.savedSearch = [];
      throw e;
    }
    const { rows, expunged } = found;
    const numbers = rows.map((r) => (cmd.uid ? r.uid : view.seqOf(r.uid)));
    const esearch = options !== null || session.rev2;
    if (!esearch) {
      const b = new ResponseBuilder();
      // RFC 9738 §3.1: a search cut by MESSAGELIMIT answers from the highest UID down.
      const listed = found.limit === null ? numbers : [...numbers].reverse();
      b.raw(listed.length > 0 ? `* SEARCH ${listed.join(' ')}` : '* SEARCH');
      if (modseqWanted && rows.length > 0) b.raw(` (MODSEQ ${highestModSeq(rows)})`);
      session.send(b);
    } else {
      const opts: SearchReturnOption[] = options === null || options.length === 0 ? ['ALL'] : options;
      // RFC 9738 §3.4: after a cut search "$" holds the results of the searched messages only.
      if (save) view.savedSearch = savedUids(opts, rows, cmd.partial);
      const set = encodeSequenceSet(numbers);
      const line = esearchLine(tag, cmd.uid, opts, rows, numbers, set, modseqWanted, cmd.partial && { range: cmd.partial, encode: encodeSequenceSet });
      if (line !== null) {
        const b = new ResponseBuilder();
        b.raw(line);
        session.send(b);
      }
    }
    if (update) {
      const actor = state.actor;
      const entries = rows.map((r) => ({ uid: r.uid, keys: [] }));
      const match = async (uids: readonly number[]) =>
        (await runSearch(session, actor, view, key, uids)).rows.map((r) => ({ uid: r.uid, keys: [] }));
      // RFC 5465 §7: UPDATE (fetch-att ...) FETCHes new messages that join the result.
      const attrs = cmd.updateFetch;
      const fetchNew = attrs ? (uids: readonly number[]) => unsolicitedFetch(session, view, uids, attrs) : null;
      startContext(session, view, new UpdateContext(tag, cmd.uid, null, entries, match, fetchNew));
    }
    await session.drainIfNeeded();
    const result = expunged ? ok('Search completed, some messages were expunged', 'EXPUNGEISSUED') : ok('Search completed');
    return limitedResult(session, result, found.limit);
  },
};

function highestModSeq(rows: readonly MessageRow[]): number {
  let m = 0;
  for (const r of rows) if (r.modseq > m) m = r.modseq;
  return m;
}

/**
 * What "$" holds after SEARCH RETURN (SAVE ...): RFC 9051 §6.4.4.1 table 4, and with PARTIAL
 * RFC 9394 §3.2 table 1 (the PARTIAL results plus MIN/MAX; every result once COUNT is given).
 * `rows` is the whole result in the reply's order.
 */
export function savedUids(opts: readonly SearchReturnOption[], rows: readonly MessageRow[], partial?: PartialRange): number[] {
  if (rows.length === 0) return [];
  const all = opts.includes('ALL') || opts.includes('COUNT');
  const min = opts.includes('MIN');
  const max = opts.includes('MAX');
  if (all || (!min && !max && partial === undefined)) return rows.map((r) => r.uid);
  const out: number[] = [];
  if (min) out.push(rows[0]!.uid);
  if (partial !== undefined) {
    const [start, end] = partialWindow(partial, rows.length);
    for (let i = start; i < end; i++) out.push(rows[i]!.uid);
  }
  if (max) out.push(rows[rows.length - 1]!.uid);
  return [...new Set(out)];
}

/** What PARTIAL needs to render its slice: the range and the set encoding of the reply. */
export interface PartialReply {
  range: PartialRange;
  encode(nums: readonly number[]): string;
}

/**
 * The ESEARCH line (RFC 4731 §3.1, RFC 9051 §7.3.4), or null for RETURN (SAVE) alone. `rows` and
 * `numbers` are parallel: ascending for SEARCH, in sort order for ESORT (RFC 5267 §3.1, so MIN/MAX
 * are the first/last sorted message). MODSEQ per RFC 4731 §3.2, over the messages the line
 * returns. PARTIAL (RFC 9394 §3.1) echoes the range and gives its slice of the result, NIL when
 * the slice is empty. With UPDATE alone the line carries only the correlator (RFC 5267 §4.3:
 * UPDATE asks for no result data).
 */
export function esearchLine(
  tag: string,
  uid: boolean,
  opts: readonly SearchReturnOption[],
  rows: readonly MessageRow[],
  numbers: readonly number[],
  set: string,
  modseqWanted: boolean,
  partial?: PartialReply,
): string | null {
  const min = opts.includes('MIN');
  const max = opts.includes('MAX');
  const all = opts.includes('ALL');
  const count = opts.includes('COUNT');
  if (!min && !max && !all && !count && partial === undefined && !opts.includes('UPDATE')) return null;
  let line = `* ESEARCH (TAG ${quoted(tag)})`;
  if (uid) line += ' UID';
  const n = numbers.length;
  if (n > 0 && min) line += ` MIN ${numbers[0]}`;
  if (n > 0 && max) line += ` MAX ${numbers[n - 1]}`;
  if (count) line += ` COUNT ${n}`;
  if (n > 0 && all) line += ` ALL ${set}`;
  let window: [number, number] = [0, 0];
  if (partial !== undefined) {
    window = partialWindow(partial.range, n);
    const slice = numbers.slice(window[0], window[1]);
    line += ` PARTIAL (${formatPartialRange(partial.range)} ${slice.length > 0 ? partial.encode(slice) : 'NIL'})`;
  }
  if (modseqWanted && n > 0 && (min || max || all || count || window[1] > window[0])) {
    let m = 0;
    if (all || count) m = highestModSeq(rows);
    else {
      if (min) m = Math.max(m, rows[0]!.modseq);
      if (max) m = Math.max(m, rows[n - 1]!.modseq);
      for (let i = window[0]; i < window[1]; i++) m = Math.max(m, rows[i]!.modseq);
    }
    line += ` MODSEQ ${m}`;
  }
  return line;
}

/** What runSearch found. */
export interface SearchFound {
  /** The matching messages, ascending UID. */
  rows: MessageRow[];
  /** Some message of the view is gone from storage or pending expunge. */
  expunged: boolean;
  /** Set when MESSAGELIMIT left candidates unsearched (RFC 9738 §3.1). */
  limit: Bounded['limit'];
}

/**
 * The messages of the view (or of `within`) matching `key`. With `limit`, at most that many
 * candidates are searched, those with the highest UIDs (RFC 9738 §3.1).
 */
export async function runSearch(
  session: ImapSession,
  actor: Actor,
  view: MailboxView,
  key: CompiledKey,
  within?: readonly number[],
  limit = Infinity,
): Promise<SearchFound> {
  const bounded = highestWithin(candidateUids(key, view, within), limit);
  const candidates = bounded.limit === null ? bounded.uids : bounded.uids.reverse();
  const rows = await loadRows(session, actor, view, candidates);
  const expunged = rows.length < candidates.length || view.pendingExpunge.size > 0;
  const ctx = { isRecent: (uid: number) => view.isRecent(uid) };
  const decided = new Uint8Array(rows.length);
  const undecided: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    // RFC 9585: metadata is fast, so a (time-based) checkpoint every 1024 messages is enough.
    if ((i & 1023) === 0) session.progress?.step(i, rows.length);
    const r = evaluate(key, rows[i]!, ctx, null);
    decided[i] = r;
    if (r === UNKNOWN) undecided.push(i);
  }
  const headerStage = hasCost(key, Cost.Header);
  let vanished = false;
  const decide = async (i: number, root: MimePart | null): Promise<void> => {
    const row = rows[i]!;
    try {
      if (root !== null && headerStage) {
        const raw = await session.store.readBlob(actor, row.blobId, 0, root.bodyStart);
        const r = evaluate(key, row, ctx, { raw, root, whole: root.bodyStart >= row.size });
        if (r !== UNKNOWN) {
          decided[i] = r;
          return;
        }
      }
      const raw = await session.store.readBlob(actor, row.blobId);
      const content: LoadedContent = { raw, root: root ?? parseMessage(raw), whole: true };
      decided[i] = evaluate(key, row, ctx, content) === TRUE ? TRUE : FALSE;
    } catch (e) {
      // Expunged (and its blob collected) by another session meanwhile: not a match.
      if (!isStoreError(e, 'NONEXISTENT')) throw e;
      decided[i] = FALSE;
      vanished = true;
    }
  };
  // RFC 9585 checkpoints: messages decided so far, of all the candidates.
  let done = rows.length - undecided.length;
  const progress = (): void => session.progress?.step(done, rows.length);
  for (let start = 0; start < undecided.length; start += META_BATCH) {
    const batch = undecided.slice(start, start + META_BATCH);
    const metas = await session.store.readMeta(
      actor,
      batch.map((i) => rows[i]!.blobId),
    );
    // Messages that need content are read a few at a time so file I/O overlaps; a large
    // message is read alone, keeping memory to about one big message (DESIGN rule 2).
    let inFlight: Promise<void>[] = [];
    let inFlightBytes = 0;
    for (const i of batch) {
      const row = rows[i]!;
      const root = parseStructure(metas.get(row.blobId));
      if (root !== null) {
        // Structure stage: ENVELOPE-based keys (FROM, SUBJECT, SENT*...) need no message read.
        const r = evaluate(key, row, ctx, { raw: null, root, whole: false });
        if (r !== UNKNOWN) {
          decided[i] = r;
          done++;
          continue;
        }
      }
      if (inFlight.length >= SEARCH_READ_CONCURRENCY || inFlightBytes + row.size > SEARCH_READ_BYTES) {
        await Promise.all(inFlight);
        done += inFlight.length;
        inFlight = [];
        inFlightBytes = 0;
        progress();
      }
      inFlight.push(decide(i, root));
      inFlightBytes += row.size;
    }
    await Promise.all(inFlight);
    done += inFlight.length;
    progress();
  }
  return { rows: rows.filter((_, i) => decided[i] === TRUE), expunged: expunged || vanished, limit: bounded.limit };
}

/**
 * UIDs worth loading, ascending: the view (or `within`, ascending UIDs of the view, when
 * re-evaluating a context) minus pending expunges, narrowed by the top-level set keys (message
 * numbers, UID, UIDAFTER, UIDBEFORE). These are the messages MESSAGELIMIT counts (RFC 9738 §3.1).
 */
export function candidateUids(key: CompiledKey, view: MailboxView, within?: readonly number[]): readonly number[] {
  let uids: readonly number[] = within ?? view.uids;
  const top = key.op === 'and' ? key.keys : [key];
  for (const k of top) {
    if (k.op === 'uids') uids = uids.filter((u) => k.set.has(u));
    else if (k.op === 'uidrange') uids = uids.filter((u) => u >= k.low && u <= k.high);
  }
  if (view.pendingExpunge.size > 0) uids = uids.filter((u) => !view.pendingExpunge.has(u));
  return uids;
}

function hasCost(key: CompiledKey, cost: Cost): boolean {
  if (key.op === 'and' || key.op === 'or') return key.keys.some((k) => hasCost(k, cost));
  if (key.op === 'not') return hasCost(key.key, cost);
  return key.cost === cost;
}

