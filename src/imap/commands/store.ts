/**
 * STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9; RFC 7162 §3.1.3 UNCHANGEDSINCE / MODIFIED).
 *
 * Invariants:
 * - One storeFlags call changes all messages; every changed message's new modseq goes into
 *   view.ownChanges so the session does not report the change a second time.
 * - Without .SILENT, every message of the set that still exists gets "* <seq> FETCH (FLAGS ...)"
 *   with its current flags, changed or not, in ascending order (UID first for UID STORE, MODSEQ
 *   when CONDSTORE is enabled or UNCHANGEDSINCE given).
 * - With .SILENT and UNCHANGEDSINCE, changed messages still get FETCH (MODSEQ) (RFC 7162 §3.1.3
 *   MUST) and messages failing the test get their current FLAGS and MODSEQ (RFC 7162 Example 10),
 *   so the client need not poll.
 * - \Recent cannot be stored (RFC 3501 §2.3.2) and is ignored; any other "\" flag that is not a
 *   system flag is a BAD (RFC 9051 §2.3.2: flag-extension is reserved).
 * - A read-only mailbox answers NO [READ-ONLY] and changes nothing.
 * - Messages expunged by another session are skipped; a message-number STORE without .SILENT
 *   then ends NO [EXPUNGEISSUED] after the other responses (RFC 2180 §4.2.1, §4.2.3).
 */
import { ResponseBuilder } from '../protocol/response.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandSpec } from '../session/command-table.js';
import { displayFlags } from '../session/updates.js';
import { bad, no, ok } from '../session/state.js';
import type { MessageRow, ModSeq, Uid } from '../../store/types.js';
import { resolveCommandSet, withoutPendingExpunges } from './sequence.js';
import { loadRows } from './fetch.js';

const SYSTEM_FLAGS = new Set(['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft']);

/** The flags storeFlags receives: \Recent dropped; null when a reserved "\" flag appears. */
export function storableFlags(flags: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const f of flags) {
    const lower = f.toLowerCase();
    if (lower === '\\recent') continue;
    if (f.startsWith('\\') && !SYSTEM_FLAGS.has(lower)) return null;
    out.push(f);
  }
  return out;
}

export const storeCommand: CommandSpec<'STORE'> = {
  name: 'STORE',
  states: ['selected'],
  updates: 'no-expunge',
  handler: async (session, cmd) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    const view = state.view;
    const actor = state.actor;
    const flags = storableFlags(cmd.action.flags);
    if (flags === null) return bad('Invalid system flag');
    const resolved = resolveCommandSet(view, cmd.set, cmd.uid);
    if (!resolved.ok) return resolved.result;
    if (view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    const { live, skipped } = withoutPendingExpunges(view, resolved.uids);
    const silent = cmd.action.silent;
    const conditional = cmd.unchangedSince !== undefined;
    const withModSeq = conditional || session.enabled.has('CONDSTORE');

    let updated = new Map<number, number>();
    let modified: number[] = [];
    if (live.length > 0) {
      const result = await session.store.storeFlags(
        actor,
        view.mailboxId,
        live as Uid[],
        cmd.action.op,
        flags,
        cmd.unchangedSince === undefined ? undefined : (cmd.unchangedSince as ModSeq),
      );
      updated = new Map(result.updated.map((u) => [u.uid as number, u.modseq as number]));
      for (const [uid, modseq] of updated) view.ownChanges.set(uid, modseq);
      modified = result.modified.map((u) => u as number);
    }

    let missing = 0;
    let rows: MessageRow[] = [];
    if (!silent) {
      rows = await loadRows(session, actor, view, live);
      missing = live.length - rows.length;
    } else if (modified.length > 0) {
      rows = await loadRows(session, actor, view, modified);
    }
    const modifiedSet = new Set(modified);
    const rowByUid = new Map(rows.map((r) => [r.uid as number, r]));
    // Ascending UIDs are ascending sequence numbers.
    const order = silent ? [...new Set([...(conditional ? updated.keys() : []), ...modified])].sort((a, b) => a - b) : rows.map((r) => r.uid as number);
    for (const uid of order) {
      const row = rowByUid.get(uid);
      const showFlags = !silent || modifiedSet.has(uid);
      if (showFlags && row === undefined) continue;
      const items: Array<(b: ResponseBuilder) => void> = [];
      if (cmd.uid) items.push((b) => b.raw(`UID ${uid}`));
      if (showFlags && row !== undefined) items.push((b) => b.raw('FLAGS ').flags(displayFlags(session, view, uid, row.flags)));
      const modseq = row?.modseq ?? updated.get(uid);
      if (withModSeq && modseq !== undefined) items.push((b) => b.raw(`MODSEQ (${modseq})`));
      const b = new ResponseBuilder();
      b.raw(`* ${view.seqOf(uid)} FETCH (`);
      items.forEach((write, i) => {
        if (i > 0) b.sp();
        write(b);
      });
      b.raw(')');
      session.send(b);
      await session.drainIfNeeded();
    }

    const expunged = !silent && !cmd.uid && (skipped > 0 || missing > 0);
    if (modified.length > 0) {
      const set = cmd.uid ? encodeSequenceSet(modified) : encodeSequenceSet(modified.map((u) => view.seqOf(u)).filter((s) => s > 0));
      return ok('Conditional STORE failed', `MODIFIED ${set}`);
    }
    if (expunged) return no('Some messages were expunged', 'EXPUNGEISSUED');
    return ok(conditional ? 'Conditional STORE completed' : 'Store completed');
  },
};
