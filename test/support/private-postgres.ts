/**
 * A throw-away PostgreSQL server of our own (initdb into a temporary directory, on a free
 * loopback port), for tests that stop and start the database under load. Restarting the
 * machine's shared server instead would cut every other test's (and every other developer's)
 * connections; this one belongs to the test alone.
 *
 * Invariants:
 * - The binaries are those of the installed server (/usr/lib/postgresql/<newest>/bin); without
 *   them (or without a non-root user to run them as, when we are root) `available()` says why and
 *   the caller skips loudly.
 * - Trust authentication on 127.0.0.1 only; the Unix socket lives in the data directory.
 * - Commands run asynchronously: the servers under test share this process's event loop.
 * - destroy() stops the server (immediate mode) and removes the directory; it is idempotent.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const exec = promisify(execFile);
const ROOT = '/usr/lib/postgresql';
/** The OS user that owns the server's files when the tests run as root (postgres refuses root). */
const SERVER_USER = 'postgres';

export type StopMode = 'fast' | 'immediate';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  stop(mode: StopMode): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string | null {
  if (!existsSync(ROOT)) return null;
  const versions = readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(ROOT, versions[0]!, 'bin') : null;
}

async function serverUid(): Promise<{ uid: number; gid: number } | null> {
  try {
    const [uid, gid] = await Promise.all([exec('id', ['-u', SERVER_USER]), exec('id', ['-g', SERVER_USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

/** Why a private server cannot be started here, or null when it can. */
export async function unavailableReason(): Promise<string | null> {
  if (binDir() === null) return `no PostgreSQL binaries under ${ROOT}`;
  if (process.getuid?.() === 0 && (await serverUid()) === null) return `running as root and no '${SERVER_USER}' user to run PostgreSQL as`;
  return null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (bin === null) throw new Error(`no PostgreSQL binaries under ${ROOT}`);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await serverUid() : null;
  const dir = mkdtempSync(join(tmpdir(), 'facteur-pg-'));
  if (owner !== null) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (tool: string, args: string[]): Promise<unknown> =>
    asRoot ? exec('runuser', ['-u', SERVER_USER, '--', join(bin, tool), ...args]) : exec(join(bin, tool), args);
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = async (): Promise<void> => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  };
  await start();
  let gone = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop(mode) {
      await run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    start,
    async destroy() {
      if (gone) return;
      gone = true;
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
