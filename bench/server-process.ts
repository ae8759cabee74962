/**
 * The server under test as a separate process: the real CLI (`bin/facteur.js`), a temporary data
 * directory, a free loopback port. The process is killed and the directory removed on stop(),
 * and also when this process exits for any reason (exit handler, SIGINT/SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';

/** The repository root: this file runs as dist/bench/server-process.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'facteur.js');


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(args: string[], stdin: string, timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`facteur ${args.join(' ')}: timed out`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    child.stdin.end(stdin);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export interface ServerOptions {
  /** --store value; default: sqlite in the process's data directory. */
  store?: string;
  /** Create the account before starting (default true). */
  addUser?: boolean;
  /** More `facteur serve` flags. */
  extraArgs?: string[];
}

export class ServerProcess {
  private logTail = '';
  private exited: string | null = null;
  private cleanedUp = false;
  private readonly onExit = (): void => this.cleanupSync();

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly port: number,
    readonly lmtpPort: number,
  ) {
    const keep = (d: Buffer): void => {
      this.logTail = (this.logTail + d.toString()).slice(-16_384);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      this.exited = signal ? `signal ${signal}` : `code ${code}`;
    });
    process.once('exit', this.onExit);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** How the process ended ("code 1", "signal SIGKILL"), or null while it runs. */
  get exitStatus(): string | null {
    return this.exited;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** What the server printed (log level warn), last 16 KiB. */
  get log(): string {
    return this.logTail;
  }

  /**
   * Creates the data dir (under `parent`, default the temporary directory) and, unless
   * `opts.addUser` is false (a second node of a shared PostgreSQL store), the account; starts
   * `facteur serve` on `opts.store` (default sqlite in the data dir), waits for the port.
   */
  static async start(user: string, pass: string, parent = tmpdir(), opts: ServerOptions = {}): Promise<ServerProcess> {
    const dataDir = mkdtempSync(join(parent, 'facteur-bench-'));
    const storeArgs = opts.store !== undefined ? ['--store', opts.store] : [];
    try {
      if (opts.addUser !== false) {
        const add = await run(['user', 'add', user, '--data', dataDir, ...storeArgs], `${pass}\n`);
        if (add.code !== 0) throw new Error(`facteur user add failed (${add.code}): ${add.out.trim()}`);
      }
      const port = await freePort();
      const lmtpPort = await freePort();
      const child = spawn(
        process.execPath,
        [BIN, 'serve', '--data', dataDir, ...storeArgs, '--host', '127.0.0.1', '--imap-port', String(port), '--imaps-port', '0', '--lmtp-port', String(lmtpPort), '--managesieve-port', '0', '--allow-cleartext-auth', '--log-level', 'warn', ...(opts.extraArgs ?? [])],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const server = new ServerProcess(child, dataDir, port, lmtpPort);
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (!server.alive) {
          await server.stop();
          throw new Error(`facteur serve exited (${server.exited}) before listening: ${server.log.trim().slice(-2000)}`);
        }
        if (await canConnect(port)) break;
        if (Date.now() > deadline) {
          await server.stop();
          throw new Error(`facteur serve not accepting connections on port ${port} after 20 s: ${server.log.trim().slice(-2000)}`);
        }
        await sleep(50);
      }
      return server;
    } catch (e) {
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM), or NaN when unreadable. */
  statusKiB(field: 'VmRSS' | 'VmHWM'): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(status);
      return m ? Number(m[1]) : NaN;
    } catch {
      return NaN;
    }
  }

  rssKiB(): number {
    return this.statusKiB('VmRSS');
  }

  /** SIGTERM, then SIGKILL after 5 s; removes the data directory. */
  async stop(): Promise<void> {
    if (this.alive) {
      const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    this.cleanupSync();
  }

  private cleanupSync(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    process.off('exit', this.onExit);
    if (this.alive) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
