/**
 * NOTIFY (RFC 5465 §3.1): NOTIFY SET [STATUS] event-groups, NOTIFY NONE. The state and the
 * notifications live in session/notify.ts; this handler validates, builds the state, writes the
 * initial STATUS responses and supplies the FETCH and LIST renderers.
 *
 * Invariants:
 * - BAD cases are refused by the parser (protocol/notify-parser.ts). Unknown events and
 *   AnnotationChange (ANNOTATE is not supported) are NO [BADEVENT (<every supported event>)]
 *   (§3.1: "MUST refuse ... with a tagged NO response (not a BAD)", listing all supported).
 * - A refused NOTIFY leaves the previous NOTIFY state in effect; a successful one replaces it.
 * - NOTIFY is followed by the 'all' safe point, which returns the selected mailbox's pending
 *   changes: "a successful NOTIFY SET command implies an implicit NOOP" (§3.1).
 */
import type { CommandSpec } from '../session/command-table.js';
import { no, ok } from '../session/state.js';
import { NotifyOverflow, NotifyState, SUPPORTED_EVENTS, type NotifyRenderers } from '../session/notify.js';
import { attributesOf } from './list-attributes.js';
import { unsolicitedFetch } from './unsolicited-fetch.js';

const renderers: NotifyRenderers = { fetchNew: unsolicitedFetch, listAttributes: attributesOf };

export const notifyCommand: CommandSpec<'NOTIFY'> = {
  name: 'NOTIFY',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['NOTIFY'],
  async handler(session, cmd) {
    const actor = session.actor!;
    const set = cmd.set;
    if (set === null) {
      session.notify?.close();
      session.notify = null;
      return ok('NOTIFY completed');
    }
    const unsupported = set.groups.some((g) => g.unknown.length > 0 || g.events.includes('AnnotationChange'));
    if (unsupported) return no('Unsupported NOTIFY event', `BADEVENT (${SUPPORTED_EVENTS.join(' ')})`);
    const next = new NotifyState(session, actor, set, renderers);
    try {
      await next.start(set.status);
    } catch (e) {
      next.close();
      if (e instanceof NotifyOverflow) return no('Too many mailboxes to watch', 'NOTIFICATIONOVERFLOW');
      throw e;
    }
    session.notify?.close();
    session.notify = next;
    return ok('NOTIFY completed');
  },
};
