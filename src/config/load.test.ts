import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, loadConfig, loadConfigWithArgs, configReference } from './index.js';

async function withToml<T>(toml: string, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-config-'));
  try {
    const file = join(dir, 'facteur.toml');
    await writeFile(file, toml);
    return await fn(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('defaults', async () => {
  assert.deepEqual(await loadConfig([], {}), { ...DEFAULT_CONFIG });
});

test('precedence: flag > env > TOML > default', async () => {
  await withToml('imap_port = 1143\nimaps_port = 1993\nhost = "127.0.0.1"\nlog_level = "debug"\ndata = "maildata"\n', async (file, dir) => {
    const fromFile = await loadConfig(['--config', file], {});
    assert.equal(fromFile.imapPort, 1143);
    assert.equal(fromFile.host, '127.0.0.1');
    assert.equal(fromFile.logLevel, 'debug');
    assert.equal(fromFile.dataDir, join(dir, 'maildata'), 'relative paths in the file resolve against it');
    assert.equal(fromFile.configFile, file);

    const env = { FACTEUR_CONFIG: file, FACTEUR_IMAP_PORT: '2143', FACTEUR_LOG_LEVEL: 'warn', FACTEUR_HOST: '' };
    const fromEnv = await loadConfig([], env);
    assert.deepEqual([fromEnv.imapPort, fromEnv.imapsPort, fromEnv.logLevel, fromEnv.host], [2143, 1993, 'warn', '127.0.0.1']);

    const fromFlags = await loadConfig(['--imap-port=3143', '--log-level', 'error', '--data', 'd'], env);
    assert.deepEqual([fromFlags.imapPort, fromFlags.logLevel, fromFlags.dataDir], [3143, 'error', 'd']);
  });
});

test('booleans', async () => {
  assert.equal((await loadConfig(['--allow-cleartext-auth'], {})).allowCleartextAuth, true);
  assert.equal((await loadConfig(['--allow-cleartext-auth=false'], { FACTEUR_ALLOW_CLEARTEXT_AUTH: '1' })).allowCleartextAuth, false);
  assert.equal((await loadConfig([], { FACTEUR_ALLOW_CLEARTEXT_AUTH: 'yes' })).allowCleartextAuth, true);
  await assert.rejects(loadConfig([], { FACTEUR_ALLOW_CLEARTEXT_AUTH: 'maybe' }), /FACTEUR_ALLOW_CLEARTEXT_AUTH: expected true or false, got 'maybe'/);
  await withToml('allow_cleartext_auth = true\n', async (file) => {
    assert.equal((await loadConfig(['--config', file], {})).allowCleartextAuth, true);
  });
});

test('errors name the option and the problem', async () => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--imap-port', 'abc'], {}, /^--imap-port: expected a port number 0-65535, got 'abc'$/],
    [['--imaps-port=70000'], {}, /^--imaps-port: expected a port number 0-65535, got '70000'$/],
    [[], { FACTEUR_IMAP_PORT: '-1' }, /^FACTEUR_IMAP_PORT: expected a port number/],
    [['--frob'], {}, /^unknown option '--frob'/],
    [['--data'], {}, /^--data: expected a value/],
    [['--tls-cert', 'c.pem'], {}, /^--tls-cert given without --tls-key/],
    [[], { FACTEUR_TLS_KEY: 'k.pem' }, /^FACTEUR_TLS_KEY given without --tls-cert/],
    [['--imap-port', '0', '--imaps-port', '0'], {}, /at least one listener/],
    [['--log-level', 'loud'], {}, /^--log-level: expected one of trace, debug/],
    [['--max-connections', '0'], {}, /^--max-connections: expected a positive whole number/],
    [['extra'], {}, /^unexpected argument 'extra'$/],
    [['--config', '/nonexistent/facteur.toml'], {}, /^--config: cannot read \/nonexistent\/facteur.toml \(ENOENT\)$/],
  ];
  for (const [argv, env, re] of cases) {
    await assert.rejects(loadConfig(argv, env), (e: unknown) => e instanceof ConfigError && re.test(e.message), argv.join(' '));
  }
  await withToml('imap_prot = 1\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /unknown key 'imap_prot'/);
  });
  await withToml('imap_port = "143"\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /imap_port in .*: expected a number, got '143'/);
  });
  await withToml('imap_port = [1]\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /imap_port in .*: expected a number/);
  });
  await withToml('imap_port = 99999\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /imap_port in .*: expected a port number 0-65535, got 99999/);
  });
  await withToml('imap_port = \n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /invalid TOML/);
  });
});

