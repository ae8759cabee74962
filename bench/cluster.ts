/**
 * What a benchmark runs against: one SQLite server, or one or more server processes ("nodes")
 * sharing one PostgreSQL database, with clients spread over the nodes round-robin.
 *
 * Invariants:
 * - A PostgreSQL cluster creates its own scratch database (facteur_t_<hex>) on BENCH_PG_URL and
 *   drops it in stop() (also on SIGINT/SIGTERM: stopAllClusters), so benchmarks never touch data
 *   they did not create.
 * - Client k talks to node k mod n: with one node every client shares it, with two the load is
 *   split evenly (node 0 serves the single-connection measurements).
 * - RSS figures are summed over the nodes: "memory per connection" stays per connection served.
 *
 * Selection (environment):
 *   BENCH_STORE=sqlite|postgres   (unset: SQLite, then PostgreSQL)
 *   BENCH_NODES=1|2|1,2           PostgreSQL nodes (unset: 1 then 2)
 *   BENCH_PG_URL                  server to create the database on
 *                                 (default postgres://postgres@127.0.0.1:5432/postgres)
 */
import type { Config } from '../src/config/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/store/postgres/scratch-database.js';
import { ServerProcess } from './server-process.js';

export const PG_SERVER_URL = process.env.BENCH_PG_URL ?? process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TargetSpec {
  store: 'sqlite' | 'postgres';
  nodes: number;
  label: string;
}

/** The targets this run measures, in order, from BENCH_STORE and BENCH_NODES. */
export function targetsFromEnv(env: NodeJS.ProcessEnv = process.env): TargetSpec[] {
  const store = env.BENCH_STORE?.trim().toLowerCase();
  if (store !== undefined && store !== '' && store !== 'sqlite' && store !== 'postgres' && store !== 'all') {
    throw new Error(`BENCH_STORE: expected sqlite, postgres or all, got '${env.BENCH_STORE}'`);
  }
  const nodesRaw = env.BENCH_NODES?.trim() || '1,2';
  const nodes = nodesRaw.split(',').map((x) => Number(x.trim()));
  if (nodes.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) throw new Error(`BENCH_NODES: expected 1-8 (comma-separated), got '${nodesRaw}'`);
  const out: TargetSpec[] = [];
  if (store === undefined || store === '' || store === 'all' || store === 'sqlite') out.push({ store: 'sqlite', nodes: 1, label: 'SQLite' });
  if (store === undefined || store === '' || store === 'all' || store === 'postgres') {
    for (const n of nodes) out.push({ store: 'postgres', nodes: n, label: `PostgreSQL, ${n} node${n > 1 ? 's' : ''}` });
  }
  return out;
}

/** Clusters started and not yet stopped, for stopAllClusters. */
const running = new Set<Cluster>();

/** Stops every running cluster (servers, then their scratch databases); for signal handlers. */
export async function stopAllClusters(): Promise<void> {
  await Promise.allSettled([...running].map((c) => c.stop()));
}

export class Cluster {
  private constructor(
    readonly spec: TargetSpec,
    readonly nodes: ServerProcess[],
    /** 'sqlite' or the scratch database URL */
    readonly store: string,
    private readonly database: ScratchDatabase | null,
  ) {}

  /**
   * Starts the target's nodes (the account is created once). `parent` is where data directories
   * go (SQLite data, TLS material of every node).
   */
  static async start(spec: TargetSpec, user: string, pass: string, parent?: string): Promise<Cluster> {
    if (spec.store === 'sqlite') {
      return new Cluster(spec, [await ServerProcess.start(user, pass, parent)], 'sqlite', null).track();
    }
    const db = await createScratchDatabase(PG_SERVER_URL);
    const nodes: ServerProcess[] = [];
    try {
      // Node 0 migrates the schema and creates the account; the others join it.
      nodes.push(await ServerProcess.start(user, pass, parent, { store: db.url }));
      for (let i = 1; i < spec.nodes; i++) nodes.push(await ServerProcess.start(user, pass, parent, { store: db.url, addUser: false }));
    } catch (e) {
      for (const n of nodes) await n.stop();
      await db.drop().catch(() => undefined);
      throw e;
    }
    return new Cluster(spec, nodes, db.url, db).track();
  }

  private track(): this {
    running.add(this);
    return this;
  }

  /** The IMAP port client number k uses. */
  port(k = 0): number {
    return this.nodes[k % this.nodes.length].port;
  }

  lmtpPort(k = 0): number {
    return this.nodes[k % this.nodes.length].lmtpPort;
  }

  /** A Config that opens the same store from this process (seeding, Sieve scripts). */
  storeConfig(): Pick<Config, 'dataDir' | 'store'> {
    return { dataDir: this.nodes[0].dataDir, store: this.store };
  }

  get pids(): number[] {
    return this.nodes.map((n) => n.pid);
  }

  get alive(): boolean {
    return this.nodes.every((n) => n.alive);
  }

  get exitStatus(): string | null {
    const dead = this.nodes.map((n, i) => (n.alive ? null : `node ${i}: ${n.exitStatus}`)).filter((x) => x !== null);
    return dead.length > 0 ? dead.join(', ') : null;
  }

  get log(): string {
    return this.nodes.map((n, i) => (this.nodes.length > 1 && n.log.trim() !== '' ? `[node ${i}]\n${n.log}` : n.log)).join('');
  }

  /** Summed over the nodes (NaN when one is unreadable). */
  statusKiB(field: 'VmRSS' | 'VmHWM'): number {
    return this.nodes.reduce((s, n) => s + n.statusKiB(field), 0);
  }

  rssKiB(): number {
    return this.statusKiB('VmRSS');
  }

  async stop(): Promise<void> {
    running.delete(this);
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.database?.drop();
  }
}
