/**
 * spamtest, spamtestplus and virustest (RFC 5235): tests on the normalized verdicts of the host's
 * filters. The host names the header field carrying the raw score (SieveInput.spamtest /
 * virustest: field, optional pattern whose first group is the number, and the score that maps to
 * the top of the scale).
 *
 * Normalization (RFC 5235 §3.2.1, §3.2.2, §3.3):
 * - not tested (no config, no field, no number found): spamtest "0", :percent "0", virustest "0",
 *   and :count sees no value (§3.1: count 0 means untested);
 * - spamtest: 1 for a score <= 0, 10 for >= max, else 1 + ceil(9 * score / max) capped at 9
 *   (2-9 "may contain spam");
 * - spamtest :percent: round(100 * score / max) clamped to 0-100;
 * - virustest: 1 for <= 0, 5 for >= max, else 1 + ceil(3 * score / max) capped at 4.
 *
 * Invariants: the host's pattern is run on one header value only (bounded by the mime layer's
 * header limits); an invalid pattern counts as "not tested", never an exception.
 */
import type { ScoreTestConfig } from '../api.js';
import type { Runtime } from '../interpreter.js';
import type { SieveExtension } from './extension.js';

/** The raw score, or null when the message was not tested. */
function rawScore(rt: Runtime, cfg: ScoreTestConfig | undefined): number | null {
  if (cfg === undefined || !(cfg.max > 0)) return null;
  const value = rt.headers(cfg.header)[0];
  if (value === undefined) return null;
  let text: string | undefined = value;
  if (cfg.pattern !== undefined) {
    try {
      text = new RegExp(cfg.pattern).exec(value.slice(0, 1024))?.[1];
    } catch {
      return null;
    }
  }
  const m = text === undefined ? null : /^\s*(-?[0-9]+(?:\.[0-9]+)?)/.exec(text);
  if (m === null) return null;
  return Number(m[1]);
}

export function normalizeScore(score: number | null, max: number, top: number): string {
  if (score === null) return '0';
  if (score <= 0) return '1';
  if (score >= max) return String(top);
  return String(Math.min(top - 1, 1 + Math.ceil(((top - 1) * score) / max)));
}

export function percentScore(score: number | null, max: number): string {
  if (score === null) return '0';
  return String(Math.max(0, Math.min(100, Math.round((100 * score) / max))));
}

export const spamtestExtension: SieveExtension = {
  capabilities: ['spamtest', 'spamtestplus', 'virustest'],
  tests: [
    {
      name: 'spamtest',
      kind: 'test',
      positional: [{ kind: 'string', name: 'value' }],
      tags: [{ name: 'percent', capability: 'spamtestplus' }],
      groups: ['comparator', 'match-type'],
      validate: (node, ctx) => {
        // RFC 5235 §3.2: either capability enables spamtest.
        if (!ctx.requires.has('spamtest') && !ctx.requires.has('spamtestplus')) {
          ctx.error(node, `test 'spamtest' requires the "spamtest" or "spamtestplus" extension (missing require)`);
        }
      },
      evaluate: async (node, rt) => {
        const cfg = rt.input.spamtest;
        const score = rawScore(rt, cfg);
        const value = node.tags.has('percent') ? percentScore(score, cfg?.max ?? 1) : normalizeScore(score, cfg?.max ?? 1, 10);
        // §3.1: :count is 1 when a test was done, 0 when not.
        return rt.match(node, score === null && isCount(node) ? [] : [value], rt.strs(node.args[0]));
      },
    },
    {
      name: 'virustest',
      kind: 'test',
      capability: 'virustest',
      positional: [{ kind: 'string', name: 'value' }],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => {
        const cfg = rt.input.virustest;
        const score = rawScore(rt, cfg);
        const value = normalizeScore(score, cfg?.max ?? 1, 5);
        return rt.match(node, score === null && isCount(node) ? [] : [value], rt.strs(node.args[0]));
      },
    },
  ],
};

function isCount(node: { tags: Map<string, unknown> }): boolean {
  return node.tags.has('count');
}