test('workers: 1-64 or auto (resolved to the usable CPUs, at most 64), from flag, env and TOML', async () => {
  assert.equal((await loadConfig([], {})).workers, 1);
  assert.equal((await loadConfig(['--workers', '4'], {})).workers, 4);
  assert.equal((await loadConfig([], { FACTEUR_WORKERS: '64' })).workers, 64);
  assert.equal((await loadConfig(['--workers=auto'], {})).workers, Math.min(64, availableParallelism()));
  for (const bad of ['0', '65', 'abc', '-1', '2.5']) {
    await assert.rejects(
      loadConfig([`--workers=${bad}`], {}),
      (e: unknown) => e instanceof ConfigError && e.message === `--workers: expected a number of worker processes 1-64 or 'auto', got '${bad}'`,
      bad,
    );
  }
  await withToml('workers = 3\n', async (file) => assert.equal((await loadConfig(['--config', file], {})).workers, 3));
  await withToml('workers = "auto"\n', async (file) => assert.ok((await loadConfig(['--config', file], {})).workers >= 1));
  await withToml('workers = 0\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /workers in .*: expected a number of worker processes 1-64 or 'auto', got 0/);
  });
  await withToml('workers = true\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), /workers in .*: expected a number or 'auto', got true/);
  });
});

test('positionals and "--"', async () => {
  const r = await loadConfigWithArgs(['add', '--data', 'x', '--', '--weird-name'], {});
  assert.deepEqual(r.positionals, ['add', '--weird-name']);
  assert.equal(r.config.dataDir, 'x');
});

test('the reference mentions every flag, variable and key', () => {
  const ref = configReference();
  for (const s of ['--imap-port', 'FACTEUR_IMAPS_PORT', 'allow_cleartext_auth', 'tls_key', 'FACTEUR_CONFIG']) assert.ok(ref.includes(s), s);
});

test('ManageSieve options: port (0 disables), script count and size quotas', async () => {
  const d = await loadConfig([], {});
  assert.equal(d.managesievePort, 4190);
  const c = await loadConfig(['--managesieve-port', '0', '--managesieve-max-scripts', '5'], { FACTEUR_MANAGESIEVE_MAX_SCRIPT_SIZE: '65536' });
  assert.equal(c.managesievePort, 0);
  assert.equal(c.managesieveMaxScripts, 5);
  assert.equal(c.managesieveMaxScriptSize, 65536);
  await assert.rejects(loadConfig(['--managesieve-max-script-size', '0'], {}), ConfigError);
  assert.ok(configReference().includes('managesieve_max_script_size'));
});

test('expunge history days: 0 (keep forever) to 36500, from flag, env and TOML; default 90', async () => {
  assert.equal((await loadConfig([], {})).expungeHistoryDays, 90);
  assert.equal((await loadConfig(['--expunge-history-days', '0'], {})).expungeHistoryDays, 0);
  assert.equal((await loadConfig([], { FACTEUR_EXPUNGE_HISTORY_DAYS: '30' })).expungeHistoryDays, 30);
  await withToml('expunge_history_days = 365\n', async (file) => {
    assert.equal((await loadConfig(['--config', file], {})).expungeHistoryDays, 365);
  });
  for (const bad of ['-1', '36501', 'ninety', '1.5', '']) {
    await assert.rejects(
      loadConfig([`--expunge-history-days=${bad}`], {}),
      (e: unknown) => e instanceof ConfigError && /--expunge-history-days/.test(e.message),
      bad,
    );
  }
});

