/**
 * Credential redaction for protocol traces.
 *
 * Invariants:
 * - LOGIN (RFC 9051 §6.2.3): the first argument (user name: atom, quoted string or literal) is
 *   kept; everything after it is replaced by "***".
 * - AUTHENTICATE (RFC 9051 §6.2.2; ManageSieve RFC 5804 §2.1): the mechanism name is kept; an
 *   initial response is replaced by "***". Lines sent inside a SASL exchange are all credentials:
 *   redactSaslLine turns them into "***" (except the "*" cancellation).
 * - Works on a tagged IMAP line or an untagged ManageSieve line, with or without CRLF and
 *   literal data; never throws; unrecognised lines are returned unchanged.
 */

const COMMAND = /^(?:(\S+) )?(LOGIN|AUTHENTICATE)(?= |$)/i;

/** Length of the astring at the start of `s` (atom, quoted string or {n} literal), or -1. */
function astringLength(s: string): number {
  if (s.startsWith('"')) {
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') return i + 1;
    }
    return -1;
  }
  const lit = /^\{(\d{1,9})\+?\}\r?\n/.exec(s);
  if (lit !== null) return Math.min(s.length, lit[0].length + Number(lit[1]));
  const atom = /^[^\s(){"]+/.exec(s);
  return atom === null ? -1 : atom[0].length;
}

export function redactCommand(line: string): string {
  const m = COMMAND.exec(line);
  if (m === null) return line;
  // "tag LOGIN ..." or, for ManageSieve, "AUTHENTICATE ..." / "LOGIN" with no tag.
  const head = m[0];
  const rest = line.slice(head.length);
  if (rest === '' || rest === '\r\n' || rest === '\n') return line;
  const args = rest.slice(1);
  const firstLen = astringLength(args);
  if (firstLen <= 0) return head + ' ***';
  const first = args.slice(0, firstLen);
  const after = args.slice(firstLen).replace(/\r?\n$/, '');
  return head + ' ' + first + (after.trim() === '' ? '' : ' ***');
}

/** A client line inside a SASL exchange (after a "+" continuation). */
export function redactSaslLine(line: string): string {
  return line.trim() === '*' ? '*' : '***';
}
