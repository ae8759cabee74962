/**
 * Admission of new connections, counted over every listener of a process (IMAP, IMAPS,
 * ManageSieve): --max-connections in total and --max-connections-per-ip per remote address.
 *
 * Invariants:
 * - admit() either counts the connection and returns its release function, or counts nothing
 *   and returns null.
 * - A release function is idempotent: calling it twice releases once.
 * - Memory is bounded by the connections open: an address with none left has no entry.
 */
export class ConnectionGate {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerIp: number,
  ) {}

  admit(ip: string): (() => void) | null {
    const count = this.perIp.get(ip) ?? 0;
    if (this.total >= this.maxTotal || count >= this.maxPerIp) return null;
    this.total++;
    this.perIp.set(ip, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    };
  }

  /** Connections admitted and not yet released. */
  get size(): number {
    return this.total;
  }
}
