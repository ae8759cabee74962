// `facteur metadata` in-process through the real composition root (SQLite in a temporary data
// directory): the operator's server entries are set, listed, seen by a user's view of the server,
// and refused where clients' or configuration's entries are concerned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as root from '../main.js';
import { DEFAULT_CONFIG } from '../config/index.js';
import { runCli, type CliRun } from './run.test-support.js';

const run = (argv: string[]): Promise<CliRun> => runCli(argv);

test('facteur metadata set/list/del manage the server /shared entries users read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-metadata-cli-'));
  try {
    const d = ['--data', dir];
    assert.equal((await run(['metadata', 'set', '/shared/comment', 'Maintenance\nSunday', ...d])).code, 0);
    assert.equal((await run(['metadata', 'set', '/Shared/Vendor/facteur/motd', 'hello', ...d])).code, 0);
    const listed = await run(['metadata', 'list', ...d, '--metadata-admin', 'mailto:postmaster@example.com']);
    assert.equal(listed.code, 0);
    assert.equal(
      listed.out,
      '/shared/admin "mailto:postmaster@example.com"\n/shared/comment "Maintenance\\nSunday"\n/shared/vendor/facteur/motd "hello"\n',
    );
    // What a user sees of the server.
    const store = await root.openStore({ ...DEFAULT_CONFIG, dataDir: dir });
    try {
      const rec = await store.createAccount('alice', '{PLAIN}pw');
      const got = await store.getMetadata({ accountId: rec.id, name: 'alice' }, null, ['/shared/comment'], '0');
      assert.equal(got[0]?.value.toString(), 'Maintenance\nSunday');
    } finally {
      await store.close();
    }
    assert.equal((await run(['metadata', 'del', '/shared/comment', ...d])).code, 0);
    assert.equal((await run(['metadata', 'list', ...d])).out, '/shared/vendor/facteur/motd "hello"\n');
    for (const bad of [['set', '/private/x', 'v'], ['set', '/shared/admin', 'mailto:x@y'], ['set', '/shared/a*', 'v'], ['set', '/shared/x'], ['frob']]) {
      const r = await run(['metadata', ...bad, ...d]);
      assert.equal(r.code, 1, bad.join(' '));
      assert.match(r.err, /^facteur: /);
    }
    assert.match((await run(['help', 'metadata'])).out, /metadata set NAME VALUE/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
