/**
 * The ManageSieve command table: for each command the states it is valid in, its handler and
 * the capability it brings. Capabilities are derived from it (DESIGN rule 5); handlers are
 * registered by src/managesieve/commands/index.ts.
 */
import type { ManageSieveCommand, ManageSieveCommandName } from '../protocol/ast.js';
import type { ManageSieveSession } from './session.js';
import type { CommandResult, StateKind } from './types.js';

export type CommandOf<N extends ManageSieveCommandName> = Extract<ManageSieveCommand, { name: N }>;

export interface CommandSpec<N extends ManageSieveCommandName = ManageSieveCommandName> {
  name: N;
  states: ReadonlyArray<Exclude<StateKind, 'logout'>>;
  /** A capability (RFC 5804 §1.7, §2.14) offered because this command exists, and in which states. */
  capability?: { name: string; states: ReadonlyArray<Exclude<StateKind, 'logout'>> };
  handler(session: ManageSieveSession, command: CommandOf<N>): Promise<CommandResult>;
}

export class CommandTable {
  private readonly specs = new Map<ManageSieveCommandName, CommandSpec>();

  register<N extends ManageSieveCommandName>(spec: CommandSpec<N>): void {
    this.specs.set(spec.name, spec as unknown as CommandSpec);
  }

  lookup(name: ManageSieveCommandName): CommandSpec | undefined {
    return this.specs.get(name);
  }

  /** Capability names contributed by registered commands for a state, in registration order. */
  capabilities(state: Exclude<StateKind, 'logout'>): string[] {
    const out: string[] = [];
    for (const s of this.specs.values()) if (s.capability && s.capability.states.includes(state)) out.push(s.capability.name);
    return out;
  }
}
