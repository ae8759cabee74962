/**
 * One ManageSieve connection (RFC 5804): greeting, framing, command queue, state, STARTTLS,
 * timeouts.
 *
 * Invariants:
 * - Commands run one at a time in the order received; responses go out in that order
 *   (pipelining, RFC 5804 §2).
 * - Memory is bounded: the shared framer (wire/framer.ts) enforces line and literal limits, a
 *   script literal is accepted only up to the script size quota, the queue of framed commands
 *   is capped (reading pauses when full) and output waits for 'drain' past a high-water mark.
 * - ManageSieve has no BAD: malformed input is answered NO (RFC 5804 §2: "Servers MUST reject
 *   all other commands with a NO response"); MAX_BAD_COMMANDS of them in a row end with BYE.
 * - A client literal is "{n+}"; "{n}" is taken the same way (there is no continuation response in
 *   ManageSieve). When a "{n}" literal is refused the client's data would be read as commands,
 *   so the session answers NO and then BYE.
 * - After STARTTLS every byte received before the handshake is discarded (RFC 5804 §2.2), and
 *   the capability list is re-issued under TLS before any further command is answered.
 * - Inactivity ends the session with BYE (RFC 5804 §1.2: at least 30 minutes once authenticated).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Actor } from '../../store/types.js';
import { StoreError } from '../../store/errors.js';
import type { Logger } from '../../observability/log.js';
import { redactCommand } from '../../observability/log.js';
import { CommandFramer, type FramerEvent, type LiteralPolicy } from '../../wire/framer.js';
import * as limits from '../../wire/limits.js';
import { parseCommand, commandNameOf } from '../protocol/parser.js';
import { ManageSieveParseError } from '../protocol/errors.js';
import type { ManageSieveCommand } from '../protocol/ast.js';
import { capabilityResponse, completion, type ResponseCode, type Status } from '../protocol/response.js';
import { capabilityList } from './capabilities.js';
import { storeErrorResult } from './store-errors.js';
import type { CommandResult, SessionDeps } from './types.js';

export type SessionState = { kind: 'not-authenticated' } | { kind: 'authenticated'; actor: Actor } | { kind: 'logout' };

/** Framed commands waiting behind the one executing; reading pauses at this depth or byte count. */
const MAX_QUEUED_COMMANDS = 32;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

type QueueItem =
  | { kind: 'command'; bytes: Buffer }
  | { kind: 'error'; message: string; fatal: boolean; code?: ResponseCode; closeAfter?: boolean };

export class ManageSieveSession {
  state: SessionState = { kind: 'not-authenticated' };
  tls: boolean;
  readonly remoteAddress: string;
  readonly log: Logger;
  /** Failed AUTHENTICATE commands on this connection (BYE after MANAGESIEVE_MAX_AUTH_FAILURES). */
  authFailures = 0;

  private sock: Socket;
  private framer: CommandFramer;
  private readonly queue: QueueItem[] = [];
  private queuedBytes = 0;
  private running = false;
  private itemWaiter: ((item: QueueItem | null) => void) | null = null;
  private closed = false;
  private draining = false;
  private badCount = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private drainWaiters: Array<() => void> = [];
  /** What the literal policy refused last, so the error answers with the right code. */
  private refusedLiteral: { command: string | null; sync: boolean } | null = null;

  constructor(
    sock: Socket,
    readonly deps: SessionDeps,
  ) {
    this.sock = sock;
    this.tls = false;
    this.remoteAddress = sock.remoteAddress ?? 'unknown';
    this.log = deps.logger.child({ remote: this.remoteAddress, protocol: 'managesieve' });
    this.framer = this.newFramer();
    this.attach(sock);
    this.resetIdleTimer();
    // RFC 5804 §1.7: the greeting is the capability list followed by OK.
    this.sendCapabilities('Facteur ManageSieve ready');
  }

  get actor(): Actor | null {
    return this.state.kind === 'authenticated' ? this.state.actor : null;
  }

