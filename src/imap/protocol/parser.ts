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
import type { Command, TaggedCommand } from './ast.js';
import { parseAppendArgs } from './append-parser.js';
import { ImapParseError } from './errors.js';
import { parseFetchArgs } from './fetch-parser.js';
import { parseListArgs, parseLsubArgs, readStatusItems } from './list-parser.js';
import { Reader } from './reader.js';
import { parseSearchArgs } from './search-parser.js';
import { parseSequenceSet } from './sequence-set.js';
import { parseStoreArgs } from './store-parser.js';

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
    case 'FETCH':
      return { name, uid: false, ...parseFetchArgs(r, false) };
    case 'STORE':
      return { name, uid: false, ...parseStoreArgs(r) };
    case 'COPY':
    case 'MOVE':
      return parseCopy(r, name, false);
    case 'ID':
      return parseId(r);
    default:
      return r.fail(`Unknown command ${name}`);
  }
}

function parseUid(r: Reader): Command {
  r.sp('UID');
  const sub = r.atom('UID command').toUpperCase();
  switch (sub) {
    case 'FETCH':
      return { name: sub, uid: true, ...parseFetchArgs(r, true) };
    case 'SEARCH':
      return { name: sub, uid: true, ...parseSearchArgs(r) };
    case 'STORE':
      return { name: sub, uid: true, ...parseStoreArgs(r) };
    case 'COPY':
    case 'MOVE':
      return parseCopy(r, sub, true);
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

/** RFC 9051 §6.3.2, RFC 4466 §2.1 select-params; RFC 7162 §3.1.8 CONDSTORE. */
function parseSelect(r: Reader, name: 'SELECT' | 'EXAMINE'): Command {
  r.sp(name);
  const mailbox = r.mailbox();
  let condstore = false;
  if (r.trySp()) {
    r.list(
      () => {
        const param = r.atom('select parameter').toUpperCase();
        if (param !== 'CONDSTORE') r.fail(`Unsupported ${name} parameter ${param}`);
        condstore = true;
      },
      `${name} parameters`,
    );
  }
  r.end();
  return { name, mailbox, condstore };
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
