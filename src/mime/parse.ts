/**
 * parseMessage: the MIME tree of a raw message with byte-exact offsets (RFC 2045/2046, RFC 5322).
 * Invariants, for every input (it never throws):
 * - 0 <= headerStart <= bodyStart <= end <= raw.length, size = end - bodyStart;
 * - children and encapsulated messages lie inside their parent's body range, in order;
 * - a multipart child ends before the line break preceding the next delimiter (RFC 2046 §5.1.1);
 *   a multipart without its close delimiter runs to the end of its enclosing body;
 * - an encapsulated message (message/rfc822, message/global) spans its part's whole body;
 * - lines = number of LF octets in the body for text/* and message/* parts with an encapsulated
 *   message (as Dovecot counts; a last line without a line break is not counted), else 0;
 * - beyond MAX_MIME_DEPTH or MAX_MIME_PARTS a container becomes an opaque
 *   application/octet-stream leaf;
 * - the tree is plain JSON data.
 */
import type { MimePart } from './types.js';
import { MAX_MIME_DEPTH, MAX_MIME_PARTS } from './limits.js';
import { firstField, readHeaderBlock, unfoldedValue, type HeaderField } from './header-block.js';
import { matchDelimiter, scanDelimiter, type Boundary, type Hit } from './boundary.js';
import {
  parseContentType,
  parseDisposition,
  parseLanguage,
  parseTransferEncoding,
  stripComments,
} from './content-params.js';
import { buildEnvelope } from './envelope.js';
import { parseMessageIds } from './message-id.js';
import { decodeEncodedWords } from './encoded-word.js';

interface Ctx {
  raw: Buffer;
  parts: number;
}

interface Parsed {
  part: MimePart;
  /** The delimiter that ended this entity (belonging to an enclosing multipart), or null. */
  hit: Hit | null;
}

type DefaultType = 'text' | 'message';

const LF = 0x0a;
const CR = 0x0d;

function countLf(raw: Buffer, start: number, end: number): number {
  let n = 0;
  let i = raw.indexOf(LF, start);
  while (i >= 0 && i < end) {
    n++;
    i = raw.indexOf(LF, i + 1);
  }
  return n;
}

/** Start of the line break ending just before pos (not before floor). */
function eolBefore(raw: Buffer, pos: number, floor: number): number {
  if (pos - 1 < floor || raw[pos - 1] !== LF) return pos;
  return pos - 2 >= floor && raw[pos - 2] === CR ? pos - 2 : pos - 1;
}

function isEncapsulating(type: string, subtype: string): boolean {
  return type === 'message' && (subtype === 'rfc822' || subtype === 'global');
}

function describe(raw: Buffer, fields: HeaderField[], start: number, bodyStart: number, dflt: DefaultType): MimePart {
  const value = (name: string): string | null => {
    const f = firstField(fields, name);
    return f === null ? null : unfoldedValue(raw, f);
  };
  const ctValue = value('content-type');
  const ct = ctValue === null ? null : parseContentType(ctValue);
  let type: string;
  let subtype: string;
  let params: Array<[string, string]>;
  if (ct !== null) {
    ({ type, subtype, params } = ct);
  } else if (dflt === 'message') {
    // RFC 2046 §5.1.5: multipart/digest children default to message/rfc822
    [type, subtype, params] = ['message', 'rfc822', []];
  } else {
    // RFC 2045 §5.2; the charset parameter made explicit as Dovecot does
    [type, subtype, params] = ['text', 'plain', [['charset', 'us-ascii']]];
  }
  const disp = value('content-disposition');
  const lang = value('content-language');
  const opt = (name: string): string | null => {
    const v = value(name);
    return v === null ? null : stripComments(v);
  };
  const location = value('content-location');
  return {
    headerStart: start,
    bodyStart,
    end: bodyStart,
    type,
    subtype,
    params,
    id: opt('content-id'),
    description: value('content-description'),
    encoding: parseTransferEncoding(value('content-transfer-encoding')),
    md5: opt('content-md5'),
    disposition: disp === null ? null : parseDisposition(disp),
    language: lang === null ? null : parseLanguage(lang),
    location: location === null ? null : location.replace(/[ \t]+/g, ''),
    size: 0,
    lines: 0,
    children: [],
    message: null,
    envelope: null,
  };
}

function makeOpaque(part: MimePart): void {
  part.type = 'application';
  part.subtype = 'octet-stream';
  part.params = [];
}