  /** AUTHENTICATE allowed on this connection: under TLS, or cleartext allowed (as for IMAP). */
  get authAllowed(): boolean {
    return this.tls || this.deps.settings.allowCleartextAuth;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // --- input ---------------------------------------------------------------------------------

  private newFramer(): CommandFramer {
    const { maxScriptSize } = this.deps.settings;
    const framer: CommandFramer = new CommandFramer({
      onEvent: (ev: FramerEvent) => {
        if (framer === this.framer) this.onFramerEvent(ev);
      },
      allowLiteral: this.literalPolicy(),
      limits: {
        // A script literal may exceed the ordinary argument size; nothing else may.
        maxCommandTotalBytes: maxScriptSize + 2 * limits.MAX_LITERAL_SIZE + limits.MAX_LINE_LENGTH,
        maxCommandBytes: Math.max(limits.MAX_COMMAND_BYTES, maxScriptSize + limits.MAX_LITERAL_SIZE + limits.MAX_LINE_LENGTH),
        maxLiterals: limits.MANAGESIEVE_MAX_ARGS,
      },
    });
    return framer;
  }

  /** Script literals (PUTSCRIPT, CHECKSCRIPT) up to the script size quota, others up to MAX_LITERAL_SIZE. */
  private literalPolicy(): LiteralPolicy {
    return (req) => {
      const command = commandNameOf(req.prefix);
      const max = command === 'PUTSCRIPT' || command === 'CHECKSCRIPT' ? this.deps.settings.maxScriptSize : limits.MAX_LITERAL_SIZE;
      if (req.size <= max && !req.binary) return 'ok';
      this.refusedLiteral = { command, sync: req.sync };
      return 'too-large';
    };
  }

  private attach(sock: Socket): void {
    sock.on('data', (chunk: Buffer) => {
      this.resetIdleTimer();
      try {
        this.framer.push(chunk);
      } catch (e) {
        this.log.error({ err: e }, 'framer failure');
        this.fatal('Internal error');
      }
    });
    sock.on('error', (e) => this.log.debug({ err: e.message }, 'socket error'));
    sock.on('close', () => this.teardown());
    sock.on('drain', () => this.onDrain());
  }

  private onFramerEvent(ev: FramerEvent): void {
    switch (ev.type) {
      case 'command':
      case 'line':
        this.refusedLiteral = null;
        this.enqueue({ kind: 'command', bytes: ev.bytes });
        break;
      case 'continuation-needed':
        // ManageSieve has no continuation response: the client sends literal data at once.
        break;
      case 'error': {
        const refused = ev.kind === 'literal-too-large' ? this.refusedLiteral : null;
        this.refusedLiteral = null;
        this.enqueue(this.framingError(ev, refused));
        break;
      }
    }
  }

  private framingError(ev: Extract<FramerEvent, { type: 'error' }>, refused: { command: string | null; sync: boolean } | null): QueueItem {
    const closeAfter = refused?.sync === true;
    if (refused?.command === 'PUTSCRIPT') {
      // RFC 5804 §1.5, §2.6: over the size quota.
      return { kind: 'error', message: `Script too large: at most ${this.deps.settings.maxScriptSize} octets`, fatal: false, code: 'QUOTA/MAXSIZE', closeAfter };
    }
    if (refused?.command === 'CHECKSCRIPT') {
      // §2.12: CHECKSCRIPT must not check quotas, but the script cannot be larger than any stored one.
      return { kind: 'error', message: `Script too large: at most ${this.deps.settings.maxScriptSize} octets`, fatal: false, closeAfter };
    }
    return { kind: 'error', message: ev.message, fatal: ev.fatal, closeAfter };
  }

  private enqueue(item: QueueItem): void {
    if (this.itemWaiter) {
      const w = this.itemWaiter;
      this.itemWaiter = null;
      w(item);
      return;
    }
    this.queue.push(item);
    this.queuedBytes += item.kind === 'command' ? item.bytes.length : 0;
    if (this.queue.length >= MAX_QUEUED_COMMANDS || this.queuedBytes >= MAX_QUEUED_BYTES) this.sock.pause();
    void this.pump();
  }

  private dequeue(): QueueItem | undefined {
    const item = this.queue.shift();
    if (item?.kind === 'command') this.queuedBytes -= item.bytes.length;
    if (!this.draining && this.sock.isPaused() && this.queue.length < MAX_QUEUED_COMMANDS / 2 && this.queuedBytes < MAX_QUEUED_BYTES / 2) {
      this.sock.resume();
    }
    return item;
  }

  /**
   * The next client line inside AUTHENTICATE (RFC 5804 §2.1: a string), as framed bytes; null when
   * the connection closed; a framing error counts as a cancellation.
   */
  async nextClientLine(): Promise<Buffer | null> {
    const queued = this.dequeue();
    const item = queued ?? (this.closed ? null : await new Promise<QueueItem | null>((resolve) => (this.itemWaiter = resolve)));
    if (item === null) return null;
    if (item.kind === 'command') return item.bytes;
    if (item.fatal || item.closeAfter) {
      this.fatal('Too much invalid input');
      return null;
    }
    return Buffer.from('"*"');
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const item = this.dequeue()!;
        const done = this.execute(item).catch((e: unknown) => {
          // A bug costs this connection at most, never the process.
          this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'session failure');
          this.fatal('Internal server error');
        });
        this.inFlight = done;
        await done;
        if (this.draining && !this.closed) this.fatal('Server shutting down');
      }
    } finally {
      this.running = false;
    }
  }

  // --- execution -----------------------------------------------------------------------------

  private async execute(item: QueueItem): Promise<void> {
    if (item.kind === 'error') {
      this.respond('NO', item.code ?? null, item.message);
      if (item.fatal || item.closeAfter) this.fatal('Too much invalid input');
      else this.countBad();
      return;
    }
    let command: ManageSieveCommand;
    try {
      command = parseCommand(item.bytes);
    } catch (e) {
      if (!(e instanceof ManageSieveParseError)) throw e;
      this.respond('NO', null, e.message);
      this.countBad();
      return;
    }
    if (this.log.isLevelEnabled?.('debug')) this.log.debug({ cmd: redactCommand(item.bytes.subarray(0, 200).toString('latin1')) }, 'command');
    const spec = this.deps.commands.lookup(command.name);
    let result: CommandResult;
    if (!spec || this.state.kind === 'logout' || !spec.states.includes(this.state.kind)) {
      // RFC 5804 §2: commands not valid in this state are rejected with NO; they count as invalid.
      const text = !spec
        ? `Command ${command.name} is not supported`
        : this.state.kind === 'authenticated'
          ? `${command.name} is not allowed after authentication`
          : `${command.name} needs authentication first`;
      this.respond('NO', null, text);
      this.countBad();
      return;
    } else {
      try {
        result = await spec.handler(this, command);
      } catch (e) {
        if (e instanceof StoreError) result = storeErrorResult(e);
        else {
          this.log.error({ err: e instanceof Error ? e.stack : String(e), command: command.name }, 'command failed');
          result = { status: 'NO', code: 'TRYLATER', text: 'Internal error; it has been logged' };
        }
      }
    }
    if (this.closed || result.sent) return;
    this.badCount = 0;
    this.respond(result.status, result.code ?? null, result.text ?? null);
    if (result.status === 'BYE') this.end();
    else await this.drainIfNeeded();
  }

  private countBad(): void {
    if (++this.badCount >= limits.MAX_BAD_COMMANDS) this.fatal('Too many invalid commands');
  }

  // --- output --------------------------------------------------------------------------------

  write(data: Buffer): void {
    if (this.closed || this.sock.destroyed) return;
    this.sock.write(data);
  }

  respond(status: Status, code: ResponseCode | null, text: string | null): void {
    this.write(completion(status, code, text));
  }

  /** The capability lines and an OK (greeting, CAPABILITY, after STARTTLS). */
  sendCapabilities(text: string | null = null, code: ResponseCode | null = null): void {
    this.write(Buffer.concat([capabilityResponse(capabilityList(this)), completion('OK', code, text)]));
  }

  drainIfNeeded(): Promise<void> {
    if (this.closed || this.sock.writableLength < limits.MAX_OUTPUT_BUFFER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private onDrain(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of w) fn();
  }

  // --- state changes -------------------------------------------------------------------------

  login(actor: Actor): void {
    this.state = { kind: 'authenticated', actor };
    // The longer timeout applies from now on (RFC 5804 §1.2).
    this.restartIdleTimer();
  }

  /** UNAUTHENTICATE (RFC 5804 §2.14.1): back to the initial state; TLS stays. */
  unauthenticate(): void {
    this.state = { kind: 'not-authenticated' };
    this.authFailures = 0;
    this.restartIdleTimer();
  }

  /** STARTTLS (RFC 5804 §2.2): upgrade in place, discarding anything received meanwhile. */
  async startTls(): Promise<boolean> {
    const plain = this.sock;
    plain.removeAllListeners('data');
    plain.removeAllListeners('drain');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.framer.reset();
    this.framer = this.newFramer();
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.deps.secureContext });
    this.sock = secure;
    this.attach(secure);
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('error', () => resolve(false));
      secure.once('close', () => resolve(false));
    });
    if (ok) this.tls = true;
    else this.destroy();
    return ok;
  }

  // --- lifetime ------------------------------------------------------------------------------

  private resetIdleTimer(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => this.onTimeout(), this.timeoutMs());
      this.idleTimer.unref();
    }
  }

  private restartIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.closed) this.resetIdleTimer();
  }

  private timeoutMs(): number {
    const s = this.deps.settings;
    return this.state.kind === 'authenticated' ? s.authTimeoutMs : s.preauthTimeoutMs;
  }

  private onTimeout(): void {
    if (this.closed) return;
    this.fatal('Disconnected for inactivity');
  }

  /** BYE and close (RFC 5804 §1.2). */
  fatal(text: string, code: ResponseCode | null = null): void {
    if (this.closed) return;
    this.respond('BYE', code, text);
    this.end();
  }

  /** Closes after what was written (LOGOUT, BYE); later client bytes are ignored (RFC 5804 §2.3). */
  end(): void {
    if (this.closed) return;
    this.state = { kind: 'logout' };
    this.sock.end();
    const s = this.sock;
    setTimeout(() => s.destroy(), 2000).unref();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.itemWaiter;
    this.itemWaiter = null;
    w?.(null);
    this.onDrain();
    this.deps.onClose();
  }

  /** Graceful shutdown: finish the command in flight, then BYE. */
  async drain(): Promise<void> {
    if (this.closed) return;
    this.draining = true;
    this.sock.pause();
    // Between commands, or inside AUTHENTICATE waiting for the client: say goodbye now.
    if (!this.running || this.itemWaiter) {
      this.fatal('Server shutting down');
      return;
    }
    await this.inFlight.catch(() => undefined);
  }

  destroy(): void {
    this.sock.destroy();
    this.teardown();
  }
}
