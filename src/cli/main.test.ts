// In-process CLI tests against a real SQLite store in a temporary data directory. The server
// API is injected (the test may reach the backend directly; only src/main.ts picks one in
// production).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerApi } from './io.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { LocalChangeBus } from '../store/bus.js';
import { verifyPassword } from '../auth/passwords.js';
import { runCli, type CliRunOptions } from './run.test-support.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

function api(overrides: Partial<ServerApi> = {}): ServerApi {
  return {
    openStore: (config) => openSqliteStore({ dataDir: config.dataDir, bus: new LocalChangeBus() }),
    startServer: async () => {
      throw new Error('not in this test');
    },
    ...overrides,
  };
}

const run = (argv: string[], opts: CliRunOptions = {}): Promise<Run> => runCli(argv, { ...opts, server: opts.server ?? api() });

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'facteur-cli-'));
}

test('help lists commands, and serve --help lists every serve flag', async () => {
  const h = await run(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['serve', 'user add', 'user passwd', 'user del', 'user list', 'user import']) assert.match(h.out, new RegExp(c));
  const s = await run(['serve', '--help']);
  assert.equal(s.code, 0);
  for (const f of ['--data', '--host', '--imap-port', '--imaps-port', '--allow-cleartext-auth', '--tls-cert', '--tls-key', '--log-level', '--config', '--max-connections', '--max-connections-per-ip', '--workers']) {
    assert.ok(s.out.includes(f), f);
  }
  assert.equal((await run(['help', 'config'])).out.includes('FACTEUR_IMAP_PORT'), true);
  const none = await run([]);
  assert.equal(none.code, 1);
});

test('unknown commands and flags are one-line errors', async () => {
  const r = await run(['frobnicate']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^facteur: unknown command 'frobnicate'/);
  const f = await run(['user', 'list', '--bogus']);
  assert.equal(f.code, 1);
  assert.equal(f.err, "facteur: unknown option '--bogus' (see --help)\n");
});

