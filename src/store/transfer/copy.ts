/**
 * `facteur store copy`: everything one store keeps, into another, in one destination transaction
 * (docs/decisions/0013-store-copy.md).
 *
 * Invariants:
 * - The source is only read (TransferReader); the destination changes only inside the writer's
 *   transaction, committed at the very end: a failed or refused copy leaves it as it was.
 * - Memory holds one page of rows, or blob contents up to BLOB_BATCH_BYTES (or one larger blob); nothing accumulates with the size of
 *   the store (the merge check reads account names page by page too).
 * - Order: blobs (each distinct referenced blob once, skipping those the destination has), then
 *   counters and the server's rows, then every account row, then per account: its mailboxes each
 *   with their mailbox-scoped tables, then its account-scoped tables (steps.ts). Foreign keys
 *   hold at every insert: a row naming another account (a private METADATA entry on a shared
 *   mailbox) comes after all accounts. The source -> destination account id map is the one thing
 *   held for the whole copy (two numbers per account).
 * - Each blob's content is checked against its id (SHA-256) as it is read: a damaged source blob
 *   stops the copy instead of spreading.
 * - A source that changed during the copy (its change mark moved) is refused unless allowLive:
 *   the copy would miss what a running server accepted meanwhile.
 */
import { createHash } from 'node:crypto';
import { blobPages, pages, PAGE_ROWS, progressTicker } from './pages.js';
import { ACCOUNT_COLUMNS, ACCOUNT_STEPS, COUNTER_COLUMNS, MAILBOX_COLUMNS, MAILBOX_STEPS, SCOPE_COLUMN, SERVER_STEPS, type TableStep } from './steps.js';
import { TransferError, type BlobRecord, type Column, type Row, type TransferReader, type TransferWriter } from './types.js';

/** Contents held before they are written in one batch: bounds memory, saves round trips. */
const BLOB_BATCH_BYTES = 8 << 20;

export interface CopyOptions {
  /** Add to a destination that already holds other accounts (names must not collide). */
  merge: boolean;
  /** Commit even if the source changed during the copy (a snapshot of the start). */
  allowLive: boolean;
  /** A progress line every this many messages (and blobs); 0: only per-account lines. */
  progressEvery: number;
  progress(line: string): void;
}

export interface CopySummary {
  accounts: number;
  mailboxes: number;
  messages: number;
  blobs: number;
  blobBytes: number;
  /** Blobs the destination already had (merge). */
  blobsShared: number;
  /** Rows per table. */
  rows: Record<string, number>;
  /** The source changed during the copy (only when allowLive let it commit). */
  sourceChanged: boolean;
}

const INT_ID: Column = { name: 'id', type: 'int' };

const quoteName = (name: string): string => (/[\u0000-\u001f\u007f-\u009f]/.test(name) ? JSON.stringify(name) : name);

export async function copyStore(src: TransferReader, dst: TransferWriter, opts: CopyOptions): Promise<CopySummary> {
  const summary: CopySummary = { accounts: 0, mailboxes: 0, messages: 0, blobs: 0, blobBytes: 0, blobsShared: 0, rows: {}, sourceChanged: false };
  try {
    await checkDestination(src, dst, opts.merge);
    await copyBlobs(src, dst, summary, opts);
    await copyCounters(src, dst);
    if (opts.merge) opts.progress('server /shared annotations: the destination keeps its own (--merge)');
    else for (const step of SERVER_STEPS) await copyTable(src, dst, step, null, null, summary, new Map());
    await copyAccounts(src, dst, summary, opts);
    const mark = await src.changeMark();
    if (mark !== src.startMark) {
      if (!opts.allowLive) {
        throw new TransferError(
          `the source changed during the copy (a server, delivery or tool wrote to ${src.description}); nothing was written to the destination: ` +
            'stop every process using the source and copy again (--allow-live keeps a copy of the state at the start instead)',
        );
      }
      summary.sourceChanged = true;
      opts.progress('warning: the source changed during the copy; the destination holds the source as it was when the copy started');
    }
    await dst.commit();
  } catch (e) {
    await dst.rollback().catch(() => undefined);
    throw e;
  }
  return summary;
}

async function checkDestination(src: TransferReader, dst: TransferWriter, merge: boolean): Promise<void> {
  if (!merge) {
    const n = await dst.accountCount();
    if (n > 0) {
      throw new TransferError(
        `the destination ${dst.description} already holds ${n} account(s); copy into an empty store, or pass --merge to add the source's accounts beside them`,
      );
    }
    return;
  }
  const clashes: string[] = [];
  let count = 0;
  for await (const page of pages(src, { table: 'accounts', columns: [ACCOUNT_COLUMNS[0]], key: ['name'] })) {
    const found = await dst.existingAccounts(page.map((r) => r[0] as string));
    count += found.length;
    for (const name of found) if (clashes.length < 10) clashes.push(quoteName(name));
  }
  if (count > 0) {
    throw new TransferError(
      `--merge: ${count} account(s) exist in both stores (${clashes.join(', ')}${count > clashes.length ? ', ...' : ''}); ` +
        'nothing was copied: rename or delete them on one side first',
    );
  }
}

