/**
 * PgChangeBus: change events across nodes through PostgreSQL LISTEN/NOTIFY, behind the same
 * ChangeBus interface as the in-process bus (src/store/bus.ts).
 *
 * Invariants:
 * - publish() delivers to this node's listeners at once (synchronously, like LocalChangeBus) and
 *   sends one NOTIFY for the other nodes. Stores call publish only after their commit, so a node
 *   never hears of a change it cannot read yet.
 * - Every notification carries this bus's random node id; a node ignores its own (it delivered
 *   them already), so an event reaches each listener once in normal operation.
 * - NOTIFYs go through one dedicated publishing connection, one at a time, in publish order;
 *   when the database is unreachable they are dropped (logged): events are hints and the modseq
 *   log is the truth (docs/decisions/0001).
 * - Notifications arrive on one dedicated LISTEN connection. When it fails, it is reopened with
 *   exponential backoff (RECONNECT_MIN_MS .. RECONNECT_MAX_MS); after every reconnect each
 *   account with local listeners gets a `mailboxes` event, which makes its sessions re-read
 *   their mailbox (changesSince): whatever was missed while disconnected is recovered.
 * - Payloads are parsed defensively; a malformed one is ignored.
 * - A metadata event whose entry names do not fit one NOTIFY payload (8000 bytes) is sent as
 *   several events, each with part of the names; together they name every entry.
 * - flush() waits for this node's queued NOTIFYs. sync() is a barrier: it NOTIFYs a token of its
 *   own and waits (at most SYNC_WAIT_MS) until the token comes back on the LISTEN connection.
 *   PostgreSQL delivers notifications in commit order, so every NOTIFY committed before the
 *   barrier (another node's change, flushed before its client got OK) was delivered before it.
 *   Concurrent sync() calls share a barrier whose NOTIFY is still queued.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { LocalChangeBus } from '../bus.js';
import type { ChangeBus, ChangeEvent, ModSeq } from '../types.js';
import type { StoreLogger } from './context.js';

export const CHANGE_CHANNEL = 'facteur_changes';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
/** How long a connection attempt may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;
/** The longest a NOOP waits for the barrier; past it (database away) the session goes on. */
const SYNC_WAIT_MS = 1000;
/** The longest a write's acknowledgement waits for its NOTIFY to leave (database away). */
const FLUSH_WAIT_MS = 2000;
/** Below PostgreSQL's 8000-byte NOTIFY payload limit; longer metadata events are split. */
const PAYLOAD_MAX_BYTES = 7000;

interface Wire {
  /** origin node */
  n: string;
  /** account */
  a: number;
  /** mailbox id ('mailbox', 'urlauth-keys' and 'metadata'; null: all the account's keys / server metadata) */
  m?: number | null;
  /** highest modseq ('mailbox' only) */
  s?: number;
  /** 'k' marks an urlauth-keys event, 'd' a metadata event */
  t?: 'k' | 'd';
  /** a sync() barrier token (no event) */
  b?: string;
  /** metadata entry names ('metadata' only, marked t: 'd') */
  e?: string[];
}

export interface PgChangeBusOptions {
  url: string;
  logger?: StoreLogger;
  /** Channel name; tests isolate themselves with their own. */
  channel?: string;
}

export class PgChangeBus implements ChangeBus {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly local = new LocalChangeBus();
  private readonly accounts = new Map<number, number>();
  private readonly channel: string;
  private listener: pg.Client | null = null;
  private publisher: pg.Client | null = null;
  private publishChain: Promise<void> = Promise.resolve();
  private closed = false;
  private backoff = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectedOnce = false;
  private readonly barriers = new Map<string, () => void>();
  /** The barrier whose NOTIFY is queued but not yet sent (see sync()). */
  private queuedBarrier: Promise<void> | null = null;
  private readyResolve!: () => void;
  /** Resolves once the first LISTEN is in place. */
  readonly ready: Promise<void>;

  constructor(private readonly opts: PgChangeBusOptions) {
    this.channel = opts.channel ?? CHANGE_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error(`invalid channel name ${this.channel}`);
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    void this.connect();
  }

  publish(event: ChangeEvent): void {
    this.local.publish(event);
    const payloads =
      event.type === 'mailbox'
        ? [JSON.stringify({ n: this.nodeId, a: event.accountId, m: event.mailboxId, s: event.highestModSeq } satisfies Wire)]
        : event.type === 'urlauth-keys'
          ? [JSON.stringify({ n: this.nodeId, a: event.accountId, m: event.mailboxId, t: 'k' } satisfies Wire)]
          : event.type === 'metadata'
            ? this.metadataPayloads(event.accountId, event.mailboxId, event.entries)
            : [JSON.stringify({ n: this.nodeId, a: event.accountId } satisfies Wire)];
    for (const payload of payloads) this.publishChain = this.publishChain.then(() => this.notify(payload));
  }

  /** A metadata event as one or more payloads under PAYLOAD_MAX_BYTES, entries split between them. */
  private metadataPayloads(accountId: number, mailboxId: number | null, entries: readonly string[]): string[] {
    const out: string[] = [];
    const encode = (e: string[]): string => JSON.stringify({ n: this.nodeId, a: accountId, m: mailboxId, t: 'd', e } satisfies Wire);
    let chunk: string[] = [];
    for (const entry of entries) {
      if (Buffer.byteLength(encode([entry])) > PAYLOAD_MAX_BYTES) {
        this.opts.logger?.warn({ entryBytes: Buffer.byteLength(entry) }, 'metadata entry name too long to notify other nodes');
        continue;
      }
      if (chunk.length > 0 && Buffer.byteLength(encode([...chunk, entry])) > PAYLOAD_MAX_BYTES) {
        out.push(encode(chunk));
        chunk = [];
      }
      chunk.push(entry);
    }
    if (chunk.length > 0 || out.length === 0) out.push(encode(chunk));
    return out;
  }

