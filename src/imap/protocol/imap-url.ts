/**
 * IMAP URLs naming one message or message part (RFC 5092), as CATENATE (RFC 4469 §3) and
 * URL-PARTIAL (RFC 5550 §5.7.1) use them. Pure: no session or storage knowledge.
 *
 * Invariants:
 * - Accepted forms (RFC 5092 §11): "imap://" iserver "/" imessagepart, the network path
 *   "//" iserver "/" imessagepart, the absolute path "/" imessagepart, and the relative
 *   irelative-path forms (imailbox-ref "/" ";UID=", ";UID=", ";SECTION=", ";PARTIAL=").
 *   Anything else (message lists with "?search", URLAUTH/EXPIRE, empty path) yields null.
 * - Keys (";UID=", ";SECTION=", ...) match case-insensitively (§11: "Strings are not case
 *   sensitive").
 * - Every component is checked against its character class (bchar/achar) and percent-decoded
 *   into octets; mailbox names and user names are those octets as UTF-8 (RFC 5092 §3: mUTF-7
 *   names MUST be converted to UTF-8 in URLs, so "&" is never mUTF-7 here), NFC-normalised,
 *   INBOX in any case normalised to "INBOX". Invalid UTF-8 or bad "%" escapes yield null.
 * - ;SECTION= is parsed as an IMAP section-spec (the FETCH grammar, RFC 9051 §9);
 *   ;PARTIAL= is number ["." nz-number] (RFC 5092 §11 partial-range), length null = to the end.
 * - parseAuthorizedUrl accepts only authimapurl (RFC 4467 §9: "imap://" with a user) followed by
 *   [";EXPIRE=" date-time] ";URLAUTH=" access [":" mechanism ":" token]; its `rump` is the text
 *   before ":" mechanism, byte for byte (§6: no decoding or case-folding), which is what the
 *   token is computed over.
 */
import type { FetchSection } from './ast.js';
import { readSection } from './fetch-parser.js';
import { decodeMailboxName } from './mailbox-name.js';
import { Reader } from './reader.js';

export interface ImapUrlServer {
  /** Decoded enc-user, or null when the URL names no user (anonymous, RFC 5092 §3.1). */
  user: string | null;
  /** Host as written, lower-cased (IPv6 literals keep their brackets). */
  host: string;
  port: number | null;
}

