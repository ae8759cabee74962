/**
 * `facteur store verify` (and the check after `facteur store copy`): compares two stores account
 * by account and mailbox by mailbox, and every distinct blob by SHA-256 on both sides.
 *
 * Invariants:
 * - Both stores are only read, each in one snapshot (TransferReader).
 * - Rows are matched by name and key, never by internal id (ids differ after a copy); both sides
 *   stream in the same key order (pages.ts), so memory holds one page per side.
 * - Every difference names where it is (account, mailbox, UID or key, or blob id) and what
 *   differs; secrets (password hashes, URLAUTH keys) are reported as differing, never printed.
 *   At most MAX_REPORTED differences are kept; the rest are only counted.
 * - With `merge`, accounts present only in the destination are not differences (they were there
 *   before the merge); inside an account present in both, everything must match.
 * - Counters: the destination's must be at least the source's (a merge keeps the greater).
 * - A row naming any account (TableStep.accountColumn) is compared by that account's NAME; such
 *   a step's rows of one scope are read whole (bounded by the store's limits) and sorted by it.
 *   With `merge`, the server's /shared annotations are the destination's own and not compared.
 */
import { blobPages, keyComparator, progressTicker, rowsOf, sameValue, type PageQuery } from './pages.js';
import { ACCOUNT_COLUMNS, ACCOUNT_STEPS, COUNTER_COLUMNS, MAILBOX_COLUMNS, MAILBOX_STEPS, SCOPE_COLUMN, SERVER_STEPS, type TableStep } from './steps.js';
import type { Column, Row, TransferReader, Value } from './types.js';

const MAX_REPORTED = 1000;

export interface Difference {
  where: string;
  what: string;
}

export interface VerifyReport {
  /** The first MAX_REPORTED differences. */
  differences: Difference[];
  /** How many differences there were in all. */
  total: number;
  checked: { accounts: number; mailboxes: number; messages: number; blobs: number };
}

export interface VerifyOptions {
  merge: boolean;
  progressEvery: number;
  progress(line: string): void;
}

const INT_ID: Column = { name: 'id', type: 'int' };

const quoteName = (name: string): string => (/[\u0000-\u001f\u007f-\u009f]/.test(name) ? JSON.stringify(name) : name);

function show(c: Column, v: Value): string {
  if (v === null) return 'NULL';
  if (c.secret === true || Buffer.isBuffer(v)) return '(not shown)';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

class Report {
  readonly differences: Difference[] = [];
  total = 0;
  readonly checked = { accounts: 0, mailboxes: 0, messages: 0, blobs: 0 };
  private at = '';
  private readonly progress: (total: number) => void;

  constructor(opts: VerifyOptions) {
    this.progress = progressTicker(opts.progressEvery, (n) => opts.progress(`verify: ${n} message(s) compared (at ${this.at})`));
  }

  /** Counts compared messages and reports progress every opts.progressEvery of them. */
  messagesCompared(n: number, where: string): void {
    this.checked.messages += n;
    this.at = where;
    this.progress(this.checked.messages);
  }

  add(where: string, what: string): void {
    this.total++;
    if (this.differences.length < MAX_REPORTED) this.differences.push({ where, what });
  }

  /** Column-by-column comparison of two rows of `columns`, from index `from`. */
  compare(where: string, columns: readonly Column[], a: Row, b: Row, from = 0): void {
    const diffs: string[] = [];
    for (let i = from; i < columns.length; i++) {
      if (sameValue(a[i], b[i])) continue;
      const c = columns[i];
      diffs.push(c.secret === true || c.type === 'bytes' ? `${c.name} differs` : `${c.name}: source ${show(c, a[i])}, destination ${show(c, b[i])}`);
    }
    if (diffs.length > 0) this.add(where, diffs.join('; '));
  }
}

/** Walks two key-ordered row streams together. */
async function mergeJoin(
  a: AsyncIterator<Row>,
  b: AsyncIterator<Row>,
  cmp: (x: Row, y: Row) => number,
  on: { both(x: Row, y: Row): Promise<void> | void; onlySource(x: Row): void; onlyDestination(y: Row): void },
): Promise<void> {
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : cmp(x.value, y.value);
    if (c === 0) {
      await on.both(x.value as Row, y.value as Row);
      x = await a.next();
      y = await b.next();
    } else if (c < 0) {
      on.onlySource(x.value as Row);
      x = await a.next();
    } else {
      on.onlyDestination(y.value as Row);
      y = await b.next();
    }
  }
}