  async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.publishChain, new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async sync(): Promise<void> {
    // Not listening: nothing can be awaited; the reconnect resynchronises every session anyway.
    if (this.closed || this.listener === null) return;
    // A barrier queued but not sent yet will be sent after this call began: it serves this call
    // too (many sessions polling at once cost one NOTIFY, not one each).
    if (this.queuedBarrier === null) this.queuedBarrier = this.newBarrier();
    await this.queuedBarrier;
  }

  private newBarrier(): Promise<void> {
    const token = randomBytes(8).toString('hex');
    let timer: NodeJS.Timeout | undefined;
    const back = new Promise<void>((resolve) => {
      this.barriers.set(token, resolve);
      timer = setTimeout(resolve, SYNC_WAIT_MS);
    });
    const payload = JSON.stringify({ n: this.nodeId, b: token } satisfies Partial<Wire>);
    this.publishChain = this.publishChain.then(() => {
      // From here on, a new sync() needs a barrier of its own.
      if (this.queuedBarrier === mine) this.queuedBarrier = null;
      return this.notify(payload);
    });
    const mine = back.finally(() => {
      clearTimeout(timer);
      this.barriers.delete(token);
    });
    return mine;
  }

  subscribe(accountId: number, listener: (e: ChangeEvent) => void): () => void {
    this.accounts.set(accountId, (this.accounts.get(accountId) ?? 0) + 1);
    const off = this.local.subscribe(accountId, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const n = (this.accounts.get(accountId) ?? 1) - 1;
      if (n <= 0) this.accounts.delete(accountId);
      else this.accounts.set(accountId, n);
    };
  }

  /** Waits for queued NOTIFYs, then closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.publishChain;
    this.closed = true;
    for (const release of this.barriers.values()) release();
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    await Promise.all([this.listener?.end().catch(() => undefined), this.publisher?.end().catch(() => undefined)]);
    this.listener = null;
    this.publisher = null;
  }

  /** For tests: drops the LISTEN connection as a network failure would. */
  simulateDisconnect(): void {
    const c = this.listener;
    if (c === null) return;
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }

  private newClient(): pg.Client {
    return new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'facteur-bus' });
  }

  private async notify(payload: string): Promise<void> {
    if (this.closed) return;
    try {
      if (this.publisher === null) {
        const c = this.newClient();
        c.on('error', () => {
          if (this.publisher === c) this.publisher = null;
        });
        c.on('end', () => {
          if (this.publisher === c) this.publisher = null;
        });
        await c.connect();
        this.publisher = c;
      }
      await this.publisher.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
    } catch (e) {
      const c = this.publisher;
      this.publisher = null;
      await c?.end().catch(() => undefined);
      this.opts.logger?.warn({ err: e instanceof Error ? e.message : String(e) }, 'change notification not sent');
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const c = this.newClient();
    let failed = false;
    const fail = (e?: unknown): void => {
      if (failed) return;
      failed = true;
      if (this.listener === c) this.listener = null;
      c.end().catch(() => undefined);
      if (this.closed) return;
      if (e !== undefined) this.opts.logger?.warn({ err: e instanceof Error ? e.message : String(e) }, 'change bus connection lost');
      this.scheduleReconnect();
    };
    c.on('error', fail);
    c.on('end', () => fail());
    c.on('notification', (msg) => {
      if (msg.channel === this.channel && msg.payload !== undefined) this.receive(msg.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${this.channel}`);
    } catch (e) {
      fail(e);
      return;
    }
    if (this.closed) {
      await c.end().catch(() => undefined);
      return;
    }
    this.listener = c;
    this.backoff = RECONNECT_MIN_MS;
    // Listeners that subscribed before this LISTEN (first connect after a slow start, or any
    // reconnect) may have missed other nodes' events: make them re-read.
    if (this.connectedOnce || this.accounts.size > 0) this.resynchronise();
    this.connectedOnce = true;
    this.readyResolve();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null || this.closed) return;
    const delay = this.backoff;
    this.backoff = Math.min(RECONNECT_MAX_MS, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** After a gap in notifications: every listening account re-reads (see invariants). */
  private resynchronise(): void {
    for (const accountId of [...this.accounts.keys()]) this.local.publish({ type: 'mailboxes', accountId });
  }

  private receive(payload: string): void {
    let w: Partial<Wire>;
    try {
      w = JSON.parse(payload) as Partial<Wire>;
    } catch {
      return;
    }
    if (typeof w !== 'object' || w === null) return;
    if (typeof w.b === 'string') {
      // A barrier: ours resolves its sync(); another node's means nothing here.
      if (w.n === this.nodeId) this.barriers.get(w.b)?.();
      return;
    }
    if (w.n === this.nodeId || !Number.isSafeInteger(w.a)) return;
    const accountId = w.a as number;
    if (w.t === 'd') {
      const entries = Array.isArray(w.e) && w.e.every((x) => typeof x === 'string') ? w.e : null;
      if ((w.m === null || Number.isSafeInteger(w.m)) && entries !== null) {
        this.local.publish({ type: 'metadata', accountId, mailboxId: w.m ?? null, entries });
      }
    } else if (w.t === 'k') {
      if (w.m === null || Number.isSafeInteger(w.m)) this.local.publish({ type: 'urlauth-keys', accountId, mailboxId: w.m ?? null });
    } else if (Number.isSafeInteger(w.m) && Number.isSafeInteger(w.s)) {
      this.local.publish({ type: 'mailbox', accountId, mailboxId: w.m as number, highestModSeq: w.s as ModSeq });
    } else {
      this.local.publish({ type: 'mailboxes', accountId });
    }
  }
}
