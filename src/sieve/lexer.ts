/**
 * The Sieve lexer (RFC 5228 §8.1): turns script text into tokens, each with its 1-based line
 * and column.
 *
 * Invariants:
 * - Never throws for any input: a lexical problem becomes a SieveSyntaxError carrying a
 *   position, which compile() turns into a diagnostic.
 * - Linear in the source: every loop advances `i`; strings are built from slices.
 * - Quoted strings have their escapes removed here (RFC 5228 §2.4.2: "\\" and "\"" mean the
 *   character; a backslash before any other character is dropped). Multi-line strings are
 *   dot-unstuffed here (§2.4.2: a leading ".." loses one dot) and have no escapes.
 * - Line ends may be CRLF or a bare LF (scripts uploaded from Unix editors); a multi-line
 *   string keeps the line ends it was written with.
 */

export type TokenKind =
  | 'identifier'
  | 'tag'
  | 'number'
  | 'string'
  | '['
  | ']'
  | '('
  | ')'
  | ','
  | ';'
  | '{'
  | '}'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** identifier / tag name (lower-cased, tags without the colon), string value, number text. */
  text: string;
  /** For numbers: the value with its quantifier applied. */
  value: number;
  /** For strings: true when written as a multi-line `text:` literal. */
  multiline: boolean;
  line: number;
  column: number;
}

export class SieveSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const QUANTIFIERS: Record<string, number> = { k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Tokenizes the whole script; the last token is 'eof'. */
export function tokenize(src: string): Token[] {
  const next = lexer(src);
  const out: Token[] = [];
  for (;;) {
    const t = next();
    out.push(t);
    if (t.kind === 'eof') return out;
  }
}

/** A pull lexer: each call returns the next token ('eof' at the end, repeatedly), so the parser
 * never holds the whole token stream. */
export function lexer(src: string): () => Token {
  let out: Token | null = null;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;
  const fail = (at: number, msg: string): never => {
    throw new SieveSyntaxError(line, col(at), msg);
  };
  const push = (kind: TokenKind, text: string, at: number, atLine: number, atCol: number, value = 0, multiline = false): void => {
    void at;
    out = { kind, text, value, multiline, line: atLine, column: atCol };
  };
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };

  return (): Token => {
    out = null;
    while (out === null) {
      if (i >= src.length) return { kind: 'eof', text: '', value: 0, multiline: false, line, column: col(i) };
      step();
    }
    return out;
  };

  /** Consumes whitespace, a comment, or one token (then `out` is set). */
  function step(): void {
    const c = src[i]!;
    if (c === '\n') {
      newline(i);
      i++;
      return;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      return;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      return;
    }
    if (c === '/' && src[i + 1] === '*') {
      const startLine = line;
      const startCol = col(i);
      i += 2;
      for (;;) {
        if (i >= src.length) throw new SieveSyntaxError(startLine, startCol, 'unterminated bracket comment');
        if (src[i] === '*' && src[i + 1] === '/') {
          i += 2;
          break;
        }
        if (src[i] === '\n') newline(i);
        i++;
      }
      return;
    }
    const tokLine = line;
    const tokCol = col(i);
    if ('[](),;{}'.includes(c)) {
      push(c as TokenKind, c, i, tokLine, tokCol);
      i++;
      return;
    }
    if (c === '"') {
      i++;
      let value = '';
      let from = i;
      for (;;) {
        if (i >= src.length) throw new SieveSyntaxError(tokLine, tokCol, 'unterminated quoted string');
        const d = src[i]!;
        if (d === '"') break;
        if (d === '\\') {
          value += src.slice(from, i);
          if (i + 1 >= src.length) throw new SieveSyntaxError(tokLine, tokCol, 'unterminated quoted string');
          const e = src[i + 1]!;
          // RFC 5228 §2.4.2: only \\ and \" are defined; other escapes drop the backslash.
          value += e;
          if (e === '\n') newline(i + 1);
          i += 2;
          from = i;
          continue;
        }
        if (d === '\n') newline(i);
        i++;
      }
      value += src.slice(from, i);
      i++;
      push('string', value, i, tokLine, tokCol);
      return;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < src.length && isDigit(src[j]!)) j++;
      const digits = src.slice(i, j);
      let mult = 1;
      const q = src[j]?.toLowerCase();
      if (q !== undefined && QUANTIFIERS[q] !== undefined) {
        mult = QUANTIFIERS[q]!;
        j++;
      }
      if (j < src.length && isIdentChar(src[j]!)) fail(j, `invalid character '${src[j]}' after number`);
      const v = Number(digits) * mult;
      if (!Number.isSafeInteger(v)) fail(i, `number ${src.slice(i, j)} is too large`);
      push('number', src.slice(i, j), i, tokLine, tokCol, v);
      i = j;
      return;
    }
    if (c === ':') {
      let j = i + 1;
      if (j >= src.length || !isIdentStart(src[j]!)) fail(i, "expected a tag name after ':'");
      while (j < src.length && isIdentChar(src[j]!)) j++;
      push('tag', src.slice(i + 1, j).toLowerCase(), i, tokLine, tokCol);
      i = j;
      return;
    }
    if (isIdentStart(c)) {
      let j = i;
      while (j < src.length && isIdentChar(src[j]!)) j++;
      const word = src.slice(i, j);
      if (word.toLowerCase() === 'text' && src[j] === ':') {
        i = readMultiline(j + 1, tokLine, tokCol);
        return;
      }
      push('identifier', word.toLowerCase(), i, tokLine, tokCol);
      i = j;
      return;
    }
    const cp = src.codePointAt(i)!;
    fail(i, `unexpected character ${cp < 0x20 || cp === 0x7f ? `0x${cp.toString(16)}` : `'${String.fromCodePoint(cp)}'`}`);
  }

  /** RFC 5228 §8.1 multi-line: "text:" *(SP / HTAB) (hash-comment / CRLF) *(multiline-literal /
   * multiline-dotstart) "." CRLF. Returns the index after the terminating line. */
  function readMultiline(at: number, tokLine: number, tokCol: number): number {
    let j = at;
    while (src[j] === ' ' || src[j] === '\t') j++;
    if (src[j] === '#') while (j < src.length && src[j] !== '\n') j++;
    else if (src[j] === '\r' && src[j + 1] === '\n') j++;
    if (src[j] !== '\n') fail(j, "expected end of line after 'text:'");
    newline(j);
    j++;
    let value = '';
    for (;;) {
      if (j >= src.length) throw new SieveSyntaxError(tokLine, tokCol, "unterminated multi-line string (missing '.' line)");
      let end = src.indexOf('\n', j);
      if (end < 0) end = src.length;
      let content = src.slice(j, end);
      const hadCr = content.endsWith('\r');
      if (hadCr) content = content.slice(0, -1);
      if (content === '.') {
        if (end < src.length) newline(end);
        j = end + 1;
        break;
      }
      if (content.startsWith('.')) content = content.slice(1);
      value += content + (end < src.length ? (hadCr ? '\r\n' : '\n') : '');
      if (end < src.length) newline(end);
      j = end + 1;
    }
    push('string', value, at, tokLine, tokCol, 0, true);
    return Math.min(j, src.length);
  }
}
