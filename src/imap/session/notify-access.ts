/**
 * What a NOTIFY session may observe on other accounts' mailboxes (RFC 5465 §5 end: every event
 * needs "l" and "r"; §3.1 and §5.9: "l" without "r" is reported as \NoAccess). Used by
 * notify.ts; decision 0012 "ACL".
 *
 * Invariants:
 * - Own mailboxes carry every right (decision 0009) and are never asked about. A foreign mailbox
 *   in the snapshot was listed through the access layer, so it has "l"; only "r" is in question.
 * - Rights change only through setAcl, which publishes 'mailboxes' on the grantee's account or on
 *   SERVER_CHANNEL (store/sqlite/acl.ts, store/postgres/acl.ts). Rights are therefore read again
 *   for every matched foreign mailbox only after such an event (or a refused read, which shows
 *   they changed); otherwise only for mailboxes new to the snapshot. One myRights call each.
 * - A mailbox whose rights cannot be read (gone between the list and the question) counts as
 *   unreadable until the next refresh.
 */
import type { NotifyEventGroup } from '../protocol/ast.js';
import { isStoreError } from '../../store/errors.js';
import { SERVER_CHANNEL, type Actor, type ChangeEvent, type Mailbox, type MailStore } from '../../store/types.js';

/** Filters that can match another account's mailbox (PERSONAL and INBOXES never do, §6.2). */
const FOREIGN_FILTERS: ReadonlySet<string> = new Set(['SUBSCRIBED', 'SUBTREE', 'MAILBOXES']);

/** Whether some group can match a foreign name, so ACL changes for "anyone" concern the session. */
export function watchesForeignNames(groups: readonly NotifyEventGroup[]): boolean {
  return groups.some((g) => FOREIGN_FILTERS.has(g.filter.kind));
}

export class NotifyAccess {
  /** Matched foreign mailboxes without "r" (ids). */
  private unreadable = new Set<number>();
  private rights = new Map<number, string>();
  private stale = true;

  constructor(
    private readonly store: MailStore,
    private readonly actor: Actor,
  ) {}

  /** Whether the client may list but not read this mailbox: no events are observed on it. */
  noAccess(mailboxId: number): boolean {
    return this.unreadable.has(mailboxId);
  }

  /** A read was refused, or an event says rights may have changed: read them all next time. */
  invalidate(): void {
    this.stale = true;
  }

  /** Marks rights stale when `ev` is the kind of event an ACL change publishes to this user. */
  onEvent(ev: ChangeEvent): void {
    if (ev.type === 'mailboxes' && (ev.accountId === this.actor.accountId || ev.accountId === SERVER_CHANNEL)) this.stale = true;
  }

  /**
   * Re-reads what is needed for the new snapshot `all`, where `matched` says which mailboxes a
   * group covers. Returns the previous unreadable set, for §5.9 transitions.
   */
  async refresh(all: readonly Mailbox[], matched: (m: Mailbox) => boolean): Promise<ReadonlySet<number>> {
    const before = this.unreadable;
    const stale = this.stale;
    this.stale = false;
    const known = this.rights;
    const unreadable = new Set<number>();
    this.rights = new Map();
    for (const m of all) {
      if (m.accountId === this.actor.accountId || !matched(m)) continue;
      let rights = stale ? undefined : known.get(m.id);
      if (rights === undefined) {
        rights = '';
        try {
          rights = await this.store.myRights(this.actor, m.name);
        } catch (e) {
          if (!isStoreError(e)) throw e;
        }
      }
      this.rights.set(m.id, rights);
      if (!rights.includes('l') || !rights.includes('r')) unreadable.add(m.id);
    }
    this.unreadable = unreadable;
    return before;
  }
}
