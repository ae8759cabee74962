/**
 * Command progress notifications, INPROGRESS (RFC 9585): the one mechanism long-running commands
 * use to tell the client they are still working. The session gives every command a
 * CommandProgress; a command calls `step(done, total)` at its checkpoints (one per message it
 * processed) and the reporter decides whether a line is due.
 *
 * Invariants:
 * - A line is "* OK [INPROGRESS (<tag> <done> <total>)] Still working" (RFC 9585 §3): the
 *   command's tag as a quoted string, or NIL when the tag contains "]" (which could be read as the
 *   end of the response code); <done> a number or NIL; <total> a non-zero number or NIL, never
 *   below <done>.
 * - One is due when `every` units were processed since the last one or PROGRESS_INTERVAL_MS
 *   passed since the command started or the last one; never at done >= total (the tagged
 *   response follows at once), never twice for the same count.
 * - Only checkpoints write: a command that calls none reports nothing, and a line never splits
 *   another response (checkpoints lie between whole responses).
 * - COPY and MOVE are one storage transaction each (atomic, blob references only), so they have
 *   no checkpoint to report from.
 */
import { PROGRESS_INTERVAL_MS } from '../../wire/limits.js';

export class CommandProgress {
  private lastAt = Date.now();
  private lastDone = 0;

  constructor(
    private readonly tag: string,
    /** Units (messages) between two reports, whatever the time. */
    private readonly every: number,
    private readonly write: (line: string) => void,
  ) {}

  /** A checkpoint: `done` of `total` units processed (null where unknown). */
  step(done: number | null, total: number | null): void {
    if (done !== null && total !== null && total > 0 && done >= total) return;
    const now = Date.now();
    const byCount = done !== null && done - this.lastDone >= this.every;
    if (!byCount && now - this.lastAt < PROGRESS_INTERVAL_MS) return;
    if (done !== null && done === this.lastDone && done > 0) return;
    this.lastAt = now;
    if (done !== null) this.lastDone = done;
    const tag = /[\]"\\]/.test(this.tag) ? 'NIL' : `"${this.tag}"`;
    const goal = total !== null && total > 0 ? String(total) : 'NIL';
    this.write(`* OK [INPROGRESS (${tag} ${done ?? 'NIL'} ${goal})] Still working`);
  }
}
