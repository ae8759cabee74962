/**
 * The byte stream of one IMAP session: the socket, its framer, the STARTTLS upgrade, the
 * COMPRESS DEFLATE layer and output backpressure. The session (session.ts) owns what the bytes
 * mean; this module only moves them.
 *
 * Invariants:
 * - Events of a framer that was replaced (STARTTLS, COMPRESS) are dropped: after STARTTLS every
 *   byte received before the handshake is discarded (RFC 2595 §3.1), so no command can be
 *   injected in cleartext; after COMPRESS, bytes sent before the tagged OK are discarded too.
 * - After COMPRESS DEFLATE (RFC 4978 §3) every byte in both directions passes the DeflateLayer
 *   (compression.ts), which flushes each burst of output; reading pauses the inflater then.
 * - Nothing is written once the connection is closed; writers waiting for 'drain' are released
 *   when the session closes, so none waits forever.
 * - The first line of the command whose literal the framer refused last is kept for the
 *   session's reply to that refusal (literal-refusal.ts).
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from '../../observability/log.js';
import { CommandFramer, createLiteralPolicy, type FramerEvent } from '../../wire/framer.js';
import * as limits from '../../wire/limits.js';
import { DeflateLayer } from './compression.js';
import type { PausableInput } from './command-queue.js';

/** What the connection tells its session. */
export interface ConnectionEvents {
  /** An event of the current framer. */
  frame(ev: FramerEvent): void;
  /** Bytes arrived (the autologout timer restarts). */
  activity(): void;
  /** The stream cannot go on (framer failure, invalid compressed data): BYE and close. */
  fail(text: string): void;
  /** The socket closed. */
  closed(): void;
}

export class Connection {
  private sock: Socket;
  private framer: CommandFramer;
  /** COMPRESS=DEFLATE is active (RFC 4978): all I/O goes through this layer. */
  private compression: DeflateLayer | null = null;
  /** The first line of the command whose literal the framer refused last (literal-refusal.ts). */
  private refusedLiteralPrefix: Buffer | null = null;
  private drainWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    sock: Socket,
    private readonly log: Logger,
    private readonly events: ConnectionEvents,
  ) {
    this.sock = sock;
    this.framer = this.newFramer();
    this.attach(sock);
  }

  private newFramer(): CommandFramer {
    const policy = createLiteralPolicy({ literalPlus: true });
    const framer: CommandFramer = new CommandFramer({
      // Events of a framer replaced by STARTTLS are dropped: no cleartext command may run after
      // the upgrade (RFC 2595 §3.1).
      onEvent: (ev: FramerEvent) => {
        if (framer === this.framer) this.events.frame(ev);
      },
      allowLiteral: (req) => {
        const verdict = policy(req);
        if (verdict !== 'ok') this.refusedLiteralPrefix = req.prefix;
        return verdict;
      },
    });
    return framer;
  }

  private attach(sock: Socket): void {
    sock.on('data', (chunk: Buffer) => this.received(chunk));
    sock.on('error', (e) => this.log.debug({ err: e.message }, 'socket error'));
    sock.on('close', () => this.events.closed());
    sock.on('drain', () => this.releaseDrainWaiters());
  }

  private received(chunk: Buffer): void {
    this.events.activity();
    try {
      this.framer.push(chunk);
    } catch (e) {
      this.log.error({ err: e }, 'framer failure');
      this.events.fail('Internal error');
    }
  }

  /** The refused literal's command line, once: the next refusal starts afresh. */
  takeRefusedLiteralPrefix(): Buffer | null {
    const prefix = this.refusedLiteralPrefix;
    this.refusedLiteralPrefix = null;
    return prefix;
  }

  // --- output ------------------------------------------------------------------------------

  write(data: Buffer): void {
    if (this.closed || this.sock.destroyed) return;
    if (this.compression) this.compression.write(data);
    else this.sock.write(data);
  }

  /** Waits while the socket's buffer is past the high-water mark (backpressure on FETCH). */
  drainIfNeeded(): Promise<void> {
    const pending = this.compression ? this.compression.writableLength : this.sock.writableLength;
    if (this.closed || pending < limits.MAX_OUTPUT_BUFFER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  releaseDrainWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of w) fn();
  }

  // --- upgrades ----------------------------------------------------------------------------

  /**
   * STARTTLS (RFC 9051 §6.2.1): upgrade in place, discarding anything received meanwhile. The
   * upgrade itself is done on return; the promise settles when the handshake does.
   */
  startTls(secureContext: SecureContext): Promise<void> {
    const plain = this.sock;
    plain.removeAllListeners('data');
    plain.removeAllListeners('drain');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.framer.reset();
    this.framer = this.newFramer();
    const secure = new TLSSocket(plain, { isServer: true, secureContext });
    this.sock = secure;
    this.attach(secure);
    return new Promise<void>((resolve) => {
      secure.once('secure', () => resolve());
      secure.once('error', () => resolve());
      secure.once('close', () => resolve());
    });
  }

  get compressed(): boolean {
    return this.compression !== null;
  }

  /**
   * COMPRESS DEFLATE (RFC 4978 §3): everything written after this call is deflated, everything
   * read is inflated; bytes received before it are discarded. Reading stays paused while the
   * session drains.
   */
  startCompression(draining: boolean): void {
    const sock = this.sock;
    sock.removeAllListeners('data');
    this.framer.reset();
    this.framer = this.newFramer();
    this.compression = new DeflateLayer(sock, {
      onData: (chunk) => this.received(chunk),
      onDrain: () => this.releaseDrainWaiters(),
      onError: (e) => {
        this.log.debug({ err: e.message }, 'compression error');
        this.events.fail('Invalid compressed data');
      },
    });
    if (draining) this.compression.input.pause();
    else if (sock.isPaused()) sock.resume();
  }

  /** The stream reading pauses: the inflater once COMPRESS is active, else the socket. */
  get input(): PausableInput {
    return this.compression?.input ?? this.sock;
  }

  /** Resolves once deflated output has reached the socket; undefined without COMPRESS. */
  compressionFinished(): Promise<void> | undefined {
    return this.compression?.finished();
  }

  // --- lifetime ----------------------------------------------------------------------------

  /** The session closed: nothing more is written. */
  markClosed(): void {
    this.closed = true;
  }

  /** Ends the stream gracefully; the socket is destroyed 2 s later if the peer does not close. */
  end(): void {
    if (this.compression) this.compression.end();
    else this.sock.end();
    const s = this.sock;
    setTimeout(() => s.destroy(), 2000).unref();
  }

  destroy(): void {
    this.compression?.destroy();
    this.sock.destroy();
  }
}
