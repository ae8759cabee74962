/**
 * The Sieve library's entry points (RFC 5228 and extensions): compile a script once, execute it
 * per message. Pure: no I/O; the host answers store questions through SieveHost.
 * See api.ts for the contract and extensions/extension.ts for how extensions plug in.
 */
import type { ExecuteOptions, SieveHost, SieveInput, SieveOutcome, SieveScript } from './api.js';
import { CompiledScript, resolveLimits } from './compile.js';
import { run } from './interpreter.js';

export * from './api.js';
export { compile, DEFAULT_SIEVE_LIMITS, SUPPORTED_EXTENSIONS } from './compile.js';

/** Runs a compiled script against one message (RFC 5228 §2.10). Never throws for anything the
 * script or the message does; a host callback's rejection propagates. */
export async function execute(script: SieveScript, input: SieveInput, host: SieveHost, options: ExecuteOptions = {}): Promise<SieveOutcome> {
  if (!(script instanceof CompiledScript)) throw new TypeError('execute: not a script returned by compile');
  const limits = options.limits === undefined ? script.limits : resolveLimits({ ...script.limits, ...options.limits });
  return run(script, input, host, limits);
}
