/**
 * relational (RFC 5231): the match types `:value <op>` (compare each value with each key using
 * the comparator's ordering, §4.2) and `:count <op>` (compare the number of values with each key,
 * §4.1), op one of gt ge lt le eq ne (§5).
 *
 * Invariants:
 * - The operator is checked at compile time when it is a literal; a variable that expands to an
 *   unknown operator is a runtime error.
 * - :count of a `string` test does not count empty strings (RFC 5229 §5).
 */
import type { Runtime } from '../interpreter.js';
import type { MatchContext, MatchTypeDef, SieveExtension, SieveNode, ValidationContext } from './extension.js';

const OPS: Record<string, (c: number) => boolean> = {
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
};

function operator(rt: Runtime, ctx: MatchContext): (c: number) => boolean {
  const arg = ctx.tag?.args[0];
  const op = OPS[rt.str(arg).toLowerCase()];
  if (op === undefined) rt.error(arg ?? ctx.node, `unknown relational operator "${rt.str(arg)}"`);
  return op;
}

function validateOp(tagName: string) {
  return (node: SieveNode, ctx: ValidationContext): void => {
    const a = node.tags.get(tagName)?.args[0];
    if (a?.kind === 'string' && !a.value.hasVars && OPS[a.value.value.toLowerCase()] === undefined) {
      ctx.error(a, `unknown relational operator "${a.value.value}" (expected gt, ge, lt, le, eq or ne)`);
    }
  };
}

const ARGS = [{ kind: 'string' as const, name: 'relational operator' }];

export const RELATIONAL_MATCH_TYPES: MatchTypeDef[] = [
  {
    tag: { name: 'value', group: 'match-type', capability: 'relational', args: ARGS },
    validate: validateOp('value'),
    match: (rt, ctx, values, keys) => {
      const op = operator(rt, ctx);
      for (const v of values) {
        for (const k of keys) {
          rt.step(ctx.node);
          if (op(ctx.comparator.compare(v, k))) return true;
        }
      }
      return false;
    },
  },
  {
    tag: { name: 'count', group: 'match-type', capability: 'relational', args: ARGS },
    validate: validateOp('count'),
    match: (rt, ctx, values, keys) => {
      const op = operator(rt, ctx);
      const n = String(ctx.node.name === 'string' ? values.filter((v) => v !== '').length : values.length);
      for (const k of keys) {
        rt.step(ctx.node);
        if (op(ctx.comparator.compare(n, k))) return true;
      }
      return false;
    },
  },
];

export const relationalExtension: SieveExtension = {
  capabilities: ['relational'],
  matchTypes: RELATIONAL_MATCH_TYPES,
};
