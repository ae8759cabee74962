/**
 * Encoding of ManageSieve responses (RFC 5804 §1.2, §1.3, grammar §4): strings, response codes,
 * completion lines and capability lines.
 *
 * Invariants:
 * - Pure; every function returns complete bytes ending with CRLF (or a string without CRLF).
 * - A string is sent quoted when it fits the quoted grammar (at most 1024 octets, no CR, LF or
 *   NUL), else as a literal-s2c "{n}" CRLF octets: any text, however long or multi-line, can be
 *   sent without corrupting the stream.
 */
import { isUtf8 } from 'node:buffer';
import { MANAGESIEVE_MAX_QUOTED } from '../../wire/limits.js';

export type Status = 'OK' | 'NO' | 'BYE';

/** RFC 5804 §1.3 response codes (hierarchical names; TAG and SASL carry a string). */
export type ResponseCode =
  | 'AUTH-TOO-WEAK'
  | 'ENCRYPT-NEEDED'
  | 'QUOTA'
  | 'QUOTA/MAXSCRIPTS'
  | 'QUOTA/MAXSIZE'
  | 'TRANSITION-NEEDED'
  | 'TRYLATER'
  | 'ACTIVE'
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'WARNINGS'
  | { name: 'TAG' | 'SASL'; value: string };

/** A ManageSieve string: quoted when possible, else a literal. */
export function encodeString(value: string | Buffer): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  // quoted = DQUOTE *1024QUOTED-CHAR DQUOTE, QUOTED-CHAR = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS.
  if (b.length <= MANAGESIEVE_MAX_QUOTED && !b.includes(0x0a) && !b.includes(0x0d) && !b.includes(0x00) && isUtf8(b)) {
    const escaped = b.toString('utf8').replace(/[\\"]/g, (c) => '\\' + c);
    return Buffer.from(`"${escaped}"`, 'utf8');
  }
  return Buffer.concat([Buffer.from(`{${b.length}}\r\n`, 'latin1'), b]);
}

function encodeCode(code: ResponseCode): Buffer {
  if (typeof code === 'string') return Buffer.from(`(${code})`, 'latin1');
  return Buffer.concat([Buffer.from(`(${code.name} `, 'latin1'), encodeString(code.value), Buffer.from(')', 'latin1')]);
}

/** response-ok / response-nobye: status [SP "(" code ")"] [SP string] CRLF. */
export function completion(status: Status, code?: ResponseCode | null, text?: string | null): Buffer {
  const parts: Buffer[] = [Buffer.from(status, 'latin1')];
  if (code) parts.push(Buffer.from(' '), encodeCode(code));
  if (text !== undefined && text !== null && text !== '') parts.push(Buffer.from(' '), encodeString(text));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** A data line: strings separated by SP, then CRLF (capability lines, LISTSCRIPTS, challenges). */
export function dataLine(...items: Array<string | Buffer | { atom: string }>): Buffer {
  const parts: Buffer[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(Buffer.from(' '));
    parts.push(typeof item === 'object' && 'atom' in item ? Buffer.from(item.atom, 'latin1') : encodeString(item));
  });
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** The capability response body (RFC 5804 §1.7): one line per capability, then OK. */
export function capabilityResponse(caps: ReadonlyArray<readonly [string, string | null]>): Buffer {
  const lines = caps.map(([name, value]) => (value === null ? dataLine(name) : dataLine(name, value)));
  return Buffer.concat(lines);
}
