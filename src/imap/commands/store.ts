/**
 * STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9; RFC 7162 §3.1.3 UNCHANGEDSINCE / MODIFIED).
 *
 * Invariants:
 * - One storeFlags call changes all messages; every changed message's new modseq goes into
 *   view.ownChanges so the session does not report the change a second time; so does the modseq
 *   of any newer state this command shows with FLAGS (e.g. another session's change).
 * - Without .SILENT, every message of the set that still exists gets "* <seq> FETCH (FLAGS ...)"
 *   with its current flags, changed or not, in ascending order (UID first for UID STORE).
 * - MESSAGELIMIT (RFC 9738 §3.1): a set of more than n messages changes the n with the highest
 *   UIDs, reported from the highest UID down, and says [MESSAGELIMIT n uid]: in the tagged OK,
 *   or in an untagged NO before a tagged line that carries MODIFIED or EXPUNGEISSUED.
 * - UNCHANGEDSINCE is a CONDSTORE enabling command (RFC 7162 §3.1). Once CONDSTORE is enabled
 *   every FETCH response of STORE carries MODSEQ (RFC 7162 §3.1, §3.1.3) and UID (RFC 7162
 *   §3.2.4, a SHOULD for CONDSTORE-only servers per §3.1.4.2).
 * - With .SILENT: messages that passed the UNCHANGEDSINCE test get FETCH (MODSEQ) (RFC 7162
 *   §3.1.3 MUST, Examples 3-6), also when the store left their flags as they were; messages
 *   that failed it get their current FLAGS and MODSEQ (RFC 7162 §3.1.3 RECOMMENDED, Examples 7
 *   and 10) so the client need not poll; without UNCHANGEDSINCE a CONDSTORE-aware client gets
 *   FETCH (MODSEQ) for the messages whose flags changed (RFC 7162 Example 14), since this
 *   session will not report them later.
 * - Messages failing the test are listed in MODIFIED, as sequence numbers for STORE and UIDs for
 *   UID STORE (RFC 7162 §3.1.3); UNCHANGEDSINCE 0 fails for every message, since every message
 *   has a modseq >= 1 and system flags always exist (RFC 7162 Example 8). Not failing: +FLAGS /
 *   -FLAGS on a newer message whose flags already have the requested state (§3.1.12, decided in
 *   storage); it gets FETCH with its FLAGS and MODSEQ, also with .SILENT, like the §3.1.12 example.
 * - \Recent cannot be stored (RFC 3501 §2.3.2) and is ignored; any other "\" flag that is not a
 *   system flag is a BAD (RFC 9051 §2.3.2: flag-extension is reserved).
 * - A read-only mailbox answers NO [READ-ONLY] and changes nothing.
 * - Messages expunged by another session are skipped; a message-number STORE without .SILENT
 *   then ends NO [EXPUNGEISSUED] after the other responses (RFC 2180 §4.2.1, §4.2.3), or
 *   NO [MODIFIED ...] when some message also failed UNCHANGEDSINCE (RFC 7162 Example 11).
 */
import { fetchOpening, uidOnlyEnabled } from '../session/uidonly.js';
import { ResponseBuilder } from '../protocol/response.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandSpec } from '../session/command-table.js';
import { displayFlags } from '../session/updates.js';
import { SYSTEM_FLAGS as SYSTEM_FLAG_NAMES } from '../../store/flag-lists.js';
import { bad, no, ok } from '../session/state.js';
import type { MessageRow, ModSeq, Uid } from '../../store/types.js';
import { condstoreEnabled, enableCondstore } from '../session/condstore.js';
import { resolveCommandSet, withoutPendingExpunges } from './sequence.js';
import { limitedResult, withinProcessLimit } from '../session/message-limit.js';
import { loadRows } from './fetch.js';

const SYSTEM_FLAGS = new Set(SYSTEM_FLAG_NAMES.map((f) => f.toLowerCase()));

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
    const conditional = cmd.unchangedSince !== undefined;
    // RFC 7162 §3.1: enabling; the first one announces HIGHESTMODSEQ first (Example 5).
    if (conditional) enableCondstore(session);
    if (view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    const pending = withoutPendingExpunges(view, resolved.uids);
    const skipped = pending.skipped;
    // RFC 9738 §3.1: at most MESSAGELIMIT messages, the highest UIDs (descending when cut).
    const bounded = withinProcessLimit(session, pending.live);
    const live = bounded.limit === null ? bounded.uids : [...bounded.uids].reverse();
    const silent = cmd.action.silent;
    const condstore = condstoreEnabled(session);
    const uidOnly = uidOnlyEnabled(session);

    let updated: number[] = [];
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
      for (const u of result.updated) view.ownChanges.set(u.uid, u.modseq);
      updated = result.updated.map((u) => u.uid as number).sort((a, b) => a - b);
      modified = result.modified.map((u) => u as number);
    }

    // The messages that get an untagged FETCH (see the invariants above).
    let reported: readonly number[] = [];
    if (!silent || conditional) reported = live;
    else if (condstore) reported = updated;
    const rows: MessageRow[] = reported.length > 0 ? await loadRows(session, actor, view, reported) : [];
    const modifiedSet = new Set(modified);
    const updatedSet = new Set(updated);
    // Ascending UIDs are ascending sequence numbers; a MESSAGELIMIT cut answers highest first.
    if (bounded.limit !== null) rows.reverse();
    for (const row of rows) {
      const uid = row.uid as number;
      const items: Array<(b: ResponseBuilder) => void> = [];
      // Under UIDONLY the UIDFETCH response itself names the UID (RFC 9586 §3.3).
      if ((cmd.uid || condstore) && !uidOnly) items.push((b) => b.raw(`UID ${uid}`));
      // A message newer than UNCHANGEDSINCE that passed (RFC 7162 §3.1.12: its flags already had
      // the requested state) shows its flags too, as in the RFC's example.
      const newer = conditional && !updatedSet.has(uid) && row.modseq > cmd.unchangedSince!;
      if (!silent || modifiedSet.has(uid) || newer) {
        items.push((b) => b.raw('FLAGS ').flags(displayFlags(session, view, uid, row.flags)));
        // The client now knows this state; the sync after the command need not repeat it.
        if (row.modseq > view.modseq) view.ownChanges.set(uid, row.modseq);
      }
      if (condstore) items.push((b) => b.raw(`MODSEQ (${row.modseq})`));
      if (items.length === 0) items.push((b) => b.raw(`UID ${uid}`));
      const b = new ResponseBuilder();
      b.raw(fetchOpening(session, view, uid, false));
      items.forEach((write, i) => {
        if (i > 0) b.sp();
        write(b);
      });
      b.raw(')');
      session.send(b);
      await session.drainIfNeeded();
    }

    const missing = !silent ? live.length - rows.length : 0;
    const expunged = !silent && !cmd.uid && (skipped > 0 || missing > 0);
    if (modified.length > 0) {
      const set = cmd.uid ? encodeSequenceSet(modified) : encodeSequenceSet(modified.map((u) => view.seqOf(u)).filter((s) => s > 0));
      if (expunged) return limitedResult(session, no('Some of the messages no longer exist', `MODIFIED ${set}`), bounded.limit);
      return limitedResult(session, ok('Conditional STORE failed', `MODIFIED ${set}`), bounded.limit);
    }
    // RFC 2180 §4.2.3's wording.
    if (expunged) return limitedResult(session, no('Some of the messages no longer exist', 'EXPUNGEISSUED'), bounded.limit);
    return limitedResult(session, ok(conditional ? 'Conditional STORE completed' : 'Store completed'), bounded.limit);
  },
};
