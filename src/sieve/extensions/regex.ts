/**
 * regex (draft-ietf-sieve-regex-01): the `:regex` match type — keys are POSIX extended regular
 * expressions, matched unanchored against each value (§3) — and the `:quoteregex` modifier for
 * `set` (§5, precedence 20 like :quotewildcard). With "variables", a successful match sets
 * ${0} to the matched text and ${1}..${9} to the groups (§4).
 *
 * Invariants:
 * - Patterns run on the bounded Pike VM of regex-engine.ts (no backtracking) and every unit of
 *   VM work is charged to the step budget, so no pattern/value pair can run long.
 * - A literal pattern is compiled at compile time (errors carry its position); a pattern built
 *   from variables is compiled at run time, and a bad one is a runtime error.
 * - Comparators: i;octet is exact, i;ascii-casemap folds ASCII, i;unicode-casemap folds per
 *   RFC 5051 per character; i;ascii-numeric has no substring operation and is refused.
 */
import type { Runtime } from '../interpreter.js';
import type { ComparatorDef, SieveExtension, SieveNode } from './extension.js';
import { compileRegex, execRegex, RegexError, type CompiledRegex } from './regex-engine.js';

const CACHE = 'regex-cache';
const MAX_CACHED = 64;

function foldOf(c: ComparatorDef): (ch: string) => string {
  return c.name === 'i;octet' ? (ch) => ch : c.charKey;
}

/** RFC-draft §5 :quoteregex: a backslash before every ERE special character. */
export function quoteRegex(s: string): string {
  return s.replace(/[\\^$.[\]|()*+?{}]/g, (c) => `\\${c}`);
}

function compiled(rt: Runtime, node: SieveNode, comparator: ComparatorDef, pattern: string): CompiledRegex {
  const cache = rt.state(CACHE, () => new Map<string, CompiledRegex>());
  const key = `${comparator.name}\u0000${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    try {
      re = compileRegex(pattern, foldOf(comparator));
    } catch (e) {
      if (e instanceof RegexError) rt.error(node, `invalid regular expression "${pattern}": ${e.message}`);
      throw e;
    }
    rt.step(node, Math.ceil(re.prog.length / 16));
    if (cache.size < MAX_CACHED) cache.set(key, re);
  }
  return re;
}

export const regexExtension: SieveExtension = {
  capabilities: ['regex'],
  matchTypes: [
    {
      tag: { name: 'regex', group: 'match-type', capability: 'regex' },
      substring: true,
      validate: (node, ctx) => {
        const comparator = (node.data.comparator as ComparatorDef | undefined) ?? ctx.comparator('i;ascii-casemap')!;
        const keys = node.args[node.args.length - 1];
        if (keys?.kind !== 'stringlist') return;
        for (const k of keys.values) {
          if (k.hasVars) continue;
          try {
            compileRegex(k.value, foldOf(comparator));
          } catch (e) {
            if (!(e instanceof RegexError)) throw e;
            ctx.error(k, `invalid regular expression "${k.value}": ${e.message}`);
          }
        }
      },
      match: (rt, ctx, values, keys) => {
        for (const k of keys) {
          const re = compiled(rt, ctx.node, ctx.comparator, k);
          for (const v of values) {
            rt.step(ctx.node);
            const caps = execRegex(re, v, (work) => rt.step(ctx.node, Math.ceil(work / 64)));
            if (caps !== null) {
              if (rt.variablesEnabled) rt.matchVariables = caps;
              return true;
            }
          }
        }
        return false;
      },
    },
  ],
  setModifiers: [{ name: 'quoteregex', precedence: 20, capability: 'regex', apply: quoteRegex }],
};