async function copyBlobs(src: TransferReader, dst: TransferWriter, summary: CopySummary, opts: CopyOptions): Promise<void> {
  const progress = progressTicker(opts.progressEvery, (n) => opts.progress(`blobs: ${n} copied (${megabytes(summary.blobBytes)})`));
  for await (const records of blobPages(src)) {
    const missing = new Set(await dst.missingBlobs(records.map((r) => r.id)));
    summary.blobsShared += records.length - missing.size;
    // Groups of missing blobs of at most BLOB_BATCH_BYTES (or one larger blob), read and
    // written together.
    let group: BlobRecord[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (group.length === 0) return;
      const contents = await src.blobContents(group.map((r) => r.id));
      const batch = group.map((record) => {
        const content = contents.get(record.id);
        if (content === undefined) throw new TransferError(`source blob ${record.id} is missing (run facteur db check on the source)`);
        const digest = createHash('sha256').update(content).digest('hex');
        if (digest !== record.id) throw new TransferError(`source blob ${record.id} is damaged: its content's SHA-256 is ${digest}`);
        summary.blobBytes += content.length;
        return { record, content };
      });
      await dst.putBlobs(batch);
      summary.blobs += batch.length;
      group = [];
      bytes = 0;
      progress(summary.blobs);
    };
    for (const record of records) {
      if (!missing.has(record.id)) continue;
      if (bytes > 0 && bytes + record.size > BLOB_BATCH_BYTES) await flush();
      group.push(record);
      bytes += record.size;
    }
    await flush();
  }
  opts.progress(`blobs: ${summary.blobs} copied (${megabytes(summary.blobBytes)})` + (summary.blobsShared > 0 ? `, ${summary.blobsShared} already present` : ''));
}

async function copyCounters(src: TransferReader, dst: TransferWriter): Promise<void> {
  for await (const page of pages(src, { table: 'counters', columns: COUNTER_COLUMNS, key: ['name'] })) {
    for (const [name, value] of page) await dst.raiseCounter(name as string, value as number);
  }
}

async function copyAccounts(src: TransferReader, dst: TransferWriter, summary: CopySummary, opts: CopyOptions): Promise<void> {
  let at = '';
  const progress = progressTicker(opts.progressEvery, (n) => opts.progress(`messages: ${n} copied (at ${at})`));
  const onMessages = (n: number, where: string): void => {
    summary.messages += n;
    at = where;
    progress(summary.messages);
  };
  const accountIds = new Map<number, number>();
  for await (const page of pages(src, { table: 'accounts', columns: [INT_ID, ...ACCOUNT_COLUMNS], key: ['name'] })) {
    for (const [srcId, ...account] of page) {
      accountIds.set(srcId as number, await dst.insertReturningId('accounts', ACCOUNT_COLUMNS, account));
      summary.accounts++;
    }
  }
  for await (const page of pages(src, { table: 'accounts', columns: [INT_ID, ACCOUNT_COLUMNS[0]], key: ['name'] })) {
    for (const [srcId, accountName] of page) {
      const name = quoteName(accountName as string);
      const dstId = accountIds.get(srcId as number);
      if (dstId === undefined) throw new TransferError(`account ${name} appeared during the copy`);
      const before = { mailboxes: summary.mailboxes, messages: summary.messages };
      for await (const boxes of pages(src, { table: 'mailboxes', columns: [INT_ID, ...MAILBOX_COLUMNS], key: ['name'], scope: { column: 'account_id', value: srcId as number } })) {
        for (const [srcBox, ...box] of boxes) {
          const dstBox = await dst.insertReturningId('mailboxes', [{ name: 'account_id', type: 'int' }, ...MAILBOX_COLUMNS], [dstId, ...box]);
          summary.mailboxes++;
          const where = `${name}/${quoteName(box[0] as string)}`;
          for (const step of MAILBOX_STEPS) {
            const n = await copyTable(src, dst, step, srcBox as number, dstBox, summary, accountIds);
            if (step.table === 'messages') onMessages(n, where);
          }
        }
      }
      for (const step of ACCOUNT_STEPS) await copyTable(src, dst, step, srcId as number, dstId, summary, accountIds);
      opts.progress(`account ${name}: ${summary.mailboxes - before.mailboxes} mailbox(es), ${summary.messages - before.messages} message(s)`);
    }
  }
}

/**
 * Copies the rows of one table that belong to one account or mailbox (or the server's: scopes
 * null); returns how many. `accountIds` remaps the step's accountColumn.
 */
async function copyTable(
  src: TransferReader,
  dst: TransferWriter,
  step: TableStep,
  srcScope: number | null,
  dstScope: number | null,
  summary: CopySummary,
  accountIds: ReadonlyMap<number, number>,
): Promise<number> {
  const column = SCOPE_COLUMN[step.scope];
  const columns: Column[] = column === null ? [...step.columns] : [{ name: column, type: 'int' }, ...step.columns];
  const scope = column === null || srcScope === null ? undefined : { column, value: srcScope };
  const remapAt = step.accountColumn === undefined ? -1 : step.columns.findIndex((c) => c.name === step.accountColumn);
  const remap = (r: Row): Row => {
    if (remapAt < 0 || r[remapAt] === null) return r;
    const id = accountIds.get(r[remapAt] as number);
    if (id === undefined) throw new TransferError(`${step.name}: a row names account id ${String(r[remapAt])}, which the copy did not see`);
    return r.map((v, i) => (i === remapAt ? id : v));
  };
  let n = 0;
  for await (const page of pages(src, { table: step.table, columns: step.columns, key: step.key, scope, isNull: step.isNull, limit: PAGE_ROWS })) {
    await dst.insertRows(step.table, columns, page.map((r) => (column === null ? remap(r) : [dstScope, ...remap(r)])));
    n += page.length;
  }
  summary.rows[step.table] = (summary.rows[step.table] ?? 0) + n;
  return n;
}

export const megabytes = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