export async function verifyStores(src: TransferReader, dst: TransferReader, opts: VerifyOptions): Promise<VerifyReport> {
  const report = new Report(opts);
  const ctx: Sides = { src, dst, srcNames: new AccountNames(src), dstNames: new AccountNames(dst) };
  const columns = [INT_ID, ...ACCOUNT_COLUMNS];
  const q = { table: 'accounts', columns, key: ['name'] };
  await mergeJoin(rowsOf(src, q), rowsOf(dst, q), keyComparator(columns, q.key), {
    onlySource: (x) => report.add(`account ${quoteName(x[1] as string)}`, 'missing from the destination'),
    onlyDestination: (y) => {
      if (!opts.merge) report.add(`account ${quoteName(y[1] as string)}`, 'only in the destination');
    },
    both: async (x, y) => {
      const name = quoteName(x[1] as string);
      report.checked.accounts++;
      report.compare(`account ${name}`, columns, x, y, 2);
      await verifyAccount(ctx, report, name, x[0] as number, y[0] as number);
    },
  });
  await verifyCounters(src, dst, report);
  if (!opts.merge) for (const step of SERVER_STEPS) await verifyTable(ctx, report, step, 'server', null, null);
  await verifyBlobs(src, dst, report, opts);
  return { differences: report.differences, total: report.total, checked: report.checked };
}

async function verifyAccount(ctx: Sides, report: Report, name: string, srcId: number, dstId: number): Promise<void> {
  const { src, dst } = ctx;
  const columns = [INT_ID, ...MAILBOX_COLUMNS];
  const q = (value: number) => ({ table: 'mailboxes', columns, key: ['name'], scope: { column: 'account_id', value } });
  await mergeJoin(rowsOf(src, q(srcId)), rowsOf(dst, q(dstId)), keyComparator(columns, ['name']), {
    onlySource: (x) => report.add(`${name}/${quoteName(x[1] as string)}`, 'mailbox missing from the destination'),
    onlyDestination: (y) => report.add(`${name}/${quoteName(y[1] as string)}`, 'mailbox only in the destination'),
    both: async (x, y) => {
      const where = `${name}/${quoteName(x[1] as string)}`;
      report.checked.mailboxes++;
      report.compare(where, columns, x, y, 2);
      for (const step of MAILBOX_STEPS) {
        const n = await verifyTable(ctx, report, step, where, x[0] as number, y[0] as number);
        if (step.table === 'messages') report.messagesCompared(n, where);
      }
    },
  });
  for (const step of ACCOUNT_STEPS) await verifyTable(ctx, report, step, name, srcId, dstId);
}

/** Both stores, with their account names by id (for TableStep.accountColumn). */
interface Sides {
  src: TransferReader;
  dst: TransferReader;
  srcNames: AccountNames;
  dstNames: AccountNames;
}

/** Account names by id, read as rows name them; a bounded cache (most rows name no account). */
class AccountNames {
  private readonly cache = new Map<number, string>();
  constructor(private readonly reader: TransferReader) {}

  async of(id: number): Promise<string> {
    const known = this.cache.get(id);
    if (known !== undefined) return known;
    const [row] = await this.reader.rows({ table: 'accounts', columns: [ACCOUNT_COLUMNS[0]], scope: { column: 'id', value: id }, key: [], after: null, limit: 1 });
    const name = row === undefined ? `#${id} (no such account)` : (row[0] as string);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(id, name);
    return name;
  }
}

/**
 * The rows of one scope of a step with an accountColumn, that column replaced by the account's
 * name ("" for NULL: no account name is empty), sorted by key: ids differ between the stores.
 */
async function* rowsByAccountName(reader: TransferReader, names: AccountNames, q: PageQuery, step: TableStep): AsyncGenerator<Row> {
  const at = step.columns.findIndex((c) => c.name === step.accountColumn);
  const rows: Row[] = [];
  for await (const r of rowsOf(reader, q)) {
    const id = r[at];
    rows.push(r.map((v, i) => (i === at ? '' : v)));
    if (id !== null) rows[rows.length - 1][at] = await names.of(id as number);
  }
  rows.sort(keyComparator(step.columns.map((c, i) => (i === at ? { ...c, type: 'text' as const } : c)), step.key));
  yield* rows;
}

