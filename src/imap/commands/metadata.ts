/**
 * GETMETADATA and SETMETADATA (RFC 5464 §4.2, §4.3): mailbox and server annotations, with the
 * METADATA response (§4.4.1). metadataResponse also serves LIST RETURN (METADATA ...) (RFC 9590).
 *
 * Invariants:
 * - Entry names are checked here (store/metadata.ts entryNameProblem): an invalid one is BAD
 *   (§3.2), before any storage access. GETMETADATA also accepts the /private and /shared
 *   prefixes (useful with DEPTH); SETMETADATA needs complete names.
 * - GETMETADATA always answers one METADATA response ("required", §4.2): every requested entry
 *   that exists and its descendants to DEPTH; a requested name for which nothing at all exists
 *   comes back NIL, so the client gets a definite answer. MAXSIZE leaves out larger values and
 *   reports the largest one left out in [METADATA LONGENTRIES n] (§4.2.1).
 * - SETMETADATA is all or nothing (§4.3): an oversized value is NO [METADATA MAXSIZE n] and an
 *   entry beyond a count limit NO [METADATA TOOMANY], and then nothing was changed. No METADATA
 *   response follows a SETMETADATA (§4.3 SHOULD NOT).
 * - Values go out as quoted strings when they can, else literals, "~{n}" literal8 when they
 *   contain NUL (§5 value = nstring / literal8). No unsolicited METADATA responses are sent, so
 *   ENABLE METADATA enables nothing (§4.1 allows that).
 * - Private annotations are supported, so [METADATA NOPRIVATE] is never sent.
 */
import { isStoreError } from '../../store/errors.js';
import {
  canonicalEntryName,
  entryNameProblem,
  METADATA_MAX_VALUE_BYTES,
  type MetadataEntry,
} from '../../store/metadata.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, no, ok } from '../session/state.js';
import { storeErrorResult } from '../session/store-errors.js';

/** Writes "* METADATA <mailbox> (<entry> <value> ...)" ("" is the server, §4.4). */
export function metadataResponse(session: ImapSession, mailbox: string, items: ReadonlyArray<{ name: string; value: Buffer | null }>): void {
  const b = new ResponseBuilder({ utf8Accept: session.utf8 });
  b.raw('* METADATA ').mailbox(mailbox).sp();
  b.list(items, (bb, item) => {
    bb.astring(item.name).sp().nstring(item.value, { literal8: true });
  });
  session.send(b);
}

/** The canonical names of `entries`, or the BAD text for the first invalid one. */
export function checkEntries(entries: readonly string[], prefix: boolean): string[] | string {
  const out: string[] = [];
  for (const e of entries) {
    const problem = entryNameProblem(e, prefix);
    if (problem !== null) return `Invalid entry name: ${problem}`;
    out.push(canonicalEntryName(e));
  }
  return out;
}

/**
 * The response items for `requested` from `found` (what the store returned for them at
 * `depth`): each requested entry with its found descendants, once each; NIL for a requested
 * name with neither a value nor descendants.
 */
export function responseItems(requested: readonly string[], found: readonly MetadataEntry[]): Array<{ name: string; value: Buffer | null }> {
  const byName = new Map(found.map((e) => [e.name, e]));
  const done = new Set<string>();
  const out: Array<{ name: string; value: Buffer | null }> = [];
  for (const want of requested) {
    const below = found.filter((e) => e.name.startsWith(`${want}/`));
    const self = byName.get(want);
    if (!done.has(want) && (self !== undefined || below.length === 0)) {
      done.add(want);
      out.push({ name: want, value: self?.value ?? null });
    }
    for (const e of below) {
      if (!done.has(e.name)) {
        done.add(e.name);
        out.push(e);
      }
    }
  }
  return out;
}

export const getMetadataCommand: CommandSpec<'GETMETADATA'> = {
  name: 'GETMETADATA',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['METADATA', 'METADATA-SERVER'],
  async handler(session, cmd) {
    const requested = checkEntries(cmd.entries, true);
    if (typeof requested === 'string') return bad(requested);
    const mailbox = cmd.mailbox === '' ? null : cmd.mailbox;
    let found: MetadataEntry[];
    try {
      found = await session.store.getMetadata(session.actor!, mailbox, requested, cmd.depth);
    } catch (e) {
      return storeErrorResult(e);
    }
    let longest = 0;
    const items = responseItems(requested, found).filter((item) => {
      if (cmd.maxSize === null || item.value === null || item.value.length <= cmd.maxSize) return true;
      longest = Math.max(longest, item.value.length);
      return false;
    });
    if (items.length > 0) metadataResponse(session, cmd.mailbox, items);
    await session.drainIfNeeded();
    // RFC 5464 §4.2.1: the size of the biggest value left out.
    return ok('GETMETADATA completed', longest > 0 ? `METADATA LONGENTRIES ${longest}` : undefined);
  },
};

export const setMetadataCommand: CommandSpec<'SETMETADATA'> = {
  name: 'SETMETADATA',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['METADATA', 'METADATA-SERVER'],
  async handler(session, cmd) {
    const names = checkEntries(
      cmd.values.map((v) => v.entry),
      false,
    );
    if (typeof names === 'string') return bad(names);
    // §4.3: a value over the limit is refused with the limit, before anything is written.
    if (cmd.values.some((v) => v.value !== null && v.value.length > METADATA_MAX_VALUE_BYTES)) {
      return no('Value too large', `METADATA MAXSIZE ${METADATA_MAX_VALUE_BYTES}`);
    }
    const writes = cmd.values.map((v, i) => ({ name: names[i], value: v.value }));
    try {
      await session.store.setMetadata(session.actor!, cmd.mailbox === '' ? null : cmd.mailbox, writes);
    } catch (e) {
      // Sizes were checked above, so a limit now is a count limit (§4.3 TOOMANY).
      if (isStoreError(e, 'LIMIT')) return no('Too many annotations', 'METADATA TOOMANY');
      if (isStoreError(e, 'NOPERM')) return no('Server /shared annotations are set by the administrator', 'NOPERM');
      return storeErrorResult(e);
    }
    return ok('SETMETADATA completed');
  },
};
