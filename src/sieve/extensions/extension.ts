/**
 * How a Sieve extension plugs into the library. READ THIS BEFORE WRITING AN EXTENSION.
 *
 * One file per extension under src/sieve/extensions/, exporting a `SieveExtension` value; the
 * list in src/sieve/extensions/all.ts registers them (order matters only in that an extension
 * adding tags to another's command must come after it). The registry (registry.ts) is built
 * once at module load from that list; SUPPORTED_EXTENSIONS is the union of `capabilities`.
 *
 * What an extension declares:
 * - `capabilities`: the strings `require` accepts for it (RFC 5228 §3.2), e.g. ['copy'] or
 *   ['spamtest', 'spamtestplus']. Every command, test, tag, comparator, match type and address
 *   part it adds names the capability that unlocks it (`capability`); using it without that
 *   `require` is a compile error ("... requires "copy""). Core items leave `capability` unset.
 * - `commands` / `tests`: CommandDef values. A definition gives its positional arguments
 *   (`positional`: kind 'string' | 'stringlist' | 'number', a `name` for messages, `optional`
 *   for trailing ones, `constant` when variables must not be expanded in it), its own tags
 *   (`tags`), the shared tag groups it accepts (`groups`: 'comparator', 'match-type',
 *   'address-part', 'set-modifier'), whether it takes tests ('none' | 'one' | 'list') and a block ('none' |
 *   'required'), an optional `validate(node, ctx)` for checks the signature cannot express, and
 *   the behaviour: `run(node, rt, chain)` for commands, `evaluate(node, rt)` for tests.
 * - `tags`: tags added to OTHER definitions, e.g. copy adds `{ target: 'fileinto', tag: {name:
 *   'copy', capability: 'copy'} }`; the owner's run() cannot know them, so an extension that adds
 *   a tag to an action usually also uses `onAction` (below) or reads the tag via rt.
 * - `matchTypes`, `comparators`, `addressParts`: members of the shared groups. A match type is a
 *   tag in group 'match-type' plus `match(rt, ctx, values, keys)`; a comparator is named by
 *   `:comparator "name"` and supplies equality/substring/ordering/per-character keys; an address
 *   part is a tag in group 'address-part' plus `extract(address)`.
 * - `setModifiers`: modifiers for `set` (RFC 5229 §4.1) with their precedence.
 * - `namespaces`: variable namespaces (RFC 5229 §3, e.g. "global" for include).
 * - `onAction(rt, action, node)`: called for every action before it is recorded (explicit ones and
 *   the implicit keep), in extension order. It may rewrite the action (return a new one), or call
 *   rt.error(...) for a conflict (RFC 5429 reject vs keep). Tags an extension added to an
 *   action command are available as `node.tags` (node is null for the implicit keep).
 * - `finish(rt)`: called once after the script ran (not after a runtime error), before the
 *   implicit keep is added.
 * - `preservesImplicitKeep(rt, action, node)`: true when an action that normally cancels the
 *   implicit keep must not (RFC 3894 :copy).
 *
 * At run time (interpreter.ts, class Runtime) an extension uses: rt.str/strs/num to read
 * arguments (variables expanded when the script requires "variables"), rt.match(node, values,
 * keys) for the standard comparator/match-type machinery, rt.addAction(node, action, cancels)
 * to emit an action (cancels = whether it cancels the implicit keep), rt.state(key, init) for
 * per-execution extension state, rt.headers / rt.rawHeaders / rt.mime() for the message,
 * rt.step(node) to charge the step budget for loops it runs, and rt.error(node, message) to end
 * the run with a runtime error (implicit keep + `error`, RFC 5228 §2.10.6). Host callbacks
 * (rt.host) may reject: that propagates out of execute() unchanged (a temporary failure).
 * `stop` throws StopSignal (interpreter.ts); an extension that must end only part of a run
 * (include's `return`) throws and catches its own signal class.
 *
 * Running another script (include, RFC 6609): compile() its source (compile.ts; the result's
 * `script` is a CompiledScript), then `await rt.withScript(compiled, () =>
 * rt.runBlock(compiled.commands))` — the included script gets its own requires, ihave state and
 * variable scope while actions, the implicit keep, budgets and extension state are shared.
 * Runtime errors inside carry the included script's positions; set SieveDiagnostic.script by
 * catching SieveRuntimeError if needed.
 *
 * ihave (RFC 5463): when a script requires "ihave", compile accepts commands, tests, tags and
 * comparators of supported but un-required capabilities and records them in
 * node.data.deferred; the runtime checks them against rt.enabled (requires plus successful
 * ihave tests). An extension that asks "is capability X on?" at run time must therefore use
 * rt.enabled, not rt.script.requires.
 *
 * Validation results that are expensive to recompute (a compiled regex, a parsed date format)
 * belong in `node.data`, set by `validate`.
 */
import type { SieveAction, SieveInput, SieveLimits } from '../api.js';
import type { Position } from '../parser.js';
import type { Runtime } from '../interpreter.js';

export type ArgKind = 'string' | 'stringlist' | 'number';

export interface ArgSpec {
  kind: ArgKind;
  /** What the argument is, for messages ("mailbox", "key list"). */
  name: string;
  optional?: boolean;
  /** Never variable-expanded (RFC 5229 §3: e.g. comparator names, `set`'s variable name). */
  constant?: boolean;
}

/** A string argument after compile-time processing (encoded-character, RFC 5228 §2.4.2.4). */
export interface SieveString extends Position {
  value: string;
  /** Whether the value may contain a variable reference ("${"); only then is it expanded. */
  hasVars: boolean;
}

