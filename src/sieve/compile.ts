/**
 * compile(): source -> lexer/parser -> validator -> CompiledScript. The validator checks every
 * command and test against its signature in the registry (RFC 5228 §2.6: positional arguments,
 * tagged arguments, optional arguments; §2.5 tests; §2.10.5 require before use), turns string
 * literals into SieveStrings (encoded-character, RFC 5228 §2.4.2.4) and collects every error it
 * can find, each with line and column, as Pigeonhole does.
 *
 * Invariants:
 * - compile never throws for any source text; problems are diagnostics.
 * - A script that compiled runs without any further name lookups failing: every definition,
 *   comparator, match type and address part is resolved here.
 * - At most MAX_ERRORS errors are reported (the rest add nothing for the user).
 */
import type { CompileOptions, CompileResult, SieveDiagnostic, SieveLimits, SieveScript } from './api.js';
import { parse, SieveSyntaxErrors, type Argument, type Position, type StringLit, type TestNode, type CommandNode } from './parser.js';
import { SieveSyntaxError } from './lexer.js';
import { REGISTRY } from './registry.js';
import type { ArgSpec, CommandDef, SieveNode, SieveString, ValidatedArg, ValidatedTag, ValidationContext } from './extensions/extension.js';
import { decodeEncodedCharacters, expandVariables } from './strings.js';
import { IHAVE_REFUSED } from './extensions/ihave.js';

const MAX_ERRORS = 50;
const NO_TAGS: Map<string, ValidatedTag> = new Map();
const NO_GROUPS: Map<string, string> = new Map();

export const DEFAULT_SIEVE_LIMITS: SieveLimits = {
  maxScriptBytes: 1024 * 1024,
  maxNesting: 32,
  maxActions: 64,
  maxRedirects: 4,
  maxIncludeDepth: 8,
  maxIncludes: 32,
  maxSteps: 1_000_000,
  maxVariableBytes: 4096,
  maxVariables: 256,
};

export function resolveLimits(partial?: Partial<SieveLimits>): SieveLimits {
  return { ...DEFAULT_SIEVE_LIMITS, ...(partial ?? {}) };
}

/** What execute() works on: the validated tree plus what compile decided. */
export class CompiledScript implements SieveScript {
  constructor(
    readonly source: string,
    readonly requires: ReadonlySet<string>,
    readonly commands: readonly SieveNode[],
    readonly limits: SieveLimits,
    /** Capabilities the host allows (ihave, RFC 5463, answers from it). */
    readonly available: ReadonlySet<string>,
  ) {}
}

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze([...REGISTRY.capabilities]);

function describeKind(a: Argument): string {
  return a.kind === 'string' ? 'a string' : a.kind === 'stringlist' ? 'a string list' : a.kind === 'number' ? 'a number' : `tag ':${a.name}'`;
}

