/**
 * parseCommand: one framed command (see wire/framer.ts) -> TaggedCommand (ast.ts).
 * Grammar: RFC 9051 §9 and RFC 3501 §9, with the extensions named in each argument parser.
 *
 * Invariants:
 * - Any input yields a TaggedCommand or throws ImapParseError; nothing else is thrown.
 * - The tag is read first, so every later error carries it (RFC 9051 §7.1.3 tagged BAD).
 * - Command names and keywords are case-insensitive; arguments must be separated by exactly
 *   one SP and the command must end where its grammar ends.
 */
import { MAX_ID_PARAMS } from '../../wire/limits.js';
import type { Command, QresyncSelectParams, SequenceSet, TaggedCommand } from './ast.js';
import { parseAppendArgs, parseAppendMessage } from './append-parser.js';
import { ImapParseError } from './errors.js';
import { parseFetchArgs } from './fetch-parser.js';
import { parseEsearchArgs } from './esearch-parser.js';
import { parseNotifyArgs } from './notify-parser.js';
import { parseListArgs, parseLsubArgs, readStatusItems } from './list-parser.js';
import { Reader } from './reader.js';
import { parseSearchArgs } from './search-parser.js';
import { parseSortArgs, parseThreadArgs } from './sort-parser.js';
import { parseSequenceSet } from './sequence-set.js';
import { parseStoreArgs } from './store-parser.js';
import { parseGenUrlAuth, parseResetKey, parseUrlFetch } from './urlauth-parser.js';
import { parseGetMetadata, parseSetMetadata } from './metadata-parser.js';

export interface ParseOptions {
  /** UTF8=ACCEPT is enabled (RFC 9051 §6.3.1, RFC 6855): mailbox names are raw UTF-8. */
  utf8Accept: boolean;
}

const NO_ARGS: ReadonlySet<string> = new Set([
  'CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'CHECK', 'CLOSE', 'UNSELECT', 'IDLE', 'NAMESPACE', 'UNAUTHENTICATE', 'EXPUNGE',
]);

const SPECIAL_USE = new Map(
  ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash', '\\Important'].map((a) => [a.toUpperCase(), a]),
);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseCommand(bytes: Buffer, opts: ParseOptions): TaggedCommand {
  const r = new Reader(bytes, opts.utf8Accept);
  try {
    const tag = r.readTag();
    if (r.atEnd()) r.fail('Missing command');
    r.sp('tag');
    const name = r.atom('command name').toUpperCase();
    return { tag, command: parseNamed(r, name) };
  } catch (err) {
    if (err instanceof ImapParseError) throw err;
    throw new ImapParseError(r.tag, 'Invalid command');
  }
}

