/**
 * What the CLI touches of the outside world, injectable so commands run in-process in tests.
 *
 * Invariants:
 * - Commands write only through CliIo; main() fills in the real process streams and the real
 *   composition root (src/main.ts).
 * - CliError is an expected failure: printed as "facteur: <message>", exit code 1, no stack.
 */
import type { Readable } from 'node:stream';
import type { Config } from '../config/index.js';
import type { Logger } from '../observability/log.js';
import type { MailStore } from '../store/types.js';
import type { DeliveryAgent } from '../delivery/index.js';
import type { ConsistencyReport, MigrationResult } from '../store/consistency.js';
import type { StoreSpec } from '../store/transfer/spec.js';
import type { TransferReader, TransferWriter } from '../store/transfer/types.js';

/** The two entry points of the composition root (src/main.ts) the CLI uses. */
export interface ServerApi {
  openStore(config: Config): Promise<MailStore>;
  startServer(config: Config, logger: Logger): Promise<{ close(): Promise<void> }>;
  /** `facteur deliver`: the store and the one delivery path on it. */
  openDeliveryAgent?(config: Config, logger: Logger): Promise<{ agent: DeliveryAgent; close(): Promise<void> }>;
  /** `facteur db migrate`: pending schema migrations of the configured store. */
  migrateStore?(config: Config): Promise<MigrationResult>;
  /** `facteur db check`: read-only consistency check of the configured store. */
  checkStore?(config: Config): Promise<ConsistencyReport>;
  /** `facteur store copy|verify`: a read-only snapshot of the store a spec names. */
  openTransferReader?(spec: StoreSpec): Promise<TransferReader>;
  /** `facteur store copy`: the destination store, migrated, in one write transaction. */
  openTransferWriter?(spec: StoreSpec): Promise<TransferWriter>;
}

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Loaded lazily, so `facteur --help` works without opening the server graph. */
  loadServerApi(): Promise<ServerApi>;
  /** Where serve's JSON log lines go; stderr (fd 2) when absent. */
  logDestination?: { write(chunk: string): unknown };
  /** Resolves with the signal name when the server should shut down. */
  waitForShutdown(): Promise<string>;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

export function realIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    loadServerApi: () => import('../main.js'),
    waitForShutdown: () =>
      new Promise((resolve) => {
        const on = (signal: NodeJS.Signals): void => {
          process.off('SIGTERM', on);
          process.off('SIGINT', on);
          // A second signal while draining forces the exit.
          process.once(signal, () => process.exit(1));
          resolve(signal);
        };
        process.on('SIGTERM', on);
        process.on('SIGINT', on);
      }),
  };
}
