/**
 * The interpreter: runs a CompiledScript against one message and collects actions.
 *
 * Invariants:
 * - Every command, test and match attempt charges the step budget (rt.step); exceeding
 *   maxSteps, maxActions or maxRedirects is a runtime error, so no execution runs unbounded.
 * - A runtime error (SieveRuntimeError) discards the collected actions and leaves the implicit
 *   keep alone (RFC 5228 §2.10.6); a host callback's rejection is not caught here.
 * - Actions are recorded once (RFC 5228 §2.10.3: a second keep, or fileinto of the same mailbox,
 *   or redirect to the same address, adds nothing but its flags: the last list wins, RFC 5232 §3).
 * - The implicit keep (RFC 5228 §2.10.2) is added at the end unless an action cancelled it.
 * - The message is parsed at most once per (edited) message, lazily.
 */
import type { SieveAction, SieveDiagnostic, SieveHost, SieveInput, SieveLimits, SieveOutcome } from './api.js';
import type { CompiledScript } from './compile.js';
import type { Position } from './parser.js';
import type { AddressPartDef, ComparatorDef, MatchTypeDef, SieveNode, SieveString, ValidatedArg } from './extensions/extension.js';
import { REGISTRY } from './registry.js';
import { expandVariables, truncateUtf8 } from './strings.js';
import { parseMessage, type MimePart } from '../mime/index.js';
import { readHeaderBlock, unfoldedValue } from '../mime/header-block.js';
import { decodeEncodedWords } from '../mime/encoded-word.js';

