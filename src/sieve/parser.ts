/**
 * The Sieve parser (RFC 5228 §8.2): tokens -> a syntax tree of commands, tests and arguments,
 * each node positioned (1-based line, column) for diagnostics. It knows the grammar only; which
 * command takes which arguments is the validator's business.
 *
 * Invariants:
 * - Nesting of blocks and tests is bounded by maxNesting (checked while descending), so a
 *   hostile script cannot exhaust the stack; every error is a SieveSyntaxError with a position.
 * - Identifiers and tag names are lower-cased (RFC 5228 §2: tokens other than strings are
 *   case-insensitive).
 */
import { lexer, SieveSyntaxError, type Token } from './lexer.js';

export interface Position {
  line: number;
  column: number;
}

export interface StringLit extends Position {
  value: string;
  multiline: boolean;
}

export type Argument =
  | ({ kind: 'string' } & StringLit)
  | ({ kind: 'stringlist'; values: StringLit[] } & Position)
  | ({ kind: 'number'; value: number } & Position)
  | ({ kind: 'tag'; name: string } & Position);

export interface TestNode extends Position {
  name: string;
  args: Argument[];
  tests: TestNode[];
  /** True when the tests were written as a parenthesised test-list. */
  testList: boolean;
}

export interface CommandNode extends TestNode {
  /** The `{ ... }` block, or null when the command ended with ';'. */
  block: CommandNode[] | null;
}

export function parse(src: string, maxNesting: number): CommandNode[] {
  const pull = lexer(src);
  let ahead: Token = pull();
  const peek = (): Token => ahead;
  const next = (): Token => {
    const t = ahead;
    if (t.kind !== 'eof') ahead = pull();
    return t;
  };
  const fail = (t: Token, msg: string): never => {
    throw new SieveSyntaxError(t.line, t.column, msg);
  };
  const describe = (t: Token): string =>
    t.kind === 'eof' ? 'end of script' : t.kind === 'string' ? 'a string' : t.kind === 'number' ? `number ${t.text}` : t.kind === 'tag' ? `tag ':${t.text}'` : t.kind === 'identifier' ? `'${t.text}'` : `'${t.kind}'`;
  const expect = (kind: Token['kind'], what: string): Token => {
    const t = next();
    if (t.kind !== kind) fail(t, `expected ${what} but found ${describe(t)}`);
    return t;
  };

  function commands(depth: number, inBlock: boolean): CommandNode[] {
    const out: CommandNode[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') {
        if (inBlock) fail(t, "expected '}' before end of script");
        return out;
      }
      if (t.kind === '}') {
        if (!inBlock) fail(t, "unexpected '}'");
        return out;
      }
      out.push(command(depth));
    }
  }

  function command(depth: number): CommandNode {
    const t = next();
    if (t.kind !== 'identifier') fail(t, `expected a command name but found ${describe(t)}`);
    const { args, tests, testList } = argumentsOf(depth);
    const end = next();
    let block: CommandNode[] | null = null;
    if (end.kind === '{') {
      if (depth + 1 > maxNesting) fail(end, `blocks nested too deeply (limit ${maxNesting})`);
      block = commands(depth + 1, true);
      expect('}', "'}'");
    } else if (end.kind !== ';') {
      fail(end, `expected ';' or '{' after command '${t.text}' but found ${describe(end)}`);
    }
    return { name: t.text, line: t.line, column: t.column, args, tests, testList, block };
  }

  function argumentsOf(depth: number): { args: Argument[]; tests: TestNode[]; testList: boolean } {
    const args: Argument[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'string') {
        next();
        args.push({ kind: 'string', value: t.text, multiline: t.multiline, line: t.line, column: t.column });
      } else if (t.kind === 'number') {
        next();
        args.push({ kind: 'number', value: t.value, line: t.line, column: t.column });
      } else if (t.kind === 'tag') {
        next();
        args.push({ kind: 'tag', name: t.text, line: t.line, column: t.column });
      } else if (t.kind === '[') {
        next();
        const values: StringLit[] = [];
        for (;;) {
          const s = expect('string', 'a string in the string list');
          values.push({ value: s.text, multiline: s.multiline, line: s.line, column: s.column });
          const sep = next();
          if (sep.kind === ']') break;
          if (sep.kind !== ',') fail(sep, `expected ',' or ']' in string list but found ${describe(sep)}`);
        }
        args.push({ kind: 'stringlist', values, line: t.line, column: t.column });
      } else break;
    }
    const t = peek();
    if (t.kind === 'identifier') {
      return { args, tests: [test(depth + 1)], testList: false };
    }
    if (t.kind === '(') {
      next();
      const tests: TestNode[] = [];
      for (;;) {
        tests.push(test(depth + 1));
        const sep = next();
        if (sep.kind === ')') break;
        if (sep.kind !== ',') fail(sep, `expected ',' or ')' in test list but found ${describe(sep)}`);
      }
      return { args, tests, testList: true };
    }
    return { args, tests: [], testList: false };
  }

  function test(depth: number): TestNode {
    const t = next();
    if (t.kind !== 'identifier') fail(t, `expected a test name but found ${describe(t)}`);
    if (depth > maxNesting) fail(t, `tests nested too deeply (limit ${maxNesting})`);
    const { args, tests, testList } = argumentsOf(depth);
    return { name: t.text, line: t.line, column: t.column, args, tests, testList };
  }

  return commands(0, false);
}
