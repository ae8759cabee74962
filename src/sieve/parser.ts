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

/** Every syntax error parse() found (it resynchronises after each, up to MAX_SYNTAX_ERRORS). */
export class SieveSyntaxErrors extends Error {
  constructor(readonly errors: SieveSyntaxError[]) {
    super(errors[0]?.message ?? 'syntax error');
  }
}

const MAX_SYNTAX_ERRORS = 20;

/**
 * Parses a whole script. After a syntax error inside a command it skips to the end of that
 * command (the next ';' or the end of its block at the same depth) and goes on, so one upload
 * reports several mistakes; a lexical error (an unterminated string or comment, a stray
 * character) ends parsing, since the token stream cannot be trusted after it.
 * Throws SieveSyntaxErrors when anything was wrong.
 */
export function parse(src: string, maxNesting: number): CommandNode[] {
  const rawPull = lexer(src);
  const errors: SieveSyntaxError[] = [];
  let lexFailed = false;
  const pull = (): Token => {
    try {
      return rawPull();
    } catch (e) {
      lexFailed = true;
      throw e;
    }
  };
  const record = (e: unknown): void => {
    if (!(e instanceof SieveSyntaxError)) throw e;
    // One report per position: a token that broke a command is not reported again.
    const last = errors[errors.length - 1];
    if (last === undefined || last.line !== e.line || last.column !== e.column) errors.push(e);
    if (lexFailed || errors.length >= MAX_SYNTAX_ERRORS) throw new SieveSyntaxErrors(errors);
  };
  let ahead: Token;
  try {
    ahead = pull();
  } catch (e) {
    record(e);
    throw new SieveSyntaxErrors(errors);
  }
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
  // A mismatched token is left in place, so recovery can resynchronise on it.
  const expect = (kind: Token['kind'], what: string): Token => {
    const t = peek();
    if (t.kind !== kind) fail(t, `expected ${what} but found ${describe(t)}`);
    return next();
  };

  /** Skips the rest of a broken command: up to and including the next ';' at its own depth, or
   * the '}' closing a block it opened; stops before a '}' that closes the enclosing block. */
  function recover(): void {
    let d = 0;
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') return;
      if (t.kind === '}') {
        if (d === 0) return;
        next();
        if (--d === 0) return;
        continue;
      }
      if (t.kind === '{') d++;
      next();
      if (t.kind === ';' && d === 0) return;
    }
  }

  function commands(depth: number, inBlock: boolean): CommandNode[] {
    const out: CommandNode[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') {
        if (inBlock) {
          // Nothing follows: report once and stop (every enclosing block would repeat it).
          record(new SieveSyntaxError(t.line, t.column, "expected '}' before end of script"));
          throw new SieveSyntaxErrors(errors);
        }
        return out;
      }
      if (t.kind === '}') {
        if (inBlock) return out;
        record(new SieveSyntaxError(t.line, t.column, "unexpected '}'"));
        next();
        continue;
      }
      try {
        out.push(command(depth));
      } catch (e) {
        if (e instanceof SieveSyntaxErrors) throw e;
        record(e);
        recover();
      }
    }
  }

  function command(depth: number): CommandNode {
    const t = next();
    if (t.kind !== 'identifier') fail(t, `expected a command name but found ${describe(t)}`);
    const { args, tests, testList } = argumentsOf(depth);
    const end = peek();
    let block: CommandNode[] | null = null;
    if (end.kind === '{' || end.kind === ';') next();
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
          const sep = peek();
          if (sep.kind !== ',' && sep.kind !== ']') fail(sep, `expected ',' or ']' in string list but found ${describe(sep)}`);
          next();
          if (sep.kind === ']') break;
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
        const sep = peek();
        if (sep.kind !== ',' && sep.kind !== ')') fail(sep, `expected ',' or ')' in test list but found ${describe(sep)}`);
        next();
        if (sep.kind === ')') break;
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

  let tree: CommandNode[];
  try {
    tree = commands(0, false);
  } catch (e) {
    if (e instanceof SieveSyntaxErrors) throw e;
    record(e);
    throw new SieveSyntaxErrors(errors);
  }
  if (errors.length > 0) throw new SieveSyntaxErrors(errors);
  return tree;
}