function parseNamed(r: Reader, name: string): Command {
  if (NO_ARGS.has(name)) {
    r.end();
    return { name } as Command;
  }
  switch (name) {
    case 'UID':
      return parseUid(r);
    case 'LOGIN': {
      r.sp(name);
      const user = r.astring('user name');
      r.sp('user name');
      const password = r.astring('password');
      r.end();
      return { name, user, password };
    }
    case 'AUTHENTICATE':
      return parseAuthenticate(r);
    case 'ENABLE': {
      const capabilities: string[] = [];
      do {
        r.sp(capabilities.length === 0 ? name : 'capability');
        capabilities.push(r.atom('capability').toUpperCase());
      } while (!r.atEnd());
      return { name, capabilities };
    }
    case 'SELECT':
    case 'EXAMINE':
      return parseSelect(r, name);
    case 'CREATE':
      return parseCreate(r);
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      r.sp(name);
      const mailbox = r.mailbox();
      r.end();
      return { name, mailbox };
    }
    case 'RENAME': {
      r.sp(name);
      const from = r.mailbox();
      r.sp('mailbox name');
      const to = r.mailbox();
      r.end();
      return { name, from, to };
    }
    case 'LIST':
      return { name, ...parseListArgs(r) };
    case 'NOTIFY':
      return { name, set: parseNotifyArgs(r) };
    case 'LSUB':
      return { name, ...parseLsubArgs(r) };
    case 'STATUS': {
      r.sp(name);
      const mailbox = r.mailbox();
      r.sp('mailbox name');
      const items = readStatusItems(r);
      r.end();
      return { name, mailbox, items };
    }
    case 'APPEND':
      return { name, ...parseAppendArgs(r) };
    case 'SEARCH':
      return { name, uid: false, ...parseSearchArgs(r) };
    case 'ESEARCH':
      return { name, ...parseEsearchArgs(r) };
    case 'FETCH':
      return { name, uid: false, ...parseFetchArgs(r, false) };
    case 'STORE':
      return { name, uid: false, ...parseStoreArgs(r) };
    case 'COPY':
    case 'MOVE':
      return parseCopy(r, name, false);
    case 'REPLACE':
      return parseReplace(r, false);
    case 'ID':
      return parseId(r);
    case 'COMPRESS': {
      // RFC 4978 §5: "COMPRESS" SP algorithm; algorithm names are atoms.
      r.sp(name);
      const mechanism = r.atom('compression mechanism').toUpperCase();
      r.end();
      return { name, mechanism };
    }
    case 'SORT':
      return { name, uid: false, ...parseSortArgs(r) };
    case 'THREAD':
      return { name, uid: false, ...parseThreadArgs(r) };
    case 'CANCELUPDATE': {
      // RFC 5267 §5: "CANCELUPDATE" 1*(SP quoted); a literal is accepted as the same string.
      const tags: string[] = [];
      do {
        r.sp(tags.length === 0 ? name : 'tag');
        tags.push(r.string('search tag'));
      } while (!r.atEnd());
      return { name, tags };
    }
    case 'GENURLAUTH':
      return parseGenUrlAuth(r);
    case 'RESETKEY':
      return parseResetKey(r);
    case 'URLFETCH':
      return parseUrlFetch(r);
    case 'GETACL':
    case 'MYRIGHTS':
    case 'SETACL':
    case 'DELETEACL':
    case 'LISTRIGHTS':
      return parseAcl(r, name);
    case 'GETMETADATA':
      return parseGetMetadata(r);
    case 'SETMETADATA':
      return parseSetMetadata(r);
    case 'GETQUOTA': {
      // RFC 9208 §7: "GETQUOTA" SP quota-root-name (an astring).
      r.sp(name);
      const root = r.astring('quota root');
      r.end();
      return { name, root };
    }
    case 'GETQUOTAROOT': {
      r.sp(name);
      const mailbox = r.mailbox();
      r.end();
      return { name, mailbox };
    }
    case 'SETQUOTA':
      return parseSetQuota(r);
    default:
      return r.fail(`Unknown command ${name}`);
  }
}

/** RFC 9208 §7: "SETQUOTA" SP quota-root-name SP "(" [resource-name SP number64 *(SP ...)] ")". */
function parseSetQuota(r: Reader): Command {
  r.sp('SETQUOTA');
  const root = r.astring('quota root');
  r.sp('quota root');
  const limits: Array<{ resource: string; limit: number }> = [];
  r.list(
    () => {
      const resource = r.atom('resource name').toUpperCase();
      r.sp('resource name');
      limits.push({ resource, limit: r.number64('resource limit') });
    },
    'resource limits',
    true,
  );
  r.end();
  return { name: 'SETQUOTA', root, limits };
}

function parseUid(r: Reader): Command {
  r.sp('UID');
  const sub = r.atom('UID command').toUpperCase();
  switch (sub) {
    case 'FETCH':
      return { name: sub, uid: true, ...parseFetchArgs(r, true) };
    case 'SEARCH':
      return { name: sub, uid: true, ...parseSearchArgs(r) };
    case 'SORT':
      return { name: sub, uid: true, ...parseSortArgs(r) };
    case 'THREAD':
      return { name: sub, uid: true, ...parseThreadArgs(r) };
    case 'STORE':
      return { name: sub, uid: true, ...parseStoreArgs(r) };
    case 'COPY':
    case 'MOVE':
      return parseCopy(r, sub, true);
    case 'REPLACE':
      return parseReplace(r, true);
    case 'EXPUNGE': {
      r.sp('UID EXPUNGE');
      const set = parseSequenceSet(r);
      r.end();
      return { name: 'UID EXPUNGE', set };
    }
    default:
      return r.fail(`Unknown command UID ${sub}`);
  }
}