test('quota options: sizes with units (0 = unlimited), counts, admins, over-quota mode, message limits', async () => {
  const d = await loadConfig([], {});
  assert.deepEqual([d.quotaStorage, d.quotaMessages, d.quotaMailboxes, d.quotaAdminUsers, d.quotaExceeded], [0, 0, 0, '', 'temporary']);
  assert.deepEqual([d.imapMessageLimit, d.imapSaveLimit], [1_000_000, null]);
  const c = await loadConfig(['--quota-storage', '2G', '--quota-messages', '0', '--quota-exceeded', 'permanent'], {
    FACTEUR_QUOTA_MAILBOXES: '250',
    FACTEUR_QUOTA_ADMIN_USERS: 'postmaster',
  });
  assert.deepEqual([c.quotaStorage, c.quotaMessages, c.quotaMailboxes, c.quotaAdminUsers, c.quotaExceeded], [2 * 1024 ** 3, 0, 250, 'postmaster', 'permanent']);
  assert.equal((await loadConfig(['--quota-storage', '512k'], {})).quotaStorage, 512 * 1024);
  assert.equal((await loadConfig(['--quota-storage', '1000'], {})).quotaStorage, 1000);
  await withToml('quota_storage = "10M"\nquota_messages = 5000\n', async (file) => {
    const t = await loadConfig(['--config', file], {});
    assert.deepEqual([t.quotaStorage, t.quotaMessages], [10 * 1024 ** 2, 5000]);
  });
  await withToml('quota_storage = 4096\n', async (file) => {
    assert.equal((await loadConfig(['--config', file], {})).quotaStorage, 4096);
  });
  for (const bad of [['--quota-storage', 'lots'], ['--quota-storage', '-1'], ['--quota-storage', '99999999999999999T'], ['--quota-messages', '-3'], ['--quota-messages', '1.5'], ['--quota-exceeded', 'maybe'], ['--imap-message-limit', '0'], ['--imap-save-limit', 'x']]) {
    await assert.rejects(loadConfig(bad, {}), ConfigError, bad.join(' '));
  }
  await assert.rejects(loadConfig(['--quota-storage', 'lots'], {}), /--quota-storage: expected a size in octets, or with K, M, G or T \(0 = unlimited\), got 'lots'/);
  for (const k of ['--quota-storage', 'FACTEUR_QUOTA_ADMIN_USERS', 'quota_exceeded', 'imap_message_limit', 'FACTEUR_IMAP_SAVE_LIMIT']) assert.ok(configReference().includes(k), k);
});

test('MESSAGELIMIT / SAVELIMIT (RFC 9738 §3): one or the other; both given is an error naming both', async () => {
  const m = await loadConfig(['--imap-message-limit', '500'], {});
  assert.deepEqual([m.imapMessageLimit, m.imapSaveLimit], [500, null]);
  const s = await loadConfig([], { FACTEUR_IMAP_SAVE_LIMIT: '2000' });
  assert.deepEqual([s.imapMessageLimit, s.imapSaveLimit], [1_000_000, 2000]);
  const both = (e: unknown): boolean => e instanceof ConfigError && /--imap-message-limit/.test(e.message) && /--imap-save-limit/.test(e.message);
  await assert.rejects(loadConfig(['--imap-message-limit', '5000', '--imap-save-limit', '5000'], {}), both);
  // From different sources, named as the user wrote them.
  await assert.rejects(
    loadConfig(['--imap-save-limit', '5000'], { FACTEUR_IMAP_MESSAGE_LIMIT: '1000000' }),
    (e: unknown) => e instanceof ConfigError && /FACTEUR_IMAP_MESSAGE_LIMIT/.test(e.message) && /--imap-save-limit/.test(e.message),
  );
  await withToml('imap_message_limit = 3000\nimap_save_limit = 3000\n', async (file) => {
    await assert.rejects(loadConfig(['--config', file], {}), (e: unknown) => e instanceof ConfigError && /imap_message_limit in .*imap_save_limit in /.test(e.message));
  });
});

test('PostgreSQL pool options: defaults, flag, env and TOML; positive whole numbers only', async () => {
  const d = await loadConfig([], {});
  assert.deepEqual([d.pgPoolMax, d.pgConnectTimeout, d.pgIdleTimeout, d.pgStatementTimeout], [10, 5000, 30_000, 30_000]);
  const c = await loadConfig(['--pg-pool-max', '4', '--pg-connect-timeout=250'], { FACTEUR_PG_STATEMENT_TIMEOUT: '1000' });
  assert.deepEqual([c.pgPoolMax, c.pgConnectTimeout, c.pgStatementTimeout], [4, 250, 1000]);
  await withToml('pg_idle_timeout = 60000\npg_pool_max = 20\n', async (file) => {
    const t = await loadConfig(['--config', file], {});
    assert.deepEqual([t.pgIdleTimeout, t.pgPoolMax], [60_000, 20]);
  });
  for (const bad of ['0', '-1', 'ten', '']) {
    await assert.rejects(
      loadConfig([`--pg-pool-max=${bad}`], {}),
      (e: unknown) => e instanceof ConfigError && /--pg-pool-max/.test(e.message),
      bad,
    );
  }
  assert.ok(configReference().includes('pg_statement_timeout'));
});
