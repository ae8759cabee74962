/**
 * Which change events reach one IMAP session, and what an event does to it: the subscription to
 * the session's own account's channel, the one to another account's while one of its mailboxes
 * is selected (RFC 4314 sharing), and the marking of the selected mailbox as changed.
 *
 * Invariants:
 * - An event only says "look again": it sets session.dirty (and wakes IDLE), and the changes
 *   are read from storage and announced at the next safe point (updates.ts syncView).
 * - At most one other account is followed; selecting one's own mailbox, UNAUTHENTICATE and the
 *   end of the session stop following it, and no subscription is made once the session closed.
 */
import type { ChangeBus, ChangeEvent } from '../../store/types.js';
import type { ImapSession } from './session.js';

export class AccountSubscriptions {
  private own: (() => void) | null = null;
  /** The subscription to another account's events while one of its mailboxes is selected. */
  private followed: { accountId: number; unsubscribe: () => void } | null = null;

  constructor(
    private readonly bus: ChangeBus,
    private readonly listener: (ev: ChangeEvent) => void,
  ) {}

  /** Listens to the account's own channel (after LOGIN/AUTHENTICATE), replacing any before. */
  subscribe(accountId: number): void {
    this.own?.();
    this.own = this.bus.subscribe(accountId, this.listener);
  }

  unsubscribe(): void {
    this.own?.();
    this.own = null;
  }

  /**
   * Listens to `accountId`'s channel too, unless it is the session's own account (`own`,
   * undefined when not authenticated) or the session closed; stops following any other.
   */
  follow(accountId: number, own: number | undefined, closed: boolean): void {
    if (this.followed?.accountId === accountId) return;
    this.unfollow();
    if (own === undefined || accountId === own || closed) return;
    this.followed = { accountId, unsubscribe: this.bus.subscribe(accountId, this.listener) };
  }

  unfollow(): void {
    this.followed?.unsubscribe();
    this.followed = null;
  }
}

/** A change event for the session: marks the selected mailbox as changed when it concerns it. */
export function noteChange(session: ImapSession, ev: ChangeEvent): void {
  const state = session.state;
  if (state.kind !== 'selected') return;
  if (ev.type === 'mailbox' && ev.mailboxId === state.view.mailboxId && ev.highestModSeq > state.view.modseq) {
    session.dirty = true;
    session.idleNotify?.();
  } else if (ev.type === 'urlauth-keys' && (ev.mailboxId === null || ev.mailboxId === state.view.mailboxId)) {
    // RFC 4467 §7 RESETKEY: sessions with the mailbox selected get "* OK [URLMECH ...]".
    session.urlMechPending = true;
    session.dirty = true;
    session.idleNotify?.();
  } else if (ev.type === 'mailboxes') {
    // The selected mailbox may have been deleted or renamed by another session.
    session.dirty = true;
    session.idleNotify?.();
  }
}