export interface ImapMessageUrl {
  /** The iserver part of an absolute or network-path URL; null for paths. */
  server: ImapUrlServer | null;
  /** Decoded mailbox name; null when the URL is relative to the base (selected) mailbox. */
  mailbox: string | null;
  uidValidity: number | null;
  /** null only for the relative ";SECTION=" / ";PARTIAL=" forms, which need a base UID. */
  uid: number | null;
  section: FetchSection | null;
  partial: { offset: number; length: number | null } | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 5092 §11 achar: unreserved / sub-delims-sh / pct-encoded / "&" / "=". */
const ACHAR = /^(?:[A-Za-z0-9\-._~!$'()*+,&=]|%[0-9A-Fa-f]{2})*$/;
/** bchar = achar / ":" / "@" / "/". */
const BCHAR = /^(?:[A-Za-z0-9\-._~!$'()*+,&=:@/]|%[0-9A-Fa-f]{2})*$/;

function pctDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(s.charCodeAt(i));
    }
  }
  return Buffer.from(out);
}

function pctDecodeUtf8(s: string): string | null {
  try {
    return utf8.decode(pctDecode(s));
  } catch {
    return null;
  }
}

/** nz-number / number (32-bit, RFC 9051 §9), or null. */
function num(s: string, nonZero: boolean): number | null {
  if (!/^[0-9]{1,10}$/.test(s)) return null;
  const n = Number(s);
  if (n > 0xffffffff || (nonZero && n === 0)) return null;
  return n;
}

/** iserver = [iuserinfo "@"] host [":" port]; iuserinfo = enc-user [iauth] / [enc-user] iauth. */
function parseServer(s: string): ImapUrlServer | null {
  const at = s.lastIndexOf('@');
  let user: string | null = null;
  if (at >= 0) {
    let info = s.slice(0, at);
    const auth = /;AUTH=/i.exec(info);
    if (auth !== null) {
      const type = info.slice(auth.index + 6);
      if (type !== '*' && (type === '' || !ACHAR.test(type))) return null;
      info = info.slice(0, auth.index);
    }
    if (info !== '') {
      if (!ACHAR.test(info)) return null;
      user = pctDecodeUtf8(info);
      if (user === null) return null;
    } else if (auth === null) {
      return null;
    }
  }
  const hostPort = s.slice(at + 1);
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::([0-9]*))?$/.exec(hostPort);
  if (m === null) return null;
  let port: number | null = null;
  if (m[2] !== undefined && m[2] !== '') {
    port = num(m[2], false);
    if (port === null || port > 65535) return null;
  }
  return { user, host: m[1].toLowerCase(), port };
}

function parseSectionSpec(text: string): FetchSection | null {
  if (text === '') return null;
  const r = new Reader(Buffer.from(`[${text}]`, 'utf8'), false);
  try {
    const section = readSection(r);
    r.end();
    return section;
  } catch {
    return null;
  }
}

/**
 * Parses an IMAP URL that names a message or message part (RFC 5092 §11 imessagepart or the
 * relative imsg-or-part forms); null when it is malformed or names anything else.
 */
export function parseImapMessageUrl(url: string): ImapMessageUrl | null {
  let server: ImapUrlServer | null = null;
  let path: string;
  const scheme = /^imap:\/\//i.exec(url);
  if (scheme !== null || url.startsWith('//')) {
    const rest = url.slice(scheme !== null ? scheme[0].length : 2);
    const slash = rest.indexOf('/');
    if (slash < 0) return null; // no message named
    server = parseServer(rest.slice(0, slash));
    if (server === null) return null;
    path = rest.slice(slash + 1);
    if (path === '' || path.startsWith('/')) return null;
  } else if (url.startsWith('/')) {
    path = url.slice(1);
    if (path === '' || path.startsWith('/')) return null; // iabsolute-path: icommand must not start with "/"
  } else {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !url.startsWith(';')) {
      // another scheme, e.g. "http:"; a mailbox name containing ":" must be preceded by "./"
      return null;
    }
    path = url;
  }
  if (path.includes('?') || path.includes('#')) return null; // imessagelist search, fragments

  let mailbox: string | null = null;
  let uidValidity: number | null = null;
  if (!path.startsWith(';')) {
    // imailbox-ref "/" ";UID=" ...: the mailbox may itself contain "/" but never ";"
    const m = /\/;UID=/i.exec(path);
    if (m === null) return null;
    const ref = path.slice(0, m.index);
    path = path.slice(m.index + 1);
    const v = /;UIDVALIDITY=([^;]*)$/i.exec(ref);
    const enc = v !== null ? ref.slice(0, v.index) : ref;
    if (v !== null) {
      uidValidity = num(v[1], true);
      if (uidValidity === null) return null;
    }
    if (enc === '' || !BCHAR.test(enc)) return null;
    mailbox = decodeMailboxName(pctDecode(enc), true);
    if (mailbox === null) return null;
  } else if (server !== null) {
    return null; // absolute paths always name a mailbox
  }

  // The rest: [";UID=" n] ["/" ";SECTION=" s] ["/" ";PARTIAL=" r], each "/" followed by ";".
  const segments = path.split(/\/(?=;)/);
  let uid: number | null = null;
  let section: FetchSection | null = null;
  let partial: ImapMessageUrl['partial'] = null;
  let stage = 0; // 1 after UID, 2 after SECTION, 3 after PARTIAL
  for (const seg of segments) {
    const kv = /^;([A-Za-z]+)=(.*)$/s.exec(seg);
    if (kv === null) return null;
    const key = kv[1].toUpperCase();
    const value = kv[2];
    if (key === 'UID' && stage < 1) {
      uid = num(value, true);
      if (uid === null) return null;
      stage = 1;
    } else if (key === 'SECTION' && stage < 2) {
      if (value === '' || !BCHAR.test(value)) return null;
      const text = pctDecodeUtf8(value);
      section = text === null ? null : parseSectionSpec(text);
      if (section === null) return null;
      stage = 2;
    } else if (key === 'PARTIAL' && stage < 3) {
      const p = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value);
      if (p === null) return null;
      const offset = num(p[1], false);
      const length = p[2] === undefined ? null : num(p[2], true);
      if (offset === null || (p[2] !== undefined && length === null)) return null;
      partial = { offset, length };
      stage = 3;
    } else {
      return null; // unknown key (URLAUTH, EXPIRE, ...), repeated or out of order
    }
  }
  if (mailbox !== null && uid === null) return null;
  return { server, mailbox, uidValidity, uid, section, partial };
}