function parseCopy(r: Reader, name: 'COPY' | 'MOVE', uid: boolean): Command {
  r.sp(name);
  const set = parseSequenceSet(r);
  r.sp('sequence set');
  const mailbox = r.mailbox();
  r.end();
  return { name, uid, set, mailbox };
}

/** RFC 8508 §5: "REPLACE" SP seq-number SP mailbox append-message (one message only). */
function parseReplace(r: Reader, uid: boolean): Command {
  r.sp('REPLACE');
  let id: number | '*';
  if (r.peekChar('*')) {
    r.pos += 1;
    id = '*';
  } else id = r.nzNumber(uid ? 'UID' : 'message sequence number');
  r.sp(uid ? 'UID' : 'message sequence number');
  const mailbox = r.mailbox();
  r.sp('mailbox name');
  const message = parseAppendMessage(r);
  r.end();
  return { name: 'REPLACE', uid, id, mailbox, message };
}

/** RFC 9051 §6.2.2, RFC 4959 SASL-IR: "=" is an empty initial response. */
function parseAuthenticate(r: Reader): Command {
  r.sp('AUTHENTICATE');
  const mechanism = r.atom('SASL mechanism').toUpperCase();
  let initialResponse: string | null = null;
  if (r.trySp()) {
    const text = r.run((c) => c > 0x20 && c < 0x7f);
    if (text === '=') initialResponse = '';
    else if (text !== '' && BASE64.test(text)) initialResponse = text;
    else r.fail('Invalid base64 in initial response');
  }
  r.end();
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
}

/** RFC 9051 §6.3.2, RFC 4466 §2.1 select-params; RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC. */
function parseSelect(r: Reader, name: 'SELECT' | 'EXAMINE'): Command {
  r.sp(name);
  const mailbox = r.mailbox();
  let condstore = false;
  let qresync: QresyncSelectParams | undefined;
  if (r.trySp()) {
    r.list(
      () => {
        const param = r.atom('select parameter').toUpperCase();
        if (param === 'CONDSTORE') condstore = true;
        else if (param === 'QRESYNC' && qresync === undefined) {
          r.sp(param);
          qresync = parseQresyncParam(r);
        } else r.fail(`Unsupported ${name} parameter ${param}`);
      },
      `${name} parameters`,
    );
  }
  r.end();
  return qresync ? { name, mailbox, condstore, qresync } : { name, mailbox, condstore };
}

/**
 * RFC 7162 §3.2.5, §7: "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")".
 * "*" and "$" are not allowed in any of the sets; the two sets of seq-match-data must name the
 * same number of elements (the Nth message number goes with the Nth UID, §3.2.5.2). A modseq of
 * 0 is accepted (as "everything") although the grammar asks for a positive one.
 */
function parseQresyncParam(r: Reader): QresyncSelectParams {
  r.expect('(', '"(" starting QRESYNC parameters');
  const uidValidity = r.nzNumber('uidvalidity');
  r.sp('uidvalidity');
  const out: QresyncSelectParams = { uidValidity, modseq: modSeqValue(r) };
  const explicit = (what: string): SequenceSet => {
    const set = parseSequenceSet(r);
    if (set.kind !== 'set' || set.ranges.some((x) => x.start === '*' || x.end === '*')) r.fail(`"*" and "$" are not allowed in ${what}`);
    return set;
  };
  if (r.trySp()) {
    if (!r.peekChar('(')) {
      out.knownUids = explicit('known-uids');
      if (r.trySp() && !r.peekChar('(')) r.fail('Expected seq-match-data');
    }
    if (r.peekChar('(')) {
      r.expect('(', '"(" starting seq-match-data');
      const seqs = explicit('known-sequence-set');
      r.sp('known-sequence-set');
      const uids = explicit('known-uid-set');
      r.expect(')', '")" ending seq-match-data');
      if (setSize(seqs) !== setSize(uids)) r.fail('seq-match-data sets differ in size');
      out.seqMatch = { seqs, uids };
    }
  }
  r.expect(')', '")" ending QRESYNC parameters');
  return out;
}

