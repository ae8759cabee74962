/**
 * In-process ChangeBus: serves the sessions of one process. A cross-process or cross-node bus
 * (PostgreSQL LISTEN/NOTIFY, IPC between workers) implements the same interface.
 * Listeners are called synchronously; a throwing listener does not affect the others.
 */
import type { ChangeBus, ChangeEvent } from './types.js';

export class LocalChangeBus implements ChangeBus {
  private readonly listeners = new Map<number, Set<(e: ChangeEvent) => void>>();

  publish(event: ChangeEvent): void {
    const set = this.listeners.get(event.accountId);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(event);
      } catch {
        // A session's listener must not break delivery of the event to others.
      }
    }
  }

  subscribe(accountId: number, listener: (e: ChangeEvent) => void): () => void {
    let set = this.listeners.get(accountId);
    if (!set) {
      set = new Set();
      this.listeners.set(accountId, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(accountId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(accountId);
    };
  }
}
