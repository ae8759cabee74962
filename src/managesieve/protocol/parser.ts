/**
 * Parses one framed ManageSieve command (the framer's command bytes: the line plus any literals
 * inline, without the final line end) into a ManageSieveCommand (RFC 5804 §4).
 *
 * Invariants:
 * - Pure; any input yields a command or a ManageSieveParseError, nothing else.
 * - Command names are case-insensitive atoms; arguments are separated by exactly one SP.
 * - quoted strings hold at most 1024 octets (MANAGESIEVE_MAX_QUOTED), no CR, LF or NUL, and only
 *   \" and \\ as escapes; literals are "{n+}" (literal-c2s) or, leniently, "{n}", followed by
 *   CRLF (or a bare LF) and exactly n octets.
 * - Numbers are 32-bit without leading zeros.
 * - Strings that are names, mechanisms or tags must be valid UTF-8 without NUL.
 */
import { MANAGESIEVE_MAX_ARGS, MANAGESIEVE_MAX_QUOTED } from '../../wire/limits.js';
import type { ManageSieveArg, ManageSieveCommand, ManageSieveCommandName } from './ast.js';
import { ManageSieveParseError } from './errors.js';

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The argument shapes of each command: 's' string, 'n' number, '?' marks the rest optional. */
const SHAPES: Record<ManageSieveCommandName, string> = {
  AUTHENTICATE: 's?s',
  CAPABILITY: '',
  STARTTLS: '',
  LOGOUT: '',
  NOOP: '?s',
  UNAUTHENTICATE: '',
  LISTSCRIPTS: '',
  HAVESPACE: 'sn',
  PUTSCRIPT: 'ss',
  CHECKSCRIPT: 's',
  GETSCRIPT: 's',
  DELETESCRIPT: 's',
  SETACTIVE: 's',
  RENAMESCRIPT: 'ss',
};

export function isCommandName(name: string): name is ManageSieveCommandName {
  return Object.prototype.hasOwnProperty.call(SHAPES, name);
}

/** The upper-cased command name at the start of the bytes, or null when there is no atom. */
export function commandNameOf(bytes: Buffer): string | null {
  let i = 0;
  while (i < bytes.length && i < 64 && isAtomChar(bytes[i])) i++;
  if (i === 0) return null;
  return bytes.toString('latin1', 0, i).toUpperCase();
}

export function parseCommand(bytes: Buffer): ManageSieveCommand {
  const r = new Reader(bytes);
  const name = r.atom().toUpperCase();
  if (!isCommandName(name)) throw new ManageSieveParseError(`Unknown command ${name}`);
  const args: ManageSieveArg[] = [];
  while (!r.atEnd()) {
    if (args.length >= MANAGESIEVE_MAX_ARGS) throw new ManageSieveParseError(`Too many arguments for ${name}`);
    r.expectSpace();
    args.push(r.argument());
  }
  checkShape(name, args);
  const str = (i: number): string => text(args[i], name);
  const buf = (i: number): Buffer => (args[i] as { value: Buffer }).value;
  switch (name) {
    case 'AUTHENTICATE':
      return { name, mechanism: str(0), initialResponse: args.length > 1 ? str(1) : null };
    case 'NOOP':
      return { name, tag: args.length > 0 ? str(0) : null };
    case 'HAVESPACE':
      return { name, scriptName: str(0), size: args[1].value as number };
    case 'PUTSCRIPT':
      return { name, scriptName: str(0), script: buf(1) };
    case 'CHECKSCRIPT':
      return { name, script: buf(0) };
    case 'GETSCRIPT':
    case 'DELETESCRIPT':
    case 'SETACTIVE':
      return { name, scriptName: str(0) };
    case 'RENAMESCRIPT':
      return { name, oldName: str(0), newName: str(1) };
    default:
      return { name } as ManageSieveCommand;
  }
}

/**
 * A client line inside AUTHENTICATE (RFC 5804 §2.1: "a string (quoted or literal) ... followed by
 * CRLF"), decoded as UTF-8.
 */
export function parseStringLine(bytes: Buffer): string {
  const r = new Reader(bytes);
  const arg = r.argument();
  if (arg.kind !== 'string' || !r.atEnd()) throw new ManageSieveParseError('Expected one string');
  return text(arg, 'AUTHENTICATE');
}

