/**
 * The autologout timer of one IMAP session (RFC 9051 §5.4): a session idle for longer than its
 * state's duration is closed with BYE.
 *
 * Invariants:
 * - Client bytes restart the countdown; the duration is the not-authenticated one
 *   (PREAUTH_IDLE_TIMEOUT_MS) until authentication restarts the timer with AUTH_IDLE_TIMEOUT_MS.
 * - The timer never keeps the process alive (unref), and is cleared when the session ends.
 */
import { AUTH_IDLE_TIMEOUT_MS, PREAUTH_IDLE_TIMEOUT_MS } from '../../wire/limits.js';
import type { StateKind } from './state.js';

/** How long a session in this state may stay silent. */
export function autologoutMs(state: StateKind): number {
  return state === 'not-authenticated' ? PREAUTH_IDLE_TIMEOUT_MS : AUTH_IDLE_TIMEOUT_MS;
}

export class Autologout {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** The duration for the session's current state, read when the timer is created. */
    private readonly durationMs: () => number,
    private readonly expire: () => void,
  ) {}

  /** Client activity: restarts the countdown (the first call starts it). */
  touch(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.expire(), this.durationMs());
      this.timer.unref();
    }
  }

  /** The state changed: a new timer with the new state's duration. */
  restart(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.touch();
  }

  /** The session ended. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
