/**
 * The Sieve library as delivery uses it: the two functions of src/sieve/index.ts, injected by
 * the composition root, plus a cache of compiled scripts keyed by their source text.
 *
 * Invariants:
 * - A script is compiled once per distinct source (and re-compiled when the user uploads a new
 *   one, since the key is the text). The cache is bounded (MAX_CACHED_SCRIPTS, oldest out).
 * - A script that does not compile is remembered as such, so a broken script costs one compile
 *   and one log line per source, not one per message.
 */
import type { CompileOptions, CompileResult, ExecuteOptions, SieveHost, SieveInput, SieveOutcome, SieveScript } from '../sieve/api.js';

export interface SieveEngine {
  compile(source: string, options?: CompileOptions): CompileResult;
  execute(script: SieveScript, input: SieveInput, host: SieveHost, options?: ExecuteOptions): Promise<SieveOutcome>;
}

/** Distinct script sources kept compiled; a server with more active users recompiles the rest. */
const MAX_CACHED_SCRIPTS = 1000;

export class CompiledScripts {
  private readonly cache = new Map<string, CompileResult>();

  constructor(private readonly engine: SieveEngine) {}

  get(source: string): CompileResult {
    const hit = this.cache.get(source);
    if (hit !== undefined) {
      // Map order is insertion order: re-inserting marks it recently used.
      this.cache.delete(source);
      this.cache.set(source, hit);
      return hit;
    }
    const result = this.engine.compile(source);
    this.cache.set(source, result);
    if (this.cache.size > MAX_CACHED_SCRIPTS) this.cache.delete(this.cache.keys().next().value as string);
    return result;
  }
}
