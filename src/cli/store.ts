/**
 * `facteur store copy` and `facteur store verify`: move an installation between stores (SQLite
 * data directory <-> PostgreSQL, either way) and prove the result (docs/decisions/0013).
 *
 * Invariants:
 * - Both stores are named on the command line (--from, --to); the configured store plays no part,
 *   and the stores are opened through the composition root (src/main.ts), never directly.
 * - copy never writes to the source; the destination changes in one transaction (all or nothing).
 *   Unless --no-verify, the copy is then compared with the same source snapshot it was made from.
 * - Exit codes: 0 copied (and verified) / no differences; 1 refused, failed or differences found.
 *   Progress goes to stderr, the summary and the difference report to stdout.
 */
import { parseArgs } from 'node:util';
import { copyStore, megabytes } from '../store/transfer/copy.js';
import { describeSpec, parseStoreSpec, sameStore, type StoreSpec } from '../store/transfer/spec.js';
import { COPIED_TABLES } from '../store/transfer/steps.js';
import { TransferError, type TransferReader } from '../store/transfer/types.js';
import { verifyStores, type VerifyReport } from '../store/transfer/verify.js';
import { CliError, type CliIo, type ServerApi } from './io.js';
import { STORE_USAGE } from './usage.js';
import { dispatch, type Noun, type Verb } from './subcommands.js';

/** Messages between progress lines unless --progress-every says otherwise (as the server's default). */
const DEFAULT_PROGRESS_EVERY = 10_000;

interface StoreArgs {
  from: StoreSpec;
  to: StoreSpec;
  merge: boolean;
  allowLive: boolean;
  verifyOnly: boolean;
  noVerify: boolean;
  progressEvery: number;
}

function parse(command: 'copy' | 'verify', args: string[]): StoreArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        merge: { type: 'boolean' },
        ...(command === 'copy'
          ? { 'allow-live': { type: 'boolean' }, 'verify-only': { type: 'boolean' }, 'no-verify': { type: 'boolean' } }
          : {}),
        'progress-every': { type: 'string' },
      },
    });
  } catch (e) {
    throw new CliError(`store ${command}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see facteur help store)`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const every = v['progress-every'] as string | undefined;
  if (every !== undefined && !/^\d{1,9}$/.test(every)) throw new CliError(`--progress-every: expected a number of messages (0 for none), got ${JSON.stringify(every)}`);
  if (v['verify-only'] === true && v['no-verify'] === true) throw new CliError('--verify-only and --no-verify contradict each other');
  try {
    const from = parseStoreSpec(v.from as string | undefined, '--from');
    const to = parseStoreSpec(v.to as string | undefined, '--to');
    if (sameStore(from, to)) throw new CliError(`--from and --to name the same store (${describeSpec(from)})`);
    return {
      from,
      to,
      merge: v.merge === true,
      allowLive: v['allow-live'] === true,
      verifyOnly: v['verify-only'] === true,
      noVerify: v['no-verify'] === true,
      progressEvery: every === undefined ? DEFAULT_PROGRESS_EVERY : Number(every),
    };
  } catch (e) {
    if (e instanceof TransferError) throw new CliError(e.message);
    throw e;
  }
}

function need<K extends 'openTransferReader' | 'openTransferWriter'>(api: ServerApi, key: K): NonNullable<ServerApi[K]> {
  const fn = api[key];
  if (fn === undefined) throw new CliError('this build cannot copy stores');
  return fn as NonNullable<ServerApi[K]>;
}

function printReport(io: CliIo, report: VerifyReport): number {
  for (const d of report.differences) io.stdout.write(`${d.where}: ${d.what}\n`);
  const { accounts, mailboxes, messages, blobs } = report.checked;
  const scope = `compared ${accounts} account(s), ${mailboxes} mailbox(es), ${messages} message(s), ${blobs} blob(s)`;
  if (report.total === 0) {
    io.stdout.write(`verified: no differences; ${scope}\n`);
    return 0;
  }
  const more = report.total > report.differences.length ? ` (first ${report.differences.length} shown)` : '';
  io.stdout.write(`verification FAILED: ${report.total} difference(s)${more}; ${scope}\n`);
  return 1;
}

async function verify(api: ServerApi, io: CliIo, a: StoreArgs, source?: TransferReader): Promise<number> {
  const open = need(api, 'openTransferReader');
  const progress = (line: string): void => void io.stderr.write(`facteur store: ${line}\n`);
  const src = source ?? (await open(a.from));
  try {
    const dst = await open(a.to);
    try {
      progress(`verifying ${describeSpec(a.to)} against ${describeSpec(a.from)}`);
      return printReport(io, await verifyStores(src, dst, { merge: a.merge, progressEvery: a.progressEvery, progress }));
    } finally {
      await dst.close();
    }
  } finally {
    if (source === undefined) await src.close();
  }
}

async function copy(api: ServerApi, io: CliIo, a: StoreArgs): Promise<number> {
  if (a.verifyOnly) return verify(api, io, a);
  const progress = (line: string): void => void io.stderr.write(`facteur store: ${line}\n`);
  const src = await need(api, 'openTransferReader')(a.from);
  try {
    const dst = await need(api, 'openTransferWriter')(a.to);
    progress(`copying ${describeSpec(a.from)} to ${describeSpec(a.to)} (tables: ${COPIED_TABLES.join(', ')})`);
    const s = await copyStore(src, dst, { merge: a.merge, allowLive: a.allowLive, progressEvery: a.progressEvery, progress });
    io.stdout.write(
      `copied ${s.accounts} account(s), ${s.mailboxes} mailbox(es), ${s.messages} message(s), ${s.blobs} blob(s) (${megabytes(s.blobBytes)})` +
        ` from ${describeSpec(a.from)} to ${describeSpec(a.to)}\n`,
    );
    if (a.noVerify) return 0;
    // The same snapshot the copy read: what must be in the destination, even with --allow-live.
    return await verify(api, io, a, src);
  } finally {
    await src.close();
  }
}

/** Runs one verb; a TransferError (a refusal the copier explains) is an expected CLI failure. */
function verb(sub: 'copy' | 'verify'): Verb {
  return async (rest, io) => {
    const a = parse(sub, rest);
    const api = await io.loadServerApi();
    try {
      return sub === 'copy' ? await copy(api, io, a) : await verify(api, io, a);
    } catch (e) {
      if (e instanceof TransferError) throw new CliError(e.message);
      throw e;
    }
  };
}

const NOUN: Noun = { name: 'store', usage: STORE_USAGE, verbs: { copy: verb('copy'), verify: verb('verify') }, expected: 'copy or verify' };

export const storeCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
