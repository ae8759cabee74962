/**
 * The COMPRESS=DEFLATE layer (RFC 4978) between a session and its socket (plain or TLS): raw
 * DEFLATE (RFC 1951, no zlib header) in both directions.
 *
 * Invariants:
 * - Order of layers (RFC 4978 §3): data is compressed first, then handed to the socket, which
 *   may be a TLSSocket that encrypts it; on input the socket's bytes are inflated afterwards.
 * - Every byte written is flushed to the wire within the same event-loop turn: the first write
 *   after a flush schedules one Z_SYNC_FLUSH with setImmediate, so a burst (a tagged response
 *   and the untagged data before it, an IDLE push, a continuation request, a BYE) is coalesced
 *   into one flush and a client never waits for a partially flushed response. Z_SYNC_FLUSH ends
 *   on a byte boundary with an empty stored block, which every inflater (node:zlib, Python's
 *   zlib, imapflow) decodes completely; it keeps the dictionary (RFC 4978 §4). Nothing is
 *   flushed when nothing was written, so no bytes follow the tagged OK until a response exists.
 * - Output memory is bounded by the session: `writableLength` counts the deflater's input and
 *   output buffers plus the socket's, and the session's drainIfNeeded waits on it; the
 *   deflater's 'drain' is reported through onDrain as the socket's is.
 * - Input memory is bounded: socket chunks are fed to the inflater in slices of
 *   INFLATE_SLICE bytes (DEFLATE expands at most about 1032:1, so one slice yields at most about
 *   1 MiB), the socket is paused while the inflater's input buffer is full, and the inflater
 *   processes the next slice only once its output was consumed. Its output goes, chunk by
 *   chunk, to the session's framer, which enforces the line and literal limits; pausing the
 *   inflater (the session's `input`) therefore stops reading from the client.
 * - Corrupt compressed input ends the connection (onError); it is never passed on.
 */
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import type { Socket } from 'node:net';

/** Compressed input handed to the inflater at a time (bounds one slice's output, see above). */
const INFLATE_SLICE = 1024;
/** Output chunk size of both streams. */
const CHUNK = 16 * 1024;

export interface CompressionCallbacks {
  /** Decompressed client bytes, in order. */
  onData(chunk: Buffer): void;
  /** The deflater drained its input buffer (backpressure may be released). */
  onDrain(): void;
  /** Invalid compressed input or a zlib failure: the connection must end. */
  onError(err: Error): void;
}

export class DeflateLayer {
  private readonly deflate: DeflateRaw;
  private readonly inflate: InflateRaw;
  private flushScheduled: NodeJS.Immediate | null = null;
  private unflushed = false;
  private waitingForInflater = false;
  private done = false;

  constructor(
    private readonly sock: Socket,
    cb: CompressionCallbacks,
  ) {
    // Level 1: IMAP responses compress well even at the cheapest setting (RFC 4978 §4).
    this.deflate = createDeflateRaw({ level: 1, chunkSize: CHUNK });
    this.inflate = createInflateRaw({ chunkSize: CHUNK });
    this.deflate.pipe(sock);
    this.deflate.on('drain', () => cb.onDrain());
    this.deflate.on('error', (e) => this.fail(cb, e));
    this.inflate.on('error', (e) => this.fail(cb, e));
    this.inflate.on('data', (chunk: Buffer) => {
      if (!this.done) cb.onData(chunk);
    });
    sock.on('data', (chunk: Buffer) => this.feed(chunk));
    sock.once('close', () => this.destroy());
  }

  /** The plaintext input the session pauses and resumes (instead of the socket). */
  get input(): InflateRaw {
    return this.inflate;
  }

  /** Bytes accepted but not yet handed to the kernel. */
  get writableLength(): number {
    return this.deflate.writableLength + this.deflate.readableLength + this.sock.writableLength;
  }

  write(data: Buffer): void {
    if (this.done || this.deflate.writableEnded || this.deflate.destroyed) return;
    this.deflate.write(data);
    this.unflushed = true;
    if (!this.flushScheduled) this.flushScheduled = setImmediate(() => this.flush());
  }

  /** Z_SYNC_FLUSH of everything written so far (a no-op when nothing was written). */
  flush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    if (!this.unflushed || this.done || this.deflate.writableEnded || this.deflate.destroyed) return;
    this.unflushed = false;
    this.deflate.flush(constants.Z_SYNC_FLUSH);
  }

  /** Finishes the stream (Z_FINISH flushes everything, a BYE included), then ends the socket. */
  end(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    if (this.deflate.destroyed) this.sock.end();
    else if (!this.deflate.writableEnded) this.deflate.end();
  }

  /** Resolves once the stream was finished (end) and handed to the socket, or destroyed. */
  finished(): Promise<void> {
    if (this.done || this.deflate.readableEnded || this.deflate.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.deflate.once('end', resolve);
      this.deflate.once('close', resolve);
    });
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    this.deflate.unpipe(this.sock);
    this.deflate.destroy();
    this.inflate.destroy();
  }

  private feed(chunk: Buffer): void {
    if (this.done || this.inflate.writableEnded || this.inflate.destroyed) return;
    let accepted = true;
    for (let i = 0; i < chunk.length; i += INFLATE_SLICE) accepted = this.inflate.write(chunk.subarray(i, i + INFLATE_SLICE));
    if (!accepted && !this.waitingForInflater) {
      this.waitingForInflater = true;
      this.sock.pause();
      this.inflate.once('drain', () => {
        this.waitingForInflater = false;
        if (!this.done) this.sock.resume();
      });
    }
  }

  private fail(cb: CompressionCallbacks, e: Error): void {
    if (this.done) return;
    cb.onError(e);
  }
}
