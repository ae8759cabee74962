/**
 * NOTIFY arguments (RFC 5465 §8): "SET" [SP "STATUS"] SP event-groups, or "NONE".
 *
 * Invariants:
 * - Everything RFC 5465 answers with BAD is refused here (ImapParseError): bad syntax, a
 *   fetch-att list outside SELECTED/SELECTED-DELAYED (§8), more than one selected filter
 *   (§6.1), non-message events with a selected filter (§6.1), MessageNew without
 *   MessageExpunge or the reverse, and FlagChange/AnnotationChange without both (§5).
 * - Event names this server does not know (event-ext) are kept as sent in `unknown`: they are
 *   answered NO [BADEVENT] by the command (§3.1 "MUST refuse ... with a tagged NO (not a BAD)").
 * - Mailbox names are decoded like every mailbox argument (Reader.mailbox); SUBTREE and
 *   MAILBOXES names are never wildcard-expanded (§6.6).
 * - The number of groups and names is bounded by the command line length (wire/limits.ts);
 *   the command refuses too large watch sets with NO [NOTIFICATIONOVERFLOW].
 */
import type { FetchAttribute, NotifyEventGroup, NotifyEventName, NotifyFilter, NotifySet } from './ast.js';
import { fetchAtt } from './fetch-parser.js';
import type { Reader } from './reader.js';

const EVENTS = new Map<string, NotifyEventName>(
  (
    [
      'MessageNew',
      'MessageExpunge',
      'FlagChange',
      'AnnotationChange',
      'MailboxName',
      'SubscriptionChange',
      'MailboxMetadataChange',
      'ServerMetadataChange',
    ] as const
  ).map((e) => [e.toUpperCase(), e]),
);

/** RFC 5465 §8 message-event. */
export const MESSAGE_EVENTS: ReadonlySet<NotifyEventName> = new Set(['MessageNew', 'MessageExpunge', 'FlagChange', 'AnnotationChange']);

const SIMPLE_FILTERS = ['SELECTED-DELAYED', 'SELECTED', 'INBOXES', 'PERSONAL', 'SUBSCRIBED'] as const;

/** Parses what follows "NOTIFY" (the reader is just after the command name). */
export function parseNotifyArgs(r: Reader): NotifySet | null {
  r.sp('NOTIFY');
  const verb = r.atom('SET or NONE').toUpperCase();
  if (verb === 'NONE') {
    r.end();
    return null;
  }
  if (verb !== 'SET') r.fail('Expected SET or NONE after NOTIFY');
  r.sp('SET');
  let status = false;
  if (r.peekWord('STATUS')) {
    r.pos += 'STATUS'.length;
    status = true;
    r.sp('STATUS');
  }
  const groups: NotifyEventGroup[] = [];
  for (;;) {
    groups.push(eventGroup(r));
    if (!r.trySp()) break;
  }
  r.end();
  if (groups.filter((g) => g.filter.kind === 'SELECTED' || g.filter.kind === 'SELECTED-DELAYED').length > 1) {
    r.fail('Only one of SELECTED and SELECTED-DELAYED may be given (RFC 5465 6.1)');
  }
  return { status, groups };
}

function eventGroup(r: Reader): NotifyEventGroup {
  r.expect('(', '"(" starting an event group');
  r.enter();
  const filter = filterMailboxes(r);
  const selected = filter.kind === 'SELECTED' || filter.kind === 'SELECTED-DELAYED';
  r.sp('mailbox filter');
  const group: NotifyEventGroup = { filter, events: [], unknown: [], fetch: [] };
  if (r.peekWord('NONE')) {
    r.pos += 'NONE'.length;
  } else {
    r.list(() => event(r, group, selected), 'events');
  }
  r.expect(')', '")" ending an event group');
  r.leave();
  checkCombination(r, group, selected);
  return group;
}

function filterMailboxes(r: Reader): NotifyFilter {
  for (const kind of SIMPLE_FILTERS) {
    if (r.peekWord(kind)) {
      r.pos += kind.length;
      return { kind };
    }
  }
  const word = r.atom('mailbox filter').toUpperCase();
  if (word !== 'SUBTREE' && word !== 'MAILBOXES') r.fail(`Unknown mailbox filter ${word}`);
  r.sp(word);
  // one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"
  const names = r.peekChar('(') ? r.list(() => r.mailbox(), 'mailbox names') : [r.mailbox()];
  return { kind: word, names };
}

function event(r: Reader, group: NotifyEventGroup, selected: boolean): void {
  const sent = r.atom('event');
  const name = EVENTS.get(sent.toUpperCase());
  if (name === undefined) {
    group.unknown.push(sent);
    return;
  }
  if (group.events.includes(name)) r.fail(`Event ${name} given twice`);
  group.events.push(name);
  if (name === 'MessageNew' && r.peek() === 0x20 && r.peek(1) === 0x28) {
    // RFC 5465 §8: the fetch-att list "may only be present for the SELECTED/SELECTED-DELAYED
    // mailbox filter".
    if (!selected) r.fail('MessageNew fetch attributes are only allowed with SELECTED or SELECTED-DELAYED');
    r.sp();
    group.fetch = r.list((): FetchAttribute => fetchAtt(r), 'fetch attributes');
  }
}

function checkCombination(r: Reader, group: NotifyEventGroup, selected: boolean): void {
  const has = (e: NotifyEventName): boolean => group.events.includes(e);
  // RFC 5465 §6.1: "It is an error to specify other types of events with either the SELECTED or
  // the SELECTED-DELAYED selector."
  if (selected && group.events.some((e) => !MESSAGE_EVENTS.has(e))) {
    r.fail('Only message events are allowed with SELECTED or SELECTED-DELAYED');
  }
  // RFC 5465 §5: both or neither of MessageNew/MessageExpunge; FlagChange and AnnotationChange
  // need both. "Otherwise, the server MUST respond with the tagged BAD response."
  if (has('MessageNew') !== has('MessageExpunge')) r.fail('MessageNew and MessageExpunge must be given together');
  if ((has('FlagChange') || has('AnnotationChange')) && !has('MessageNew')) {
    r.fail('FlagChange and AnnotationChange need MessageNew and MessageExpunge');
  }
}
