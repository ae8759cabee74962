/**
 * One IMAP session: command execution, state, untagged updates, timeouts. Its byte stream
 * (socket, framer, STARTTLS, COMPRESS, output backpressure) is connection.ts; the framed commands
 * waiting their turn are command-queue.ts; the change events it listens to, account-events.ts.
 *
 * Invariants:
 * - Commands are executed one at a time, in the order received; responses go out in that order
 *   (pipelining, RFC 9051 §5.5).
 * - Memory is bounded: the framer enforces line/literal limits, the queue of framed commands is
 *   capped (reading pauses when full) and writing waits for 'drain' past a high-water mark.
 * - Changes made by other sessions are folded in only at safe points (RFC 9051 §7): EXISTS, FETCH
 *   and EXPUNGE after a command, never EXPUNGE during FETCH/STORE/SEARCH, and at once during IDLE.
 * - STARTTLS and COMPRESS drop the commands queued before them along with the bytes the
 *   connection discards (RFC 2595 §3.1, RFC 4978 §3).
 */
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ChangeBus, MailStore, Actor } from '../../store/types.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Logger } from '../../observability/log.js';
import { redactCommand } from '../../observability/log.js';
import type { FramerEvent } from '../../wire/framer.js';
import * as limits from '../../wire/limits.js';
import { parseCommand } from '../protocol/parser.js';
import { ImapParseError } from '../protocol/errors.js';
import type { TaggedCommand } from '../protocol/ast.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { SessionState, CommandResult } from './state.js';
import { bad } from './state.js';
import { wrongStateText, type CommandTable } from './command-table.js';
import { capabilityList } from './capabilities.js';
import { syncView } from './updates.js';
import { storeErrorResult } from './store-errors.js';
import { StoreError } from '../../store/errors.js';
import { Connection } from './connection.js';
import { CommandQueue, type QueueItem } from './command-queue.js';
import { AccountSubscriptions, noteChange } from './account-events.js';
import { Autologout, autologoutMs } from './autologout.js';
import { uidOnlyEnabled, uidRequired, usesSequenceNumbers } from './uidonly.js';
import { CommandProgress } from './progress.js';
import { expungeAllowedAfter, selectedEvents, type NotifyState } from './notify.js';
import { refusedLiteralReply } from './literal-refusal.js';

export interface SessionDeps {
  store: MailStore;
  bus: ChangeBus;
  auth: Authenticator;
  logger: Logger;
  secureContext: SecureContext;
  allowCleartextAuth: boolean;
  /** UTF8=ACCEPT offered (config --utf8-accept; docs/decisions/0004). */
  utf8Accept: boolean;
  /** Messages between two INPROGRESS notifications of one command (config --progress-every). */
  progressEvery: number;
  /** Accounts that are message submission entities for URLAUTH "submit+" URLs (RFC 4467 §3). */
  urlauthSubmitUsers?: ReadonlySet<string>;
  /** MESSAGELIMIT (RFC 9738, config --imap-message-limit); absent: DEFAULT_MESSAGE_LIMIT. */
  messageLimit?: number;
  /**
   * SAVELIMIT (RFC 9738 §3, config --imap-save-limit): when set, only COPY and APPEND are
   * limited, to this, and SAVELIMIT is advertised instead of MESSAGELIMIT.
   */
  saveLimit?: number;
  commands: CommandTable;
  /** Called when the session ends (for connection accounting). */
  onClose(session: ImapSession): void;
}

/** Commands whose new messages in the selected mailbox are this client's own (RFC 5465 §5.2). */
const OWN_ADDITIONS: ReadonlySet<string> = new Set(['APPEND', 'COPY', 'MOVE', 'REPLACE']);

export class ImapSession {
  state: SessionState = { kind: 'not-authenticated' };
  /** ENABLE IMAP4rev2 was sent: rev2 semantics (RFC 9051 Appendix E). */
  rev2 = false;
  /** ENABLE UTF8=ACCEPT was sent (RFC 6855). */
  utf8 = false;
  readonly enabled = new Set<string>();
  tls: boolean;
  readonly remoteAddress: string;
  readonly log: Logger;

  private readonly conn: Connection;
  private readonly queue = new CommandQueue(
    () => this.conn.input,
    () => this.draining,
  );
  private readonly subscriptions: AccountSubscriptions;
  private running = false;
  private closed = false;
  private draining = false;
  private badCount = 0;
  private readonly autologout = new Autologout(
    () => autologoutMs(this.state.kind),
    () => this.onTimeout(),
  );
  /** Set when the bus says the selected mailbox changed; cleared by syncView. */
  dirty = false;
  /** A RESETKEY of the selected mailbox happened; syncView announces URLMECH (RFC 4467 §7). */
  urlMechPending = false;
  /** While IDLE runs: pushes updates as soon as they arrive. */
  idleNotify: (() => void) | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** Progress reporting of the command being executed (RFC 9585); see progress.ts. */
  progress: CommandProgress | null = null;
  /** NOTIFY SET in effect (RFC 5465); null before NOTIFY and after NOTIFY NONE (notify.ts). */
  notify: NotifyState | null = null;
  private notifyScheduled = false;
  /** The safe point of this session's own APPEND/COPY/MOVE/REPLACE is running (notify.ts). */
  addingOwnMessages = false;
  /** A push between commands failed; the next command's safe point retries. */
  private pushFailed = false;

