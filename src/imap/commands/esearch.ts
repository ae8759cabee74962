/**
 * ESEARCH (RFC 7377, MULTISEARCH): one search program over several mailboxes, answered with one
 * "* ESEARCH (TAG "t" MAILBOX "m" UIDVALIDITY n) UID ..." per mailbox that has matches.
 *
 * Invariants:
 * - Valid in the authenticated and selected states; a source list that includes (or defaults
 *   to) "selected" outside the selected state is BAD (§2.2). The selected mailbox stays selected.
 * - Sources resolve against the account's mailboxes at the time of the command (§2.2, RFC 5465
 *   §6): personal and inboxes are every mailbox (Facteur delivers to any of them, and RFC 5465
 *   §6.3 allows the fallback), subscribed the existing subscribed ones, subtree a mailbox and all
 *   its inferiors, subtree-one a mailbox and its children, mailboxes the names as given (no
 *   wildcards). Names that do not exist are skipped silently (§5: no hierarchy disclosure).
 *   Each mailbox is searched once, in the order first named; more than MAX_ESEARCH_MAILBOXES is
 *   NO [LIMIT] before any search (§2.4).
 * - The selected mailbox is searched through the session's view (pending expunges excluded,
 *   "$", \Recent, EXPUNGEISSUED as SEARCH does); any other mailbox through a view built from
 *   storage, where message numbers are positions in UID order and out-of-range numbers match
 *   nothing (§2), "$" is empty and no message is \Recent (the session holds no claim there).
 * - Results are always UIDs (§2.1); no RETURN means ALL; a mailbox without matches gets no
 *   response, also for COUNT (§2.1). MODSEQ (RFC 7162 §3.1.5) per mailbox as for SEARCH.
 * - RETURN (SAVE) is valid only when "selected" is the only source (§2.2, RFC 5182).
 * - MESSAGELIMIT bounds each mailbox's search as SEARCH's (RFC 9738 §3.1): a mailbox whose
 *   candidates were cut gets "* NO [MESSAGELIMIT n uid] ..." naming it, right after its ESEARCH
 *   response (the uid is of that mailbox, so it cannot go in the one tagged line).
 */
import type { EsearchSource, SearchCommand, SearchReturnOption } from '../protocol/ast.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { MailboxView } from '../session/mailbox-view.js';
import { quotedMailbox } from '../session/names.js';
import { enableCondstore } from '../session/condstore.js';
import { bad, no, ok, type CommandResult } from '../session/state.js';
import type { Actor, Mailbox } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import { MAX_ESEARCH_MAILBOXES } from '../../wire/limits.js';
import { compileSearch, hasModSeqKey } from './search-eval.js';
import { charsetSupported, esearchLine, runSearch, savedUids } from './search.js';
import { limitCode, processLimit } from '../session/message-limit.js';
import { quoted } from '../protocol/response.js';

/** Charsets that do not conflict with UTF8=ACCEPT's UTF-8 strings (RFC 6855 §3), as SEARCH. */
const UTF8_CHARSETS = new Set(['US-ASCII', 'UTF-8', 'ASCII']);

type Target = { mailbox: Mailbox; selected: boolean };

/** The mailboxes the sources name, each once, in the order first named. */
async function resolveSources(session: ImapSession, actor: Actor, sources: readonly EsearchSource[]): Promise<Target[]> {
  const all = await session.store.listMailboxes(actor);
  const byName = new Map(all.map((m) => [m.name, m]));
  const state = session.state;
  const selectedId = state.kind === 'selected' ? state.view.mailboxId : null;
  const out: Target[] = [];
  const seen = new Set<number>();
  const add = (m: Mailbox | undefined): void => {
    if (m === undefined || seen.has(m.id)) return;
    seen.add(m.id);
    out.push({ mailbox: m, selected: m.id === selectedId });
  };
  for (const src of sources) {
    switch (src.kind) {
      case 'selected':
        add(all.find((m) => m.id === selectedId));
        break;
      case 'personal':
      case 'inboxes':
        // The personal namespace only: not the mailboxes other accounts share (RFC 5465 §6).
        for (const m of all) if (m.accountId === actor.accountId) add(m);
        break;
      case 'subscribed':
        for (const name of await session.store.listSubscriptions(actor)) add(byName.get(name));
        break;
      case 'mailboxes':
        for (const name of src.names) add(byName.get(name));
        break;
      case 'subtree':
      case 'subtree-one':
        // Names are strings, not links: the hierarchy cannot loop (§2.2).
        for (const name of src.names) {
          add(byName.get(name));
          const prefix = name + '/';
          for (const m of all) {
            if (!m.name.startsWith(prefix)) continue;
            if (src.kind === 'subtree-one' && m.name.slice(prefix.length).includes('/')) continue;
            add(m);
          }
        }
        break;
    }
  }
  return out;
}