function parseEntity(
  ctx: Ctx,
  start: number,
  limit: number,
  stack: readonly Boundary[],
  depth: number,
  dflt: DefaultType,
  isMessage: boolean,
): Parsed {
  const raw = ctx.raw;
  ctx.parts++;
  const stop = stack.length === 0 ? undefined : (p: number) => matchDelimiter(raw, p, limit, stack);
  const hdr = readHeaderBlock(raw, start, limit, stop);
  const part = describe(raw, hdr.fields, start, hdr.bodyStart, dflt);
  if (isMessage) {
    part.envelope = buildEnvelope(raw, hdr.fields);
    part.references = referencesOf(raw, hdr.fields);
  }
  const bodyStart = hdr.bodyStart;
  let outHit: Hit | null = hdr.stopped;
  const containerAllowed = depth < MAX_MIME_DEPTH && ctx.parts < MAX_MIME_PARTS;

  if (part.type === 'multipart' && !containerAllowed) {
    makeOpaque(part);
  }
  if (isEncapsulating(part.type, part.subtype) && !containerAllowed) {
    makeOpaque(part);
  }

  if (hdr.stopped !== null) {
    // the header ran into an enclosing delimiter: the body is empty
    part.end = bodyStart;
    if (isEncapsulating(part.type, part.subtype)) {
      part.message = parseEntity(ctx, bodyStart, bodyStart, [], depth + 1, 'text', true).part;
    }
  } else if (part.type === 'multipart') {
    const boundaryParam = part.params.find(([k]) => k === 'boundary');
    const value = boundaryParam === undefined ? '' : boundaryParam[1];
    if (value === '') {
      outHit = scanDelimiter(raw, bodyStart, limit, stack);
      part.end = outHit === null ? limit : Math.max(bodyStart, outHit.eolStart);
    } else {
      const own: Boundary = { value: Buffer.from(value, 'utf8') };
      const inner = [...stack, own];
      let hit = scanDelimiter(raw, bodyStart, limit, inner);
      const digest = part.subtype === 'digest';
      for (;;) {
        if (hit === null) {
          part.end = limit;
          outHit = null;
          break;
        }
        if (hit.boundary !== own) {
          part.end = Math.max(bodyStart, hit.eolStart);
          outHit = hit;
          break;
        }
        if (hit.close || ctx.parts >= MAX_MIME_PARTS) {
          // epilogue (or the rest past the part limit): up to an enclosing delimiter
          const from = hit.close ? hit.lineEnd : hit.lineStart;
          outHit = scanDelimiter(raw, from, limit, stack);
          if (outHit === null) part.end = limit;
          else if (outHit.lineStart > from || !hit.close) part.end = Math.max(bodyStart, outHit.eolStart);
          // an enclosing delimiter right after the close delimiter: the close line's own line
          // break is the one preceding that delimiter (RFC 2046 §5.1.1)
          else part.end = Math.max(bodyStart, eolBefore(raw, from, hit.lineStart));
          break;
        }
        const child = parseEntity(ctx, hit.lineEnd, limit, inner, depth + 1, digest ? 'message' : 'text', false);
        part.children.push(child.part);
        hit = child.hit;
      }
    }
  } else if (isEncapsulating(part.type, part.subtype)) {
    const inner = parseEntity(ctx, bodyStart, limit, stack, depth + 1, 'text', true);
    part.message = inner.part;
    part.end = inner.part.end;
    outHit = inner.hit;
  } else {
    outHit = scanDelimiter(raw, bodyStart, limit, stack);
    part.end = outHit === null ? limit : Math.max(bodyStart, outHit.eolStart);
  }

  part.size = part.end - part.bodyStart;
  if (part.type === 'text' || part.message !== null) part.lines = countLf(raw, part.bodyStart, part.end);
  return { part, hit: outHit };
}

/**
 * The Message IDs of the first References: field (RFC 5322 §3.6.4), oldest first, as THREAD
 * (RFC 5256 §3 REFERENCES) reads them; cached with the structure so threading never rereads
 * header blocks.
 */
function referencesOf(raw: Buffer, fields: HeaderField[]): string[] {
  const field = firstField(fields, 'references');
  return field === null ? [] : parseMessageIds(decodeEncodedWords(unfoldedValue(raw, field)));
}

/** The MIME structure of a raw message; total over all inputs. */
export function parseMessage(raw: Buffer): MimePart {
  return parseEntity({ raw, parts: 0 }, 0, raw.length, [], 0, 'text', true).part;
}