  constructor(
    sock: Socket,
    readonly deps: SessionDeps,
    implicitTls: boolean,
  ) {
    this.tls = implicitTls;
    this.remoteAddress = sock.remoteAddress ?? 'unknown';
    this.log = deps.logger.child({ remote: this.remoteAddress });
    this.subscriptions = new AccountSubscriptions(deps.bus, (ev) => noteChange(this, ev));
    this.conn = new Connection(sock, this.log, {
      frame: (ev) => this.onFramerEvent(ev),
      activity: () => this.autologout.touch(),
      fail: (text) => this.fatal(text),
      closed: () => this.teardown(),
    });
    this.autologout.touch();
    const greeting = `* OK [CAPABILITY ${capabilityList(this).join(' ')}] Facteur ready`;
    this.writeLine(greeting);
  }

  get store(): MailStore {
    return this.deps.store;
  }

  get actor(): Actor | null {
    return this.state.kind === 'authenticated' || this.state.kind === 'selected' ? this.state.actor : null;
  }

  /** Cleartext LOGIN/AUTHENTICATE allowed? (RFC 9051 §6.2.3, RFC 8314). */
  get authAllowed(): boolean {
    return this.tls || this.deps.allowCleartextAuth;
  }

  // --- framed input ------------------------------------------------------------------------

  private onFramerEvent(ev: FramerEvent): void {
    switch (ev.type) {
      case 'command':
      case 'line':
        this.enqueue({ kind: 'command', bytes: ev.bytes });
        break;
      case 'continuation-needed':
        // The command is reached in order; a synchronizing literal is invited when framed, which
        // is when the command line arrives (RFC 9051 §7.5).
        this.writeLine('+ Ready for literal data');
        break;
      case 'error': {
        // A command whose RFC names the refusal of a too-large value gets that reply (literal-refusal.ts).
        const refused = this.conn.takeRefusedLiteralPrefix();
        const own = ev.kind === 'literal-too-large' ? refusedLiteralReply(refused) : null;
        this.enqueue({ kind: 'error', tag: ev.tag, message: own?.text ?? ev.message, fatal: ev.fatal, code: own?.code ?? (ev.kind === 'literal-too-large' ? 'TOOBIG' : undefined), status: own?.status });
        break;
      }
    }
  }

  private enqueue(item: QueueItem): void {
    if (this.queue.put(item)) void this.pump();
  }

  /** The next framed line for a command that reads continuation data (AUTHENTICATE, IDLE). */
  nextItem(): Promise<QueueItem | null> {
    const item = this.queue.take();
    if (item) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(null);
    return this.queue.wait();
  }

