/**
 * Benchmark phases on a 100,000-message mailbox (issue #4): SORT (ARRIVAL, DATE, SUBJECT, FROM),
 * THREAD (ORDEREDSUBJECT, REFERENCES, REFS), and a QRESYNC resynchronisation
 * (`SELECT box (QRESYNC (v modseq))`) after 1% of the messages changed flags and 1% were expunged.
 *
 * The mailbox is filled through the storage API from this process (the same data directory the
 * server serves, as a second process would; the change feed tells the server), with the meta the
 * server itself stores at APPEND, because 100,000 APPENDs over IMAP would dominate the run. The
 * server for these phases keeps its data on tmpfs (/dev/shm) when there is one: the fsync per blob
 * is then free, and what is measured is the commands, not the disk.
 *
 * Messages form realistic threads: about 40% start a thread, the others reply to a recent message
 * (References: = the parent's References plus its Message-ID, capped at 10; "Re: " subject), with
 * dates that mostly increase; a few have no References but only In-Reply-To, some none at all.
 */
import { existsSync } from 'node:fs';
import { openStore } from '../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../src/config/index.js';
import { parseMessage } from '../src/mime/index.js';
import type { Actor, MailStore, NewMessage } from '../src/store/types.js';
import { ImapClient, quote, type Reply } from './imap-client.js';
import { rfc5322Date, rng } from './messages.js';
import type { Cluster } from './cluster.js';

/** 100,000; BENCH_LARGE_N overrides it (a multiple of 100) for trying the phases quickly. */
export const LARGE_N = Number(process.env.BENCH_LARGE_N ?? 100_000);
const BOX = 'bench-100k';
const SEED_BATCH = 1000;
const SEED_PARALLEL = 2;

const FIRST = ['Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent'];
const TOPICS = ['budget', 'release', 'schedule', 'review', 'deadline', 'project', 'customer', 'server', 'backup', 'agenda', 'minutes', 'proposal', 'contract', 'delivery', 'invoice', 'report'];

/** Where the large-mailbox server keeps its data: tmpfs when the machine has one. */
export function largeDataParent(): string | undefined {
  return existsSync('/dev/shm') ? '/dev/shm' : undefined;
}

interface Generated {
  content: Buffer;
  date: number;
}

