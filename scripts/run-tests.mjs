// Runs every compiled test file (dist/**/*.test.js) with node's test runner, two at a time (2 cores).
//
// Without arguments (npm test), three passes:
//   1. every test file except dist/test/isolated/, as configured by the environment (SQLite
//      unless FACTEUR_TEST_STORE says otherwise);
//   2. the protocol suites (the files of the protocol directories that start servers through
//      test/support/server.ts's startTestServer) again on PostgreSQL with two nodes behind round-robin forwarders (FACTEUR_TEST_STORE=postgres
//      FACTEUR_TEST_NODES=2), skipped loudly when no PostgreSQL server answers;
//   3. dist/test/isolated/, one file at a time after everything else: these tests stop and start
//      a PostgreSQL server and must not share the machine with other tests.
// With arguments (substrings of compiled paths), one pass over the matching files, isolated ones
// last and sequentially. FACTEUR_TEST_SKIP_CLUSTER_PASS=1 leaves out pass 2.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const PROTOCOL_DIRS = ['dist/test/imap/', 'dist/test/lmtp/', 'dist/test/managesieve/', 'dist/test/integration/', 'dist/test/delivery/'];
const ISOLATED_DIR = 'dist/test/isolated/';
const PG_SERVER = process.env.FACTEUR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function run(label, files, env = {}, concurrency = 2) {
  if (files.length === 0) return 0;
  const started = Date.now();
  if (label !== null) console.log(`\nrun-tests: ${label} (${files.length} files)`);
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (label !== null) console.log(`run-tests: ${label}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  return r.status ?? 1;
}

async function postgresReachable() {
  const c = new pg.Client({ connectionString: PG_SERVER, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const filter = process.argv.slice(2);
let files = walk('dist', []).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) { console.error('run-tests: no test files found under dist/'); process.exit(1); }
const isolated = files.filter((f) => f.startsWith(ISOLATED_DIR));
const rest = files.filter((f) => !f.startsWith(ISOLATED_DIR));

const statuses = [];
if (filter.length > 0) {
  statuses.push(run(isolated.length > 0 && rest.length > 0 ? 'selected tests' : null, rest));
} else {
  statuses.push(run('pass 1: every test', rest));
  if (process.env.FACTEUR_TEST_SKIP_CLUSTER_PASS === '1') {
    console.log('\nrun-tests: pass 2 skipped (FACTEUR_TEST_SKIP_CLUSTER_PASS=1)');
  } else if (!(await postgresReachable())) {
    console.log(`\nrun-tests: pass 2 SKIPPED: no PostgreSQL server at ${PG_SERVER}`);
  } else {
    // Files that never call startTestServer (the CLI workers tests, the delivery agent on its own
    // SQLite directory) would only repeat pass 1.
    const protocol = rest.filter((f) => PROTOCOL_DIRS.some((d) => f.startsWith(d)) && readFileSync(f, 'utf8').includes('startTestServer'));
    statuses.push(run('pass 2: protocol suites on PostgreSQL, 2 nodes', protocol, { FACTEUR_TEST_STORE: 'postgres', FACTEUR_TEST_NODES: '2' }));
  }
}
statuses.push(run(isolated.length > 0 && rest.length > 0 ? 'isolated tests, one at a time' : null, isolated, {}, 1));
process.exit(statuses.every((s) => s === 0) ? 0 : 1);
