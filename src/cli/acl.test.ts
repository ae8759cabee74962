// `facteur acl` through the CLI entry, against a real SQLite store wrapped in the domain layer
// (as main.ts does), in a temporary data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerApi } from './io.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { LocalChangeBus } from '../store/bus.js';
import { domainStore } from '../store/domain.js';
import { runCli, type CliRun } from './run.test-support.js';

const server: ServerApi = {
  openStore: async (config) => domainStore(await openSqliteStore({ dataDir: config.dataDir, bus: new LocalChangeBus() })),
  startServer: async () => {
    throw new Error('not in this test');
  },
};

const run = (argv: string[], stdin = ''): Promise<CliRun> => runCli(argv, { stdin, server });

test('facteur acl: set, get, list, delete, create Shared/ mailboxes, and messages naming bad input', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-acl-cli-'));
  try {
    for (const u of ['alice', 'bob']) assert.equal((await run(['user', 'add', u, '--data', dir], 'pw\n')).code, 0);
    let r = await run(['acl', 'set', 'alice', 'INBOX', 'bob', 'lrs', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'alice INBOX: bob lrs\n']);
    r = await run(['acl', 'set', 'alice', 'INBOX', 'bob', '+cd', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'alice INBOX: bob lrskxtecd\n']);
    r = await run(['acl', 'get', 'alice', 'INBOX', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'alice lrswipkxteacd\nbob lrskxtecd\n']);
    r = await run(['acl', 'list', 'bob', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'Other Users/alice/INBOX lrskxtecd\n']);
    r = await run(['acl', 'delete', 'alice', 'INBOX', 'bob', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'alice INBOX: removed bob\n']);
    assert.equal((await run(['acl', 'list', 'bob', '--data', dir])).out, '');

    r = await run(['acl', 'create', 'Shared/Team', '--data', dir]);
    assert.equal(r.code, 0, r.err);
    r = await run(['acl', 'set', 'Shared/Team', 'anyone', 'lrsi', '--data', dir]);
    assert.deepEqual([r.code, r.out], [0, 'Shared/Team: anyone lrsi\n']);
    assert.equal((await run(['acl', 'list', 'alice', '--data', dir])).out, 'Shared/Team lrsi\n');
    assert.equal((await run(['acl', 'get', 'Shared/Team', '--data', dir])).out, 'anyone lrsi\n');
    // The internal owner is no user: not listed, cannot be created, changed or logged in as.
    assert.equal((await run(['user', 'list', '--data', dir])).out, 'alice\nbob\n');
    r = await run(['user', 'add', '#shared', '--data', dir], 'pw\n');
    assert.equal(r.code, 1);
    assert.match(r.err, /reserved/);
    r = await run(['user', 'add', 'a/b', '--data', dir], 'pw\n');
    assert.match(r.err, /contains '\/'/);

    const bad: Array<[string[], RegExp]> = [
      [['acl', 'set', 'alice', 'INBOX', 'bob', 'lrQ'], /invalid rights "lrQ": Uppercase rights are not allowed/],
      [['acl', 'set', 'alice', 'INBOX', 'bob', 'lrz'], /invalid rights "lrz": The "z" right is not supported/],
      [['acl', 'set', 'alice', 'INBOX', 'nobody', 'lr'], /Unknown identifier "nobody"/],
      [['acl', 'set', 'alice', 'INBOX', 'alice', 'lr'], /owner always has all rights/],
      [['acl', 'get', 'alice', 'Nope'], /no mailbox alice Nope/],
      [['acl', 'get', 'nobody', 'INBOX'], /no account nobody/],
      [['acl', 'get', 'alice'], /missing MAILBOX after alice/],
      [['acl', 'set', 'alice', 'INBOX', 'bob'], /missing RIGHTS/],
      [['acl', 'create', 'Team'], /name it Shared\/NAME/],
      [['acl', 'create', 'Shared/Team'], /already exists/],
      [['acl', 'frob'], /unknown acl command 'frob'/],
    ];
    for (const [argv, re] of bad) {
      r = await run([...argv, '--data', dir]);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.err, re, argv.join(' '));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
