/**
 * `facteur serve --workers N`: the real CLI (bin/facteur.js, built into dist/) as a primary with
 * worker processes sharing the ports (src/cli/cluster.ts).
 *
 * Checked here: an IDLE served by one worker sees, within 1 s, an APPEND made through another
 * worker (the SQLite change feed, docs/decisions/0001); SIGTERM to the primary drains every
 * worker (BYE) and exits 0; a killed worker is replaced and a crash loop ends with exit 1; a
 * listen error is one line and exit 1; --workers 0 / abc are one-line CLI errors.
 * The same with `--store postgres://...` (the LISTEN/NOTIFY bus between workers, a NOOP in one
 * worker seeing a STORE made through the other, a killed worker replaced, `db check` clean),
 * skipped loudly without a PostgreSQL server.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/main.js';
import { DEFAULT_CONFIG } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { freePort, USER, PASS } from '../support/server.js';
import { TestClient, waitForLine } from '../support/transcript.js';
import { createScratchDatabase, createScratchSchema, serverReachable } from '../../src/store/postgres/scratch-database.js';

const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgSkip = (await serverReachable(PG_SERVER)) ? false : `no PostgreSQL server at ${PG_SERVER}`;
const pgDatabase = pgSkip === false ? await createScratchDatabase(PG_SERVER) : null;
after(async () => {
  await pgDatabase?.drop();
});

/** This file runs as dist/test/integration/workers.test.js. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'facteur.js');

interface LogLine {
  msg: string;
  worker?: number;
  pid?: number;
  cmd?: string;
  [k: string]: unknown;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A `facteur` process with its output collected: JSON log lines and other stderr lines apart. */
class Cli {
  readonly logs: LogLine[] = [];
  stderrText = '';
  stdoutText = '';
  private partial = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdoutText += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderrText += d;
      const lines = (this.partial + d).split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('{')) this.logs.push(JSON.parse(l) as LogLine);
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static spawn(args: string[]): Cli {
    return new Cli(spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Non-JSON stderr lines (the CLI's own "facteur: ..." messages). */
  get errorLines(): string[] {
    return this.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  }

  async waitLog(pred: (l: LogLine) => boolean, what: string, timeoutMs = 20_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.slice(from).find(pred);
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`no log line ${what}; stderr:\n${this.stderrText.slice(-4000)}`);
      }
      await sleep(20);
    }
  }

  /** The exit status, failing (and killing the process) after timeoutMs. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dataDirWithUser(store_ = 'sqlite'): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-workers-'));
  const store = await openStore({ ...DEFAULT_CONFIG, dataDir, store: store_ });
  await store.createAccount(USER, await hashPassword(PASS));
  await store.close();
  return dataDir;
}

async function serveWorkers(dataDir: string, n: number, extra: string[] = []): Promise<{ cli: Cli; port: number }> {
  const port = await freePort();
  const imapsPort = await freePort();
  const cli = Cli.spawn([
    'serve', '--workers', String(n), '--data', dataDir, '--host', '127.0.0.1', '--imap-port', String(port),
    '--imaps-port', String(imapsPort), '--lmtp-port', '0', '--managesieve-port', '0', '--allow-cleartext-auth', ...extra,
  ]);
  return { cli, port };
}

/**
 * Both clients log in; `idler` IDLEs on an empty INBOX and hears, within a second, the message
 * `writer` appends (through another worker). Leaves `idler` in IDLE, tagged I1.
 */
async function idleHearsAppend(idler: TestClient, writer: TestClient): Promise<void> {
  await idler.login(USER, PASS);
  await writer.login(USER, PASS);
  assert.match((await idler.command('SELECT INBOX')).untagged.join('\n'), /\* 0 EXISTS/);
  idler.write('I1 IDLE\r\n');
  assert.match(await idler.readLine(), /^\+ /);
  const r = await writer.command('APPEND INBOX {21+}\r\nSubject: x\r\n\r\nhello\r\n');
  assert.match(r.tagged, /OK \[APPENDUID \d+ 1\]/);
  assert.equal(await readUntil(idler, /EXISTS/, 1000), '* 1 EXISTS');
}

/** The first line matching `re` within `timeoutMs` (the lines before it are dropped). */
const readUntil = async (c: TestClient, re: RegExp, timeoutMs: number): Promise<string> => (await waitForLine(c, re, timeoutMs)).line;

