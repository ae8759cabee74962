/**
 * Facteur benchmark: the real CLI as a separate server process, measured over loopback with a raw
 * pipelining client (bench/imap-client.ts).
 *
 *   npm run bench
 *
 * Phases (each reports an ERROR row instead of aborting the run):
 *   1. APPEND msgs/s, ~4 KB messages: 2,000 sequentially on one connection, 2,000 over 4 parallel
 *      connections (each APPEND waits for its tagged OK, i.e. for the fsync).
 *   2. UID FETCH 1:1000 BODY.PEEK[] of ~50 KB messages, one command: MB/s of literal payload.
 *   3. 10,000-message mailbox: SELECT, UID FETCH 1:* (FLAGS), four SEARCHes; median of 5 runs.
 *   4. Server RSS per idle authenticated connection (1,000 connections). Runs FIRST, on the
 *      freshly started server, so that heap grown by the other phases does not hide the cost.
 *   5. LMTP deliveries/s (RFC 2033), ~4 KB messages, each transaction waiting for its 250 (the
 *      message is durable): 1,000 on one connection and 1,000 over 4, without a Sieve script and
 *      then with a 20-rule script (bench/lmtp.ts).
 *   6. 100,000-message mailbox (bench/large-mailbox.ts; its own server, data on tmpfs when
 *      available, filled through the storage API): SORT ARRIVAL/DATE/SUBJECT/FROM and THREAD
 *      ORDEREDSUBJECT/REFERENCES/REFS over all messages; median of 3 runs.
 *   7. The same mailbox: SELECT (QRESYNC (v modseq)) after 1% flag changes and 1% expunges;
 *      median of 5 runs, next to a plain EXAMINE.
 *
 * Targets (bench/cluster.ts): SQLite, then PostgreSQL with one node, then with two nodes (two
 * server processes on one scratch database; client k on node k mod n). BENCH_STORE=sqlite|postgres
 * and BENCH_NODES=1|2|1,2 select them; BENCH_PG_URL names the PostgreSQL server.
 *
 * BENCH_PHASES=5,6 runs only the listed phases (the memory phase 4 always comes first when listed).
 * Prints a table per target, then one last line "BENCH_JSON {...}" with every number.
 */
import { cpus, totalmem } from 'node:os';
import { ImapClient, ImapCommandError, quote, type Reply, type Segment } from './imap-client.js';
import { imapDateTime, makeMessage, SOMEONE } from './messages.js';
import { Cluster, stopAllClusters, targetsFromEnv, type TargetSpec } from './cluster.js';
import { installScript, lmtpDeliver, SIEVE_20_RULES, SIEVE_MAILBOXES, stuffed } from './lmtp.js';
import { LARGE_N, largeDataParent, qresyncLarge, seedLargeMailbox, sortThreadLarge, type Timed } from './large-mailbox.js';

const USER = 'bench';
const PASS = 'bench-pass-42';
const RUNS = 5;

interface Row {
  phase: number;
  metric: string;
  value: string;
  unit: string;
  note: string;
}