/** The i-th message of the threaded corpus (deterministic). */
function makeGenerator(): (i: number) => Generated {
  const r = rng(0x5eed);
  const ids: string[] = [];
  const refs: string[][] = [];
  const subjects: string[] = [];
  let clock = Date.UTC(2015, 0, 1);
  return (i) => {
    clock += Math.floor(r() * 600_000); // up to 10 minutes apart
    const id = `m${i}.${Math.floor(r() * 1e9).toString(36)}@bench.example.org`;
    const from = `${FIRST[Math.floor(r() * FIRST.length)]} ${LAST[Math.floor(r() * LAST.length)]}`;
    const headers = [`From: "${from}" <${from.toLowerCase().replace(' ', '.')}@example.org>`, 'To: "Bench User" <bench@example.com>'];
    let subject: string;
    let myRefs: string[] = [];
    let date = clock;
    if (i === 0 || r() < 0.4) {
      subject = `${TOPICS[Math.floor(r() * TOPICS.length)]} ${TOPICS[Math.floor(r() * TOPICS.length)]} #${i}`;
    } else {
      const p = Math.max(0, i - 1 - Math.floor(r() * Math.min(i, 2000)));
      subject = subjects[p]!.startsWith('Re: ') ? subjects[p]! : `Re: ${subjects[p]}`;
      myRefs = [...refs[p]!, ids[p]!].slice(-10);
      const kind = r();
      if (kind < 0.9) headers.push(`References: ${myRefs.map((x) => `<${x}>`).join('\r\n ')}`);
      if (kind >= 0.85) headers.push(`In-Reply-To: <${ids[p]}>`);
      if (r() < 0.02) date -= 86_400_000 * 3; // a sender with a wrong clock
    }
    ids.push(id);
    refs.push(myRefs);
    subjects.push(subject);
    headers.push(`Subject: ${subject}`, `Date: ${rfc5322Date(new Date(date))}`, `Message-ID: <${id}>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '');
    const body = `Message ${i} about ${subject}.\r\nRegards,\r\n${from}\r\n`;
    return { content: Buffer.from(headers.join('\r\n') + '\r\n' + body), date: clock };
  };
}

/** Fills BOX with LARGE_N messages through the store API; returns the elapsed milliseconds. */
export async function seedLargeMailbox(where: Pick<Config, 'dataDir' | 'store'>, user: string): Promise<number> {
  const t0 = Date.now();
  const store: MailStore = await openStore({ ...DEFAULT_CONFIG, ...where });
  try {
    const rec = await store.getAccount(user);
    if (rec === null) throw new Error(`no account ${user}`);
    const actor: Actor = { accountId: rec.id, name: rec.name };
    await store.createMailbox(actor, BOX);
    const gen = makeGenerator();
    // Generation is sequential (threads refer back); appends overlap their blob writes.
    const batches: NewMessage[][] = [];
    for (let start = 0; start < LARGE_N; start += SEED_BATCH) {
      const batch: NewMessage[] = [];
      for (let i = start; i < Math.min(LARGE_N, start + SEED_BATCH); i++) {
        const g = gen(i);
        const flags = i % 5 === 0 ? [] : ['\\Seen'];
        batch.push({ content: g.content, flags, internalDate: g.date, meta: JSON.stringify(parseMessage(g.content)) });
      }
      batches.push(batch);
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: SEED_PARALLEL }, async () => {
        // One batch at a time per worker; UIDs follow the order the transactions commit.
        for (let b = next++; b < batches.length; b = next++) await store.append(actor, BOX, batches[b]!);
      }),
    );
  } finally {
    await store.close();
  }
  return Date.now() - t0;
}

/** Numbers in a SORT/THREAD response line. */
function numbersIn(r: Reply, kind: 'SORT' | 'THREAD'): number {
  let n = 0;
  for (const u of r.untagged) {
    if (!u.toUpperCase().startsWith(`* ${kind}`)) continue;
    n += (u.slice(kind.length + 2).match(/\d+/g) ?? []).length;
  }
  return n;
}

/** Elements of a UID set "1:3,7". */
function setSize(set: string): number {
  let n = 0;
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number);
    n += b === undefined ? 1 : Math.abs(b - a) + 1;
  }
  return n;
}

export interface Timed {
  command: string;
  medianMs: number;
  runsMs: number[];
  problem?: string;
}

async function timed(c: ImapClient, command: string, runs: number, check: (r: Reply) => string | null, before?: () => Promise<void>): Promise<Timed> {
  const times: number[] = [];
  let problem: string | null = null;
  for (let k = 0; k < runs; k++) {
    if (before) await before();
    const t0 = process.hrtime.bigint();
    const r = await c.ok(command, { timeoutMs: 600_000 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    problem ??= check(r);
  }
  const s = [...times].sort((a, b) => a - b);
  const m = s.length >> 1;
  const medianMs = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { command, medianMs, runsMs: times.map((t) => Math.round(t * 10) / 10), ...(problem ? { problem } : {}) };
}

/** SORT and THREAD over the whole 100k mailbox. */
export async function sortThreadLarge(server: Cluster, user: string, pass: string, runs: number): Promise<Timed[]> {
  const c = await ImapClient.connect(server.port(0));
  await c.login(user, pass);
  const out: Timed[] = [];
  try {
    const sel = await c.ok(`EXAMINE ${quote(BOX)}`, { timeoutMs: 120_000 });
    const exists = sel.untagged.map((u) => /^\* (\d+) EXISTS/i.exec(u)).find((m) => m !== null);
    if (!exists || Number(exists[1]) !== LARGE_N) throw new Error(`EXAMINE ${BOX}: ${exists?.[0] ?? 'no EXISTS'}, expected ${LARGE_N}`);
    const all = (kind: 'SORT' | 'THREAD') => (r: Reply): string | null => {
      const n = numbersIn(r, kind);
      return n === LARGE_N ? null : `${n} numbers, expected ${LARGE_N}`;
    };
    for (const key of ['ARRIVAL', 'DATE', 'SUBJECT', 'FROM']) out.push(await timed(c, `SORT (${key}) UTF-8 ALL`, runs, all('SORT')));
    for (const alg of ['ORDEREDSUBJECT', 'REFERENCES', 'REFS']) out.push(await timed(c, `THREAD ${alg} UTF-8 ALL`, runs, all('THREAD')));
  } finally {
    await c.logout();
  }
  return out;
}

/**
 * QRESYNC: a client that last saw the mailbox at modseq m reconnects after 1% of the messages
 * got a flag change and another 1% were expunged by another session.
 */
export async function qresyncLarge(server: Cluster, user: string, pass: string, runs: number): Promise<{ resync: Timed; plain: Timed; changed: number; vanished: number }> {
  const a = await ImapClient.connect(server.port(0));
  await a.login(user, pass);
  const changedN = LARGE_N / 100;
  const expungedN = LARGE_N / 100;
  let v = 0;
  let m0 = 0;
  try {
    await a.ok('ENABLE QRESYNC');
    const sel = await a.ok(`SELECT ${quote(BOX)}`, { timeoutMs: 120_000 });
    for (const u of sel.untagged) {
      const uv = /\[UIDVALIDITY (\d+)\]/i.exec(u);
      if (uv) v = Number(uv[1]);
      const hm = /\[HIGHESTMODSEQ (\d+)\]/i.exec(u);
      if (hm) m0 = Number(hm[1]);
    }
    if (v === 0 || m0 === 0) throw new Error('SELECT gave no UIDVALIDITY / HIGHESTMODSEQ');
    // Spread over the mailbox: every 100th UID gets \Flagged, every 100th (offset 50) is expunged.
    const flagged: number[] = [];
    const gone: number[] = [];
    for (let i = 0; i < changedN; i++) flagged.push(1 + i * 100);
    for (let i = 0; i < expungedN; i++) gone.push(51 + i * 100);
    await a.ok(`UID STORE ${flagged.join(',')} +FLAGS.SILENT (\\Flagged)`, { timeoutMs: 120_000 });
    await a.ok(`UID STORE ${gone.join(',')} +FLAGS.SILENT (\\Deleted)`, { timeoutMs: 120_000 });
    await a.ok(`UID EXPUNGE ${gone.join(',')}`, { timeoutMs: 120_000 });
  } finally {
    await a.logout();
  }
  // With two nodes the resynchronising client is on the other node than the one that changed.
  const b = await ImapClient.connect(server.port(1));
  await b.login(user, pass);
  try {
    await b.ok('ENABLE QRESYNC');
    let vanished = 0;
    let changed = 0;
    const resync = await timed(
      b,
      `SELECT ${quote(BOX)} (QRESYNC (${v} ${m0}))`,
      runs,
      (r) => {
        vanished = 0;
        changed = 0;
        for (const u of r.untagged) {
          const vm = /^\* VANISHED \(EARLIER\) (\S+)/i.exec(u);
          if (vm) vanished += setSize(vm[1]!);
          if (/^\* \d+ FETCH /i.test(u)) changed++;
        }
        return vanished === expungedN && changed === changedN ? null : `VANISHED ${vanished}, FETCH ${changed}; expected ${expungedN}, ${changedN}`;
      },
      async () => {
        await b.ok('UNSELECT').catch(() => undefined);
      },
    );
    const plain = await timed(b, `EXAMINE ${quote(BOX)}`, runs, () => null);
    return { resync, plain, changed, vanished };
  } finally {
    await b.logout();
  }
}
