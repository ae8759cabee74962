/**
 * Folding other sessions' changes into this session's view at safe points (RFC 9051 §7, §7.5.1):
 * EXPUNGE, or VANISHED once QRESYNC is enabled (RFC 7162 §3.2.10; only where allowed), EXISTS
 * (+ RECENT for rev1 clients), and unsolicited FETCH (FLAGS) for flag changes. The modseq log
 * in storage is the truth; bus events only say "look again".
 *
 * Invariants:
 * - An unsolicited FETCH carries UID and FLAGS, plus MODSEQ once the session is CONDSTORE-aware
 *   (RFC 7162 §3.1, §3.1.4.2 Example 14); flags and modseq come from the same stored row.
 * - RETURN (UPDATE) contexts (search-context.ts) are told of expunges as soon as they are
 *   learned, and re-evaluated on every arrived or changed message after EXISTS and FETCH.
 * - With QRESYNC enabled, every safe point that leaves expunges withheld ends with
 *   "* OK [HIGHESTMODSEQ f]" where f (view.expungeFloor) is below each withheld expunge's
 *   mod-sequence (RFC 7162 §3.2 and the §6 example).
 * - Expunges are never missed: when the expunge-history horizon pruned records above the view's
 *   modseq (changesSince expungedComplete false), the view's UIDs are checked against the
 *   mailbox's present messages instead.
 */
import { StoreError } from '../../store/errors.js';
import type { Uid } from '../../store/types.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { condstoreEnabled } from './condstore.js';
import { announceExpunges, qresyncEnabled } from './qresync.js';
import { contextsExpunged, refreshContexts } from './search-context.js';
import { fetchOpening } from './uidonly.js';
import { announceNewMessages, wantsSelectedFlagChanges } from './notify.js';
import { SYSTEM_FLAGS } from '../../store/flag-lists.js';


/** Writes the FLAGS and PERMANENTFLAGS lines for the view's current keyword set. */
export function writeFlagLines(session: ImapSession, view: MailboxView): void {
  const flags = [...SYSTEM_FLAGS, ...view.keywords.values()].join(' ');
  session.writeLine(`* FLAGS (${flags})`);
  // Keywords may be created freely (mutt's "Old", Thunderbird's $label*): "\*" (RFC 9051 §7.1).
  if (view.readOnly) {
    session.writeLine('* OK [PERMANENTFLAGS ()] No permanent flags permitted');
    return;
  }
  // RFC 4314 §5.1.1: PERMANENTFLAGS reflect the rights (\Seen: s, \Deleted: t, the rest: w).
  const r = view.rights;
  const permanent = [
    ...SYSTEM_FLAGS.filter((f) => r.includes(f === '\\Seen' ? 's' : f === '\\Deleted' ? 't' : 'w')),
    ...(r.includes('w') ? [...view.keywords.values(), '\\*'] : []),
  ];
  session.writeLine(`* OK [PERMANENTFLAGS (${permanent.join(' ')})] Flags permitted`);
}

/**
 * Flags as reported for a message: stored flags plus \Recent for rev1 sessions (RFC 3501 §2.3.2).
 * A keyword the client has not been told about is first announced with new FLAGS and
 * PERMANENTFLAGS lines (RFC 9051 §7.3.5), written before the response that carries it.
 */
export function displayFlags(session: ImapSession, view: MailboxView, uid: number, flags: readonly string[]): string[] {
  let fresh = false;
  for (const f of flags) {
    if (f.startsWith('\\')) continue;
    const key = f.toLowerCase();
    if (!view.keywords.has(key)) {
      view.keywords.set(key, f);
      fresh = true;
    }
  }
  if (fresh) writeFlagLines(session, view);
  if (!session.rev2 && view.isRecent(uid)) return [...flags, '\\Recent'];
  return [...flags];
}

export async function syncView(session: ImapSession, allowExpunge: boolean): Promise<void> {
  if (session.urlMechPending) {
    session.urlMechPending = false;
    // RFC 4467 §7, §8: the mailbox's URLAUTH key was reset; INTERNAL is the only mechanism.
    session.writeLine('* OK [URLMECH INTERNAL] URLAUTH key reset');
  }
  await foldChanges(session, allowExpunge);
  const state = session.state;
  // RFC 7162 §3.2, §6 example: while VANISHED is withheld, MODSEQ values the client saw may be
  // above the withheld expunges' mod-sequence; a HIGHESTMODSEQ below them keeps a QRESYNC
  // client that loses the connection now from skipping those expunges when it resynchronizes.
  if (state.kind === 'selected' && state.view.pendingExpunge.size > 0 && qresyncEnabled(session)) {
    session.writeLine(`* OK [HIGHESTMODSEQ ${state.view.expungeFloor}] VANISHED delayed`);
  }
}

