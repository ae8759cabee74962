/**
 * imap4flags (RFC 5232): setflag / addflag / removeflag (§3), the hasflag test (§4), the :flags
 * argument of keep and fileinto (§5), and the internal flags variable that the implicit keep and
 * flag-less keep/fileinto use (§3, §5).
 *
 * Invariants:
 * - A flag list is the space-separated union of its strings (§3): split on spaces, empty items
 *   dropped, duplicates removed case-insensitively (first spelling kept). Strings that are not
 *   valid IMAP flags (RFC 3501 flag / atom syntax) are dropped rather than stored.
 * - Named flag variables (with "variables") are ordinary variables holding the space-separated
 *   list; the internal variable lives in extension state.
 * - The list a variable holds is bounded by maxVariableBytes like any variable.
 */
import type { Runtime } from '../interpreter.js';
import type { CommandDef, SieveExtension, SieveNode, ValidationContext } from './extension.js';
import { truncateUtf8 } from '../strings.js';

const STATE = 'imap4flags';
const ATOM = /^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

/** Splits and de-duplicates a flag list (RFC 5232 §3). */
export function normalizeFlags(items: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of items) {
    for (const f of s.split(' ')) {
      if (f === '' || !ATOM.test(f)) continue;
      const key = f.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

function getFlags(rt: Runtime, variable: string | null): string[] {
  if (variable === null) return rt.state(STATE, () => ({ flags: [] as string[] })).flags;
  return normalizeFlags([rt.getVariable(variable)]);
}

function setFlags(rt: Runtime, node: SieveNode, variable: string | null, flags: string[]): void {
  if (variable === null) {
    const joined = truncateUtf8(flags.join(' '), rt.limits.maxVariableBytes);
    rt.state(STATE, () => ({ flags: [] as string[] })).flags = normalizeFlags([joined]);
  } else rt.setVariable(node, variable, flags.join(' '));
}

/** With two arguments the first names the variable (RFC 5232 §3, needs "variables"). */
function validateVariableArg(node: SieveNode, ctx: ValidationContext): void {
  if (node.args.length < 2) return;
  const v = node.args[0]!;
  if (!ctx.requires.has('variables')) ctx.error(v, `'${node.name}' with a variable name needs "variables" (missing require)`);
  if (v.kind === 'stringlist' && node.name !== 'hasflag' && v.values.length !== 1) ctx.error(v, 'the variable name must be a single string');
}

function flagCommand(name: 'setflag' | 'addflag' | 'removeflag'): CommandDef {
  return {
    name,
    kind: 'command',
    capability: 'imap4flags',
    positional: [
      { kind: 'stringlist', name: 'flag list or variable name' },
      { kind: 'stringlist', name: 'flag list', optional: true },
    ],
    validate: validateVariableArg,
    run: async (node, rt) => {
      const variable = node.args.length === 2 ? rt.strs(node.args[0])[0]! : null;
      const given = normalizeFlags(rt.strs(node.args[node.args.length - 1]));
      const current = getFlags(rt, variable);
      let next: string[];
      if (name === 'setflag') next = given;
      else if (name === 'addflag') next = normalizeFlags([...current, ...given]);
      else {
        const drop = new Set(given.map((f) => f.toLowerCase()));
        next = current.filter((f) => !drop.has(f.toLowerCase()));
      }
      setFlags(rt, node, variable, next);
    },
  };
}

export const imap4flagsExtension: SieveExtension = {
  capabilities: ['imap4flags'],
  commands: [flagCommand('setflag'), flagCommand('addflag'), flagCommand('removeflag')],
  tests: [
    {
      name: 'hasflag',
      kind: 'test',
      capability: 'imap4flags',
      positional: [
        { kind: 'stringlist', name: 'flag list or variable list' },
        { kind: 'stringlist', name: 'flag list', optional: true },
      ],
      groups: ['comparator', 'match-type'],
      validate: validateVariableArg,
      evaluate: async (node, rt) => {
        const values =
          node.args.length === 2 ? normalizeFlags(rt.strs(node.args[0]).flatMap((v) => getFlags(rt, v))) : getFlags(rt, null);
        // RFC 5232 §4: the keys are flag lists too, compared one flag at a time.
        const keys = rt.strs(node.args[node.args.length - 1]).flatMap((k) => k.split(' ').filter((f) => f !== ''));
        return rt.match(node, values, keys);
      },
    },
  ],
  tags: [
    { target: 'keep', kind: 'command', tag: { name: 'flags', capability: 'imap4flags', args: [{ kind: 'stringlist', name: 'flag list' }] } },
    { target: 'fileinto', kind: 'command', tag: { name: 'flags', capability: 'imap4flags', args: [{ kind: 'stringlist', name: 'flag list' }] } },
  ],
  onAction: (rt, action, node) => {
    // Enabled by require or (RFC 5463) by a successful ihave.
    if (!rt.enabled.has('imap4flags')) return;
    if (action.type !== 'keep' && action.type !== 'fileinto') return;
    const tag = node?.tags.get('flags');
    const flags = tag !== undefined ? normalizeFlags(rt.strs(tag.args[0])) : [...getFlags(rt, null)];
    return { ...action, flags };
  },
};