/** A view of a mailbox that is not selected: every message, message numbers by UID order. */
async function detachedView(session: ImapSession, actor: Actor, m: Mailbox): Promise<MailboxView | null> {
  try {
    const rows = await session.store.listMessages(actor, m.id);
    return new MailboxView(m.id, m.name, true, m.uidValidity, rows.map((r) => r.uid as number), m.highestModSeq, m.uidNext);
  } catch (e) {
    // Deleted since it was listed, or another account's mailbox without the "r" right
    // (RFC 4314 §4): as if it had not been named.
    if (isStoreError(e, 'NONEXISTENT') || isStoreError(e, 'NOPERM')) return null;
    throw e;
  }
}

async function handle(session: ImapSession, cmd: SearchCommand & { sources: EsearchSource[] | null }, tag: string): Promise<CommandResult> {
  const state = session.state;
  const actor = session.actor;
  if (actor === null || (state.kind !== 'authenticated' && state.kind !== 'selected')) return bad('Not authenticated');
  const sources: readonly EsearchSource[] = cmd.sources ?? [{ kind: 'selected' }];
  const namesSelected = sources.some((s) => s.kind === 'selected');
  if (namesSelected && state.kind !== 'selected') return bad('ESEARCH on the selected mailbox requires a selected mailbox (RFC 7377 §2.2)');
  const opts: SearchReturnOption[] = cmd.returnOptions === null || cmd.returnOptions.length === 0 ? ['ALL'] : cmd.returnOptions;
  const save = opts.includes('SAVE');
  if (save && !(sources.length > 0 && sources.every((s) => s.kind === 'selected'))) {
    return bad('RETURN (SAVE) requires "selected" as the only source (RFC 7377 §2.2)');
  }
  const view = state.kind === 'selected' ? state.view : null;
  if (cmd.charset !== null && session.enabled.has('UTF8=ACCEPT') && !UTF8_CHARSETS.has(cmd.charset.toUpperCase())) {
    if (save && view) view.savedSearch = [];
    return bad('SEARCH CHARSET conflicts with UTF8=ACCEPT (RFC 6855 §3)');
  }
  if (!charsetSupported(cmd.charset)) {
    if (save && view) view.savedSearch = [];
    return no('Unsupported charset', 'BADCHARSET (US-ASCII UTF-8)');
  }
  const targets = await resolveSources(session, actor, sources);
  if (targets.length > MAX_ESEARCH_MAILBOXES) return no(`ESEARCH over more than ${MAX_ESEARCH_MAILBOXES} mailboxes`, 'LIMIT');
  const modseqWanted = hasModSeqKey(cmd.criteria);
  // RFC 7162 §3.1: a MODSEQ search key is CONDSTORE enabling.
  if (modseqWanted) enableCondstore(session);
  let expunged = false;
  const limit = processLimit(session);
  const now = Date.now();
  for (const t of targets) {
    const v = t.selected && view !== null ? view : await detachedView(session, actor, t.mailbox);
    if (v === null) continue;
    let found;
    try {
      found = await runSearch(session, actor, v, compileSearch(cmd.criteria, v, now), undefined, limit);
    } catch (e) {
      if (save && view) view.savedSearch = [];
      // A mailbox deleted during the search is skipped like one that was never there.
      if (!t.selected && isStoreError(e, 'NONEXISTENT')) continue;
      throw e;
    }
    if (t.selected) expunged = found.expunged;
    const { rows } = found;
    // RFC 9738 §3.4: after a cut search "$" holds the results of the searched messages only.
    if (save && view) view.savedSearch = savedUids(opts, rows);
    const uids = rows.map((r) => r.uid as number);
    // §2.1: no response for a mailbox without matches, whatever the result options.
    const line = rows.length === 0 ? null : esearchLine(tag, true, opts, rows, uids, encodeSequenceSet(uids), modseqWanted);
    if (line !== null) {
      // §4 search-correlator: TAG, MAILBOX and UIDVALIDITY. A tag cannot contain ")" (RFC 9051
      // §9 tag excludes atom-specials), so the first ")" closes esearchLine's correlator.
      const rest = line.slice(line.indexOf(')') + 1);
      const correlator = `(TAG ${quoted(tag)} MAILBOX ${quotedMailbox(session, t.mailbox.name)} UIDVALIDITY ${v.uidValidity})`;
      session.writeLine(`* ESEARCH ${correlator}${rest}`);
    }
    if (found.limit !== null) {
      const { n, lowest } = found.limit;
      session.writeLine(`* NO [${limitCode(n, lowest)}] Only the ${n} messages with the highest UIDs of ${quotedMailbox(session, t.mailbox.name)} were searched`);
    }
    await session.drainIfNeeded();
  }
  return expunged ? ok('ESEARCH completed, some messages were expunged', 'EXPUNGEISSUED') : ok('ESEARCH completed');
}

export const esearchCommand: CommandSpec<'ESEARCH'> = {
  name: 'ESEARCH',
  states: ['authenticated', 'selected'],
  updates: 'no-expunge',
  capabilities: ['MULTISEARCH'],
  handler: (session, cmd, tag) => handle(session, cmd, tag),
};
