/**
 * The framed commands of one IMAP session waiting behind the one executing (pipelining,
 * RFC 9051 §5.5), with the backpressure that keeps them bounded.
 *
 * Invariants:
 * - Items leave in the order they arrived; an item is handed straight to a command waiting for
 *   continuation data (AUTHENTICATE, IDLE) when one is waiting, and is never queued then.
 * - Memory is bounded: reading pauses when MAX_QUEUED_COMMANDS items or MAX_QUEUED_BYTES bytes
 *   are queued, and resumes once both fall below half of that, unless the session is draining
 *   (shutting down), when reading stays paused.
 */

/** A framed command line (with its literals), or a framing error to answer in its place. */
export type QueueItem =
  | { kind: 'command'; bytes: Buffer }
  | { kind: 'error'; tag: string | null; message: string; fatal: boolean; code?: string; status?: 'NO' };

/** The stream the session reads from (the socket, or the inflater once COMPRESS is active). */
export interface PausableInput {
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
}

/** Framed commands waiting behind the one executing; reading pauses at this depth... */
const MAX_QUEUED_COMMANDS = 64;
/** ...or when they hold this many bytes (pipelined APPENDs), so a fast client cannot make the
 * session buffer more than about one command beyond it. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class CommandQueue {
  private readonly items: QueueItem[] = [];
  private bytes = 0;
  private waiter: ((item: QueueItem | null) => void) | null = null;

  constructor(
    /** The input to pause and resume; it changes when COMPRESS starts. */
    private readonly input: () => PausableInput,
    /** True while the session drains: reading is not resumed then. */
    private readonly draining: () => boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Hands the item to the waiting reader, or queues it and returns true (the pump must run). */
  put(item: QueueItem): boolean {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(item);
      return false;
    }
    this.items.push(item);
    this.bytes += item.kind === 'command' ? item.bytes.length : 0;
    if (this.items.length >= MAX_QUEUED_COMMANDS || this.bytes >= MAX_QUEUED_BYTES) this.input().pause();
    return true;
  }

  /** The oldest queued item, if any. */
  take(): QueueItem | undefined {
    const item = this.items.shift();
    if (item?.kind === 'command') this.bytes -= item.bytes.length;
    const input = this.input();
    if (!this.draining() && input.isPaused() && this.items.length < MAX_QUEUED_COMMANDS / 2 && this.bytes < MAX_QUEUED_BYTES / 2) {
      input.resume();
    }
    return item;
  }

  /** Waits for the next item put (call only when take() found none); null if the session closes. */
  wait(): Promise<QueueItem | null> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** The session closed: a waiting reader gets null. */
  cancelWait(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(null);
  }

  /** Drops everything queued (bytes received before a STARTTLS or COMPRESS took effect). */
  clear(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}
