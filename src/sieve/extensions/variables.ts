/**
 * Variables (RFC 5229): the `set` command with its modifiers (§4), the `string` test (§5).
 * Expansion of "${...}" in string arguments and match variables live in the runtime
 * (interpreter.ts, strings.ts) since they touch every string.
 *
 * Invariants:
 * - Variable names are case-insensitive (RFC 5229 §3) and checked at compile time; names with a
 *   namespace must name a namespace an extension registered.
 * - Values are truncated to maxVariableBytes on a character boundary (RFC 5229 §3 permits it).
 * - The number of distinct variables a script can set is bounded (compile-time check on the
 *   literal names, run-time check in Runtime.setVariable).
 */
import type { SetModifierDef, SieveExtension } from './extension.js';
import { isSettableName } from '../strings.js';
import { REGISTRY } from '../registry.js';

/** RFC 5229 §4.1.3 :quotewildcard: backslash before '*', '?' and '\'. */
export function quoteWildcard(s: string): string {
  return s.replace(/[*?\\]/g, (c) => `\\${c}`);
}

function firstChar(s: string, f: (c: string) => string): string {
  const ch = [...s][0];
  return ch === undefined ? s : f(ch) + s.slice(ch.length);
}

export const SET_MODIFIERS: SetModifierDef[] = [
  { name: 'lower', precedence: 40, apply: (s) => s.toLowerCase() },
  { name: 'upper', precedence: 40, apply: (s) => s.toUpperCase() },
  { name: 'lowerfirst', precedence: 30, apply: (s) => firstChar(s, (c) => c.toLowerCase()) },
  { name: 'upperfirst', precedence: 30, apply: (s) => firstChar(s, (c) => c.toUpperCase()) },
  { name: 'quotewildcard', precedence: 20, apply: quoteWildcard },
  // RFC 5229 §4.1.4: the length in characters, as a decimal string.
  { name: 'length', precedence: 10, apply: (s) => String([...s].length) },
];

export const variablesExtension: SieveExtension = {
  capabilities: ['variables'],
  setModifiers: SET_MODIFIERS,
  commands: [
    {
      name: 'set',
      kind: 'command',
      capability: 'variables',
      positional: [
        { kind: 'string', name: 'variable name', constant: true },
        { kind: 'string', name: 'value' },
      ],
      groups: ['set-modifier'],
      validate: (node, ctx) => {
        const a = node.args[0];
        if (a?.kind !== 'string') return;
        const name = a.value.value;
        if (!isSettableName(name)) {
          ctx.error(a, `invalid variable name "${name}"`);
          return;
        }
        const dot = name.indexOf('.');
        if (dot >= 0) {
          const ns = REGISTRY.namespaces.get(name.slice(0, dot).toLowerCase());
          if (ns?.set === undefined || !ctx.requires.has(ns.capability)) {
            ctx.error(a, `variable namespace "${name.slice(0, dot)}" is unknown or read-only`);
            return;
          }
        } else {
          ctx.variableNames.add(name.toLowerCase());
          if (ctx.variableNames.size > ctx.limits.maxVariables) ctx.error(a, `too many variables (limit ${ctx.limits.maxVariables})`);
        }
        const seen = new Map<number, string>();
        for (const t of node.tags.values()) {
          const m = REGISTRY.setModifiers.get(t.name);
          if (m === undefined) continue;
          const other = seen.get(m.precedence);
          // RFC 5229 §4.1: two modifiers of the same precedence are an error.
          if (other !== undefined) ctx.error(t, `':${t.name}' cannot be combined with ':${other}'`);
          seen.set(m.precedence, t.name);
        }
      },
      run: async (node, rt) => {
        let value = rt.str(node.args[1]);
        const mods = [...node.tags.values()]
          .map((t) => REGISTRY.setModifiers.get(t.name))
          .filter((m): m is SetModifierDef => m !== undefined)
          .sort((x, y) => y.precedence - x.precedence);
        for (const m of mods) value = m.apply(value);
        rt.setVariable(node.args[0]!, rt.str(node.args[0]), value);
      },
    },
  ],
  tests: [
    {
      name: 'string',
      kind: 'test',
      capability: 'variables',
      positional: [
        { kind: 'stringlist', name: 'source' },
        { kind: 'stringlist', name: 'key list' },
      ],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => rt.match(node, rt.strs(node.args[0]), rt.strs(node.args[1])),
    },
  ],
};