test('user add / list / passwd / del against a data directory', async () => {
  const dir = await tempDir();
  try {
    let r = await run(['user', 'add', 'alice', '--data', dir], { stdin: 'pa ss word\nignored\n' });
    assert.equal(r.code, 0, r.err);
    r = await run(['user', 'add', 'bob@example.org', `--data=${dir}`], { stdin: 'x\r\n' });
    assert.equal(r.code, 0, r.err);
    r = await run(['user', 'add', 'alice', '--data', dir], { stdin: 'other\n' });
    assert.deepEqual([r.code, r.err], [1, 'facteur: account alice already exists\n']);
    r = await run(['user', 'add', 'bad name', '--data', dir], { stdin: 'x\n' });
    assert.equal(r.code, 1);
    assert.match(r.err, /invalid account name "bad name": account name contains whitespace/);
    r = await run(['user', 'add', 'carol', '--data', dir], { stdin: '' });
    assert.deepEqual([r.code, r.err], [1, 'facteur: empty password refused\n']);
    r = await run(['user', 'list', '--data', dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.trim().split('\n').sort(), ['alice', 'bob@example.org']);

    const store = await api().openStore({ dataDir: dir } as Parameters<ServerApi['openStore']>[0]);
    const alice = await store.getAccount('alice');
    await store.close();
    assert.ok(alice !== null && alice.passwordHash.startsWith('{SCRYPT}'));
    assert.equal(await verifyPassword(alice.passwordHash, 'pa ss word'), true);

    r = await run(['user', 'passwd', 'alice', '--data', dir], { stdin: 'new\n' });
    assert.equal(r.code, 0, r.err);
    r = await run(['user', 'passwd', 'nobody', '--data', dir], { stdin: 'new\n' });
    assert.deepEqual([r.code, r.err], [1, 'facteur: no account named nobody\n']);
    r = await run(['user', 'del', 'alice', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    r = await run(['user', 'del', 'alice', '--data', dir]);
    assert.deepEqual([r.code, r.err], [1, 'facteur: no account named alice\n']);
    r = await run(['user', 'list'], { env: { FACTEUR_DATA: dir } });
    assert.equal(r.out, 'bob@example.org\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('user import: 1,000 users in one batch, reporting malformed lines and skips', async () => {
  const dir = await tempDir();
  try {
    const lines = ['# exported from dovecot', ''];
    for (let i = 0; i < 1000; i++) lines.push(`user${i}@example.org:{SHA256-CRYPT}$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA:1000:1000::/home/u${i}::`);
    lines.push('broken line');
    lines.push('des:{CRYPT}abNANd1rDfiNc');
    lines.push('weird:{NOPE}x');
    lines.push('user5@example.org:{PLAIN}dup');
    const file = join(dir, 'passwd');
    await writeFile(file, lines.join('\n') + '\n');
    const started = Date.now();
    let r = await run(['user', 'import', file, '--data', dir]);
    assert.ok(Date.now() - started < 20_000);
    assert.equal(r.code, 1);
    assert.match(r.out, /1000 created, 0 skipped \(already exist\), 4 malformed/);
    assert.match(r.err, /passwd:1003: expected user:password/);
    assert.match(r.err, /passwd:1004: des: password scheme CRYPT: DES-based crypt is obsolete/);
    assert.match(r.err, /passwd:1005: weird: password scheme NOPE: unknown password scheme/);
    assert.match(r.err, /passwd:1006: duplicate of line 8/);
    await writeFile(file, 'user1@example.org:{PLAIN}a\nnew:{PLAIN}b\n');
    r = await run(['user', 'import', file, '--data', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1 created, 1 skipped/);
    assert.match(r.err, /skipped user1@example.org/);
    r = await run(['user', 'import', join(dir, 'missing'), '--data', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^facteur: cannot read .*missing \(ENOENT\)\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('serve: starts, logs a hint when there are no accounts, closes on the shutdown signal', async () => {
  const dir = await tempDir();
  try {
    let closed = false;
    const server = api({
      startServer: async () => ({
        close: async () => {
          closed = true;
        },
      }),
    });
    let log = '';
    const r = await run(['serve', '--data', dir], { server, logDestination: { write: (s: string) => (log += s) } });
    assert.equal(r.code, 0, r.err);
    assert.equal(closed, true);
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    assert.ok(lines.some((l) => l.msg === `no accounts yet: create one with \`facteur user add NAME --data ${dir}\``), log);
    assert.ok(lines.some((l) => l.msg === 'shutting down'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('serve: a listen error is one line naming the port and the fix', async () => {
  const dir = await tempDir();
  try {
    const fail = (code: string, port: number): ServerApi =>
      api({
        startServer: async () => {
          throw Object.assign(new Error(`listen ${code}`), { code, port });
        },
      });
    let r = await run(['serve', '--data', dir, '--log-level', 'silent'], { server: fail('EACCES', 143) });
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'facteur: cannot listen on 0.0.0.0:143 (permission denied): ports below 1024 need root or CAP_NET_BIND_SERVICE; use --imap-port 1143, or grant the capability\n',
    );
    r = await run(['serve', '--data', dir, '--log-level', 'silent', '--imaps-port', '1993'], { server: fail('EADDRINUSE', 1993) });
    assert.equal(r.code, 1);
    assert.match(r.err, /^facteur: cannot listen on 0\.0\.0\.0:1993 \(address already in use\).*--imaps-port\n$/);
    r = await run(['serve', '--data', dir, '--log-level', 'silent'], { server: fail('EADDRINUSE', 4190) });
    assert.match(r.err, /^facteur: cannot listen on 0\.0\.0\.0:4190 \(address already in use\).*--managesieve-port\n$/);
    r = await run(['serve', '--data', dir, '--imap-port', 'abc']);
    assert.equal(r.err, "facteur: --imap-port: expected a port number 0-65535, got 'abc'\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
