/**
 * FETCH arguments (RFC 9051 §6.4.5, RFC 3501 §6.4.5, RFC 3516 BINARY, RFC 7162 §3.1.4
 * CHANGEDSINCE and §3.2.6 VANISHED).
 *
 * Invariants:
 * - The macros ALL, FAST and FULL are expanded to their attribute lists (RFC 9051 §6.4.5).
 * - MIME is accepted only after a part number (RFC 9051 §9 section-text).
 * - VANISHED requires UID FETCH and CHANGEDSINCE (RFC 7162 §3.2.6: otherwise tagged BAD).
 * - PARTIAL (RFC 9394 §3.3) is a UID FETCH modifier; with FETCH it is a tagged BAD.
 * - SAVEDATE (RFC 8514 §4.2), PREVIEW with its optional (LAZY) (RFC 8970 §6), EMAILID and
 *   THREADID (RFC 8474 §5.3) are attributes.
 */
import type { FetchAttribute, FetchPartial, FetchSection, FetchSectionPart, PartialRange, SequenceSet } from './ast.js';
import { parsePartialRange } from './search-parser.js';
import type { Reader } from './reader.js';
import { parseSequenceSet } from './sequence-set.js';

export interface FetchArgs {
  set: SequenceSet;
  attributes: FetchAttribute[];
  changedSince?: number;
  vanished?: boolean;
  partial?: PartialRange;
}

const FAST: FetchAttribute[] = [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }];
const MACROS: Record<string, FetchAttribute[]> = {
  FAST,
  ALL: [...FAST, { kind: 'ENVELOPE' }],
  FULL: [...FAST, { kind: 'ENVELOPE' }, { kind: 'BODY' }],
};

const SIMPLE = new Set(['ENVELOPE', 'FLAGS', 'INTERNALDATE', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODYSTRUCTURE', 'UID', 'MODSEQ', 'SAVEDATE', 'EMAILID', 'THREADID']);

const isNameChar = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Parses what follows "FETCH" (the reader is just after the command name). */
export function parseFetchArgs(r: Reader, uid: boolean): FetchArgs {
  r.sp('FETCH');
  const set = parseSequenceSet(r);
  r.sp('sequence set');
  let attributes: FetchAttribute[];
  if (r.peekChar('(')) {
    attributes = r.list(() => fetchAtt(r), 'fetch attributes');
  } else {
    const macro = ['ALL', 'FAST', 'FULL'].find((m) => r.peekWord(m));
    if (macro !== undefined) {
      r.pos += macro.length;
      attributes = MACROS[macro].map((a) => ({ ...a }));
    } else {
      attributes = [fetchAtt(r)];
    }
  }
  const args: FetchArgs = { set, attributes };
  if (r.trySp()) {
    r.list(
      () => {
        const name = r.atom('fetch modifier').toUpperCase();
        if (name === 'CHANGEDSINCE') {
          r.sp(name);
          args.changedSince = r.number64('mod-sequence');
        } else if (name === 'VANISHED') {
          args.vanished = true;
        } else if (name === 'PARTIAL') {
          if (args.partial !== undefined) r.fail('Only one PARTIAL fetch modifier is allowed');
          r.sp(name);
          args.partial = parsePartialRange(r);
        } else {
          r.fail(`Unknown fetch modifier ${name}`);
        }
      },
      'fetch modifiers',
    );
  }
  r.end();
  if (args.vanished === true) {
    if (!uid) r.fail('VANISHED is only allowed in UID FETCH');
    if (args.changedSince === undefined) r.fail('VANISHED requires CHANGEDSINCE');
  }
  // RFC 9394 §3.3 extends UID FETCH only; message numbers already say which messages.
  if (args.partial !== undefined && !uid) r.fail('PARTIAL is only allowed in UID FETCH');
  return args;
}

export function fetchAtt(r: Reader): FetchAttribute {
  const name = r.run(isNameChar).toUpperCase();
  if (name === '') r.fail('Expected fetch attribute');
  if (SIMPLE.has(name)) return { kind: name } as FetchAttribute;
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      if (name === 'BODY' && !r.peekChar('[')) return { kind: 'BODY' };
      const section = readSection(r);
      const partial = readPartial(r);
      const att: FetchAttribute = { kind: 'BODY[]', peek: name === 'BODY.PEEK', section };
      if (partial) att.partial = partial;
      return att;
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      const part = readBinarySection(r);
      const partial = readPartial(r);
      const att: FetchAttribute = { kind: 'BINARY[]', peek: name === 'BINARY.PEEK', part };
      if (partial) att.partial = partial;
      return att;
    }
    case 'BINARY.SIZE':
      return { kind: 'BINARY.SIZE', part: readBinarySection(r) };
    case 'PREVIEW':
      return { kind: 'PREVIEW', lazy: readPreviewMods(r) };
    default:
      return r.fail(`Unknown fetch attribute ${name}`);
  }
}

/**
 * RFC 8970 §6: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"], preview-mod = "LAZY".
 * A "(" not starting with LAZY is left alone: after a lone attribute it opens the fetch
 * modifiers ("FETCH 1 PREVIEW (CHANGEDSINCE 5)"). Returns whether LAZY was given.
 */
function readPreviewMods(r: Reader): boolean {
  if (r.peek() !== 0x20 || r.peek(1) !== 0x28) return false;
  const start = r.pos;
  r.pos += 2;
  const isMod = r.peekWord('LAZY');
  r.pos = start;
  if (!isMod) return false;
  r.pos++;
  r.list(() => {
    const mod = r.atom('preview modifier').toUpperCase();
    if (mod !== 'LAZY') r.fail(`Unknown preview modifier ${mod}`);
  }, 'preview modifiers');
  return true;
}

function readPart(r: Reader): FetchSectionPart {
  const part: number[] = [];
  while (isDigit(r.peek())) {
    part.push(r.nzNumber('section part'));
    if (r.peekChar('.') && isDigit(r.peek(1))) r.pos++;
    else break;
  }
  return part;
}

/** section-spec in brackets (RFC 9051 §9); also used for IMAP URL ;SECTION= (RFC 5092 §11). */
export function readSection(r: Reader): FetchSection {
  r.expect('[', '"[" starting section');
  const part = readPart(r);
  const section: FetchSection = { part };
  if (!r.peekChar(']')) {
    if (part.length > 0) r.expect('.', '"." before section text');
    const text = r.run((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e).toUpperCase();
    if (text === 'HEADER' || text === 'TEXT' || (text === 'MIME' && part.length > 0)) {
      section.text = text;
    } else if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
      section.text = text;
      r.sp(text);
      section.fields = r.list(() => r.astring('header field name'), 'header field list');
    } else {
      r.fail(`Invalid section text ${text}`);
    }
  }
  r.expect(']', '"]" ending section');
  return section;
}

function readBinarySection(r: Reader): FetchSectionPart {
  r.expect('[', '"[" starting section');
  const part = readPart(r);
  r.expect(']', '"]" ending section');
  return part;
}

function readPartial(r: Reader): FetchPartial | undefined {
  if (!r.peekChar('<')) return undefined;
  r.pos++;
  const offset = r.number('partial offset');
  r.expect('.', '"." in partial');
  const length = r.nzNumber('partial length');
  r.expect('>', '">" ending partial');
  return { offset, length };
}
