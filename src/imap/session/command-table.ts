/**
 * The command table: for each command, the states it is valid in, which untagged updates may
 * follow it, its handler, and the capabilities it brings. The capability list is derived from
 * this table (DESIGN rule 5); handlers are registered by src/imap/commands/index.ts.
 */
import type { Command, CommandName } from '../protocol/ast.js';
import type { CommandResult, StateKind } from './state.js';
import type { ImapSession } from './session.js';

/** The command variant(s) a name can be parsed into (some variants share a shape, e.g. COPY|MOVE). */
export type CommandOf<N extends CommandName> = Command extends infer C ? (C extends { name: infer X } ? (N extends X ? C : never) : never) : never;

export interface CommandSpec<N extends CommandName = CommandName> {
  name: N;
  states: ReadonlyArray<Exclude<StateKind, 'logout'>>;
  /**
   * Which pending changes may be announced before the tagged response (RFC 9051 §7.5.1):
   * 'all'; 'no-expunge' for FETCH, STORE and SEARCH; 'none' where the command sends its own.
   */
  updates: 'all' | 'no-expunge' | 'none';
  /** Capabilities advertised because this command is implemented (after authentication). */
  capabilities?: readonly string[];
  handler(session: ImapSession, command: CommandOf<N>, tag: string): Promise<CommandResult>;
}

export class CommandTable {
  private readonly specs = new Map<CommandName, CommandSpec>();

  register<N extends CommandName>(spec: CommandSpec<N>): void {
    this.specs.set(spec.name, spec as unknown as CommandSpec);
  }

  lookup(name: CommandName): CommandSpec | undefined {
    return this.specs.get(name);
  }

  /** Capabilities contributed by the registered commands, in registration order, unique. */
  capabilities(): string[] {
    const out = new Set<string>();
    for (const s of this.specs.values()) for (const c of s.capabilities ?? []) out.add(c);
    return [...out];
  }
}

/** The BAD text for a command issued in a state it is not valid in (RFC 9051 §3). */
export function wrongStateText(name: string, state: StateKind): string {
  switch (state) {
    case 'not-authenticated':
      return `${name} not allowed now: authenticate first`;
    case 'authenticated':
      return `${name} not allowed now: select a mailbox first`;
    case 'selected':
      return `${name} not allowed in the selected state`;
    default:
      return `${name} not allowed now`;
  }
}