/** The access identifier of a URLAUTH URL (RFC 4467 §3). */
export type UrlAuthAccess = { kind: 'anonymous' } | { kind: 'authuser' } | { kind: 'user' | 'submit'; user: string };

/** An URLAUTH-authorized URL (RFC 4467 §3, §9), or its rump when `mechanism` is null. */
export interface AuthorizedImapUrl {
  /** authimapurlrump exactly as given: the URL up to and including the access identifier. */
  rump: string;
  /** The message part named; `server` and `server.user` are never null. */
  url: ImapMessageUrl & { server: ImapUrlServer & { user: string }; mailbox: string; uid: number };
  /** ;EXPIRE= as milliseconds since the epoch, or null when the URL does not expire. */
  expire: number | null;
  access: UrlAuthAccess;
  /** Upper-cased mechanism name; null for a rump URL (no ":" mechanism ":" token). */
  mechanism: string | null;
  /** The enc-urlauth hex digits, lower-cased; null for a rump URL. */
  token: string | null;
}

/** RFC 3339 §5.6 date-time (the grammar RFC 4467 §9 `expire` names). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseDateTime(s: string): number | null {
  const m = DATE_TIME.exec(s);
  if (m === null) return null;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  if (m[8].length > 1) {
    const [oh, om] = m[8].slice(1).split(':').map(Number);
    if (oh > 23 || om > 59) return null;
  }
  const ms = Date.parse(s.toUpperCase());
  return Number.isNaN(ms) ? null : ms;
}

function parseAccess(text: string): UrlAuthAccess | null {
  const lower = text.toLowerCase();
  if (lower === 'anonymous') return { kind: 'anonymous' };
  if (lower === 'authuser') return { kind: 'authuser' };
  const m = /^(submit|user)\+(.+)$/i.exec(text);
  if (m === null || !ACHAR.test(m[2])) return null;
  const user = pctDecodeUtf8(m[2]);
  if (user === null || user === '') return null;
  return { kind: m[1].toLowerCase() as 'submit' | 'user', user };
}

/**
 * Parses a URLAUTH URL (RFC 4467 §9 authimapurlfull) or, when the mechanism and token are
 * absent, its rump (authimapurlrump); null for anything else.
 */
export function parseAuthorizedUrl(text: string): AuthorizedImapUrl | null {
  const tail = /;URLAUTH=([^:;/?#]*)(?::([^:;/?#]*):([^:;/?#]*))?$/i.exec(text);
  if (tail === null) return null;
  const access = parseAccess(tail[1]);
  if (access === null) return null;
  let mechanism: string | null = null;
  let token: string | null = null;
  if (tail[2] !== undefined) {
    if (!/^[A-Za-z0-9.-]+$/.test(tail[2]) || !/^[0-9A-Fa-f]{32,}$/.test(tail[3])) return null;
    mechanism = tail[2].toUpperCase();
    token = tail[3].toLowerCase();
  }
  const rump = text.slice(0, tail.index + 9 + tail[1].length);
  let prefix = text.slice(0, tail.index);
  let expire: number | null = null;
  const exp = /;EXPIRE=([^;]*)$/i.exec(prefix);
  if (exp !== null) {
    expire = parseDateTime(exp[1]);
    if (expire === null) return null;
    prefix = prefix.slice(0, exp.index);
  }
  if (!/^imap:\/\//i.test(prefix)) return null;
  const url = parseImapMessageUrl(prefix);
  if (url === null || url.server === null || url.server.user === null || url.mailbox === null || url.uid === null) return null;
  return { rump, url: url as AuthorizedImapUrl['url'], expire, access, mechanism, token };
}