  /** Raw bytes of the next client line (continuation data), or null if the connection closed. */
  async nextLine(): Promise<Buffer | null> {
    const item = await this.nextItem();
    if (!item) return null;
    if (item.kind === 'command') return item.bytes;
    return Buffer.from('*'); // an unframable line cancels, as a client "*" would
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && (this.queue.length > 0 || this.notifyDue())) {
        if (this.queue.length === 0) {
          // RFC 5465 §3.1: with NOTIFY the client listens "even when no command is in progress".
          const pushed = this.pushNotifications().catch((e: unknown) => {
            this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'notification failed');
          });
          this.inFlight = pushed;
          await pushed;
          continue;
        }
        const item = this.queue.take()!;
        const done = this.execute(item).catch((e: unknown) => {
          // A bug must cost this connection at most, never the process.
          this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'session failure');
          this.fatal('Internal server error');
        });
        this.inFlight = done;
        await done;
        if (this.draining && !this.closed) {
          this.writeLine('* BYE Server shutting down');
          this.end();
        }
      }
    } finally {
      this.running = false;
    }
  }

  // --- command execution -------------------------------------------------------------------

  private async execute(item: QueueItem): Promise<void> {
    this.pushFailed = false;
    if (item.kind === 'error') {
      const tag = item.tag ?? '*';
      const status = item.status !== undefined && item.tag !== null ? item.status : 'BAD';
      this.writeLine(`${tag} ${status} ${item.code ? `[${item.code}] ` : ''}${item.message}`);
      if (item.fatal) this.fatal('Too much invalid input');
      else if (status === 'BAD') this.countBad();
      return;
    }
    let parsed: TaggedCommand;
    try {
      parsed = parseCommand(item.bytes, { utf8Accept: this.utf8 });
    } catch (e) {
      if (e instanceof ImapParseError) {
        // An unsupported SEARCH charset is a NO (RFC 9051 §6.4.4), every other parse error a BAD.
        // A well-formed argument the server cannot use (a mailbox name that is not valid
        // modified UTF-7) is a NO as well, not a syntax error.
        const status = (e.responseCode === 'BADCHARSET' || e.responseCode === 'CANNOT') && e.tag ? 'NO' : 'BAD';
        const code = e.responseCode === 'BADCHARSET' ? '[BADCHARSET (US-ASCII UTF-8)] ' : e.responseCode ? `[${e.responseCode}] ` : '';
        // RFC 5182 §2.1: a SEARCH/SORT with SAVE answered NO leaves "$" empty.
        if (status === 'NO' && e.savedSearchReset && this.state.kind === 'selected') this.state.view.savedSearch = [];
        this.writeLine(`${e.tag ?? '*'} ${status} ${code}${e.message}`);
        if (status === 'BAD') this.countBad();
        return;
      }
      throw e;
    }
    if (this.log.isLevelEnabled?.('debug')) this.log.debug({ cmd: redactCommand(item.bytes.subarray(0, 200).toString('latin1')) }, 'command');
    const { tag, command } = parsed;
    const spec = this.deps.commands.lookup(command.name);
    let result: CommandResult;
    if (!spec) {
      result = bad(`Command ${command.name} is not supported`);
    } else if (!spec.states.includes(this.state.kind as 'not-authenticated')) {
      result = bad(wrongStateText(command.name, this.state.kind));
    } else if (uidOnlyEnabled(this) && usesSequenceNumbers(command)) {
      // RFC 9586 §3: refused before the handler, so no handler ever sees such a command.
      result = uidRequired();
    } else {
      this.progress = new CommandProgress(tag, this.deps.progressEvery, (line) => this.writeLine(line));
      try {
        result = await spec.handler(this, command, tag);
      } catch (e) {
        if (e instanceof StoreError) result = storeErrorResult(e);
        else {
          this.log.error({ err: e instanceof Error ? e.stack : String(e), command: command.name }, 'command failed');
          result = { status: 'NO', code: 'SERVERBUG', text: 'Internal error; it has been logged' };
        }
      }
    }
    this.progress = null;
    if (this.closed) return;
    if (result.status === 'BAD') this.countBad();
    else this.badCount = 0;
    // Safe point: fold in other sessions' changes before the tagged response (RFC 9051 §7).
    if (this.state.kind === 'selected' && spec?.updates !== 'none') {
      // RFC 5465 §5.2: no MessageNew FETCH for messages this client just added itself.
      this.addingOwnMessages = OWN_ADDITIONS.has(command.name);
      try {
        await syncView(this, spec?.updates === 'no-expunge' ? expungeAllowedAfter(this, command) : true);
      } catch (e) {
        this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'update sync failed');
      } finally {
        this.addingOwnMessages = false;
      }
    }
    if (this.notify && !this.closed) {
      try {
        await this.notify.emit(command.name);
      } catch (e) {
        this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'notification failed');
      }
    }
    if (result.sent) return;
    if (this.state.kind === 'logout' && command.name === 'LOGOUT') {
      this.writeLine(`${tag} ${result.status} ${result.code ? `[${result.code}] ` : ''}${result.text}`);
      this.end();
      return;
    }
    this.writeLine(`${tag} ${result.status} ${result.code ? `[${result.code}] ` : ''}${result.text}`);
    await this.drainIfNeeded();
  }

  private countBad(): void {
    if (++this.badCount >= limits.MAX_BAD_COMMANDS) this.fatal('Too many invalid commands');
  }

  // --- output ------------------------------------------------------------------------------

  writeLine(text: string): void {
    this.write(Buffer.from(text + '\r\n', 'utf8'));
  }

  write(data: Buffer): void {
    this.conn.write(data);
  }

  /** Writes a built response line (the builder holds "* ..." without CRLF). */
  send(b: ResponseBuilder): void {
    b.raw('\r\n');
    this.write(b.toBuffer());
  }

  /** Waits while the socket's buffer is past the high-water mark (backpressure on FETCH). */
  drainIfNeeded(): Promise<void> {
    return this.conn.drainIfNeeded();
  }

  // --- state changes -----------------------------------------------------------------------

  /** Enters the authenticated state and subscribes to the account's change events. */
  login(actor: Actor): void {
    this.state = { kind: 'authenticated', actor };
    // The autologout timer gets the authenticated duration (RFC 9051 §5.4).
    this.autologout.restart();
    this.subscriptions.subscribe(actor.accountId);
  }

  /**
   * While a mailbox of another account is selected (RFC 4314 sharing), its change events arrive
   * on that account's channel: listen there too. Selecting one's own mailbox stops listening.
   */
  followAccount(accountId: number): void {
    this.subscriptions.follow(accountId, this.actor?.accountId, this.closed);
  }

  /**
   * The client's poll (NOOP, CHECK, IDLE start): waits until every change another node had
   * acknowledged before now has reached this session's bus listener (ChangeBus.sync, a
   * bounded barrier), so the safe point that follows reports it. Nothing to wait for on one process.
   */
  async catchUp(): Promise<void> {
    if (this.state.kind === 'not-authenticated' || this.deps.bus.sync === undefined) return;
    await this.deps.bus.sync();
  }

  unauthenticate(): void {
    this.followAccount(this.actor?.accountId ?? -1);
    this.subscriptions.unsubscribe();
    this.notify?.close();
    this.notify = null;
    this.state = { kind: 'not-authenticated' };
    this.rev2 = false;
    this.utf8 = false;
    this.enabled.clear();
  }

  // --- NOTIFY (RFC 5465; state and responses in notify.ts) ---------------------------------

  /** Something for NOTIFY to write: at once during IDLE, else as soon as no command runs. */
  wakeNotify(): void {
    if (this.closed) return;
    if (this.idleNotify) {
      this.idleNotify();
      return;
    }
    if (this.running || this.notifyScheduled) return;
    this.notifyScheduled = true;
    // After the current tick, so every bus listener of this event has run first.
    setImmediate(() => {
      this.notifyScheduled = false;
      void this.pump();
    });
  }

  private notifyDue(): boolean {
    if (!this.notify) return false;
    if (this.notify.pending) return true;
    return this.state.kind === 'selected' && this.dirty && !this.pushFailed && selectedEvents(this) !== null;
  }

  /**
   * Between commands: the selected mailbox's EXISTS and FETCH (never EXPUNGE: RFC 9051 §7.5.1,
   * "MUST NOT be sent when no command is in progress"), then STATUS, LIST and METADATA.
   */
  private async pushNotifications(): Promise<void> {
    if (this.state.kind === 'selected' && this.dirty && selectedEvents(this) !== null) {
      try {
        await syncView(this, false);
      } catch (e) {
        // Not retried in a loop: the next command's safe point folds the changes in.
        this.pushFailed = true;
        this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'update sync failed');
        await this.notify?.emit();
        return;
      }
    }
    await this.notify?.emit();
  }

  /** STARTTLS (RFC 9051 §6.2.1): upgrade in place, discarding anything received meanwhile. */
  async startTls(): Promise<void> {
    this.queue.clear();
    const handshake = this.conn.startTls(this.deps.secureContext);
    this.tls = true;
    await handshake;
  }

  get compressed(): boolean {
    return this.conn.compressed;
  }

  /**
   * COMPRESS DEFLATE (RFC 4978 §3): call right after writing the tagged OK, which stays
   * uncompressed; everything after it is deflated. Bytes the client sent before seeing the OK
   * are discarded (the client MUST NOT send any), as after STARTTLS.
   */
  startCompression(): void {
    if (this.conn.compressed || this.closed) return;
    this.queue.clear();
    this.conn.startCompression(this.draining);
  }

  // --- lifetime ----------------------------------------------------------------------------

  private onTimeout(): void {
    if (this.closed) return;
    this.fatal('Autologout; idle for too long');
  }

  /** Sends BYE and closes (RFC 9051 §7.1.5). */
  fatal(text: string): void {
    if (this.closed) return;
    this.writeLine(`* BYE ${text}`);
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.conn.end();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.markClosed();
    this.autologout.stop();
    this.subscriptions.unsubscribe();
    this.notify?.close();
    this.subscriptions.unfollow();
    this.idleNotify?.();
    this.queue.cancelWait();
    this.conn.releaseDrainWaiters();
    this.deps.onClose(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Graceful shutdown: finish the command in flight, then BYE (used on SIGTERM). */
  async drain(): Promise<void> {
    if (this.closed) return;
    this.draining = true;
    this.conn.input.pause();
    if (!this.running || this.idleNotify) {
      // Between commands, or in IDLE (which only ends on DONE): say goodbye now.
      this.fatal('Server shutting down');
      // The deflated BYE leaves asynchronously (zlib): let it reach the socket first.
      await this.conn.compressionFinished();
      return;
    }
    await this.inFlight.catch(() => undefined);
    await this.conn.compressionFinished();
  }

  destroy(): void {
    this.conn.destroy();
    this.teardown();
  }
}
