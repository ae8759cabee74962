/**
 * include (RFC 6609): the `include` (§3.2), `return` (§3.3) and `global` (§3.4.1) commands and
 * the "global" variable namespace (§3.4.2).
 *
 * Included scripts are fetched through SieveHost.loadScript when the include runs, compiled
 * then with the host's allowed extensions and the execution's limits, and run through
 * rt.withScript: their own requires (§3.2: require neither inherits nor passes on), their own
 * variable scope (§3.4), while actions, the implicit keep, the edited message (§3.5), budgets
 * and extension state are shared.
 *
 * Invariants:
 * - Script names are constant (no variable expansion, §3.2) and checked against RFC 5804 §1.6
 *   at compile time; a missing script is a runtime error unless :optional (§3.1); nothing about
 *   other scripts is checked at compile time (§3.1: no upload ordering).
 * - Recursion is a runtime error (§3.1), except that `include :once` of a script already
 *   included or still running is skipped (§3.2). Depth (maxIncludeDepth nested includes below
 *   the main script) and count (maxIncludes per execution) are bounded: exceeding either is a
 *   runtime error, so the implicit keep happens (§3.1).
 * - A host rejection from loadScript propagates (temporary failure), like every host callback.
 * - `return` ends the innermost included script, or acts as `stop` in the main script (§3.3):
 *   it is a StopSignal that include catches. `stop` inside an included script ends everything.
 * - A runtime or compile error inside an included script carries its name in
 *   SieveDiagnostic.script ("personal:name" or "global:name").
 * - Global variables live in one store per execution. `global` marks names of the current
 *   script as shared by swapping the script's variable map for one that sends those names to
 *   the store (the map is per script, so withScript restores it); "global.name" reaches the
 *   same store (§3.4.2: one and the same). The store holds at most maxVariables names.
 */
import { StopSignal, SieveRuntimeError, type Runtime } from '../interpreter.js';
import { compile, CompiledScript } from '../compile.js';
import type { SieveExtension, SieveNode } from './extension.js';

/** Thrown by `return` (RFC 6609 §3.3). A StopSignal, so in the main script it acts as stop. */
export class ReturnSignal extends StopSignal {}

type Location = 'personal' | 'global';

