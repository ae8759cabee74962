/**
 * NOTIFY (RFC 5465) state of one session: what it watches, what changed, and the untagged
 * responses that tell it (STATUS, LIST, METADATA). The selected mailbox's own updates (EXISTS,
 * FETCH, EXPUNGE) stay with updates.ts; this module only says when they may be pushed.
 *
 * Invariants:
 * - A session that never used NOTIFY (or sent NOTIFY NONE) has no NotifyState: no extra bus
 *   subscription, no per-mailbox memory. A NotifyState holds one snapshot of the mailbox list
 *   and one small baseline per mailbox watched for message events (notify-status.ts; bounded
 *   by MAX_NOTIFY_MAILBOXES, else NO [NOTIFICATIONOVERFLOW]).
 * - Bus events are hints (docs/decisions/0001): they only mark mailboxes dirty; STATUS values
 *   are read from storage when written and compared with the baseline, so a burst coalesces
 *   and a lost event costs latency only.
 * - Responses are written only when no command is running (session pump), during IDLE, or at
 *   the safe point before a tagged response — never inside another command's output.
 * - The session never sends EXPUNGE/VANISHED where RFC 9051 §7.5.1 / RFC 7162 §3.2.10 forbid
 *   it (no command in progress, or FETCH/STORE/SEARCH): between commands only EXISTS and FETCH
 *   are pushed for the selected mailbox; expunges wait for the next command that allows them.
 * - Changes this session made to the mailbox list (CREATE, DELETE, RENAME, [UN]SUBSCRIBE) are
 *   not echoed back as LIST (RFC 5465 §5 SHOULD).
 * - Pending work is bounded without the client's help: mailboxes and the list are flags that
 *   coalesce, and writing waits for the socket to drain (a client that does not read holds
 *   nothing more). Only METADATA events queue; past MAX_PENDING_METADATA the session sends
 *   "* OK [NOTIFICATIONOVERFLOW]" and behaves as after NOTIFY NONE (§5.8).
 * - ACL (RFC 5465 §5 end, §5.9; decision 0012 "ACL"): a mailbox of another account is observed
 *   only with "l" and "r". The snapshot is what listMailboxes returns through the access layer
 *   (so "l"); "r" comes from notify-access.ts. With "l" only a mailbox is in the snapshot but
 *   has no baseline and no events, and is reported as LIST (\NoAccess) when that starts.
 *   SETACL publishes a 'mailboxes' event on the grantee's account or on SERVER_CHANNEL, which
 *   sessions whose filters can match foreign names listen to; the diff stays the truth.
 */
import type { FetchAttribute, NotifyEventGroup, NotifyEventName, NotifySet } from '../protocol/ast.js';
import { SERVER_CHANNEL, type Actor, type ChangeEvent, type Mailbox } from '../../store/types.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { quotedMailbox } from './names.js';
import { isPrivateEntry } from '../../store/metadata.js';
import { diffMailboxes, diffSubscriptions, eventsFor, parentOf, SEPARATOR, type NameFacts } from './notify-filters.js';
import { locate } from '../../store/access/namespaces.js';
import { NotifyAccess, watchesForeignNames } from './notify-access.js';
import { quoted } from '../protocol/response.js';
import { MAX_NOTIFY_MAILBOXES, StatusWatch } from './notify-status.js';

/** METADATA change events queued between two flushes before the session overflows. */
const MAX_PENDING_METADATA = 256;

/** Every event this server can report (RFC 5465 §3.1: the list BADEVENT carries). */
export const SUPPORTED_EVENTS: readonly NotifyEventName[] = [
  'MessageNew',
  'MessageExpunge',
  'FlagChange',
  'MailboxName',
  'SubscriptionChange',
  'MailboxMetadataChange',
  'ServerMetadataChange',
];

/** What the command layer supplies (the session layer never imports commands/). */
export interface NotifyRenderers {
  /** Writes one unsolicited FETCH per new message of the selected mailbox (RFC 5465 §5.2). */
  fetchNew(session: ImapSession, view: MailboxView, uids: readonly number[], attributes: readonly FetchAttribute[]): Promise<void>;
  /** LIST name attributes of an existing mailbox (CHILDREN, SPECIAL-USE). */
  listAttributes(all: readonly Mailbox[], mailbox: Mailbox): string[];
}