function checkShape(name: ManageSieveCommandName, args: ManageSieveArg[]): void {
  const shape = SHAPES[name];
  const required = shape.split('?')[0].length;
  const kinds = shape.replace('?', '');
  if (args.length < required || args.length > kinds.length) {
    throw new ManageSieveParseError(kinds.length === 0 ? `${name} takes no arguments` : `Wrong number of arguments for ${name}`);
  }
  args.forEach((a, i) => {
    const want = kinds[i] === 'n' ? 'number' : 'string';
    if (a.kind !== want) throw new ManageSieveParseError(`Argument ${i + 1} of ${name} must be a ${want}`);
  });
}

function text(arg: ManageSieveArg, name: string): string {
  const b = (arg as { value: Buffer }).value;
  if (b.includes(0)) throw new ManageSieveParseError(`NUL in an argument of ${name}`);
  try {
    return utf8.decode(b);
  } catch {
    throw new ManageSieveParseError(`An argument of ${name} is not valid UTF-8`);
  }
}

function isAtomChar(c: number): boolean {
  // RFC 5804 §4 ATOM-CHAR: any CHAR except "(" ")" "{" SP CTL DQUOTE "\".
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== DQUOTE && c !== BACKSLASH;
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}

  atEnd(): boolean {
    return this.pos >= this.b.length;
  }

  expectSpace(): void {
    if (this.b[this.pos] !== SP) throw new ManageSieveParseError('Expected a space between arguments');
    this.pos++;
  }

  atom(): string {
    const start = this.pos;
    while (this.pos < this.b.length && this.pos - start < 1024 && isAtomChar(this.b[this.pos])) this.pos++;
    if (this.pos === start) throw new ManageSieveParseError('Expected a command name');
    if (this.pos < this.b.length && this.b[this.pos] !== SP) throw new ManageSieveParseError('Invalid character in command name');
    return this.b.toString('latin1', start, this.pos);
  }

  argument(): ManageSieveArg {
    const c = this.b[this.pos];
    if (c === DQUOTE) return { kind: 'string', value: this.quoted() };
    if (c === 0x7b) return { kind: 'string', value: this.literal() };
    if (c !== undefined && c >= 0x30 && c <= 0x39) return { kind: 'number', value: this.number() };
    throw new ManageSieveParseError('Expected a string or a number');
  }

  private quoted(): Buffer {
    this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= this.b.length) throw new ManageSieveParseError('Unterminated quoted string');
      const c = this.b[this.pos++];
      if (c === DQUOTE) break;
      if (c === 0x00 || c === 0x0a || c === 0x0d) throw new ManageSieveParseError('Invalid character in quoted string (use a literal)');
      if (c === BACKSLASH) {
        const e = this.b[this.pos++];
        if (e !== DQUOTE && e !== BACKSLASH) throw new ManageSieveParseError('Invalid escape in quoted string');
        out.push(e);
      } else {
        out.push(c);
      }
      if (out.length > MANAGESIEVE_MAX_QUOTED) throw new ManageSieveParseError('Quoted string too long (use a literal)');
    }
    return Buffer.from(out);
  }

  private literal(): Buffer {
    const close = this.b.indexOf(0x7d, this.pos);
    if (close === -1 || close - this.pos > 14) throw new ManageSieveParseError('Invalid literal');
    const inner = this.b.toString('latin1', this.pos + 1, close);
    const m = /^(0|[1-9][0-9]{0,9})\+?$/.exec(inner);
    if (!m) throw new ManageSieveParseError('Invalid literal size');
    const size = Number(m[1]);
    if (size > 0xffffffff) throw new ManageSieveParseError('Invalid literal size');
    let p = close + 1;
    if (this.b[p] === 0x0d) p++;
    if (this.b[p] !== 0x0a) throw new ManageSieveParseError('Literal size must end the line');
    p++;
    if (p + size > this.b.length) throw new ManageSieveParseError('Literal shorter than announced');
    this.pos = p + size;
    return this.b.subarray(p, p + size);
  }

  private number(): number {
    const start = this.pos;
    while (this.pos < this.b.length && this.b[this.pos] >= 0x30 && this.b[this.pos] <= 0x39) this.pos++;
    const digits = this.b.toString('latin1', start, this.pos);
    if (digits.length > 10 || (digits.length > 1 && digits[0] === '0')) throw new ManageSieveParseError('Invalid number');
    const n = Number(digits);
    if (n > 0xffffffff) throw new ManageSieveParseError('Number out of range');
    return n;
  }
}
