/**
 * NOTIFY's STATUS responses for watched mailboxes other than the selected one (RFC 5465 §3.1,
 * §5.1-§5.3): one baseline per mailbox that MessageNew is asked for, compared with storage when a
 * change is written, so a burst of events coalesces into one STATUS (events are hints, 0001).
 *
 * Invariants:
 * - A baseline exists exactly for the mailboxes NotifyState last asked to watch (`rewatch`); at
 *   most MAX_NOTIFY_MAILBOXES get counts read, more are recorded empty so the caller overflows.
 * - Values are read through the access layer as the session's user: a mailbox the user lost "r"
 *   on (RFC 5465 §5.9) answers NOPERM, its baseline is dropped and the caller told (`lost`).
 */
import type { Actor, Mailbox } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import type { ImapSession } from './session.js';
import { quotedMailbox } from './names.js';
import { condstoreEnabled } from './condstore.js';

/** Mailboxes watched for message events: each costs a baseline and a counts query per change. */
export const MAX_NOTIFY_MAILBOXES = 1000;

interface Baseline {
  uidValidity: number;
  messages: number;
  uidNext: number;
  highestModSeq: number;
  unseen: number;
  /** FlagChange asked for this mailbox. */
  flags: boolean;
}

const emptyBaseline = (flags: boolean): Baseline => ({ uidValidity: 0, messages: 0, uidNext: 0, highestModSeq: 0, unseen: 0, flags });

export class StatusWatch {
  private readonly baselines = new Map<number, Baseline>();

  constructor(
    private readonly session: ImapSession,
    private readonly actor: Actor,
  ) {}

  /** How many mailboxes are watched (over MAX_NOTIFY_MAILBOXES: the caller overflows). */
  get size(): number {
    return this.baselines.size;
  }

  has(id: number): boolean {
    return this.baselines.has(id);
  }

  /**
   * Watches exactly `wanted` (mailbox id -> FlagChange asked), reading counts for new ones.
   * Returns the ids already watched whose UIDNEXT or HIGHESTMODSEQ in `snapshot` moved past
   * the baseline: a change whose event was lost (a bus reconnect publishes 'mailboxes' to
   * resynchronise) is found this way (0001). `onLost` is called when access changed since the
   * list was read (the event that says so refreshes again).
   */
  async rewatch(wanted: ReadonlyMap<number, boolean>, snapshot: ReadonlyMap<number, Mailbox>, onLost: () => void): Promise<number[]> {
    for (const id of [...this.baselines.keys()]) if (!wanted.has(id)) this.baselines.delete(id);
    if (wanted.size > MAX_NOTIFY_MAILBOXES) {
      // Recorded as too many; the caller overflows without reading counts for all of them.
      for (const [id, flags] of wanted) if (!this.baselines.has(id)) this.baselines.set(id, emptyBaseline(flags));
      return [];
    }
    const moved: number[] = [];
    for (const [id, flags] of wanted) {
      const m = snapshot.get(id)!;
      const known = this.baselines.get(id);
      if (known) {
        known.flags = flags;
        if (m.uidNext !== known.uidNext || m.highestModSeq !== known.highestModSeq) moved.push(id);
        continue;
      }
      let counts;
      try {
        counts = await this.session.store.counts(this.actor, id);
      } catch (e) {
        if (!isStoreError(e)) throw e;
        onLost();
        continue;
      }
      this.baselines.set(id, { uidValidity: m.uidValidity, messages: counts.messages, uidNext: m.uidNext, highestModSeq: m.highestModSeq, unseen: counts.unseen, flags });
    }
    return moved;
  }

  /**
   * RFC 5465 §3.1, the STATUS indicator of NOTIFY SET: the initial STATUS of every watched
   * mailbox but `selectedId`, in name order. MessageNew -> MESSAGES UIDNEXT UIDVALIDITY;
   * FlagChange with CONDSTORE supported (it always is here) -> HIGHESTMODSEQ too.
   */
  writeInitial(snapshot: ReadonlyMap<number, Mailbox>, selectedId: number | null): void {
    const entries = [...this.baselines].filter(([id]) => id !== selectedId);
    entries.sort((a, b) => (snapshot.get(a[0])!.name < snapshot.get(b[0])!.name ? -1 : 1));
    for (const [id, base] of entries) {
      const items = [`MESSAGES ${base.messages}`, `UIDNEXT ${base.uidNext}`, `UIDVALIDITY ${base.uidValidity}`];
      if (base.flags) items.push(`HIGHESTMODSEQ ${base.highestModSeq}`);
      this.session.writeLine(`* STATUS ${quotedMailbox(this.session, snapshot.get(id)!.name)} (${items.join(' ')})`);
    }
  }

  /**
   * RFC 5465 §5.2, §5.3, §5.1: STATUS for watched mailbox `id` (last known as `known`) if it
   * changed. Returns false when access was lost (§5.9: monitoring stops; the baseline is gone
   * and the caller refreshes the list, which reports it).
   */
  async emit(id: number, known: Mailbox): Promise<boolean> {
    const base = this.baselines.get(id);
    if (!base) return true;
    let mailbox: Mailbox | null;
    let counts: { messages: number; unseen: number };
    try {
      mailbox = await this.session.store.getMailbox(this.actor, known.name);
      if (!mailbox || mailbox.id !== id) return true; // deleted or renamed: MailboxName tells
      counts = await this.session.store.counts(this.actor, id);
    } catch (e) {
      if (!isStoreError(e)) throw e;
      this.baselines.delete(id);
      return false;
    }
    const items: string[] = [];
    const sizeChanged = counts.messages !== base.messages || mailbox.uidNext !== base.uidNext;
    const modseqChanged = mailbox.highestModSeq !== base.highestModSeq;
    const validityChanged = mailbox.uidValidity !== base.uidValidity;
    if (sizeChanged || validityChanged) {
      // §5.2/§5.3: MESSAGES and UIDNEXT; HIGHESTMODSEQ once CONDSTORE/QRESYNC is enabled, and
      // whenever FlagChange is watched (a client tracking flags keeps HIGHESTMODSEQ current).
      items.push(`MESSAGES ${counts.messages}`, `UIDNEXT ${mailbox.uidNext}`);
      if (validityChanged) items.push(`UIDVALIDITY ${mailbox.uidValidity}`);
      if (condstoreEnabled(this.session) || base.flags) items.push(`HIGHESTMODSEQ ${mailbox.highestModSeq}`);
      if (base.flags && counts.unseen !== base.unseen) items.push(`UNSEEN ${counts.unseen}`);
    } else if (base.flags && modseqChanged) {
      // §5.1: UIDVALIDITY and HIGHESTMODSEQ (CONDSTORE is always supported here), UNSEEN when the
      // number of \Seen messages changed.
      items.push(`UIDVALIDITY ${mailbox.uidValidity}`, `HIGHESTMODSEQ ${mailbox.highestModSeq}`);
      if (counts.unseen !== base.unseen) items.push(`UNSEEN ${counts.unseen}`);
    }
    base.uidValidity = mailbox.uidValidity;
    base.messages = counts.messages;
    base.uidNext = mailbox.uidNext;
    base.highestModSeq = mailbox.highestModSeq;
    base.unseen = counts.unseen;
    if (items.length > 0) this.session.writeLine(`* STATUS ${quotedMailbox(this.session, mailbox.name)} (${items.join(' ')})`);
    return true;
  }
}