/** Which worker serves c: a distinctive NOOP, then the debug log line that names it. */
async function workerOf(cli: Cli, c: TestClient, probe: string): Promise<number> {
  c.write(`${probe} NOOP\r\n`);
  await c.readUntilTagged(probe);
  const line = await cli.waitLog((l) => l.msg === 'command' && typeof l.cmd === 'string' && l.cmd.startsWith(`${probe} `), `for ${probe}`);
  return line.worker as number;
}

/**
 * Two connections served by different workers: round-robin hands consecutive connections to
 * alternate workers, so connect until the second one sits in another process than the first.
 */
async function clientsInTwoWorkers(cli: Parameters<typeof workerOf>[0], port: number, clients: TestClient[]): Promise<{ idler: TestClient; writer: TestClient; idlerWorker: number }> {
  const idler = await TestClient.connect(port);
  clients.push(idler);
  const idlerWorker = await workerOf(cli, idler, 'P0');
  let writer: TestClient | undefined;
  for (let i = 1; i <= 8 && writer === undefined; i++) {
    const c = await TestClient.connect(port);
    clients.push(c);
    if ((await workerOf(cli, c, `P${i}`)) !== idlerWorker) writer = c;
  }
  assert.ok(writer !== undefined, 'every connection went to the same worker');
  return { idler, writer, idlerWorker };
}

test('--workers 0 and --workers abc are one-line CLI errors', async () => {
  for (const bad of ['0', 'abc']) {
    const cli = Cli.spawn(['serve', '--workers', bad, '--data', join(tmpdir(), 'facteur-never-created')]);
    const r = await cli.exit(20_000);
    assert.equal(r.code, 1);
    assert.equal(cli.stderrText, `facteur: --workers: expected a number of worker processes 1-64 or 'auto', got '${bad}'\n`);
  }
});