/** SELECTED / SELECTED-DELAYED with MessageNew (§6.1). */
export interface SelectedEvents {
  delayed: boolean;
  flags: boolean;
  fetch: readonly FetchAttribute[];
}

const OWN_LIST_COMMANDS: ReadonlySet<string> = new Set(['CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE']);

export class NotifyOverflow extends Error {}

export class NotifyState {
  /** null: no message events for the selected mailbox were asked; it is updated as without NOTIFY. */
  readonly selected: SelectedEvents | null;
  private readonly others: NotifyEventGroup[];
  private snapshot = new Map<number, Mailbox>();
  private subscriptions = new Set<string>();
  /** Which matched foreign mailboxes the client may list but not read (RFC 5465 §5 end). */
  private readonly access: NotifyAccess;
  private readonly status: StatusWatch;
  private readonly dirtyMailboxes = new Set<number>();
  private listDirty = false;
  private overflowed = false;
  private metadata: Array<{ mailboxId: number | null; entries: readonly string[] }> = [];
  private readonly listeners = new Map<number, () => void>();
  private closed = false;

  constructor(
    private readonly session: ImapSession,
    private readonly actor: Actor,
    set: NotifySet,
    private readonly renderers: NotifyRenderers,
  ) {
    const sel = set.groups.find((g) => g.filter.kind === 'SELECTED' || g.filter.kind === 'SELECTED-DELAYED');
    this.selected =
      sel && sel.events.includes('MessageNew')
        ? { delayed: sel.filter.kind === 'SELECTED-DELAYED', flags: sel.events.includes('FlagChange'), fetch: sel.fetch }
        : null;
    this.others = set.groups.filter((g) => g !== sel && g.events.length > 0);
    this.access = new NotifyAccess(session.store, actor);
    this.status = new StatusWatch(session, actor);
  }

  private wants(event: NotifyEventName): boolean {
    return this.others.some((g) => g.events.includes(event));
  }

  /**
   * Subscribes, reads the mailbox list and the baselines, and writes the initial STATUS
   * responses when asked (RFC 5465 §3.1). Throws NotifyOverflow when too many mailboxes match.
   */
  async start(withStatus: boolean): Promise<void> {
    this.listen();
    await this.refreshList(false);
    if (this.status.size > MAX_NOTIFY_MAILBOXES) throw new NotifyOverflow();
    // §3.1: a matched mailbox the client can LIST but not read gets an untagged LIST (\NoAccess);
    // one it cannot LIST is not in the snapshot and so is silently ignored.
    const all = [...this.snapshot.values()];
    for (const m of all.filter((x) => this.access.noAccess(x.id)).sort((a, b) => (a.name < b.name ? -1 : 1))) this.writeList(all, m, ['\\NoAccess']);
    if (withStatus) this.status.writeInitial(this.snapshot, this.selectedMailboxId());
  }

  /**
   * The ChangeBus channels this session listens to: the user's own account, the owners of the
   * other mailboxes it can see (shared mailboxes publish on their owner's account), and the
   * server channel when server METADATA changes were asked for.
   */
  private accountsToWatch(): Set<number> {
    const out = new Set<number>([this.actor.accountId]);
    for (const m of this.snapshot.values()) out.add(m.accountId);
    // SERVER_CHANNEL carries server METADATA and ACL changes for anyone/authenticated, which can
    // make another account's mailbox appear under a filter that matches foreign names.
    if (this.wants('ServerMetadataChange') || watchesForeignNames(this.others)) out.add(SERVER_CHANNEL);
    return out;
  }

  private listen(): void {
    const wanted = this.accountsToWatch();
    for (const [account, off] of this.listeners) {
      if (!wanted.has(account)) {
        off();
        this.listeners.delete(account);
      }
    }
    for (const account of wanted) {
      if (!this.listeners.has(account)) this.listeners.set(account, this.session.deps.bus.subscribe(account, (ev) => this.onEvent(ev)));
    }
  }

  /** Writes the FETCH responses of MessageNew for new messages of the selected mailbox. */
  async renderNew(view: MailboxView, uids: readonly number[]): Promise<void> {
    if (this.selected && this.selected.fetch.length > 0) await this.renderers.fetchNew(this.session, view, uids, this.selected.fetch);
  }

  close(): void {
    this.closed = true;
    for (const off of this.listeners.values()) off();
    this.listeners.clear();
  }