export class SieveRuntimeError extends Error {
  /** The included script the position refers to (RFC 6609; set by include, see api.ts). */
  script?: string;
  constructor(
    readonly at: Position,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by `stop` (RFC 5228 §3.3); caught by execute (and by include for `return`). */
export class StopSignal extends Error {}

export class Runtime {
  readonly actions: SieveAction[] = [];
  /** RFC 5228 §2.10.2: true until an action cancels the implicit keep. */
  implicitKeep = true;
  /** Flags the implicit keep gets (imap4flags sets them, RFC 5232 §3). */
  implicitKeepFlags: readonly string[] = [];
  /** The current script's variables (RFC 5229: one scope per script; see withScript). */
  variables = new Map<string, string>();
  /** RFC 5229 §3.2: the strings of the most recent successful :matches (index 0 = whole). */
  matchVariables: string[] = [];
  readonly duplicateRecords: Array<{ key: string; expiresInSeconds: number }> = [];
  steps = 0;
  redirects = 0;
  /** The current message: the input, or what editheader made of it. */
  message: Buffer;
  /** Whether `message` differs from the input (then actions carry it). */
  messageEdited = false;
  private parsed: MimePart | null = null;
  private headerIndex = new WeakMap<MimePart, Map<string, string[]>>();
  private readonly extState = new Map<string, unknown>();
  /** Capabilities usable now: the required ones plus those a successful ihave enabled. */
  enabled: Set<string>;

  constructor(
    /** The script running now (the main one, or an included one inside withScript). */
    public script: CompiledScript,
    readonly input: SieveInput,
    readonly host: SieveHost,
    readonly limits: SieveLimits,
  ) {
    this.message = input.message;
    this.enabled = new Set(script.requires);
  }

  /** Whether the running script required "variables" (expansion, match variables). */
  get variablesEnabled(): boolean {
    return this.script.requires.has('variables');
  }

  /**
   * Runs `fn` with another compiled script as the current one (for include, RFC 6609 §3.2): its
   * requires govern expansion and extension checks, and it gets its own variable scope and match
   * variables (RFC 6609 §3.4: only "global" variables are shared, through a namespace). Actions,
   * the implicit keep, budgets and extension state stay shared. Everything is restored after.
   */
  async withScript<T>(script: CompiledScript, fn: () => Promise<T>): Promise<T> {
    const saved = { script: this.script, enabled: this.enabled, variables: this.variables, matchVariables: this.matchVariables };
    this.script = script;
    this.enabled = new Set(script.requires);
    this.variables = new Map();
    this.matchVariables = [];
    try {
      return await fn();
    } finally {
      this.script = saved.script;
      this.enabled = saved.enabled;
      this.variables = saved.variables;
      this.matchVariables = saved.matchVariables;
    }
  }

  // ---- errors and budgets ----

  error(at: Position | null, message: string): never {
    throw new SieveRuntimeError(at ?? { line: 1, column: 1 }, message);
  }

  step(at: Position | null, n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) this.error(at, `script exceeded its step budget (${this.limits.maxSteps})`);
  }

  state<T>(key: string, init: () => T): T {
    if (!this.extState.has(key)) this.extState.set(key, init());
    return this.extState.get(key) as T;
  }

  // ---- the message ----

  mime(): MimePart {
    this.parsed ??= parseMessage(this.message);
    return this.parsed;
  }

  /** Replaces the message (editheader); later actions carry the new one. */
  setMessage(message: Buffer): void {
    this.message = message;
    this.messageEdited = true;
    this.parsed = null;
    this.headerIndex = new WeakMap();
  }

  /** Unfolded raw values of the header fields named `name` (of the top-level message unless a
   * part is given), in order. The field index is built once per part, so repeated tests cost
   * only the lookup. */
  rawHeaders(name: string, part: MimePart = this.mime()): string[] {
    let index = this.headerIndex.get(part);
    if (index === undefined) {
      index = new Map();
      for (const f of readHeaderBlock<never>(this.message, part.headerStart, part.bodyStart).fields) {
        const key = f.name.toLowerCase();
        const list = index.get(key);
        const value = unfoldedValue(this.message, f);
        if (list === undefined) index.set(key, [value]);
        else list.push(value);
      }
      this.headerIndex.set(part, index);
    }
    return [...(index.get(name.toLowerCase()) ?? [])];
  }

  /** Header values as tests compare them: unfolded, RFC 2047-decoded (RFC 5228 §2.7.2). */
  headers(name: string, part: MimePart = this.mime()): string[] {
    // Trailing whitespace is not part of the value as a user sees it (leading is already gone).
    return this.rawHeaders(name, part).map((v) => decodeEncodedWords(v).replace(/[ \t]+$/, ''));
  }

  // ---- arguments ----

  expand(s: SieveString): string {
    if (!s.hasVars) return s.value;
    return truncateUtf8(
      expandVariables(s.value, (name) => this.getVariable(name)),
      // An expanded string may be long, but never beyond what many variables could hold.
      Math.max(this.limits.maxVariableBytes * 4, s.value.length),
    );
  }

  str(arg: ValidatedArg | undefined): string {
    if (arg === undefined) return '';
    if (arg.kind === 'string') return this.expand(arg.value);
    if (arg.kind === 'stringlist') return arg.values.map((v) => this.expand(v)).join(',');
    return String(arg.value);
  }

  strs(arg: ValidatedArg | undefined): string[] {
    if (arg === undefined) return [];
    if (arg.kind === 'stringlist') return arg.values.map((v) => this.expand(v));
    if (arg.kind === 'string') return [this.expand(arg.value)];
    return [String(arg.value)];
  }

  num(arg: ValidatedArg | undefined): number {
    return arg?.kind === 'number' ? arg.value : 0;
  }

  // ---- variables (RFC 5229) ----

  getVariable(name: string): string {
    if (/^[0-9]+$/.test(name)) return this.matchVariables[Number(name)] ?? '';
    const lower = name.toLowerCase();
    const dot = lower.indexOf('.');
    if (dot >= 0) {
      const ns = REGISTRY.namespaces.get(lower.slice(0, dot));
      if (ns === undefined || !this.script.requires.has(ns.capability)) return '';
      return ns.get(this, lower.slice(dot + 1));
    }
    return this.variables.get(lower) ?? '';
  }

  setVariable(at: Position, name: string, value: string): void {
    const lower = name.toLowerCase();
    const v = truncateUtf8(value, this.limits.maxVariableBytes);
    const dot = lower.indexOf('.');
    if (dot >= 0) {
      const ns = REGISTRY.namespaces.get(lower.slice(0, dot));
      if (ns?.set === undefined) this.error(at, `cannot set variable "${name}"`);
      ns.set(this, lower.slice(dot + 1), v);
      return;
    }
    if (!this.variables.has(lower) && this.variables.size >= this.limits.maxVariables) {
      this.error(at, `too many variables (limit ${this.limits.maxVariables})`);
    }
    this.variables.set(lower, v);
  }

  // ---- matching ----

  comparatorOf(node: SieveNode): ComparatorDef {
    return (node.data.comparator as ComparatorDef | undefined) ?? REGISTRY.comparators.get('i;ascii-casemap')!;
  }

  /** RFC 5228 §2.7: compares values against keys with the node's comparator and match type. */
  match(node: SieveNode, values: string[], keys: string[]): boolean {
    let mt: MatchTypeDef | undefined;
    let tag = null;
    for (const t of node.tags.values()) {
      const m = REGISTRY.matchTypes.get(t.name);
      if (m !== undefined) {
        mt = m;
        tag = t;
        break;
      }
    }
    mt ??= REGISTRY.matchTypes.get('is')!;
    return mt.match(this, { comparator: this.comparatorOf(node), node, tag }, values, keys);
  }

  addressPart(node: SieveNode): AddressPartDef {
    for (const t of node.tags.values()) {
      const a = REGISTRY.addressParts.get(t.name);
      if (a !== undefined) return a;
    }
    return REGISTRY.addressParts.get('all')!;
  }

  // ---- actions ----

  /** Records an action (RFC 5228 §2.10). `cancelsImplicitKeep` per the action's RFC. */
  addAction(node: SieveNode | null, action: SieveAction, cancelsImplicitKeep: boolean): void {
    let a: SieveAction = action;
    for (const ext of REGISTRY.extensions) {
      if (ext.onAction === undefined) continue;
      const r = ext.onAction(this, a, node);
      if (r !== undefined) a = r;
    }
    if (this.messageEdited && (a.type === 'keep' || a.type === 'fileinto' || a.type === 'redirect')) {
      a = { ...a, message: this.message };
    }
    if (cancelsImplicitKeep && !REGISTRY.extensions.some((e) => e.preservesImplicitKeep?.(this, a, node) === true)) {
      this.implicitKeep = false;
    }
    const dup = this.actions.findIndex((x) => sameTarget(x, a));
    if (dup >= 0) {
      const prior = this.actions[dup]!;
      if ((prior.type === 'keep' || prior.type === 'fileinto') && (a.type === 'keep' || a.type === 'fileinto')) {
        // RFC 5232 §3: when duplicates are eliminated, the last flag list wins.
        const flags = a.flags;
        const create = prior.type === 'fileinto' && (prior.create || (a.type === 'fileinto' && a.create));
        this.actions[dup] = (prior.type === 'fileinto' ? { ...prior, flags, create } : { ...prior, flags }) as SieveAction;
      }
      return;
    }
    if (this.actions.length >= this.limits.maxActions) this.error(node, `too many actions (limit ${this.limits.maxActions})`);
    if (a.type === 'redirect') {
      this.redirects++;
      if (this.redirects > this.limits.maxRedirects) this.error(node, `too many redirects (limit ${this.limits.maxRedirects})`);
    }
    this.actions.push(a);
  }

  // ---- evaluation ----

  /** RFC 5463 §4 item 1: an extension used before ihave enabled it is a runtime error. */
  private checkDeferred(node: SieveNode): void {
    const deferred = node.data.deferred as string[] | undefined;
    if (deferred === undefined) return;
    for (const cap of deferred) if (!this.enabled.has(cap)) this.error(node, `extension "${cap}" is used but not enabled (require or ihave)`);
  }

  async evalTest(node: SieveNode): Promise<boolean> {
    this.step(node);
    this.checkDeferred(node);
    return node.def.evaluate!(node, this);
  }

  async runBlock(nodes: readonly SieveNode[]): Promise<void> {
    let chain: boolean | undefined;
    for (const n of nodes) {
      this.step(n);
      this.checkDeferred(n);
      const r = await n.def.run!(n, this, chain);
      chain = typeof r === 'boolean' ? r : undefined;
    }
  }
}

/** RFC 5228 §2.10.3: actions that deliver to the same place are one. */
function sameTarget(a: SieveAction, b: SieveAction): boolean {
  const mailboxOf = (x: SieveAction): string | null =>
    x.type === 'keep' ? 'INBOX' : x.type === 'fileinto' && x.specialUse === null ? (x.mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : x.mailbox) : null;
  const ma = mailboxOf(a);
  if (ma !== null) return ma === mailboxOf(b);
  if (a.type === 'redirect' && b.type === 'redirect') return a.address.toLowerCase() === b.address.toLowerCase();
  if (a.type === 'discard' && b.type === 'discard') return true;
  // RFC 8579 §4: the same special use with the same fallback mailbox is the same destination.
  if (a.type === 'fileinto' && b.type === 'fileinto' && a.specialUse !== null && b.specialUse !== null) {
    return a.specialUse.toLowerCase() === b.specialUse.toLowerCase() && a.mailbox === b.mailbox;
  }
  return false;
}

function diagnostic(e: SieveRuntimeError): SieveDiagnostic {
  return { line: e.at.line, column: e.at.column, message: e.message, ...(e.script === undefined ? {} : { script: e.script }) };
}

export async function run(script: CompiledScript, input: SieveInput, host: SieveHost, limits: SieveLimits): Promise<SieveOutcome> {
  const rt = new Runtime(script, input, host, limits);
  try {
    try {
      await rt.runBlock(script.commands);
    } catch (e) {
      if (!(e instanceof StopSignal)) throw e;
    }
    for (const ext of REGISTRY.extensions) await ext.finish?.(rt);
    if (rt.implicitKeep) rt.addAction(null, { type: 'keep', implicit: true, flags: rt.implicitKeepFlags }, false);
    return { actions: rt.actions, error: null, duplicateRecords: rt.duplicateRecords };
  } catch (e) {
    if (e instanceof SieveRuntimeError) {
      // RFC 5228 §2.10.6: a runtime error means the implicit keep, whatever the script did.
      return { actions: [{ type: 'keep', implicit: true, flags: [] }], error: diagnostic(e), duplicateRecords: [] };
    }
    if (e instanceof RangeError) {
      // Defence in depth: a stack or allocation failure inside the library is the script's
      // fault (nesting is bounded, but hosts may lower the limits differently per call).
      return { actions: [{ type: 'keep', implicit: true, flags: [] }], error: { line: 1, column: 1, message: `runtime error: ${e.message}` }, duplicateRecords: [] };
    }
    throw e;
  }
}