/**
 * RFC 7162 mod-sequence-value: up to 2^63-1. Facteur's mod-sequences stay far below
 * Number.MAX_SAFE_INTEGER, so a larger value (e.g. from the RFC's examples) means "later than
 * any change here" and is clamped to it rather than rejected.
 */
function modSeqValue(r: Reader): number {
  const digits = r.run((c) => c >= 0x30 && c <= 0x39);
  if (digits.length === 0) r.fail('Expected mod-sequence');
  if (digits.length > 19 || BigInt(digits) > 0x7fffffffffffffffn) r.fail('mod-sequence out of range');
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

/** Number of elements named by an explicit set (ranges may overlap; RFC 7162 pairs by position). */
function setSize(set: SequenceSet): number {
  if (set.kind !== 'set') return 0;
  let n = 0;
  for (const x of set.ranges) n += Math.abs((x.end as number) - (x.start as number)) + 1;
  return n;
}

/** RFC 9051 §6.3.4, RFC 4466 §2.2 create-params; RFC 6154 §5.2 USE. */
function parseCreate(r: Reader): Command {
  r.sp('CREATE');
  const mailbox = r.mailbox();
  const specialUse: string[] = [];
  if (r.trySp()) {
    r.list(
      () => {
        const param = r.atom('CREATE parameter').toUpperCase();
        if (param !== 'USE') r.fail(`Unsupported CREATE parameter ${param}`);
        r.sp('USE');
        const attrs = r.list(
          () => {
            r.expect('\\', 'special-use attribute');
            const attr = `\\${r.atom('special-use attribute')}`;
            return SPECIAL_USE.get(attr.toUpperCase()) ?? attr;
          },
          'special-use attributes',
          true,
        );
        for (const a of attrs) if (!specialUse.includes(a)) specialUse.push(a);
      },
      'CREATE parameters',
    );
  }
  r.end();
  return { name: 'CREATE', mailbox, specialUse };
}

/** RFC 2971 §3.3: "ID" SP ("(" *(string SP nstring) ")" / NIL). */
function parseId(r: Reader): Command {
  r.sp('ID');
  if (r.peekWord('NIL')) {
    r.pos += 3;
    r.end();
    return { name: 'ID', params: null };
  }
  r.expect('(', '"(" or NIL');
  const params: Array<[string, string | null]> = [];
  if (!r.peekChar(')')) {
    for (;;) {
      if (params.length >= MAX_ID_PARAMS) r.fail('Too many ID parameters');
      const field = r.string('ID field name');
      r.sp('ID field name');
      params.push([field, r.nstring('ID field value')]);
      if (!r.trySp()) break;
    }
  }
  r.expect(')', '")" ending ID parameters');
  r.end();
  return { name: 'ID', params };
}

/**
 * RFC 4314 §7: GETACL/MYRIGHTS mailbox, DELETEACL/LISTRIGHTS mailbox identifier, SETACL mailbox
 * identifier mod-rights; identifier and rights are astrings. An empty identifier is a BAD (§3:
 * preparation resulting in an empty string MUST be refused with BAD).
 */
function parseAcl(r: Reader, name: 'GETACL' | 'MYRIGHTS' | 'SETACL' | 'DELETEACL' | 'LISTRIGHTS'): Command {
  r.sp(name);
  const mailbox = r.mailbox();
  if (name === 'GETACL' || name === 'MYRIGHTS') {
    r.end();
    return { name, mailbox };
  }
  r.sp('mailbox name');
  const identifier = r.astring('identifier');
  if (identifier === '' || identifier === '-') r.fail('Empty identifier');
  if (name === 'SETACL') {
    r.sp('identifier');
    const rights = r.astring('rights');
    r.end();
    return { name, mailbox, identifier, rights };
  }
  r.end();
  return { name, mailbox, identifier };
}