  private selectedMailboxId(): number | null {
    return this.session.state.kind === 'selected' ? this.session.state.view.mailboxId : null;
  }

  private onEvent(ev: ChangeEvent): void {
    if (this.closed) return;
    switch (ev.type) {
      case 'mailbox':
        if (ev.mailboxId === this.selectedMailboxId()) {
          // The session's own listener marked the view dirty; push it between commands.
          if (this.selected) this.session.wakeNotify();
          return;
        }
        if (!this.status.has(ev.mailboxId)) return;
        this.dirtyMailboxes.add(ev.mailboxId);
        break;
      case 'mailboxes':
        // Names, subscriptions or the set of watched mailboxes may have changed.
        this.listDirty = true;
        this.access.onEvent(ev);
        break;
      case 'metadata': {
        if (ev.mailboxId === null ? !this.wants('ServerMetadataChange') : !this.wantsMailboxMetadata(ev.mailboxId)) return;
        // On another account's channel (a shared mailbox's owner) only /shared entries are ours
        // to hear of: /private ones are that account's (RFC 5464 §3.3, store/metadata.ts).
        const entries = ev.accountId === this.actor.accountId ? ev.entries : ev.entries.filter((n) => !isPrivateEntry(n));
        if (entries.length === 0) return;
        if (this.metadata.length >= MAX_PENDING_METADATA) this.overflowed = true;
        else this.metadata.push({ mailboxId: ev.mailboxId, entries });
        break;
      }
      default:
        return;
    }
    this.session.wakeNotify();
  }

  /** A mailbox not in the snapshot yet (just created) is decided when written. */
  private wantsMailboxMetadata(mailboxId: number): boolean {
    const m = this.snapshot.get(mailboxId);
    if (!m) return this.wants('MailboxMetadataChange');
    if (this.access.noAccess(m.id)) return false;
    return eventsFor(this.others, this.facts(m, this.subscriptions.has(m.name))).has('MailboxMetadataChange');
  }

  /** Whether something waits to be written (STATUS, LIST, METADATA). */
  get pending(): boolean {
    return this.overflowed || this.listDirty || this.dirtyMailboxes.size > 0 || this.metadata.length > 0;
  }

  /**
   * Writes what is pending. `afterCommand` names the command that just ran, whose own changes
   * to the mailbox list are taken in silently.
   */
  async emit(afterCommand?: string): Promise<void> {
    if (this.closed) return;
    if (this.overflowed) {
      this.overflow();
      return;
    }
    if (!this.pending) return;
    // Backpressure: a client that does not read gets nothing more written (RFC 5465 §9).
    await this.session.drainIfNeeded();
    if (this.closed) return;
    if (this.listDirty) {
      this.listDirty = false;
      await this.refreshList(!(afterCommand !== undefined && OWN_LIST_COMMANDS.has(afterCommand)));
      if (this.status.size > MAX_NOTIFY_MAILBOXES) {
        this.overflow();
        return;
      }
    }
    for (const id of [...this.dirtyMailboxes]) {
      this.dirtyMailboxes.delete(id);
      await this.emitStatus(id);
    }
    const md = this.metadata;
    this.metadata = [];
    for (const m of md) this.emitMetadata(m.mailboxId, m.entries);
  }

  /** RFC 5465 §5.8: tell the client, then behave as after NOTIFY NONE. */
  private overflow(): void {
    this.close();
    if (this.session.notify === this) this.session.notify = null;
    this.session.writeLine('* OK [NOTIFICATIONOVERFLOW] Too many notifications; NOTIFY NONE is now in effect');
  }

  private facts(m: Pick<Mailbox, 'name' | 'accountId'>, subscribed: boolean): NameFacts {
    return { name: m.name, personal: m.accountId === this.actor.accountId, subscribed };
  }

  /** Re-reads the mailbox list and subscriptions; reports the differences when `report`. */
  private async refreshList(report: boolean): Promise<void> {
    const store = this.session.store;
    const all = await store.listMailboxes(this.actor);
    const subs = new Set(await store.listSubscriptions(this.actor));
    const before = this.snapshot;
    const beforeSubs = this.subscriptions;
    this.snapshot = new Map(all.map((m) => [m.id, m]));
    this.subscriptions = subs;
    const beforeNoAccess = await this.access.refresh(all, (m) => this.matched(m));
    if (report && !this.closed) {
      this.reportNames(all, before, beforeSubs);
      this.reportAccess(all, before, beforeNoAccess);
    }
    await this.rewatch();
    this.listen();
  }

