/**
 * Serialises work per account inside one process: PUTSCRIPT's quota check and store write run
 * under it, so two sessions of one account cannot both pass the script count check and exceed
 * QUOTA/MAXSCRIPTS together (RFC 5804 §1.5).
 *
 * Invariants:
 * - Calls for one key run one after the other, in call order; different keys do not wait.
 * - A rejected call does not block later ones; an idle key holds no entry.
 * - Per process only: with --workers N, sessions in different workers are not serialised.
 */
export class AccountLock {
  private readonly tails = new Map<number, Promise<void>>();

  async run<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work queued or running (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
