/**
 * LIST (RFC 9051 §6.3.9) with LIST-EXTENDED (RFC 5258) selection options SUBSCRIBED, REMOTE,
 * RECURSIVEMATCH, SPECIAL-USE (RFC 6154) and return options SUBSCRIBED, CHILDREN, SPECIAL-USE,
 * STATUS (RFC 5819), METADATA (RFC 9590); and LSUB (RFC 3501 §6.3.9).
 *
 * Invariants:
 * - Every mailbox appears at most once per command, in name order, INBOX first.
 * - CHILDREN attributes are always sent (RFC 9051 requires them in rev2; harmless in rev1).
 * - Under SUBSCRIBED selection a subscribed name that does not exist is listed \NonExistent;
 *   with RECURSIVEMATCH a non-matching parent of matching subscribed names gets CHILDINFO.
 * - RETURN (METADATA (...)) (RFC 9590) follows the LIST response of each existing mailbox with
 *   one METADATA response naming every requested entry (NIL when unset); values are bounded by
 *   the store's METADATA_MAX_VALUE_BYTES, so no MAXSIZE applies. A \NonExistent name gets none.
 */
import type { Mailbox, MetadataEntry } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import type { CommandSpec } from '../session/command-table.js';
import { bad, ok } from '../session/state.js';
import { quotedMailbox } from '../session/names.js';
import { attributesOf, canonicalPattern, compilePattern, hasChildren, SEPARATOR } from './list-attributes.js';
import { statusLine } from './status.js';
import { locate, OTHER_USERS, SHARED } from '../../store/access/namespaces.js';
import { withVirtual } from '../../store/access/rights.js';
import { checkEntries, metadataResponse, responseItems } from './metadata.js';

function byName(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : 1;
}

function parentsOf(name: string): string[] {
  const out: string[] = [];
  let i = name.indexOf(SEPARATOR);
  while (i > 0) {
    out.push(name.slice(0, i));
    i = name.indexOf(SEPARATOR, i + 1);
  }
  return out;
}

/**
 * Hierarchy levels above the listed mailboxes that are not mailboxes of their own: the other
 * users' and shared namespaces' prefixes and owners (RFC 2342), always; and, for patterns ending
 * in "%" (`percent`), the levels inside another account's tree whose mailbox the account may
 * not list or that does not exist: RFC 9051 §6.3.9 returns matching levels with \Noselect, and
 * RFC 4314 §4 LIST treats an unlistable parent as if it did not exist (so "*" does not name it).
 */
function hierarchyLevels(all: readonly Mailbox[], exists: ReadonlyMap<string, Mailbox>, percent: (name: string) => boolean): Set<string> {
  const levels = new Set<string>();
  for (const m of all) {
    const loc = locate(m.name);
    if (loc.kind === 'personal' || loc.kind === 'root') continue;
    if (loc.kind === 'other') {
      levels.add(OTHER_USERS);
      levels.add(`${OTHER_USERS}${SEPARATOR}${loc.owner}`);
    } else levels.add(SHARED);
    const prefix = loc.kind === 'other' ? `${OTHER_USERS}${SEPARATOR}${loc.owner}${SEPARATOR}` : `${SHARED}${SEPARATOR}`;
    for (const p of parentsOf(m.name)) if (p.startsWith(prefix) && !exists.has(p) && percent(p)) levels.add(p);
  }
  return levels;
}