  /** Whether a non-selected group asks for any event on this mailbox. */
  private matched(m: Mailbox): boolean {
    return eventsFor(this.others, this.facts(m, this.subscriptions.has(m.name))).size > 0;
  }

  /**
   * RFC 5465 §5.9 for mailboxes that stay listed: losing "r" is LIST (\NoAccess), regaining it a
   * LIST without it (decision 0012 "ACL": §5.9's "loses the 'l' right" is read as losing access
   * while still LISTable; losing "l" itself is a deletion, §5.4, handled by reportNames).
   */
  private reportAccess(all: readonly Mailbox[], before: ReadonlyMap<number, Mailbox>, beforeNoAccess: ReadonlySet<number>): void {
    for (const m of all) {
      if (!before.has(m.id)) continue; // new to the client: reportNames wrote it, with \NoAccess if so
      const now = this.access.noAccess(m.id);
      if (now === beforeNoAccess.has(m.id) || !this.matched(m)) continue;
      this.writeList(all, m, now ? ['\\NoAccess'] : []);
    }
  }

  /** One unsolicited LIST for an existing mailbox of `all`, with extra attributes. */
  private writeList(all: readonly Mailbox[], m: Mailbox, extra: readonly string[]): void {
    const attrs = [...this.renderers.listAttributes(all, m), ...extra];
    if (this.subscriptions.has(m.name)) attrs.push('\\Subscribed');
    this.session.writeLine(`* LIST (${attrs.join(' ')}) "${SEPARATOR}" ${quotedMailbox(this.session, m.name)}`);
  }

  /** Baselines for exactly the mailboxes that message events are asked for. */
  private async rewatch(): Promise<void> {
    const wanted = new Map<number, boolean>();
    for (const m of this.snapshot.values()) {
      // §5 end, §5.9: no "r", no monitoring; the baseline is dropped and made anew on regaining.
      if (this.access.noAccess(m.id)) continue;
      const ev = eventsFor(this.others, this.facts(m, this.subscriptions.has(m.name)));
      if (ev.has('MessageNew')) wanted.set(m.id, ev.has('FlagChange'));
      if (wanted.size > MAX_NOTIFY_MAILBOXES) break;
    }
    const moved = await this.status.rewatch(wanted, this.snapshot, () => this.access.invalidate());
    for (const id of moved) this.dirtyMailboxes.add(id);
  }

  /** STATUS for a non-selected watched mailbox that changed (notify-status.ts). */
  private async emitStatus(id: number): Promise<void> {
    const known = this.snapshot.get(id);
    // SELECTED governs the selected mailbox's message events, even when it also matches by name.
    if (!known || id === this.selectedMailboxId()) return;
    if (await this.status.emit(id, known)) return;
    // RFC 5465 §5.9: access lost (NOPERM) stops monitoring; the list refresh reports it.
    this.listDirty = true;
    this.access.invalidate();
    this.session.wakeNotify();
  }