async function foldChanges(session: ImapSession, allowExpunge: boolean): Promise<void> {
  const state = session.state;
  if (state.kind !== 'selected') return;
  const view = state.view;
  if (!session.dirty && !(allowExpunge && view.pendingExpunge.size > 0)) return;
  session.dirty = false;
  let changes;
  try {
    changes = await session.store.changesSince(state.actor, view.mailboxId, view.modseq);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'NONEXISTENT') {
      // The selected mailbox was deleted (or renamed away) by another session.
      session.fatal('Selected mailbox was deleted, have to disconnect');
      return;
    }
    throw e;
  }
  let expunged: readonly number[] = changes.expunged;
  if (!changes.expungedComplete) {
    // The expunge-history horizon dropped records above view.modseq (store/types.ts
    // pruneExpungeHistory): compare the view with what is present now, so no expunge is missed.
    const present = new Set((await session.store.getMessages(state.actor, view.mailboxId, view.uids as Uid[])).map((r) => r.uid));
    expunged = view.uids.filter((u) => !present.has(u as Uid));
  }
  for (const uid of expunged) {
    if (view.seqOf(uid) === 0) continue;
    // Everything up to the modseq synced so far was told; these expunges lie above it.
    if (view.pendingExpunge.size === 0) view.expungeFloor = view.modseq;
    view.pendingExpunge.add(uid);
  }
  // RFC 5267 §4.3.4, Appendix A.3: contexts learn of expunges at once, EXPUNGE may wait.
  contextsExpunged(session, view, view.pendingExpunge);

  if (allowExpunge && view.pendingExpunge.size > 0) {
    // EXPUNGE lines (highest first) or, once QRESYNC is enabled, one VANISHED (RFC 7162 §3.2.10).
    announceExpunges(session, view, [...view.pendingExpunge]);
  }

  const last = view.uids.length > 0 ? view.uids[view.uids.length - 1]! : 0;
  const added: number[] = [];
  const flagRows = [];
  // RFC 5465 §5.1: NOTIFY SET (SELECTED ...) without FlagChange asks for no flag FETCHes.
  const wantFlags = wantsSelectedFlagChanges(session);
  for (const row of changes.changed) {
    if (row.uid > last) added.push(row.uid);
    else if (view.seqOf(row.uid) > 0 && !view.pendingExpunge.has(row.uid)) {
      if (view.ownChanges.get(row.uid) === row.modseq || !wantFlags) continue;
      flagRows.push(row);
    }
  }
  if (added.length > 0) {
    for (const uid of added) view.uids.push(uid);
    if (!view.sharedReadOnly && !session.rev2) {
      const claim = await session.store.claimRecent(state.actor, view.mailboxId);
      view.addRecent(claim.from, claim.to);
    }
    session.writeLine(`* ${view.exists} EXISTS`);
    if (!session.rev2) session.writeLine(`* ${view.recentCount()} RECENT`);
  }
  const withModSeq = condstoreEnabled(session);
  for (const row of flagRows) {
    const b = new ResponseBuilder();
    b.raw(fetchOpening(session, view, row.uid, true));
    b.raw('FLAGS ');
    b.flags(displayFlags(session, view, row.uid, row.flags));
    if (withModSeq) b.raw(` MODSEQ (${row.modseq})`);
    b.raw(')');
    session.send(b);
  }
  // RFC 5267 §4.3.3: after EXISTS, so new message numbers are valid. Every changed row counts,
  // this session's own STORE included, since its contexts must follow it too.
  await refreshContexts(session, view, changes.changed.map((row) => row.uid), new Set(added));
  // RFC 5465 §5.2: the MessageNew FETCH follows EXISTS and any ESEARCH ADDTO.
  await announceNewMessages(session, view, added);
  view.modseq = changes.highestModSeq;
  view.uidNext = changes.uidNext;
  for (const [uid, m] of view.ownChanges) if (m <= changes.highestModSeq) view.ownChanges.delete(uid);
}
