/**
 * Which mailboxes a NOTIFY SET (RFC 5465 §6) covers, and what changed between two snapshots of
 * the mailbox list (RFC 5465 §5.4 MailboxName, §5.5 SubscriptionChange). Pure functions.
 *
 * Invariants:
 * - SELECTED / SELECTED-DELAYED never match by name: they govern the selected mailbox's message
 *   events only (§6.1), and for that mailbox they override every other group (§3.1).
 * - INBOXES is PERSONAL (§6.3 allows it): Sieve fileinto can deliver into any personal mailbox.
 * - SUBTREE and MAILBOXES compare names exactly (§6.6: no wildcard expansion); names are the
 *   decoded, INBOX-normalised names storage uses, "/" separated.
 * - A rename is a mailbox whose id kept and whose name changed; children renamed with their
 *   parent are not reported on their own (§5.4).
 */
import type { NotifyEventGroup, NotifyEventName, NotifyFilter } from '../protocol/ast.js';
import type { Mailbox } from '../../store/types.js';

export const SEPARATOR = '/';

/** What a filter needs to know about a name. */
export interface NameFacts {
  name: string;
  /** Whether the name is in the user's personal namespace (§6.2). */
  personal: boolean;
  /** Whether the name is subscribed (before or after the event, for SubscriptionChange). */
  subscribed: boolean;
}

export function filterMatches(filter: NotifyFilter, facts: NameFacts): boolean {
  switch (filter.kind) {
    case 'SELECTED':
    case 'SELECTED-DELAYED':
      return false;
    case 'INBOXES':
    case 'PERSONAL':
      return facts.personal;
    case 'SUBSCRIBED':
      return facts.subscribed;
    case 'SUBTREE':
      return filter.names.some((n) => facts.name === n || facts.name.startsWith(n + SEPARATOR));
    case 'MAILBOXES':
      return filter.names.includes(facts.name);
  }
}

/** The events the non-selected groups ask for on this name (union over matching groups). */
export function eventsFor(groups: readonly NotifyEventGroup[], facts: NameFacts): Set<NotifyEventName> {
  const out = new Set<NotifyEventName>();
  for (const g of groups) if (filterMatches(g.filter, facts)) for (const e of g.events) out.add(e);
  return out;
}

export function parentOf(name: string): string | null {
  const i = name.lastIndexOf(SEPARATOR);
  return i > 0 ? name.slice(0, i) : null;
}

export interface NameChange {
  kind: 'created' | 'deleted' | 'renamed';
  name: string;
  /** The former name, for a rename (LIST ... ("OLDNAME" (old)), RFC 5465 §5.4). */
  oldName?: string;
}

/**
 * MailboxName changes between two snapshots (mailbox id -> mailbox). A renamed mailbox whose
 * parent was renamed the same way is part of its parent's rename (§5.4: no separate event).
 */
export function diffMailboxes(before: ReadonlyMap<number, Mailbox>, after: ReadonlyMap<number, Mailbox>): NameChange[] {
  const out: NameChange[] = [];
  const renames = new Map<string, string>();
  for (const [id, m] of after) {
    const old = before.get(id);
    if (!old) out.push({ kind: 'created', name: m.name });
    else if (old.name !== m.name) renames.set(old.name, m.name);
  }
  for (const [oldName, newName] of renames) {
    const coveredByParent = [...renames].some(
      ([o, n]) => o !== oldName && oldName.startsWith(o + SEPARATOR) && newName === n + oldName.slice(o.length),
    );
    if (!coveredByParent) out.push({ kind: 'renamed', name: newName, oldName });
  }
  for (const [id, m] of before) if (!after.has(id)) out.push({ kind: 'deleted', name: m.name });
  return out;
}

/** Names whose subscription state differs (§5.5), in name order. */
export function diffSubscriptions(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const n of after) if (!before.has(n)) out.push(n);
  for (const n of before) if (!after.has(n)) out.push(n);
  return out.sort();
}
