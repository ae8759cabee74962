/**
 * The inbound byte stream of one LMTP connection, read in the three shapes the protocol needs:
 * command lines, dot-terminated DATA (RFC 5321 §4.5.2) and exact-length BDAT chunks (RFC 3030).
 *
 * Invariants:
 * - Memory is bounded: at most MAX_LMTP_INPUT_BUFFER unread bytes are held (the socket is paused
 *   beyond it, which is what makes pipelining safe); a command line longer than MAX_LMTP_LINE is
 *   skipped up to its end and reported; message data is handed to a sink as it arrives and the
 *   sink decides what to keep.
 * - DATA is unstuffed exactly: a leading '.' is dropped from every line, and the line "." ends
 *   the data. Line ends are kept as sent.
 * - After the peer closed, every read resolves with null once buffered input is used up.
 */
import type { Duplex } from 'node:stream';
import { MAX_LMTP_INPUT_BUFFER, MAX_LMTP_LINE } from '../wire/limits.js';

export type LineResult = { line: string } | { tooLong: true } | null;

export class LmtpInput {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | null = null;

  constructor(private readonly sock: Duplex) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      if (this.buf.length > MAX_LMTP_INPUT_BUFFER) sock.pause();
      this.wake();
    });
    sock.on('end', () => this.end());
    sock.on('close', () => this.end());
  }

  /** Wakes a pending read (peer gone, or the server wants the session to notice a drain). */
  end(): void {
    this.ended = true;
    this.wake();
  }

  interrupt(): void {
    this.wake();
  }

  get closed(): boolean {
    return this.ended && this.buf.length === 0;
  }

  /** Whether a complete command line is already buffered (pipelined input). */
  get hasLine(): boolean {
    return this.buf.includes(0x0a);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    if (this.sock.isPaused()) this.sock.resume();
    await new Promise<void>((resolve) => (this.waiter = resolve));
    return true;
  }

  /**
   * The next command line without its line end; tooLong when it exceeded MAX_LMTP_LINE (its
   * bytes were skipped); null at end of input. `stop` is checked whenever no line is buffered.
   */
  async readLine(stop: () => boolean = () => false): Promise<LineResult | 'stopped'> {
    let skipping = false;
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl !== -1) {
        const raw = this.buf.subarray(0, nl);
        this.buf = this.buf.subarray(nl + 1);
        if (skipping || raw.length > MAX_LMTP_LINE) return { tooLong: true };
        const end = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.length - 1 : raw.length;
        return { line: raw.subarray(0, end).toString('latin1') };
      }
      if (this.buf.length > MAX_LMTP_LINE) {
        skipping = true;
        this.buf = Buffer.alloc(0);
      }
      if (!skipping && this.buf.length === 0 && stop()) return 'stopped';
      if (!(await this.more())) return null;
    }
  }

  /**
   * Dot-terminated data: each unstuffed piece goes to `sink`. Resolves true when the final "."
   * line arrived, false when the connection ended first.
   */
  async readData(sink: (piece: Buffer) => void): Promise<boolean> {
    let atLineStart = true;
    for (;;) {
      while (this.buf.length > 0) {
        if (atLineStart && this.buf[0] === 0x2e) {
          // Need to see what follows the dot to tell the end marker from a stuffed dot.
          if (this.buf.length < 2) break;
          if (this.buf[1] === 0x0a) {
            this.buf = this.buf.subarray(2);
            return true;
          }
          if (this.buf[1] === 0x0d) {
            if (this.buf.length < 3) break;
            if (this.buf[2] === 0x0a) {
              this.buf = this.buf.subarray(3);
              return true;
            }
          }
          this.buf = this.buf.subarray(1);
          atLineStart = false;
          continue;
        }
        const nl = this.buf.indexOf(0x0a);
        if (nl === -1) {
          sink(this.buf);
          this.buf = Buffer.alloc(0);
          atLineStart = false;
        } else {
          sink(this.buf.subarray(0, nl + 1));
          this.buf = this.buf.subarray(nl + 1);
          atLineStart = true;
        }
      }
      if (!(await this.more())) return false;
    }
  }

  /** Exactly n octets (a BDAT chunk) to `sink`; false when the connection ended first. */
  async readExact(n: number, sink: (piece: Buffer) => void): Promise<boolean> {
    let left = n;
    for (;;) {
      if (this.buf.length > 0 && left > 0) {
        const take = Math.min(left, this.buf.length);
        sink(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        left -= take;
      }
      if (left === 0) return true;
      if (!(await this.more())) return false;
    }
  }
}