  /** RFC 5465 §5.4 MailboxName and §5.5 SubscriptionChange as LIST responses. */
  private reportNames(all: readonly Mailbox[], before: ReadonlyMap<number, Mailbox>, beforeSubs: ReadonlySet<string>): void {
    const byName = new Map(all.map((m) => [m.name, m]));
    const beforeByName = new Map([...before.values()].map((m) => [m.name, m]));
    const written = new Set<string>();
    const personalName = (name: string): boolean => {
      const m = byName.get(name) ?? beforeByName.get(name);
      return m ? m.accountId === this.actor.accountId : locate(name).kind === 'personal';
    };
    const wantsName = (event: NotifyEventName, name: string): boolean =>
      eventsFor(this.others, { name, personal: personalName(name), subscribed: this.subscriptions.has(name) || beforeSubs.has(name) }).has(event);
    const list = (name: string, extra = ''): void => {
      const m = byName.get(name);
      let attrs: string[];
      if (m) {
        attrs = this.renderers.listAttributes(all, m);
        // §3.1/§5.9: a mailbox that appears LISTable but not readable says so.
        if (this.access.noAccess(m.id)) attrs.push('\\NoAccess');
      } else if (locate(name).kind === 'root' && all.some((x) => x.name.startsWith(name + SEPARATOR))) {
        // A namespace level ("Other Users/bob", "Shared") as LIST shows it (decision 0009).
        attrs = ['\\Noselect', '\\HasChildren'];
      } else {
        attrs = ['\\NonExistent'];
        if (all.some((x) => x.name.startsWith(name + SEPARATOR))) attrs.push('\\HasChildren');
      }
      if (this.subscriptions.has(name)) attrs.push('\\Subscribed');
      this.session.writeLine(`* LIST (${attrs.join(' ')}) "${SEPARATOR}" ${quotedMailbox(this.session, name)}${extra}`);
      written.add(name);
    };
    if (this.wants('MailboxName')) {
      const changes = diffMailboxes(before, this.snapshot);
      const parents: string[] = [];
      for (const c of changes) {
        if (c.kind === 'renamed') {
          if (wantsName('MailboxName', c.name) || wantsName('MailboxName', c.oldName!)) {
            list(c.name, ` ("OLDNAME" (${quotedMailbox(this.session, c.oldName!)}))`);
          }
          continue;
        }
        if (wantsName('MailboxName', c.name)) list(c.name);
        // §5.4: "the mailbox itself and its direct parent ... are considered to be affected".
        const parent = parentOf(c.name);
        if (parent !== null) parents.push(parent);
      }
      for (const p of parents) if (!written.has(p) && wantsName('MailboxName', p)) list(p);
    }
    if (this.wants('SubscriptionChange')) {
      for (const name of diffSubscriptions(beforeSubs, this.subscriptions)) {
        if (!written.has(name) && wantsName('SubscriptionChange', name)) list(name);
      }
    }
  }

  /** RFC 5465 §5.6, §5.7: "* METADATA mailbox entry ..." (RFC 5464 §4.4.2 unsolicited form). */
  private emitMetadata(mailboxId: number | null, entries: readonly string[]): void {
    if (entries.length === 0) return;
    let target = '""';
    if (mailboxId !== null) {
      const m = this.snapshot.get(mailboxId);
      if (!m || this.access.noAccess(m.id)) return;
      const ev = eventsFor(this.others, this.facts(m, this.subscriptions.has(m.name)));
      if (!ev.has('MailboxMetadataChange')) return;
      target = quotedMailbox(this.session, m.name);
    }
    this.session.writeLine(`* METADATA ${target} ${entries.map(entryName).join(' ')}`);
  }
}

/** An entry name as an astring: an atom when it can be one, else a quoted string. */
function entryName(name: string): string {
  if (/^[\x21\x23-\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]+$/.test(name)) return name;
  return quoted(name);
}

// --- hooks used by session.ts, updates.ts and IDLE --------------------------------------------

/** SELECTED/SELECTED-DELAYED events of the session, or null (classic updates). */
export function selectedEvents(session: ImapSession): SelectedEvents | null {
  return session.notify?.selected ?? null;
}

/** RFC 5465 §5.1: without FlagChange for SELECTED, other sessions' flag changes are not sent. */
export function wantsSelectedFlagChanges(session: ImapSession): boolean {
  const sel = selectedEvents(session);
  return sel === null || sel.flags;
}

/**
 * Whether expunges may be announced after this command although it is a FETCH/STORE/SEARCH:
 * with SELECTED (not -DELAYED) they go out at the first point RFC 9051 §7.5.1 allows, which
 * includes the UID variants of those commands.
 */
export function expungeAllowedAfter(session: ImapSession, command: { name: string; uid?: boolean }): boolean {
  const sel = selectedEvents(session);
  return sel !== null && !sel.delayed && command.uid === true;
}

/** RFC 5465 §5.2: after EXISTS (and any ESEARCH ADDTO), a FETCH with the asked attributes. */
export async function announceNewMessages(session: ImapSession, view: MailboxView, uids: readonly number[]): Promise<void> {
  const state = session.notify;
  // §5.2: "A FETCH response SHOULD NOT be generated for a new message created by the client on
  // this particular connection" (APPEND, COPY, ... into the selected mailbox); EXISTS still is.
  if (!state?.selected || state.selected.fetch.length === 0 || uids.length === 0 || session.addingOwnMessages) return;
  await state.renderNew(view, uids);
}