// The current target's results (runTarget resets them).
let rows: Row[] = [];
let errors: Array<{ phase: number; error: string }> = [];
let json: Record<string, Record<string, unknown>> = {};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): bigint => process.hrtime.bigint();
const msSince = (t0: bigint): number => Number(now() - t0) / 1e6;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const errMsg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function row(phase: number, metric: string, value: number | string, unit = '', note = '', digits = 1): void {
  rows.push({ phase, metric, value: typeof value === 'number' ? fmt(value, digits) : value, unit, note });
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const ONLY = process.env.BENCH_PHASES?.split(',').map((x) => Number(x.trim()));

async function phase(server: Cluster, n: number, name: string, fn: (out: Record<string, unknown>) => Promise<void>): Promise<void> {
  if (ONLY !== undefined && !ONLY.includes(n)) return;
  const out: Record<string, unknown> = {};
  json[`${n}_${name}`] = out;
  log(`phase ${n}: ${name}`);
  const t0 = now();
  try {
    await fn(out);
  } catch (e) {
    const error = errMsg(e) + (server.alive ? '' : ` (the server process has exited: ${server.exitStatus})`);
    errors.push({ phase: n, error });
    out.error = error;
    row(n, 'ERROR', error.replace(/\s+/g, ' ').slice(0, 200));
  }
  out.phaseSeconds = Number(fmt(msSince(t0) / 1000, 2));
  out.serverRssAfterKiB = server.rssKiB();
  out.serverPeakRssAfterKiB = server.statusKiB('VmHWM');
  row(0, `RSS / peak after phase ${n}`, `${fmt(server.rssKiB() / 1024)} / ${fmt(server.statusKiB('VmHWM') / 1024)}`, 'MiB');
  log(`phase ${n}: done in ${fmt(msSince(t0) / 1000)} s`);
}

/** Client k of a phase: on node k mod n (node 0 for single-connection measurements). */
async function session(server: Cluster, k = 0): Promise<ImapClient> {
  const c = await ImapClient.connect(server.port(k));
  await c.login(USER, PASS);
  return c;
}

interface ToAppend {
  data: Buffer;
  flags?: string[];
  date?: Date;
}

function appendArgs(m: ToAppend): string {
  const flags = m.flags && m.flags.length > 0 ? ` (${m.flags.join(' ')})` : '';
  const date = m.date ? ` ${imapDateTime(m.date)}` : '';
  return `${flags}${date} `;
}

/** One APPEND (one message) or MULTIAPPEND (several, RFC 3502) command. */
function appendCommand(mailbox: string, msgs: ToAppend[]): Segment[] {
  const segs: Segment[] = [`APPEND ${quote(mailbox)}`];
  for (const m of msgs) segs.push(appendArgs(m), { literal: m.data });
  segs.push('');
  return segs;
}

/**
 * Appends count messages: MULTIAPPEND batches of `batch` when advertised, else one by one. A
 * batch answered BAD (e.g. "Command too long") is retried at half the size, down to 1; the
 * rejections are reported. Returns the time spent in APPEND commands only.
 */
async function bulkAppend(c: ImapClient, mailbox: string, count: number, make: (i: number) => ToAppend, batch = 100): Promise<{ ms: number; bytes: number; multi: boolean; batch: number; rejected: string[] }> {
  const multi = c.capabilities.has('MULTIAPPEND');
  let per = multi ? batch : 1;
  let ms = 0;
  let bytes = 0;
  const rejected: string[] = [];
  for (let i = 0; i < count; ) {
    const msgs: ToAppend[] = [];
    for (let j = i; j < Math.min(count, i + per); j++) msgs.push(make(j));
    const size = msgs.reduce((n, m) => n + m.data.length, 0);
    const t0 = now();
    const r = await c.send(appendCommand(mailbox, msgs), { timeoutMs: 120_000 });
    ms += msSince(t0);
    if (r.status !== 'OK') {
      if (r.status === 'BAD' && per > 1) {
        rejected.push(`${msgs.length} msgs / ${fmt(size / 1024, 0)} KiB: ${r.status} ${r.text}`);
        per = Math.max(1, per >> 1);
        continue;
      }
      throw new ImapCommandError(`APPEND ${mailbox} (${msgs.length} msgs)`, r);
    }
    bytes += size;
    i += msgs.length;
  }
  return { ms, bytes, multi, batch: per, rejected };
}

function reportBuild(phaseNo: number, out: Record<string, unknown>, what: string, n: number, b: Awaited<ReturnType<typeof bulkAppend>>): void {
  out.build = { messages: n, bytes: b.bytes, ms: Math.round(b.ms), multiappend: b.multi, batch: b.batch, msgsPerSec: Number(fmt((n / b.ms) * 1000)), ...(b.rejected.length ? { rejected: b.rejected } : {}) };
  row(phaseNo, `setup: append ${n} x ${what} (${b.multi ? `MULTIAPPEND x${b.batch}` : 'sequential'})`, (n / b.ms) * 1000, 'msg/s', `${fmt(b.bytes / 1e6)} MB in ${fmt(b.ms / 1000, 2)} s`);
  for (const r of b.rejected) row(phaseNo, 'WARNING', `MULTIAPPEND batch rejected, retried at half size: ${r}`);
}

async function statusMessages(c: ImapClient, mailbox: string): Promise<number> {
  const r = await c.ok(`STATUS ${quote(mailbox)} (MESSAGES)`);
  for (const u of r.untagged) {
    const m = /MESSAGES (\d+)/i.exec(u);
    if (m) return Number(m[1]);
  }
  return NaN;
}

function existsOf(r: Reply): number {
  for (const u of r.untagged) {
    const m = /^\* (\d+) EXISTS/i.exec(u);
    if (m) return Number(m[1]);
  }
  return NaN;
}

function searchCount(r: Reply): number {
  let n = 0;
  for (const u of r.untagged) {
    const m = /^\* SEARCH\b(.*)$/i.exec(u);
    if (m) n += m[1].trim() === '' ? 0 : m[1].trim().split(/\s+/).length;
  }
  return n;
}

const fetchCount = (r: Reply): number => r.untagged.filter((u) => /^\* \d+ FETCH /i.test(u)).length;

// ---------------------------------------------------------------------------------------------
// Phase 1: APPEND throughput

async function phaseAppend(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const N = 2000;
  const SIZE = 4096;
  const base = new Date(Date.UTC(2024, 0, 1, 12));
  const gen = (id: number): Buffer => makeMessage({ id, size: SIZE - 128 + (id % 256), date: new Date(base.getTime() + id * 60_000) });

  const c = await session(server);
  try {
    await c.ok('CREATE "bench-append-1"');
    await c.ok('CREATE "bench-append-4"');
    const seqMsgs = Array.from({ length: N }, (_, i) => gen(1_000_000 + i));
    const parMsgs = Array.from({ length: N }, (_, i) => gen(2_000_000 + i));
    const avg = seqMsgs.reduce((n, b) => n + b.length, 0) / N;
    out.avgMessageBytes = Math.round(avg);

    // 1a: one connection, strictly sequential
    const lat: number[] = [];
    const t0 = now();
    for (const m of seqMsgs) {
      const t = now();
      await c.ok(appendCommand('bench-append-1', [{ data: m }]));
      lat.push(msSince(t));
    }
    const seqMs = msSince(t0);
    const seqRate = (N / seqMs) * 1000;
    out.sequential = { messages: N, ms: Math.round(seqMs), msgsPerSec: Number(fmt(seqRate)), latencyMs: { p50: Number(fmt(median(lat), 2)), p99: Number(fmt(percentile(lat, 99), 2)), max: Number(fmt(Math.max(...lat), 2)) } };
    row(1, `APPEND 1 conn, ${N} x ~${fmt(avg / 1024)} KiB`, seqRate, 'msg/s', `p50 ${fmt(median(lat), 2)} ms, p99 ${fmt(percentile(lat, 99), 2)} ms, max ${fmt(Math.max(...lat), 1)} ms`);

    // 1b: four connections in parallel, same mailbox, each sequential
    const clients = await Promise.all([0, 1, 2, 3].map((k) => session(server, k)));
    try {
      const lat4: number[] = [];
      const t1 = now();
      await Promise.all(
        clients.map(async (cl, k) => {
          for (let i = k; i < N; i += 4) {
            const t = now();
            await cl.ok(appendCommand('bench-append-4', [{ data: parMsgs[i] }]));
            lat4.push(msSince(t));
          }
        }),
      );
      const parMs = msSince(t1);
      const parRate = (N / parMs) * 1000;
      out.parallel4 = { messages: N, ms: Math.round(parMs), msgsPerSec: Number(fmt(parRate)), latencyMs: { p50: Number(fmt(median(lat4), 2)), p99: Number(fmt(percentile(lat4, 99), 2)) } };
      row(1, `APPEND 4 conns parallel, ${N} total`, parRate, 'msg/s', `p50 ${fmt(median(lat4), 2)} ms, p99 ${fmt(percentile(lat4, 99), 2)} ms`);
    } finally {
      for (const cl of clients) cl.close();
    }

    const n1 = await statusMessages(c, 'bench-append-1');
    const n4 = await statusMessages(c, 'bench-append-4');
    if (n1 !== N || n4 !== N) row(1, 'WARNING', `STATUS MESSAGES ${n1} / ${n4}, expected ${N} / ${N}`);
  } finally {
    await c.logout();
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: FETCH throughput

async function phaseFetch(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const N = 1000;
  const SIZE = 50 * 1024;
  const base = new Date(Date.UTC(2023, 5, 1, 12));
  const c = await session(server);
  try {
    await c.ok('CREATE "bench-fetch"');
    const build = await bulkAppend(c, 'bench-fetch', N, (i) => ({ data: makeMessage({ id: 3_000_000 + i, size: SIZE - 512 + (i % 1024), date: new Date(base.getTime() + i * 3_600_000) }) }));
    reportBuild(2, out, '~50 KiB', N, build);

    const sel = await c.ok('EXAMINE "bench-fetch"');
    if (existsOf(sel) !== N) row(2, 'WARNING', `EXAMINE reports ${existsOf(sel)} EXISTS, expected ${N}`);

    const runs: Array<{ ms: number; bytes: number; mbps: number }> = [];
    for (let k = 0; k < 3; k++) {
      const t0 = now();
      const r = await c.ok(`UID FETCH 1:${N} BODY.PEEK[]`, { timeoutMs: 180_000 });
      const ms = msSince(t0);
      const got = fetchCount(r);
      if (got !== N) throw new Error(`UID FETCH returned ${got} FETCH responses, expected ${N}`);
      if (r.literalBytes !== build.bytes) throw new Error(`UID FETCH returned ${r.literalBytes} literal bytes, appended ${build.bytes}`);
      runs.push({ ms, bytes: r.literalBytes, mbps: r.literalBytes / 1e6 / (ms / 1000) });
    }
    const mbps = runs.map((r) => r.mbps);
    out.fetch = { command: `UID FETCH 1:${N} BODY.PEEK[]`, runs: runs.map((r) => ({ ms: Math.round(r.ms), bytes: r.bytes, MBps: Number(fmt(r.mbps)) })), medianMBps: Number(fmt(median(mbps))) };
    row(2, `UID FETCH 1:${N} BODY.PEEK[] (${fmt(build.bytes / 1e6)} MB)`, median(mbps), 'MB/s', `median of 3; runs ${runs.map((r) => `${fmt(r.mbps)} MB/s (${fmt(r.ms / 1000, 2)} s)`).join(', ')}`);
    row(2, `  = messages/s`, (N / median(runs.map((r) => r.ms))) * 1000, 'msg/s');
  } finally {
    await c.logout();
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 3: a 10,000-message mailbox

async function phaseBigMailbox(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const N = 10_000;
  const BOX = 'bench-big';
  const start = Date.UTC(2018, 0, 1, 12);
  const end = Date.UTC(2024, 11, 31, 12);
  const day = 86_400_000;
  const cutoff = Date.UTC(2020, 0, 1);
  const expected = { unseen: 0, from: 0, needle: 0, since: 0 };
  const make = (i: number): ToAppend => {
    // deterministic pseudo-random properties per message
    const h = (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
    const h2 = (Math.imul(i + 7, 2246822519) >>> 0) / 4294967296;
    let t = start + Math.floor(h * ((end - start) / day)) * day + Math.floor(h2 * 36_000_000); // noon-ish UTC
    // keep clear of the SINCE boundary so that the expected count is exact in any time zone
    if (t >= cutoff - 2 * day && t < cutoff + 2 * day) t += 4 * day;
    const date = new Date(t);
    const seen = h2 < 0.8;
    const fromSomeone = i % 20 === 7;
    const needle = i % 100 === 42;
    if (!seen) expected.unseen++;
    if (fromSomeone) expected.from++;
    if (needle) expected.needle++;
    if (t >= cutoff) expected.since++;
    const flags = [...(seen ? ['\\Seen'] : []), ...(i % 17 === 3 ? ['\\Flagged'] : []), ...(i % 31 === 5 ? ['\\Answered'] : [])];
    return {
      data: makeMessage({ id: 4_000_000 + i, size: 2048 + Math.floor(h2 * 4096), date, from: fromSomeone ? SOMEONE : undefined, needle }),
      flags,
      date,
    };
  };

  const c = await session(server);
  try {
    await c.ok(`CREATE ${quote(BOX)}`);
    const build = await bulkAppend(c, BOX, N, make, 100);
    reportBuild(3, out, `~${fmt(build.bytes / N / 1024)} KiB`, N, build);
    out.expected = expected;
  } finally {
    await c.logout();
  }

  // Measurements on a fresh connection.
  const m = await session(server);
  try {
    const timed = async (label: string, command: string, check: (r: Reply) => string | null): Promise<void> => {
      const times: number[] = [];
      let problem: string | null = null;
      for (let k = 0; k < RUNS; k++) {
        const t0 = now();
        const r = await m.ok(command, { timeoutMs: 120_000 });
        times.push(msSince(t0));
        problem ??= check(r);
      }
      const med = median(times);
      out[label] = { command, runsMs: times.map((x) => Number(fmt(x, 2))), medianMs: Number(fmt(med, 2)), ...(problem ? { problem } : {}) };
      row(3, `${command}`, med, 'ms', `median of ${RUNS}; min ${fmt(Math.min(...times), 1)}, max ${fmt(Math.max(...times), 1)}${problem ? `; WRONG: ${problem}` : ''}`, 1);
    };
    const counted = (what: string, want: number, got: (r: Reply) => number) => (r: Reply): string | null => {
      const n = got(r);
      return n === want ? null : `${what} ${n}, expected ${want}`;
    };
    await timed('select', `SELECT ${quote(BOX)}`, counted('EXISTS', N, existsOf));
    await timed('fetchFlags', 'UID FETCH 1:* (FLAGS)', counted('FETCH responses', N, fetchCount));
    await timed('searchUnseen', 'SEARCH UNSEEN', counted('matches', expected.unseen, searchCount));
    await timed('searchFrom', 'SEARCH FROM "someone"', counted('matches', expected.from, searchCount));
    await timed('searchBody', 'SEARCH BODY "needle"', counted('matches', expected.needle, searchCount));
    await timed('searchSince', 'UID SEARCH SINCE 1-Jan-2020', counted('matches', expected.since, searchCount));
    row(3, '  (expected match counts, all checked)', '', '', `expected: unseen ${expected.unseen}, from ${expected.from}, body ${expected.needle}, since ${expected.since}`);
  } finally {
    await m.logout();
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 4: memory per idle authenticated connection

async function phaseMemory(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const N = 1000;
  const BATCH = 50;
  // One login per node first: each process verifies the password hash once (then caches it), and
  // that cost is not per connection.
  for (let k = 0; k < server.nodes.length; k++) {
    const warm = await session(server, k);
    await warm.ok('NOOP');
    await warm.logout();
  }
  await sleep(1000);
  const before = server.rssKiB();
  const conns: ImapClient[] = [];
  let failures = 0;
  let firstFailure = '';
  const t0 = now();
  try {
    for (let i = 0; i < N; i += BATCH) {
      const settled = await Promise.allSettled(Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => session(server, i + j)));
      for (const s of settled) {
        if (s.status === 'fulfilled') conns.push(s.value);
        else {
          failures++;
          firstFailure ||= errMsg(s.reason);
        }
      }
    }
    const openMs = msSince(t0);
    await sleep(2000);
    const after = server.rssKiB();
    const per = (after - before) / N;
    out.connections = conns.length;
    out.failures = failures;
    out.openAndLoginMs = Math.round(openMs);
    out.rssBeforeKiB = before;
    out.rssAfterKiB = after;
    out.perConnectionKiB = Number(fmt(per, 2));
    row(4, `RSS per idle authenticated connection (${conns.length} conns)`, per, 'KiB', `RSS ${fmt(before / 1024)} -> ${fmt(after / 1024)} MiB`, 1);
    row(4, `connect + LOGIN ${N} (batches of ${BATCH})`, (N / openMs) * 1000, 'conn/s', `${fmt(openMs / 1000, 2)} s`);
    if (failures > 0) row(4, 'WARNING', `${failures} of ${N} connections failed: ${firstFailure}`);
    // Are they all still alive and served?
    const t1 = now();
    const noop = await Promise.allSettled(conns.map((cl) => cl.ok('NOOP', { timeoutMs: 30_000 })));
    const bad = noop.filter((s) => s.status === 'rejected').length;
    out.noopAllMs = Math.round(msSince(t1));
    row(4, `NOOP on all ${conns.length} at once`, msSince(t1), 'ms', bad ? `${bad} failed` : 'all OK');
  } finally {
    for (const cl of conns) cl.close();
  }
  await sleep(1000);
  out.rssAfterCloseKiB = server.rssKiB();
  row(4, 'RSS after closing them', server.rssKiB() / 1024, 'MiB');
}

// ---------------------------------------------------------------------------------------------
// Phases 5 and 6: a 100,000-message mailbox

function timedRow(phaseNo: number, t: Timed, out: Record<string, unknown>, key: string): void {
  out[key] = { command: t.command, runsMs: t.runsMs, medianMs: Number(fmt(t.medianMs, 1)), ...(t.problem ? { problem: t.problem } : {}) };
  row(phaseNo, t.command, t.medianMs, 'ms', `median of ${t.runsMs.length}; runs ${t.runsMs.map((x) => fmt(x, 0)).join(', ')}${t.problem ? `; WRONG: ${t.problem}` : ''}`);
}

async function phaseLargeSortThread(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const ms = await seedLargeMailbox(server.storeConfig(), USER);
  const where = server.store === 'sqlite' ? server.storeConfig().dataDir : 'PostgreSQL';
  out.seed = { messages: LARGE_N, ms, dataDir: where };
  row(6, `setup: ${LARGE_N} threaded messages through the store API`, (LARGE_N / ms) * 1000, 'msg/s', `${fmt(ms / 1000, 1)} s, data in ${where}`);
  const results = await sortThreadLarge(server, USER, PASS, 3);
  results.forEach((t, i) => timedRow(6, t, out, `r${i}`));
}

async function phaseLargeQresync(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const r = await qresyncLarge(server, USER, PASS, RUNS);
  timedRow(7, r.resync, out, 'qresync');
  timedRow(7, r.plain, out, 'examine');
  row(7, '  (checked in every run)', '', '', `VANISHED (EARLIER) ${r.vanished} UIDs, ${r.changed} FETCH (FLAGS MODSEQ) responses`);
}

function printTable(spec: TargetSpec): void {
  const titles: Record<number, string> = {
    0: 'Server',
    1: '1. APPEND (each waits for its tagged OK)',
    2: '2. FETCH full messages',
    3: '3. 10,000-message mailbox',
    4: '4. Memory (measured first, on the fresh server)',
    5: '5. LMTP delivery (each transaction waits for its 250)',
    6: `6. ${LARGE_N.toLocaleString('en')}-message mailbox: SORT and THREAD (own server${spec.store === 'sqlite' ? ', data on tmpfs' : 's, own database'})`,
    7: `7. ${LARGE_N.toLocaleString('en')}-message mailbox: QRESYNC after 1% flag changes + 1% expunges`,
  };
  const plain = rows.filter((r) => r.metric !== 'ERROR' && r.metric !== 'WARNING');
  const w1 = Math.max(...plain.map((r) => r.metric.length), 10);
  const w2 = Math.max(...plain.map((r) => r.value.length), 5);
  const w3 = Math.max(...plain.map((r) => r.unit.length), 4);
  const lines: string[] = [];
  for (const p of [1, 2, 3, 4, 5, 6, 7, 0]) {
    const rs = rows.filter((r) => r.phase === p);
    if (rs.length === 0) continue;
    lines.push('', titles[p]);
    for (const r of rs) {
      if (r.metric === 'ERROR' || r.metric === 'WARNING') lines.push(`  ${r.metric}: ${r.value}`);
      else lines.push(`  ${r.metric.padEnd(w1)}  ${r.value.padStart(w2)} ${r.unit.padEnd(w3)}  ${r.note}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

async function phaseLmtp(server: Cluster, out: Record<string, unknown>): Promise<void> {
  const N = 1000;
  const base = new Date(Date.UTC(2024, 2, 1, 12));
  let id = 5_000_000;
  const batch = (): Buffer[] => Array.from({ length: N }, () => stuffed(makeMessage({ id: id++, size: 4000, date: new Date(base.getTime() + id * 1000) })));
  const run = async (label: string, key: string, conns: number): Promise<void> => {
    const r = await lmtpDeliver((k) => server.lmtpPort(k), `${USER}@example.com`, batch(), conns);
    const rate = (N / r.ms) * 1000;
    out[key] = { deliveries: N, connections: conns, ms: Math.round(r.ms), perSec: Number(fmt(rate)), latencyMs: { p50: Number(fmt(median(r.latencies), 2)), p99: Number(fmt(percentile(r.latencies, 99), 2)) } };
    row(5, `LMTP ${label}, ${conns} conn, ${N} x ~4 KiB`, rate, 'deliveries/s', `p50 ${fmt(median(r.latencies), 2)} ms, p99 ${fmt(percentile(r.latencies, 99), 2)} ms`);
  };
  await run('no Sieve', 'noSieve1', 1);
  await run('no Sieve', 'noSieve4', 4);
  await installScript(server.storeConfig(), USER, SIEVE_20_RULES, SIEVE_MAILBOXES);
  await run('20-rule Sieve', 'sieve1', 1);
  await run('20-rule Sieve', 'sieve4', 4);
  const c = await session(server);
  try {
    const filtered = await statusMessages(c, 'Filtered');
    out.filteredBySieve = filtered;
    if (filtered !== 2 * N) row(5, 'WARNING', `expected ${2 * N} messages filed by the script, found ${filtered}`);
  } finally {
    await c.logout().catch(() => undefined);
  }
}

/** Phases 6 and 7 on their own server process (see bench/large-mailbox.ts for why). */
async function largePhases(spec: TargetSpec, srv: Record<string, unknown>): Promise<void> {
  if (ONLY !== undefined && !ONLY.includes(6) && !ONLY.includes(7)) return;
  let large: Cluster;
  try {
    large = await Cluster.start(spec, USER, PASS, largeDataParent());
  } catch (e) {
    errors.push({ phase: 6, error: errMsg(e) });
    row(6, 'ERROR', `could not start the large-mailbox server: ${errMsg(e)}`);
    return;
  }
  try {
    await phase(large, 6, 'largeSortThread', (out) => phaseLargeSortThread(large, out));
    await phase(large, 7, 'largeQresync', (out) => phaseLargeQresync(large, out));
    srv.largePeakRssKiB = large.statusKiB('VmHWM');
    row(0, 'peak RSS of the 100k-mailbox server (VmHWM)', large.statusKiB('VmHWM') / 1024, 'MiB');
  } finally {
    await large.stop();
  }
}

interface TargetResult {
  target: string;
  server: Record<string, unknown>;
  phases: Record<string, Record<string, unknown>>;
  errors: Array<{ phase: number; error: string }>;
  totalSeconds: number;
}

/** Every phase on one target (SQLite, or PostgreSQL with n nodes); prints its table. */
async function runTarget(spec: TargetSpec): Promise<TargetResult> {
  rows = [];
  errors = [];
  json = {};
  const tStart = now();
  const result = (srv: Record<string, unknown>): TargetResult => ({ target: spec.label, server: srv, phases: json, errors, totalSeconds: Number(fmt(msSince(tStart) / 1000, 1)) });
  log(`${spec.label}: starting ${spec.nodes > 1 ? `${spec.nodes} servers` : 'the server'}`);
  let server: Cluster;
  try {
    server = await Cluster.start(spec, USER, PASS);
  } catch (e) {
    errors.push({ phase: 0, error: errMsg(e) });
    process.stdout.write(`\n=== ${spec.label} ===\nERROR: could not start the server: ${errMsg(e)}\n`);
    return result({});
  }
  const srv: Record<string, unknown> = { pids: server.pids, nodes: spec.nodes, store: spec.store };
  try {
    await sleep(500);
    srv.rssStartKiB = server.rssKiB();
    row(0, `RSS after start${spec.nodes > 1 ? ` (sum of ${spec.nodes} nodes)` : ''}`, server.rssKiB() / 1024, 'MiB');
    await phase(server, 4, 'memory', (out) => phaseMemory(server, out));
    await phase(server, 1, 'append', (out) => phaseAppend(server, out));
    await phase(server, 2, 'fetch', (out) => phaseFetch(server, out));
    await phase(server, 3, 'bigMailbox', (out) => phaseBigMailbox(server, out));
    await phase(server, 5, 'lmtp', (out) => phaseLmtp(server, out));
    await largePhases(spec, srv);
    srv.rssEndKiB = server.rssKiB();
    srv.peakRssKiB = server.statusKiB('VmHWM');
    row(0, 'RSS at the end', server.rssKiB() / 1024, 'MiB');
    row(0, 'peak RSS (VmHWM)', server.statusKiB('VmHWM') / 1024, 'MiB');
    if (!server.alive) row(0, 'ERROR', `a server process died during the run: ${server.exitStatus}`);
  } finally {
    const log = server.log.trim();
    await server.stop();
    srv.serverLogTail = log.slice(-4000);
    if (log) {
      const lines = log.split('\n');
      row(0, 'server log lines (warn+)', lines.length, '', '', 0);
    }
  }
  const totalS = msSince(tStart) / 1000;
  row(0, `total time for ${spec.label}`, totalS, 's');
  process.stdout.write(`\n=== ${spec.label}${spec.nodes > 1 ? ' (clients spread over the nodes round-robin)' : ''} ===\n`);
  printTable(spec);
  if (srv.serverLogTail) process.stdout.write(`Server log (tail):\n${String(srv.serverLogTail).split('\n').slice(-15).join('\n')}\n\n`);
  return result(srv);
}

async function main(): Promise<number> {
  const tStart = now();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', totalMemMiB: Math.round(totalmem() / 2 ** 20), node: process.version, platform: `${process.platform}-${process.arch}` };
  process.stdout.write(`Facteur benchmark: ${machine.cpus} x ${machine.cpuModel}, ${machine.totalMemMiB} MiB RAM, node ${machine.node}\n`);
  const targets = targetsFromEnv();
  const results: TargetResult[] = [];
  for (const spec of targets) results.push(await runTarget(spec));
  const totalS = msSince(tStart) / 1000;
  process.stdout.write(`Total bench time: ${fmt(totalS)} s (${results.map((r) => `${r.target} ${fmt(r.totalSeconds)} s`).join(', ')})\n\n`);
  process.stdout.write(`BENCH_JSON ${JSON.stringify({ machine, targets: results, totalSeconds: Number(fmt(totalS, 1)) })}\n`);
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

// Interrupted: stop the servers and drop the scratch databases (at most 10 s), then exit.
const interrupted = (code: number) => (): void => {
  void Promise.race([stopAllClusters(), sleep(10_000)]).finally(() => process.exit(code));
};
process.once('SIGINT', interrupted(130));
process.once('SIGTERM', interrupted(143));

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stdout.write(`ERROR: ${errMsg(e)}\n`);
    process.exitCode = 1;
  },
);
