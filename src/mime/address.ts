/**
 * RFC 5322 §3.4 address lists as IMAP ENVELOPE wants them (RFC 9051 §7.5.2):
 * - group syntax yields a start marker (mailbox = group name, host null) and an end marker
 *   (mailbox null, host null); a group left open at the end of the field is closed;
 * - display names lose their quotes (quoted-pairs unescaped) but keep RFC 2047 encoded words;
 * - comments are dropped, except that the last comment of a bare addr-spec becomes its display
 *   name ("user@domain (Real Name)"), as Dovecot and most servers report it;
 * - words keep single spaces where the source had whitespace;
 * - never throws: a local part or domain that is missing becomes MISSING_MAILBOX /
 *   MISSING_DOMAIN (Dovecot's placeholders), stray specials become part of the nearest word.
 */
import type { Address } from './types.js';

export const MISSING_MAILBOX = 'MISSING_MAILBOX';
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

type Special = '<' | '>' | '@' | ',' | ':' | ';';

interface Token {
  kind: 'word' | 'special' | 'comment';
  text: string;
  spaceBefore: boolean;
}

const SPECIALS = '<>@,:;';

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let space = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      space = true;
      i++;
    } else if (c === '(') {
      let depth = 0;
      const start = i;
      while (i < s.length) {
        const d = s[i++];
        if (d === '\\') i++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      const text = s.slice(start + 1, depth === 0 ? i - 1 : i).replace(/\\(.)/g, '$1').trim();
      out.push({ kind: 'comment', text, spaceBefore: space });
      space = true;
    } else if (c === '"') {
      let text = '';
      i++;
      while (i < s.length) {
        const d = s[i++]!;
        if (d === '"') break;
        if (d === '\\' && i < s.length) text += s[i++];
        else text += d;
      }
      out.push({ kind: 'word', text, spaceBefore: space });
      space = false;
    } else if (c === '[') {
      const close = s.indexOf(']', i);
      const end = close < 0 ? s.length : close + 1;
      out.push({ kind: 'word', text: s.slice(i, end), spaceBefore: space });
      i = end;
      space = false;
    } else if (SPECIALS.includes(c)) {
      out.push({ kind: 'special', text: c, spaceBefore: space });
      i++;
      space = false;
    } else {
      const start = i;
      while (i < s.length && !' \t\r\n("['.includes(s[i]!) && !SPECIALS.includes(s[i]!)) i++;
      out.push({ kind: 'word', text: s.slice(start, i), spaceBefore: space });
      space = false;
    }
  }
  return out;
}

function isSpecial(t: Token | undefined, c: Special): boolean {
  return t !== undefined && t.kind === 'special' && t.text === c;
}

function join(tokens: Token[], spaced: boolean): string {
  let out = '';
  tokens.forEach((t, i) => {
    if (i > 0 && spaced && t.spaceBefore) out += ' ';
    out += t.text;
  });
  return out;
}

function addrSpec(tokens: Token[], name: string | null, adl: string | null): Address {
  const at = tokens.findIndex((t) => isSpecial(t, '@'));
  const local = join(at < 0 ? tokens : tokens.slice(0, at), true);
  const domain = at < 0 ? '' : join(tokens.slice(at + 1), false);
  return {
    name,
    adl,
    mailbox: local === '' ? MISSING_MAILBOX : local,
    host: domain === '' ? MISSING_DOMAIN : domain,
  };
}

/** Parses an unfolded address-list field value; null when it holds no address at all. */
export function parseAddressList(value: string): Address[] | null {
  const tokens = tokenize(value);
  const out: Address[] = [];
  let pending: Token[] = [];
  let inGroup = false;
  let comment: string | null = null;
  const flush = (): void => {
    if (pending.length > 0) out.push(addrSpec(pending, comment === '' ? null : comment, null));
    pending = [];
    comment = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'comment') {
      comment = t.text;
      continue;
    }
    if (t.kind === 'word') {
      pending.push(t);
      continue;
    }
    switch (t.text as Special) {
      case '<': {
        const phrase = join(pending, true);
        pending = [];
        let j = i + 1;
        let adl: string | null = null;
        if (isSpecial(tokens[j], '@')) {
          // obs-route (RFC 5322 §4.4): "@a,@b:" before the addr-spec
          const colon = tokens.findIndex((x, k) => k > j && isSpecial(x, ':'));
          const close = tokens.findIndex((x, k) => k > j && isSpecial(x, '>'));
          if (colon >= 0 && (close < 0 || colon < close)) {
            adl = join(tokens.slice(j, colon), false);
            j = colon + 1;
          }
        }
        const spec: Token[] = [];
        while (j < tokens.length && !isSpecial(tokens[j], '>')) {
          const x = tokens[j++]!;
          if (x.kind !== 'comment') spec.push(x);
        }
        comment = null;
        out.push(addrSpec(spec, phrase === '' ? null : phrase, adl));
        // anything after '>' up to the next separator is junk
        i = j;
        while (i + 1 < tokens.length && !isSpecial(tokens[i + 1], ',') && !isSpecial(tokens[i + 1], ';')) i++;
        comment = null;
        break;
      }
      case ':':
        if (inGroup) {
          pending.push({ kind: 'word', text: ':', spaceBefore: t.spaceBefore });
        } else {
          out.push({ name: null, adl: null, mailbox: join(pending, true), host: null });
          pending = [];
          inGroup = true;
        }
        break;
      case ';':
        flush();
        if (inGroup) {
          out.push({ name: null, adl: null, mailbox: null, host: null });
          inGroup = false;
        }
        break;
      case ',':
        flush();
        break;
      default:
        pending.push(t);
    }
  }
  flush();
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
  return out.length === 0 ? null : out;
}