export type ValidatedArg =
  | ({ kind: 'string'; value: SieveString } & Position)
  | ({ kind: 'stringlist'; values: SieveString[] } & Position)
  | ({ kind: 'number'; value: number } & Position);

export interface ValidatedTag extends Position {
  name: string;
  args: ValidatedArg[];
}

/** A validated command or test. */
export interface SieveNode extends Position {
  def: CommandDef;
  name: string;
  /** Tags present, by name without the colon. */
  tags: Map<string, ValidatedTag>;
  /** Positional arguments in order (optional ones that were omitted are absent). */
  args: ValidatedArg[];
  tests: SieveNode[];
  block: SieveNode[] | null;
  /** Validation products an extension keeps for run time. */
  data: Record<string, unknown>;
}

export interface TagDef {
  /** Without the colon, lower case. */
  name: string;
  /** Arguments the tag itself takes (`:comparator "i;octet"`, `:value "gt"`). */
  args?: ArgSpec[];
  /** Tags of one group exclude each other ('match-type', 'address-part', 'comparator', or own). */
  group?: string;
  capability?: string;
  /** Compile-time check of the tag in place (hook for tags added to another extension's
   * command, whose owner cannot know them; e.g. RFC 8579 :specialuse syntax). */
  validate?(node: SieveNode, tag: ValidatedTag, ctx: ValidationContext): void;
}

export interface ValidationContext {
  requires: ReadonlySet<string>;
  limits: SieveLimits;
  /** The sibling command before this one in the same block (for elsif/else). */
  previous: SieveNode | null;
  /** The name of that sibling even when it failed validation (null at the start of a block). */
  previousName: string | null;
  /** Whether the node sits at the top level of the script (not inside a block). */
  topLevel: boolean;
  /** Whether any non-require command came before this one at top level. */
  afterOtherCommands: boolean;
  error(at: Position, message: string): void;
  warn(at: Position, message: string): void;
  /** Comparator definitions by name, for validate() of :comparator users. */
  comparator(name: string): ComparatorDef | undefined;
  /** Names of variables assigned by `set` so far (RFC 5229), for limit checks. */
  variableNames: Set<string>;
}

export interface CommandDef {
  name: string;
  kind: 'command' | 'test';
  capability?: string;
  positional: ArgSpec[];
  tags?: TagDef[];
  groups?: Array<'comparator' | 'match-type' | 'address-part' | 'set-modifier'>;
  tests?: 'none' | 'one' | 'list';
  block?: 'none' | 'required';
  validate?(node: SieveNode, ctx: ValidationContext): void;
  /** Commands. `chain` is what the previous sibling returned (if/elsif/else use it); the value
   * returned is passed to the next sibling. */
  run?(node: SieveNode, rt: Runtime, chain: boolean | undefined): Promise<boolean | void>;
  /** Tests. */
  evaluate?(node: SieveNode, rt: Runtime): Promise<boolean>;
}

export interface ComparatorDef {
  name: string;
  capability?: string;
  /** Supports :contains / :matches (RFC 4790 substring operation). */
  substring: boolean;
  equals(a: string, b: string): boolean;
  /** Ordering for relational tests; negative, 0, positive. */
  compare(a: string, b: string): number;
  /** The key of one character for substring and wildcard matching. */
  charKey(ch: string): string;
}

export interface MatchContext {
  comparator: ComparatorDef;
  node: SieveNode;
  /** The match type's own tag (with its arguments, e.g. :value "gt"). */
  tag: ValidatedTag | null;
}

export interface MatchTypeDef {
  tag: TagDef;
  /** Needs a comparator with substring support (checked at compile time). */
  substring?: boolean;
  /** Whether the keys are patterns whose literal variable values need :quotewildcard. */
  match(rt: Runtime, ctx: MatchContext, values: string[], keys: string[]): boolean;
  validate?(node: SieveNode, ctx: ValidationContext): void;
}

export interface AddressParts {
  localpart: string;
  /** Null for an address without a domain. */
  domain: string | null;
}

export interface AddressPartDef {
  tag: TagDef;
  /** The part to compare, or null when the address has none (then it does not match). */
  extract(address: AddressParts, input: SieveInput): string | null;
}

export interface SetModifierDef {
  name: string;
  /** RFC 5229 §4.1: higher precedence applies first; two of one precedence is an error. */
  precedence: number;
  capability?: string;
  apply(value: string): string;
}

export interface NamespaceDef {
  /** The first component of the variable name, lower case ("global"). */
  prefix: string;
  capability: string;
  get(rt: Runtime, name: string): string;
  set?(rt: Runtime, name: string, value: string): void;
}

export interface SieveExtension {
  capabilities: string[];
  /** Capabilities that requiring one of this extension's implies (RFC 6131 §2: "vacation-seconds"
   * implies "vacation"); compile adds them to the script's requires. */
  implies?: Record<string, string[]>;
  commands?: CommandDef[];
  tests?: CommandDef[];
  tags?: Array<{ target: string; kind: 'command' | 'test'; tag: TagDef }>;
  matchTypes?: MatchTypeDef[];
  comparators?: ComparatorDef[];
  addressParts?: AddressPartDef[];
  setModifiers?: SetModifierDef[];
  namespaces?: NamespaceDef[];
  onAction?(rt: Runtime, action: SieveAction, node: SieveNode | null): SieveAction | void;
  finish?(rt: Runtime): void | Promise<void>;
  /** Whether this action, though it normally cancels the implicit keep, leaves it in place
   * (RFC 3894 :copy). Asked after onAction, for actions whose command cancels the keep. */
  preservesImplicitKeep?(rt: Runtime, action: SieveAction, node: SieveNode | null): boolean;
}
