// In-process tests of `facteur quota` against a real SQLite store in a temporary data directory
// (the server API is injected, as in main.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerApi } from './io.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { LocalChangeBus } from '../store/bus.js';
import { runCli, type CliRun } from './run.test-support.js';

const api: ServerApi = {
  openStore: (config) => openSqliteStore({ dataDir: config.dataDir, bus: new LocalChangeBus() }),
  startServer: async () => {
    throw new Error('not in this test');
  },
};

const run = (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runCli(argv, { env, server: api });

test('quota get / set / list: limits per account over the operator defaults, with usage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-cli-'));
  try {
    const store = await api.openStore({ dataDir: dir } as Parameters<ServerApi['openStore']>[0]);
    const alice = await store.createAccount('alice', '{PLAIN}x');
    await store.createAccount('bob', '{PLAIN}y');
    const content = Buffer.from('Subject: hi\r\n\r\nhello\r\n');
    await store.append({ accountId: alice.id, name: 'alice' }, 'INBOX', [{ content, flags: [], internalDate: 0, meta: '' }]);
    await store.close();

    let r = await run(['quota', 'get', 'alice', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      'alice\n' +
        `  storage    ${content.length} octets          limit unlimited (default)\n` +
        '  messages   1                  limit unlimited (default)\n' +
        '  mailboxes  6                  limit unlimited (default)\n',
    );

    r = await run(['quota', 'set', 'alice', 'storage=1G', 'messages=10000', 'mailboxes=100', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /storage {4}\d+ octets +limit 1G \(account\)/);
    assert.match(r.out, /messages {3}1 +limit 10000 \(account\)/);
    assert.match(r.out, /mailboxes {2}6 +limit 100 \(account\)/);

    // The operator defaults show where an account has no setting of its own.
    r = await run(['quota', 'set', 'alice', 'messages=default', 'MAILBOX=none', '--data', dir, '--quota-messages', '500']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /messages {3}1 +limit 500 \(default\)/);
    assert.match(r.out, /mailboxes {2}6 +limit unlimited \(account\)/);

    r = await run(['quota', 'list', '--data', dir], { FACTEUR_QUOTA_STORAGE: '512M' });
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n').map((l) => l.split(/ +/));
    assert.deepEqual(lines, [
      ['ACCOUNT', 'STORAGE', 'LIMIT', 'MESSAGES', 'LIMIT', 'MAILBOXES', 'LIMIT'],
      ['alice', String(content.length), '1G', '1', '-', '6', '-'],
      ['bob', '0', '512M', '0', '-', '6', '-'],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('quota set: each bad argument is named, and nothing is changed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-cli-'));
  try {
    const store = await api.openStore({ dataDir: dir } as Parameters<ServerApi['openStore']>[0]);
    await store.createAccount('alice', '{PLAIN}x');
    await store.close();
    const cases: Array<[string[], RegExp]> = [
      [['alice', 'storage=lots'], /storage: expected a size such as 500M or 2G, none or default, got 'lots'/],
      [['alice', 'messages=1.5'], /messages: expected a whole number, none or default, got '1.5'/],
      [['alice', 'messages=-1'], /messages: expected a whole number/],
      [['alice', 'flags=3'], /unknown quota resource 'flags' \(expected storage, messages or mailboxes\)/],
      [['alice', 'storage'], /expected RESOURCE=VALUE, got 'storage'/],
      [['alice', 'storage=1G', 'storage=2G'], /storage is given twice/],
      [['alice'], /expected NAME and at least one RESOURCE=VALUE/],
      [['nobody', 'storage=1G'], /no account named nobody/],
      [['alice', 'messages=5', 'storage=x'], /storage: expected a size/],
    ];
    for (const [args, re] of cases) {
      const r = await run(['quota', 'set', ...args, '--data', dir]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, re);
    }
    const g = await run(['quota', 'get', 'alice', '--data', dir]);
    assert.match(g.out, /messages {3}0 +limit unlimited \(default\)/);
    assert.deepEqual(await run(['quota', 'get', 'nobody', '--data', dir]).then((r) => [r.code, r.err]), [1, 'facteur: no account named nobody\n']);
    assert.match((await run(['quota', 'frob', '--data', dir])).err, /unknown quota command 'frob'/);
    assert.match((await run(['quota', 'get', '--data', dir])).err, /expected one account NAME/);
    const help = await run(['help', 'quota']);
    assert.match(help.out, /quota set NAME RES=VALUE/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("quota set '#shared': the owner of Shared/ mailboxes gets limits, created on first use", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-cli-'));
  try {
    let r = await run(['quota', 'get', '#shared', '--data', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no account named #shared/);
    r = await run(['quota', 'set', '#shared', 'storage=10M', 'mailboxes=50', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^#shared\n/);
    assert.match(r.out, /storage {4}0 octets +limit 10M \(account\)/);
    assert.match(r.out, /mailboxes {2}1 +limit 50 \(account\)/);
    r = await run(['quota', 'get', '#shared', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /limit 10M \(account\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