export const listCommand: CommandSpec<'LIST'> = {
  name: 'LIST',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['LIST-EXTENDED', 'LIST-STATUS', 'SPECIAL-USE', 'CHILDREN', 'LIST-MYRIGHTS', 'LIST-METADATA'],
  async handler(session, cmd) {
    const actor = session.actor!;
    const sel = new Set(cmd.selection);
    if (sel.has('RECURSIVEMATCH') && !sel.has('SUBSCRIBED') && !sel.has('SPECIAL-USE')) {
      return bad('RECURSIVEMATCH needs another selection option (RFC 5258 §3.1)');
    }
    // An empty pattern asks for the hierarchy delimiter and root (RFC 9051 §6.3.9).
    if (cmd.patterns.length === 1 && cmd.patterns[0] === '' && !cmd.extended) {
      session.writeLine(`* LIST (\\Noselect) "${SEPARATOR}" ""`);
      return ok('LIST completed');
    }
    let metadataEntries: string[] | null = null;
    if (cmd.returnOptions.metadata) {
      const checked = checkEntries(cmd.returnOptions.metadata, false);
      if (typeof checked === 'string') return bad(checked);
      metadataEntries = [...new Set(checked)];
    }
    const all = await session.store.listMailboxes(actor);
    const byNameMap = new Map(all.map((m) => [m.name, m]));
    const wantSubscribed = sel.has('SUBSCRIBED') || cmd.returnOptions.subscribed;
    const subscribed = wantSubscribed ? new Set(await session.store.listSubscriptions(actor)) : new Set<string>();
    const matchers = cmd.patterns.filter((p) => p !== '').map((p) => compilePattern(canonicalPattern(cmd.reference, p)));
    const matches = (name: string) => matchers.some((m) => m(name));

    // Candidate names: existing mailboxes, plus subscribed names under SUBSCRIBED selection.
    const names = new Set<string>(all.map((m) => m.name));
    if (sel.has('SUBSCRIBED')) for (const s of subscribed) names.add(s);
    // The levels of the other users' and shared namespaces above the mailboxes shared with the
    // account (RFC 2342): not mailboxes, listed \Noselect so "%" walks can reach those below.
    // Mailboxes of another account the account may not list stay unnamed (RFC 4314 §4 LIST),
    // except as such a level for a "%" pattern.
    const percent = cmd.patterns.filter((p) => p.endsWith('%')).map((p) => compilePattern(canonicalPattern(cmd.reference, p)));
    const roots = sel.size === 0 ? hierarchyLevels(all, byNameMap, (name) => percent.some((m) => m(name))) : new Set<string>();
    for (const r of roots) names.add(r);

    const selected = (name: string): boolean => {
      if (roots.has(name)) return true;
      const mb = byNameMap.get(name);
      if (sel.has('SUBSCRIBED') && !subscribed.has(name)) return false;
      if (sel.has('SPECIAL-USE') && !mb?.specialUse) return false;
      return true;
    };

    const recursive = sel.has('RECURSIVEMATCH');
    const selectedNames = [...names].filter(selected);
    // RFC 5258 §3.5: CHILDINFO marks a matching name with a selected descendant that this
    // command does not itself return (redundant CHILDINFO is suppressed).
    const childInfo = (name: string): boolean =>
      recursive && selectedNames.some((d) => d.startsWith(name + SEPARATOR) && !matches(d));
    const candidates = new Set(names);
    if (recursive) for (const d of selectedNames) for (const p of parentsOf(d)) candidates.add(p);

    const out: Array<{ name: string; attrs: string[]; childInfo: boolean; mailbox: Mailbox | undefined }> = [];
    for (const name of [...candidates].sort(byName)) {
      if (!matches(name)) continue;
      const isSelected = selected(name);
      const info = childInfo(name);
      if (!isSelected && !info) continue;
      const mb = byNameMap.get(name);
      const attrs = mb
        ? attributesOf(all, mb)
        : roots.has(name)
          ? ['\\Noselect', '\\HasChildren']
          : ['\\NonExistent', ...(hasChildren(all, name) ? ['\\HasChildren'] : [])];
      if (wantSubscribed && subscribed.has(name)) attrs.push('\\Subscribed');
      out.push({ name, attrs, childInfo: info, mailbox: mb });
    }
    for (const entry of out) {
      const ext = entry.childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '';
      session.writeLine(`* LIST (${entry.attrs.join(' ')}) "${SEPARATOR}" ${quotedMailbox(session, entry.name)}${ext}`);
      if (cmd.returnOptions.status && entry.mailbox) {
        try {
          session.writeLine(await statusLine(session, actor, entry.mailbox, cmd.returnOptions.status));
        } catch (e) {
          // RFC 5819 §2: no STATUS for a mailbox STATUS would fail on ("l" without "r", RFC 4314).
          if (!isStoreError(e, 'NOPERM')) throw e;
        }
      }
      if (cmd.returnOptions.myRights && entry.mailbox) {
        // RFC 8440 §3: one MYRIGHTS response after the LIST response of each listed mailbox.
        const rights = await session.store.myRights(actor, entry.name);
        session.writeLine(`* MYRIGHTS ${quotedMailbox(session, entry.name)} ${withVirtual(rights)}`);
      }
      // RFC 9590: the requested annotations of each listed mailbox that exists, after its LIST.
      if (metadataEntries !== null && entry.mailbox) {
        let found: MetadataEntry[] | null = null;
        try {
          found = await session.store.getMetadata(actor, entry.name, metadataEntries, '0');
        } catch (e) {
          // Deleted meanwhile (or, with ACL, not readable): RFC 9590 lets its METADATA be left out.
          if (!isStoreError(e, 'NONEXISTENT') && !isStoreError(e, 'NOPERM')) throw e;
        }
        if (found !== null) metadataResponse(session, entry.name, responseItems(metadataEntries, found));
        await session.drainIfNeeded();
      }
    }
    return ok('LIST completed');
  },
};

export const lsubCommand: CommandSpec<'LSUB'> = {
  name: 'LSUB',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const actor = session.actor!;
    if (cmd.pattern === '') {
      session.writeLine(`* LSUB (\\Noselect) "${SEPARATOR}" ""`);
      return ok('LSUB completed');
    }
    const all = await session.store.listMailboxes(actor);
    const existing = new Map(all.map((m) => [m.name, m]));
    const subs = await session.store.listSubscriptions(actor);
    const match = compilePattern(canonicalPattern(cmd.reference, cmd.pattern));
    const lines = new Map<string, string[]>();
    for (const name of subs) {
      if (match(name)) {
        const mb = existing.get(name);
        lines.set(name, mb ? (mb.specialUse ? [mb.specialUse] : []) : ['\\Noselect']);
        continue;
      }
      // RFC 3501 §6.3.9: with "%", an unsubscribed parent of a subscribed name is \Noselect.
      for (const parent of parentsOf(name)) {
        if (!lines.has(parent) && match(parent) && !subs.includes(parent)) lines.set(parent, ['\\Noselect']);
      }
    }
    for (const name of [...lines.keys()].sort(byName)) {
      session.writeLine(`* LSUB (${lines.get(name)!.join(' ')}) "${SEPARATOR}" ${quotedMailbox(session, name)}`);
    }
    return ok('LSUB completed');
  },
};