interface IncludeState {
  /** Scripts included so far ("location:name"). */
  included: Set<string>;
  /** Scripts running now, outermost first. */
  running: string[];
  count: number;
  globals: Map<string, string>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function state(rt: Runtime): IncludeState {
  return rt.state<IncludeState>('include', () => ({ included: new Set(), running: [], count: 0, globals: new Map() }));
}

/** RFC 5804 §1.6: no controls, no U+2028/U+2029, not empty; bounded here to 1024 characters. */
export function isValidScriptName(name: string): boolean {
  return name.length > 0 && name.length <= 1024 && !/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(name) && !LONE_SURROGATE.test(name);
}

function setGlobal(rt: Runtime, name: string, value: string): void {
  const g = state(rt).globals;
  if (!g.has(name) && g.size >= rt.limits.maxVariables) rt.error(null, `too many global variables (limit ${rt.limits.maxVariables})`);
  g.set(name, value);
}

/** A script's variables with some names sent to the global store (the `global` command). */
class ScopedVariables extends Map<string, string> {
  readonly shared: Set<string>;
  private readonly rt: Runtime;
  constructor(rt: Runtime, local: Map<string, string>) {
    // Map's constructor would call the overridden set() before the fields exist: copy after.
    super();
    this.rt = rt;
    this.shared = new Set();
    for (const [k, v] of local) super.set(k, v);
  }
  override get(name: string): string | undefined {
    return this.shared.has(name) ? state(this.rt).globals.get(name) : super.get(name);
  }
  override has(name: string): boolean {
    return this.shared.has(name) ? state(this.rt).globals.has(name) : super.has(name);
  }
  override set(name: string, value: string): this {
    if (this.shared.has(name)) setGlobal(this.rt, name, value);
    else super.set(name, value);
    return this;
  }
}

async function runInclude(node: SieveNode, rt: Runtime): Promise<void> {
  const location: Location = node.tags.has('global') ? 'global' : 'personal';
  // Constant by definition (§3.2): read the literal, never expanded.
  const name = node.args[0]?.kind === 'string' ? node.args[0].value.value : '';
  const key = `${location}:${name}`;
  const st = state(rt);
  if (node.tags.has('once') && (st.included.has(key) || st.running.includes(key))) return;
  if (st.running.includes(key)) rt.error(node, `recursive include of ${location} script "${name}" (RFC 6609 §3.1)`);
  if (st.running.length >= rt.limits.maxIncludeDepth) rt.error(node, `includes nested too deeply (limit ${rt.limits.maxIncludeDepth})`);
  if (st.count >= rt.limits.maxIncludes) rt.error(node, `too many includes (limit ${rt.limits.maxIncludes})`);
  st.count++;
  const source = await rt.host.loadScript(location, name);
  if (source === null) {
    if (node.tags.has('optional')) return;
    rt.error(node, `included ${location} script "${name}" does not exist`);
  }
  const compiled = compile(source, { extensions: rt.script.available, limits: rt.limits });
  if (!compiled.ok) {
    const first = compiled.errors[0]!;
    const e = new SieveRuntimeError(first, `included ${location} script "${name}" is invalid: ${first.message}`);
    e.script = key;
    throw e;
  }
  const script = compiled.script;
  if (!(script instanceof CompiledScript)) return rt.error(node, 'include: unexpected script object');
  rt.step(node, 1 + Math.ceil(source.length / 4096));
  st.included.add(key);
  st.running.push(key);
  try {
    await rt.withScript(script, () => rt.runBlock(script.commands));
  } catch (e) {
    if (e instanceof SieveRuntimeError && e.script === undefined) e.script = key;
    if (!(e instanceof ReturnSignal)) throw e;
  } finally {
    st.running.pop();
  }
}

export const includeExtension: SieveExtension = {
  capabilities: ['include'],
  commands: [
    {
      name: 'include',
      kind: 'command',
      capability: 'include',
      positional: [{ kind: 'string', name: 'script name', constant: true }],
      tags: [
        { name: 'personal', group: 'location' },
        { name: 'global', group: 'location' },
        { name: 'once' },
        { name: 'optional' },
      ],
      validate: (node, ctx) => {
        const a = node.args[0];
        if (a?.kind === 'string' && !isValidScriptName(a.value.value)) ctx.error(a, `invalid script name "${a.value.value}" (RFC 5804 §1.6)`);
      },
      run: (node, rt) => runInclude(node, rt),
    },
    {
      name: 'return',
      kind: 'command',
      capability: 'include',
      positional: [],
      run: async () => {
        throw new ReturnSignal();
      },
    },
    {
      name: 'global',
      kind: 'command',
      capability: 'include',
      positional: [{ kind: 'stringlist', name: 'variable names', constant: true }],
      validate: (node, ctx) => {
        // §3.4.1: only with both "include" and "variables" required.
        if (!ctx.requires.has('variables')) ctx.error(node, 'global needs "variables" as well as "include" (RFC 6609 §3.4.1)');
        const a = node.args[0];
        if (a?.kind !== 'stringlist') return;
        for (const s of a.values) {
          if (!IDENT.test(s.value)) ctx.error(s, `invalid global variable name "${s.value}"`);
          else if (ctx.variableNames.has(s.value.toLowerCase())) ctx.error(s, `variable "${s.value}" was set before it was declared global (RFC 6609 §3.4.1)`);
        }
      },
      run: async (node, rt) => {
        const names = node.args[0]?.kind === 'stringlist' ? node.args[0].values.map((v) => v.value.toLowerCase()) : [];
        const vars = rt.variables instanceof ScopedVariables ? rt.variables : new ScopedVariables(rt, rt.variables);
        for (const n of names) {
          if (!vars.shared.has(n) && Map.prototype.has.call(vars, n)) rt.error(node, `variable "${n}" was set before it was declared global (RFC 6609 §3.4.1)`);
          vars.shared.add(n);
        }
        rt.variables = vars;
      },
    },
  ],
  namespaces: [
    {
      prefix: 'global',
      capability: 'include',
      // §3.4.2: no sub-namespaces; "global.a.b" names nothing.
      get: (rt, name) => (IDENT.test(name) ? (state(rt).globals.get(name) ?? '') : ''),
      set: (rt, name, value) => {
        if (!IDENT.test(name)) rt.error(null, `invalid global variable name "${name}" (RFC 6609 §3.4.2)`);
        setGlobal(rt, name, value);
      },
    },
  ],
};
