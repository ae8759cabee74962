/**
 * LMTP (RFC 2033) command lines and replies: pure parsing and formatting, no I/O.
 *
 * Invariants:
 * - parseCommand never throws: a malformed line is a LmtpCommand of kind 'error' carrying the
 *   reply to send (RFC 5321 §4.2.4 codes with RFC 3463 enhanced status codes).
 * - Paths lose their angle brackets and any source route (RFC 5321 §4.1.1.3 lets us ignore it);
 *   the null reverse-path is ''.
 * - Only parameters of advertised extensions are accepted: SIZE (RFC 1870) and BODY (RFC 6152)
 *   on MAIL; none on RCPT. Anything else is 555 5.5.4 (RFC 5321 §4.1.1.11).
 */

export interface Reply {
  code: number;
  /** Enhanced status code (RFC 3463), e.g. "2.1.0"; null on the greeting (RFC 2034 §4 leaves it out). */
  enhanced: string | null;
  lines: readonly string[];
}

export type LmtpCommand =
  | { kind: 'LHLO'; domain: string }
  | { kind: 'MAIL'; from: string; size: number | null; body: '7BIT' | '8BITMIME' | null }
  | { kind: 'RCPT'; to: string }
  | { kind: 'DATA' }
  | { kind: 'BDAT'; size: number; last: boolean }
  | { kind: 'RSET' }
  | { kind: 'NOOP' }
  | { kind: 'QUIT' }
  | { kind: 'VRFY' }
  | { kind: 'error'; reply: Reply };

export const reply = (code: number, enhanced: string | null, ...lines: string[]): Reply => ({ code, enhanced, lines });

/** Wire form: "code-enh text" continuation lines, "code enh text" on the last (RFC 5321 §4.2.1). */
export function formatReply(r: Reply): string {
  const lines = r.lines.length === 0 ? [''] : r.lines;
  return lines
    .map((l, i) => {
      const sep = i === lines.length - 1 ? ' ' : '-';
      const text = r.enhanced === null ? l : `${r.enhanced} ${l}`;
      // Replies carry text we compose, sometimes with a user's words (a Sieve reject reason):
      // no CR/LF may split it into extra replies.
      return `${r.code}${sep}${text.replace(/[\r\n]+/g, ' ')}`.trimEnd() + '\r\n';
    })
    .join('');
}

const syntaxError = (what: string): LmtpCommand => ({ kind: 'error', reply: reply(501, '5.5.4', `Syntax error in ${what}`) });

/** `<path>` at the start of s -> [address, rest], or null. Quoted local parts may contain '>'. */
function takePath(s: string): [string, string] | null {
  if (!s.startsWith('<')) {
    // Some clients omit the brackets; RFC 5321 requires them but a bare address is unambiguous.
    const m = /^(\S+)(.*)$/.exec(s);
    return m === null ? null : [m[1], m[2]];
  }
  let i = 1;
  let quoted = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') break;
  }
  if (i >= s.length) return null;
  let path = s.slice(1, i);
  // RFC 5321 §4.1.1.3 / Appendix C: a source route "@a,@b:user@host" is ignored.
  const route = /^@[^:]*:(.*)$/.exec(path);
  if (route !== null) path = route[1];
  return [path, s.slice(i + 1)];
}

function parseParams(rest: string): Map<string, string | null> | null {
  const out = new Map<string, string | null>();
  for (const p of rest.trim().split(/\s+/).filter((x) => x !== '')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e]+))?$/.exec(p);
    if (m === null) return null;
    out.set(m[1].toUpperCase(), m[2] ?? null);
  }
  return out;
}

function validAddress(a: string): boolean {
  // Control characters and spaces outside quotes are never part of a mailbox (RFC 5321 §4.1.2);
  // without SMTPUTF8 (not offered) an address is ASCII.
  return a.length <= 512 && !/[^\x20-\x7e]/.test(a) && (a.startsWith('"') || !/\s/.test(a));
}

export function parseCommand(line: string): LmtpCommand {
  const m = /^([A-Za-z]{4})(?:\s+(.*))?$/.exec(line);
  if (m === null) {
    if (/^[A-Za-z]+\b/.test(line)) return { kind: 'error', reply: reply(500, '5.5.1', 'Unrecognized command') };
    return { kind: 'error', reply: reply(500, '5.5.2', 'Syntax error') };
  }
  const verb = m[1].toUpperCase();
  const arg = (m[2] ?? '').trim();
  switch (verb) {
    case 'LHLO':
      // The domain ends up in our Received field: printable ASCII only (RFC 5321 §4.1.1.1).
      if (!/^[\x21-\x7e]{1,255}$/.test(arg)) return syntaxError('LHLO (LHLO domain)');
      return { kind: 'LHLO', domain: arg };
    case 'HELO':
    case 'EHLO':
      // RFC 2033 §4.1: these are not part of LMTP and must not succeed.
      return { kind: 'error', reply: reply(500, '5.5.1', 'This is LMTP: use LHLO (RFC 2033)') };
    case 'MAIL': {
      const a = /^FROM:\s*(.*)$/i.exec(arg);
      if (a === null) return syntaxError('MAIL (MAIL FROM:<address>)');
      const path = takePath(a[1]);
      if (path === null || !validAddress(path[0])) return syntaxError('MAIL reverse-path');
      const params = parseParams(path[1]);
      if (params === null) return syntaxError('MAIL parameters');
      let size: number | null = null;
      let body: '7BIT' | '8BITMIME' | null = null;
      for (const [k, v] of params) {
        if (k === 'SIZE' && v !== null && /^[0-9]{1,20}$/.test(v)) size = Number(v);
        else if (k === 'BODY' && v !== null && /^(7BIT|8BITMIME)$/i.test(v)) body = v.toUpperCase() as '7BIT' | '8BITMIME';
        else return { kind: 'error', reply: reply(555, '5.5.4', `Unsupported MAIL parameter ${k}`) };
      }
      return { kind: 'MAIL', from: path[0], size, body };
    }
    case 'RCPT': {
      const a = /^TO:\s*(.*)$/i.exec(arg);
      if (a === null) return syntaxError('RCPT (RCPT TO:<address>)');
      const path = takePath(a[1]);
      if (path === null || path[0] === '' || !validAddress(path[0])) return syntaxError('RCPT forward-path');
      const params = parseParams(path[1]);
      if (params === null) return syntaxError('RCPT parameters');
      const [first] = params.keys();
      if (first !== undefined) return { kind: 'error', reply: reply(555, '5.5.4', `Unsupported RCPT parameter ${first}`) };
      return { kind: 'RCPT', to: path[0] };
    }
    case 'DATA':
      return arg === '' ? { kind: 'DATA' } : syntaxError('DATA (no arguments)');
    case 'BDAT': {
      // RFC 3030 §2: BDAT <chunk-size> [LAST]
      const b = /^([0-9]{1,12})(?:\s+(LAST))?$/i.exec(arg);
      if (b === null) return syntaxError('BDAT (BDAT size [LAST])');
      return { kind: 'BDAT', size: Number(b[1]), last: b[2] !== undefined };
    }
    case 'RSET':
      return arg === '' ? { kind: 'RSET' } : syntaxError('RSET (no arguments)');
    case 'NOOP':
      return { kind: 'NOOP' };
    case 'QUIT':
      return arg === '' ? { kind: 'QUIT' } : syntaxError('QUIT (no arguments)');
    case 'VRFY':
      return { kind: 'VRFY' };
    default:
      return { kind: 'error', reply: reply(500, '5.5.1', 'Unrecognized command') };
  }
}