test('two workers: IDLE on one sees an APPEND through the other within 1 s; SIGTERM drains both and exits 0', async () => {
  const dataDir = await dataDirWithUser();
  const { cli, port } = await serveWorkers(dataDir, 2, ['--log-level', 'debug']);
  const clients: TestClient[] = [];
  try {
    await cli.waitLog((l) => l.msg === 'facteur started' && l.workers === 2, "'facteur started'");
    const pids = cli.logs.filter((l) => l.msg === 'worker started').map((l) => l.pid as number);
    assert.equal(pids.length, 2);

    const { idler, writer } = await clientsInTwoWorkers(cli, port, clients);

    await idleHearsAppend(idler, writer);

    cli.child.kill('SIGTERM');
    assert.equal(await readUntil(idler, /^\* BYE/, 10_000), '* BYE Server shutting down');
    assert.equal(await readUntil(writer, /^\* BYE/, 10_000), '* BYE Server shutting down');
    const exit = await cli.exit(20_000);
    assert.deepEqual(exit, { code: 0, signal: null }, cli.stderrText.slice(-3000));
    assert.equal(cli.logs.filter((l) => l.msg === 'stopped' && l.worker !== undefined).length, 2);
    assert.ok(cli.logs.some((l) => l.msg === 'stopped' && l.worker === undefined), 'the primary logs stopped');
    for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} still running`);
  } finally {
    for (const c of clients) c.close();
    cli.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a killed worker is replaced in its slot; five crashes within 30 s stop the server with exit 1', async () => {
  const dataDir = await dataDirWithUser();
  const { cli, port } = await serveWorkers(dataDir, 2);
  try {
    await cli.waitLog((l) => l.msg === 'facteur started', "'facteur started'");
    const first = await cli.waitLog((l) => l.msg === 'worker started' && l.worker === 1, 'worker 1 started');
    let victim = first.pid as number;
    for (let crash = 1; crash <= 5; crash++) {
      const mark = cli.logs.length;
      process.kill(victim, 'SIGKILL');
      if (crash === 5) break;
      const restart = await cli.waitLog((l) => l.msg === 'worker exited unexpectedly; restarting it', `restart after crash ${crash}`, 20_000, mark);
      assert.deepEqual([restart.worker, restart.signal], [1, 'SIGKILL']);
      const next = await cli.waitLog((l) => l.msg === 'worker started' && l.worker === 1, `replacement ${crash}`, 20_000, mark);
      victim = next.pid as number;
      if (crash === 1) {
        // The replacement serves clients again.
        await cli.waitLog((l) => l.msg === 'IMAP listening (STARTTLS)' && l.worker === 1, 'replacement listening', 20_000, mark);
        for (let i = 0; i < 2; i++) {
          const c = await TestClient.connect(port);
          await c.login(USER, PASS);
          c.close();
        }
      }
    }
    const exit = await cli.exit(30_000);
    assert.equal(exit.code, 1, cli.stderrText.slice(-3000));
    assert.deepEqual(cli.errorLines, [
      'facteur: workers exited unexpectedly 5 times within 30 s (last: worker 1, signal SIGKILL); see the log above',
    ]);
    assert.ok(cli.logs.some((l) => l.msg === 'worker exited unexpectedly; giving up'));
  } finally {
    cli.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a listen error in the workers is one line naming the port and the fix, exit 1', async () => {
  const dataDir = await dataDirWithUser();
  const blocker = createServer();
  const taken = await new Promise<number>((resolve) =>
    blocker.listen(0, '127.0.0.1', () => {
      const a = blocker.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
  const cli = Cli.spawn([
    'serve', '--workers', '2', '--data', dataDir, '--host', '127.0.0.1', '--imap-port', String(taken), '--imaps-port', '0', '--lmtp-port', '0', '--log-level', 'silent',
  ]);
  try {
    const exit = await cli.exit(30_000);
    assert.equal(exit.code, 1);
    assert.deepEqual(cli.errorLines, [
      `facteur: cannot listen on 127.0.0.1:${taken} (address already in use): another server is using port ${taken}; stop it or choose another port with --imap-port`,
    ]);
  } finally {
    cli.child.kill('SIGKILL');
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two workers on PostgreSQL: IDLE and NOOP in one see changes made through the other; a killed worker is replaced; SIGTERM exits 0; db check clean', { skip: pgSkip }, async () => {
  const url = (await createScratchSchema(pgDatabase!.url)).url;
  const dataDir = await dataDirWithUser(url);
  const { cli, port } = await serveWorkers(dataDir, 2, ['--store', url, '--log-level', 'debug']);
  const clients: TestClient[] = [];
  try {
    await cli.waitLog((l) => l.msg === 'facteur started' && l.workers === 2, "'facteur started'");
    const { idler, writer, idlerWorker } = await clientsInTwoWorkers(cli, port, clients);
    await idleHearsAppend(idler, writer);
    idler.write('DONE\r\n');
    await readUntil(idler, /^I1 OK/, 5000);
    // The poll right after another worker's acknowledged change reports it (the bus barrier).
    assert.match((await writer.command('SELECT INBOX')).tagged, / OK /);
    assert.match((await writer.command('STORE 1 +FLAGS (\\Flagged)')).tagged, / OK /);
    assert.ok((await idler.command('NOOP')).untagged.some((l) => /^\* 1 FETCH \(.*FLAGS \(.*\\Flagged/.test(l)), 'NOOP shows the flag');

    // A killed worker is replaced; the store is the same for the replacement.
    const victim = cli.logs.find((l) => l.msg === 'worker started' && l.worker === idlerWorker)!.pid as number;
    const mark = cli.logs.length;
    process.kill(victim, 'SIGKILL');
    await cli.waitLog((l) => l.msg === 'worker started' && l.worker === idlerWorker, 'the replacement', 20_000, mark);
    await cli.waitLog((l) => l.msg === 'IMAP listening (STARTTLS)' && l.worker === idlerWorker, 'replacement listening', 20_000, mark);
    for (let i = 0; i < 2; i++) {
      const c = await TestClient.connect(port);
      clients.push(c);
      await c.login(USER, PASS);
      assert.match((await c.command('STATUS INBOX (MESSAGES)')).untagged.join('\n'), /MESSAGES 1\)/);
    }

    cli.child.kill('SIGTERM');
    const exit = await cli.exit(20_000);
    assert.deepEqual(exit, { code: 0, signal: null }, cli.stderrText.slice(-3000));
    const check = Cli.spawn(['db', 'check', '--store', url, '--data', dataDir]);
    const checked = await check.exit(20_000);
    assert.equal(checked.code, 0, check.stderrText + check.stdoutText);
  } finally {
    for (const c of clients) c.close();
    cli.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
