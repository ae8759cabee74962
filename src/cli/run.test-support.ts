/**
 * Runs the `facteur` command line in-process for tests: the real entry point (main.ts) with
 * captured stdout/stderr, a given stdin and environment, and by default the real composition root
 * as its server API (so commands open real stores).
 */
import { Readable } from 'node:stream';
import { main } from './main.js';
import type { CliIo, ServerApi } from './io.js';
import * as root from '../main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface CliRunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** The server API commands get (default: src/main.ts). */
  server?: ServerApi;
  /** What waiting for a shutdown signal resolves to (serve). */
  shutdown?: Promise<string>;
  logDestination?: CliIo['logDestination'];
}

export async function runCli(argv: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: Partial<CliIo> = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from([Buffer.from(opts.stdin ?? '')]),
    env: opts.env ?? {},
    loadServerApi: async () => opts.server ?? root,
    waitForShutdown: () => opts.shutdown ?? Promise.resolve('SIGTERM'),
    logDestination: opts.logDestination,
  };
  const code = await main(argv, io);
  return { code, out, err };
}