export function compile(source: string, options: CompileOptions = {}): CompileResult {
  const limits = resolveLimits(options.limits);
  const errors: SieveDiagnostic[] = [];
  const warnings: SieveDiagnostic[] = [];
  const error = (at: Position, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ line: at.line, column: at.column, message });
  };
  if (Buffer.byteLength(source, 'utf8') > limits.maxScriptBytes) {
    return { ok: false, errors: [{ line: 1, column: 1, message: `script is larger than ${limits.maxScriptBytes} bytes` }] };
  }
  let tree: CommandNode[];
  try {
    tree = parse(source, limits.maxNesting);
  } catch (e) {
    if (e instanceof SieveSyntaxErrors) return { ok: false, errors: e.errors.map((x) => ({ line: x.line, column: x.column, message: x.message })) };
    if (e instanceof SieveSyntaxError) return { ok: false, errors: [{ line: e.line, column: e.column, message: e.message }] };
    throw e;
  }

  // RFC 5228 §3.2: require commands come first; gather them before validating anything so that
  // every later command knows what is available.
  const allowed = options.extensions;
  const requires = new Set<string>();
  for (const cmd of tree) {
    if (cmd.name !== 'require') break;
    // RFC 5228 §2.7.3: the two mandatory comparators may be required without being advertised.
    for (const a of cmd.args) {
      const lits = a.kind === 'string' ? [a] : a.kind === 'stringlist' ? a.values : [];
      for (const lit of lits) {
        const cap = lit.value.toLowerCase();
        if (cap === 'comparator-i;octet' || cap === 'comparator-i;ascii-casemap') continue;
        if (!REGISTRY.capabilities.includes(cap) || (allowed !== undefined && !allowed.has(cap))) {
          error(lit, `unsupported extension "${lit.value}"`);
        } else requires.add(cap);
      }
    }
  }
  // Implied capabilities (SieveExtension.implies, e.g. RFC 6131 §2).
  for (const ext of REGISTRY.extensions) {
    for (const [cap, implied] of Object.entries(ext.implies ?? {})) if (requires.has(cap)) for (const c of implied) requires.add(c);
  }
  const available = new Set(REGISTRY.capabilities.filter((c) => allowed === undefined || allowed.has(c)));
  const ihave = requires.has('ihave');
  /** RFC 5463 §4: with ihave, a supported capability that was not required is checked at run time. */
  const deferrable = (cap: string): boolean => ihave && available.has(cap) && !IHAVE_REFUSED.has(cap);
  const unavailableIhave = (t: TestNode): boolean =>
    t.name === 'ihave' &&
    t.args.some((a) => (a.kind === 'string' ? [a] : a.kind === 'stringlist' ? a.values : []).some((l) => {
      const c = l.value.toLowerCase();
      return !available.has(c) || (IHAVE_REFUSED.has(c) && !requires.has(c));
    }));
  const encoded = requires.has('encoded-character');
  const variables = requires.has('variables');

  const toString = (lit: StringLit, constant = false): SieveString => {
    let value = lit.value;
    if (encoded) {
      const r = decodeEncodedCharacters(value);
      if (typeof r !== 'string') {
        error(lit, r.error);
      } else value = r;
    }
    const hasVars = !constant && variables && value.includes('${');
    if (hasVars) {
      // RFC 5229 §3: a reference to a namespace whose extension was not required is an error.
      expandVariables(value, (name) => {
        const dot = name.indexOf('.');
        if (dot >= 0) {
          const ns = REGISTRY.namespaces.get(name.slice(0, dot).toLowerCase());
          if (ns === undefined || !requires.has(ns.capability)) error(lit, `unknown variable namespace in "\${${name}}"`);
        }
        return '';
      });
    }
    return { value, line: lit.line, column: lit.column, hasVars };
  };

  const variableNames = new Set<string>();
  let afterOtherCommands = false;

  function argMatches(spec: ArgSpec, a: Argument): ValidatedArg | null {
    if (spec.kind === 'number') return a.kind === 'number' ? { kind: 'number', value: a.value, line: a.line, column: a.column } : null;
    const c = spec.constant === true;
    if (spec.kind === 'string') return a.kind === 'string' ? { kind: 'string', value: toString(a, c), line: a.line, column: a.column } : null;
    if (a.kind === 'string') return { kind: 'stringlist', values: [toString(a, c)], line: a.line, column: a.column };
    if (a.kind === 'stringlist') return { kind: 'stringlist', values: a.values.map((v) => toString(v, c)), line: a.line, column: a.column };
    return null;
  }

  function validateNode(
    n: TestNode | CommandNode,
    kind: 'command' | 'test',
    ctxBase: { previous: SieveNode | null; previousName: string | null; topLevel: boolean },
  ): SieveNode | null {
    const def: CommandDef | undefined = kind === 'command' ? REGISTRY.commands.get(n.name) : REGISTRY.tests.get(n.name);
    if (def === undefined) {
      const other = kind === 'command' ? REGISTRY.tests.has(n.name) : REGISTRY.commands.has(n.name);
      error(n, other ? `'${n.name}' is a ${kind === 'command' ? 'test' : 'command'}, not a ${kind}` : `unknown ${kind} '${n.name}'`);
      return null;
    }
    const deferred: string[] = [];
    if (def.capability !== undefined && !requires.has(def.capability)) {
      if (deferrable(def.capability)) deferred.push(def.capability);
      else {
        error(n, `${kind} '${n.name}' requires the "${def.capability}" extension (missing require)`);
        return null;
      }
    }
    const tagDefs = REGISTRY.tagsFor(def);
    // Most nodes have no tags; they share one empty map (never written: tags are set here only).
    const hasTags = n.args.some((a) => a.kind === 'tag');
    const tags = hasTags ? new Map<string, ValidatedTag>() : NO_TAGS;
    const groups = hasTags ? new Map<string, string>() : NO_GROUPS;
    const positional: Argument[] = [];
    let ok = true;
    for (let i = 0; i < n.args.length; i++) {
      const a = n.args[i]!;
      if (a.kind !== 'tag') {
        positional.push(a);
        continue;
      }
      if (positional.length > 0) {
        // RFC 5228 §2.6.2: tagged arguments precede positional ones.
        error(a, `tag ':${a.name}' must come before the positional arguments of '${n.name}'`);
        ok = false;
      }
      const t = tagDefs.get(a.name);
      if (t === undefined) {
        error(a, `unknown tag ':${a.name}' for ${kind} '${n.name}'`);
        ok = false;
        continue;
      }
      if (t.capability !== undefined && !requires.has(t.capability)) {
        if (deferrable(t.capability)) deferred.push(t.capability);
        else {
          error(a, `tag ':${a.name}' requires the "${t.capability}" extension (missing require)`);
          ok = false;
        }
      }
      if (tags.has(t.name)) {
        error(a, `tag ':${a.name}' given twice`);
        ok = false;
      }
      if (t.group !== undefined) {
        const prior = groups.get(t.group);
        if (prior !== undefined && prior !== t.name) {
          error(a, `tag ':${a.name}' conflicts with ':${prior}' (only one ${t.group})`);
          ok = false;
        }
        groups.set(t.group, t.name);
      }
      const targs: ValidatedArg[] = [];
      for (const spec of t.args ?? []) {
        const b = n.args[i + 1];
        const v = b === undefined || b.kind === 'tag' ? null : argMatches(spec, b);
        if (v === null) {
          error(b ?? a, `tag ':${a.name}' needs ${spec.kind === 'stringlist' ? 'a string list' : `a ${spec.kind}`} (${spec.name})`);
          ok = false;
          break;
        }
        targs.push(v);
        i++;
      }
      tags.set(t.name, { name: t.name, args: targs, line: a.line, column: a.column });
    }
    const args: ValidatedArg[] = [];
    let pi = 0;
    for (const spec of def.positional) {
      const a = positional[pi];
      if (a === undefined) {
        if (!spec.optional) {
          error(n, `${kind} '${n.name}' is missing its ${spec.name} argument`);
          ok = false;
        }
        break;
      }
      const v = argMatches(spec, a);
      if (v === null) {
        error(a, `${kind} '${n.name}' expects ${spec.kind === 'stringlist' ? 'a string list' : `a ${spec.kind}`} (${spec.name}) but found ${describeKind(a)}`);
        ok = false;
      } else args.push(v);
      pi++;
    }
    if (pi < positional.length) {
      error(positional[pi]!, `too many arguments for ${kind} '${n.name}'`);
      ok = false;
    }
    const wantTests = def.tests ?? 'none';
    if (wantTests === 'none' && n.tests.length > 0) {
      error(n.tests[0]!, `${kind} '${n.name}' takes no tests`);
      ok = false;
    } else if (wantTests === 'one' && (n.tests.length !== 1 || n.testList)) {
      error(n, `${kind} '${n.name}' needs exactly one test${n.testList ? ' (not a test list)' : ''}`);
      ok = false;
    } else if (wantTests === 'list' && !n.testList) {
      error(n, `${kind} '${n.name}' needs a parenthesised test list`);
      ok = false;
    }
    const block = 'block' in n ? n.block : null;
    if (kind === 'command') {
      if ((def.block ?? 'none') === 'required' && block === null) {
        error(n, `command '${n.name}' needs a block`);
        ok = false;
      } else if ((def.block ?? 'none') === 'none' && block !== null) {
        error(n, `command '${n.name}' takes no block`);
        ok = false;
      }
    }
    const tests: SieveNode[] = [];
    for (const t of n.tests) {
      const v = validateNode(t, 'test', { previous: null, previousName: null, topLevel: false });
      if (v === null) ok = false;
      else tests.push(v);
    }
    const node: SieveNode = { def, name: n.name, line: n.line, column: n.column, tags, args, tests, block: null, data: {} };
    // Match-type / comparator compatibility (RFC 4790 §4.2: substring operations).
    if (def.groups?.includes('comparator')) {
      const ct = tags.get('comparator');
      const cname = ct !== undefined && ct.args[0]?.kind === 'string' ? ct.args[0].value.value.toLowerCase() : 'i;ascii-casemap';
      const comp = REGISTRY.comparators.get(cname);
      if (comp === undefined) {
        error(ct ?? n, `unknown comparator "${cname}"`);
        ok = false;
      } else if (comp.capability !== undefined && !requires.has(comp.capability) && !deferrable(comp.capability)) {
        error(ct ?? n, `comparator "${cname}" requires "${comp.capability}" (missing require)`);
        ok = false;
      } else {
        if (comp.capability !== undefined && !requires.has(comp.capability)) deferred.push(comp.capability);
        node.data.comparator = comp;
        const mtName = groups.get('match-type');
        const mt = mtName === undefined ? undefined : REGISTRY.matchTypes.get(mtName);
        if (mt?.substring === true && !comp.substring) {
          error(tags.get(mtName!)!, `comparator "${cname}" does not support ':${mtName}'`);
          ok = false;
        }
      }
    }
    if (deferred.length > 0) node.data.deferred = deferred;
    // RFC 5463 §4: the block of an ihave that can never succeed is never run; do not validate it.
    if (kind === 'command' && block !== null && ihave && (n.name === 'if' || n.name === 'elsif') && n.tests.length === 1 && unavailableIhave(n.tests[0]!)) {
      node.block = [];
    } else if (kind === 'command' && block !== null) {
      const inner: SieveNode[] = [];
      let previous: SieveNode | null = null;
      let previousName: string | null = null;
      for (const c of block) {
        const v = validateNode(c, 'command', { previous, previousName, topLevel: false });
        if (v !== null) inner.push(v);
        previous = v;
        previousName = c.name;
      }
      node.block = inner;
    }
    if (!ok) return null;
    const ctx: ValidationContext = {
      requires,
      limits,
      previous: ctxBase.previous,
      previousName: ctxBase.previousName,
      topLevel: ctxBase.topLevel,
      afterOtherCommands,
      error: (at, message) => {
        ok = false;
        error(at, message);
      },
      warn: (at, message) => warnings.push({ line: at.line, column: at.column, message }),
      comparator: (name) => REGISTRY.comparators.get(name.toLowerCase()),
      variableNames,
    };
    def.validate?.(node, ctx);
    // Tags other extensions added check their own arguments (TagDef.validate).
    for (const t of tags.values()) tagDefs.get(t.name)?.validate?.(node, t, ctx);
    for (const mtName of groups.get('match-type') === undefined ? [] : [groups.get('match-type')!]) {
      REGISTRY.matchTypes.get(mtName)?.validate?.(node, ctx);
    }
    return ok ? node : null;
  }

  const commands: SieveNode[] = [];
  let previous: SieveNode | null = null;
  let previousName: string | null = null;
  for (const c of tree) {
    const v = validateNode(c, 'command', { previous, previousName, topLevel: true });
    previousName = c.name;
    if (c.name !== 'require') afterOtherCommands = true;
    if (v !== null) commands.push(v);
    previous = v;
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }
  return { ok: true, script: new CompiledScript(source, requires, commands, limits, available), warnings };
}