/** Compares one table's rows of one account or mailbox (or the server's); returns the source's row count. */
async function verifyTable(ctx: Sides, report: Report, step: TableStep, owner: string, srcScope: number | null, dstScope: number | null): Promise<number> {
  const column = SCOPE_COLUMN[step.scope];
  const q = (value: number | null): PageQuery => ({
    table: step.table,
    columns: step.columns,
    key: step.key,
    scope: column === null || value === null ? undefined : { column, value },
    isNull: step.isNull,
  });
  const byName = step.accountColumn !== undefined;
  // By name, the account column holds the account's name ("" for none).
  const columns = byName ? step.columns.map((c) => (c.name === step.accountColumn ? { ...c, type: 'text' as const } : c)) : step.columns;
  const keyAt = step.key.map((k) => step.columns.findIndex((c) => c.name === k));
  const label = (r: Row): string => {
    if (step.table === 'messages') return `${owner} uid ${String(r[keyAt[0]])}`;
    const key = keyAt.map((i) => `${columns[i].name}=${show(columns[i], r[i])}`).join(' ');
    return `${owner} ${step.name}${key === '' ? '' : ` ${key}`}`;
  };
  const [a, b] = byName
    ? [rowsByAccountName(ctx.src, ctx.srcNames, q(srcScope), step), rowsByAccountName(ctx.dst, ctx.dstNames, q(dstScope), step)]
    : [rowsOf(ctx.src, q(srcScope)), rowsOf(ctx.dst, q(dstScope))];
  let n = 0;
  let m = 0;
  // A keyless table has one row per scope: the comparator says "same row" for any two.
  await mergeJoin(a, b, keyComparator(columns, step.key), {
    onlySource: (x) => {
      n++;
      report.add(label(x), 'missing from the destination');
    },
    onlyDestination: (y) => {
      m++;
      report.add(label(y), 'only in the destination');
    },
    both: (x, y) => {
      n++;
      m++;
      report.compare(label(x), columns, x, y);
    },
  });
  // The counts, on one line, for when the per-row lines are too many to read (or were cut).
  if (n !== m) report.add(owner, `${step.name}: ${n} in the source, ${m} in the destination`);
  return n;
}

async function verifyCounters(src: TransferReader, dst: TransferReader, report: Report): Promise<void> {
  const q = { table: 'counters', columns: COUNTER_COLUMNS, key: ['name'] };
  await mergeJoin(rowsOf(src, q), rowsOf(dst, q), keyComparator(COUNTER_COLUMNS, ['name']), {
    onlySource: (x) => report.add(`counter ${String(x[0])}`, 'missing from the destination'),
    onlyDestination: () => undefined,
    both: (x, y) => {
      if ((y[1] as number) < (x[1] as number)) report.add(`counter ${String(x[0])}`, `destination ${String(y[1])} is below the source's ${String(x[1])}`);
    },
  });
}

async function verifyBlobs(src: TransferReader, dst: TransferReader, report: Report, opts: VerifyOptions): Promise<void> {
  const progress = progressTicker(opts.progressEvery, (n) => opts.progress(`verify: ${n} blob(s) compared`));
  for await (const records of blobPages(src)) {
    const ids = records.map((r) => r.id);
    const [mine, theirs] = await Promise.all([src.blobChecks(ids), dst.blobChecks(ids)]);
    for (const r of records) {
      report.checked.blobs++;
      const where = `blob ${r.id}`;
      const s = mine.get(r.id);
      const d = theirs.get(r.id);
      if (s?.digest == null) report.add(where, 'content missing from the source');
      else if (s.digest !== r.id) report.add(where, `source content damaged: its SHA-256 is ${s.digest}`);
      if (d === undefined) {
        report.add(where, 'missing from the destination');
        continue;
      }
      if (d.digest === null) report.add(where, 'content missing from the destination');
      else if (s?.digest != null && d.digest !== s.digest) report.add(where, `destination content SHA-256 ${d.digest} differs from the source's ${s.digest}`);
      if (d.size !== r.size) report.add(where, `size: source ${r.size}, destination ${d.size}`);
      if (d.meta !== r.meta) report.add(where, 'cached MIME structure (meta) differs');
    }
    progress(report.checked.blobs);
  }
}
