/**
 * Rendering of one message's FETCH data items (RFC 9051 §6.4.5, §7.5.2; RFC 3516 BINARY;
 * RFC 7162 §3.1.4 MODSEQ) into a ResponseBuilder.
 *
 * Invariants:
 * - Items go out in the order requested, UID first when it is sent, each reply name once.
 * - ENVELOPE, BODY and BODYSTRUCTURE come from the cached MIME structure; content is read only
 *   for BODY[...], BINARY[...], BINARY.SIZE and RFC822*, and then only the byte range the item
 *   needs when it is the message's only content item (else the whole message, read once).
 * - Section bytes are exactly mime's sectionBytes/binarySection; partial fetches slice them
 *   (RFC 9051 §6.4.5: an origin beyond the end gives an empty string).
 * - A nonexistent part yields the empty string for BODY[...] and BINARY[...], and 0 for
 *   BINARY.SIZE (Dovecot's answer; RFC 9051 leaves it open).
 * - Non-empty section data is always sent as a literal; BINARY data containing NUL as literal8
 *   (RFC 3516 §4.2), and text/* BINARY data with bare LF line ends converted to CRLF
 *   (RFC 9051 §7.5.2).
 * - SAVEDATE is the row's save date (RFC 8514 §4.2), never NIL: every mailbox records it.
 * - PREVIEW (RFC 8970 §3) is generated on each FETCH by mime/preview.ts from the first text
 *   part(s), reading only the first bytes of those parts; PREVIEW (LAZY) gets the same answer
 *   and never NIL (§4.1 allows NIL only when the preview is not cheaply available; ours costs
 *   one bounded range read, about what BODY.PEEK[1]<0.256K> costs).
 */
import type { FetchAttribute, FetchPartial, FetchSection } from '../protocol/ast.js';
import { encodeBodyStructure, encodeEnvelope } from '../protocol/encode.js';
import type { ResponseBuilder } from '../protocol/response.js';
import type { Envelope, MimePart, SectionSpec } from '../../mime/types.js';
import {
  binarySection,
  decodeTransfer,
  findPart,
  parseMessage,
  partPreview,
  previewParts,
  previewSourceEnd,
  sectionBytes,
} from '../../mime/index.js';

/** The MIME structure stored as blob meta, or null when absent or unreadable. */
export function parseStructure(meta: string | undefined): MimePart | null {
  if (meta === undefined || meta === '') return null;
  try {
    const v: unknown = JSON.parse(meta);
    if (typeof v === 'object' && v !== null && 'bodyStart' in v && 'children' in v) return v as MimePart;
  } catch {
    // fall through: the caller parses the message itself
  }
  return null;
}

/** A message's bytes: ranges on demand, or the whole message read once and kept. */
export interface MessageSource {
  readonly size: number;
  range(start: number, end: number): Promise<Buffer>;
  whole(): Promise<Buffer>;
}

/** MessageSource over a range-capable reader; ranges are served from the whole once loaded. */
export function messageSource(size: number, read: (start?: number, end?: number) => Promise<Buffer>): MessageSource {
  let whole: Buffer | null = null;
  return {
    size,
    async range(start, end) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      if (whole !== null) return whole.subarray(Math.min(s, whole.length), Math.min(e, whole.length));
      if (s === e) return Buffer.alloc(0);
      return read(s, e);
    },
    async whole() {
      whole ??= await read();
      return whole;
    },
  };
}

export interface FetchPlan {
  /** Items to render, deduplicated, UID first when sent. */
  items: FetchAttribute[];
  /** Some item implicitly sets \Seen (RFC 9051 §6.4.5). */
  setsSeen: boolean;
  /** Some item needs the MIME structure. */
  needsStructure: boolean;
  /** Items reading content; more than one means reading the whole message once. */
  contentItems: number;
  /** FLAGS requested explicitly. */
  flags: boolean;
  /** MODSEQ requested explicitly or implied by CHANGEDSINCE (RFC 7162 §3.1.4.1). */
  modseq: boolean;
}

function partialKey(p: FetchPartial | undefined): string {
  return p === undefined ? '' : `<${p.offset}.${p.length}>`;
}

/** Identity of an item's reply, for deduplication. */
function itemKey(a: FetchAttribute): string {
  switch (a.kind) {
    case 'BODY[]':
      return `BODY[${sectionText(a.section)}]${partialKey(a.partial)}`;
    case 'BINARY[]':
      return `BINARY[${a.part.join('.')}]${partialKey(a.partial)}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${a.part.join('.')}]`;
    default:
      return a.kind;
  }
}

/** The section as echoed in the reply: field names upper-cased (as Dovecot does). */
function sectionText(s: FetchSection): string {
  let t = s.part.join('.');
  if (s.text !== undefined) t += (t === '' ? '' : '.') + s.text;
  if (s.fields !== undefined) t += ` (${s.fields.map((f) => f.toUpperCase()).join(' ')})`;
  return t;
}

export function planFetch(attributes: readonly FetchAttribute[], uidCommand: boolean, changedSince?: number): FetchPlan {
  const seen = new Set<string>();
  const items: FetchAttribute[] = [];
  if (uidCommand || attributes.some((a) => a.kind === 'UID')) {
    items.push({ kind: 'UID' });
    seen.add('UID');
  }
  for (const a of attributes) {
    const k = itemKey(a);
    if (seen.has(k)) continue;
    seen.add(k);
    items.push(a);
  }
  // RFC 9051 §6.4.5: BODY[...], BINARY[...], RFC822 and RFC822.TEXT set \Seen (also when a
  // PEEK twin of the same item was deduplicated away).
  const setsSeen = attributes.some(
    (a) => a.kind === 'RFC822' || a.kind === 'RFC822.TEXT' || ((a.kind === 'BODY[]' || a.kind === 'BINARY[]') && !a.peek),
  );
  let needsStructure = false;
  let contentItems = 0;
  for (const a of items) {
    switch (a.kind) {
      case 'ENVELOPE':
      case 'BODY':
      case 'BODYSTRUCTURE':
        needsStructure = true;
        break;
      case 'RFC822':
        contentItems++;
        break;
      case 'RFC822.TEXT':
        needsStructure = true;
        contentItems++;
        break;
      case 'RFC822.HEADER':
        needsStructure = true;
        contentItems++;
        break;
      case 'BODY[]':
        if (a.section.part.length > 0 || a.section.text !== undefined) needsStructure = true;
        contentItems++;
        break;
      case 'BINARY[]':
        needsStructure = true;
        contentItems++;
        break;
      case 'BINARY.SIZE':
        needsStructure = true;
        contentItems++;
        break;
      case 'PREVIEW':
        needsStructure = true;
        contentItems++;
        break;
      default:
        break;
    }
  }
  return {
    items,
    setsSeen,
    needsStructure,
    contentItems,
    flags: items.some((a) => a.kind === 'FLAGS'),
    modseq: items.some((a) => a.kind === 'MODSEQ') || changedSince !== undefined,
  };
}

/** One message as FETCH renders it. */
export interface FetchMessage {
  seq: number;
  uid: number;
  /** Flags as displayed (displayFlags applied). */
  flags: readonly string[];
  internalDate: number;
  size: number;
  modseq: number;
  /** Save date (RFC 8514 §3), ms since the epoch. */
  savedAt: number;
  /** EMAILID and THREADID (RFC 8474 §5). */
  emailId: string;
  threadId: string;
  /** Cached structure; null when it must be parsed from the content. */
  root: MimePart | null;
  source: MessageSource;
  /** Append FLAGS although not requested (\Seen was just set, RFC 9051 §6.4.5). */
  addFlags: boolean;
  /** Append MODSEQ although not requested (CONDSTORE enabled and FLAGS sent, RFC 7162 §3.1). */
  addModSeq: boolean;
  /** Send UID although not requested (CONDSTORE enabled and \Seen just set, RFC 7162 §3.2.4). */
  addUid?: boolean;
}

export type RenderOutcome = { ok: true } | { ok: false; code: 'UNKNOWN-CTE' };

const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

class UnknownCte extends Error {}

/** Writes "(" items ")" for one message (the caller writes "* <seq> FETCH " before). */
export async function renderItems(b: ResponseBuilder, plan: FetchPlan, msg: FetchMessage): Promise<RenderOutcome> {
  const preferWhole = plan.contentItems > 1;
  let root = msg.root;
  const structure = async (): Promise<MimePart> => {
    root ??= parseMessage(await msg.source.whole());
    return root;
  };
  b.raw('(');
  let first = true;
  const name = (n: string): void => {
    if (!first) b.sp();
    first = false;
    b.raw(n);
  };
  let modseqDone = false;
  if (msg.addUid === true && plan.items[0]?.kind !== 'UID') name(`UID ${msg.uid}`);
  try {
    for (const a of plan.items) {
      switch (a.kind) {
        case 'UID':
          name(`UID ${msg.uid}`);
          break;
        case 'FLAGS':
          name('FLAGS ');
          b.flags(msg.flags);
          break;
        case 'INTERNALDATE':
          name('INTERNALDATE ');
          b.dateTime(msg.internalDate);
          break;
        case 'RFC822.SIZE':
          name(`RFC822.SIZE ${msg.size}`);
          break;
        case 'MODSEQ':
          name(`MODSEQ (${msg.modseq})`);
          modseqDone = true;
          break;
        case 'ENVELOPE':
          name('ENVELOPE ');
          encodeEnvelope(b, (await structure()).envelope ?? EMPTY_ENVELOPE);
          break;
        case 'BODY':
        case 'BODYSTRUCTURE':
          name(`${a.kind} `);
          encodeBodyStructure(b, await structure(), a.kind === 'BODYSTRUCTURE');
          break;
        case 'RFC822':
          name('RFC822 ');
          bodyData(b, await sectionData(msg, { part: [] }, undefined, preferWhole, structure));
          break;
        case 'RFC822.HEADER':
          name('RFC822.HEADER ');
          bodyData(b, await sectionData(msg, { part: [], text: 'HEADER' }, undefined, preferWhole, structure));
          break;
        case 'RFC822.TEXT':
          name('RFC822.TEXT ');
          bodyData(b, await sectionData(msg, { part: [], text: 'TEXT' }, undefined, preferWhole, structure));
          break;
        case 'BODY[]': {
          const data = await sectionData(msg, a.section, a.partial, preferWhole, structure);
          name('BODY[');
          sectionName(b, a.section);
          b.raw(a.partial !== undefined ? `]<${a.partial.offset}> ` : '] ');
          bodyData(b, data);
          break;
        }
        case 'BINARY[]': {
          const data = await binaryData(msg, a.part, preferWhole, structure);
          name(`BINARY[${a.part.join('.')}]${a.partial !== undefined ? `<${a.partial.offset}>` : ''} `);
          const sliced = a.partial === undefined ? data : slicePartial(data, a.partial);
          if (sliced.length === 0) b.raw('""');
          else b.literal(sliced, sliced.includes(0));
          break;
        }
        case 'BINARY.SIZE': {
          const size = await binarySize(msg, a.part, preferWhole, structure);
          name(`BINARY.SIZE[${a.part.join('.')}] ${size}`);
          break;
        }
        case 'SAVEDATE':
          // RFC 8514 §4.2: msg-att-static "SAVEDATE" SP (date-time / nil).
          name('SAVEDATE ');
          b.dateTime(msg.savedAt);
          break;
        case 'EMAILID':
          // RFC 8474 §5.3: "EMAILID" SP "(" objectid ")".
          name(`EMAILID (${msg.emailId})`);
          break;
        case 'THREADID':
          // RFC 8474 §5.3: every message is threaded at append, so never NIL here.
          name(`THREADID (${msg.threadId})`);
          break;
        case 'PREVIEW': {
          // RFC 8970 §3.2: msg-att-dynamic "PREVIEW" SP nstring; "" when there is no text.
          const text = await previewText(msg, preferWhole, structure);
          name('PREVIEW ');
          b.string(text);
          break;
        }
      }
    }
  } catch (e) {
    if (e instanceof UnknownCte) return { ok: false, code: 'UNKNOWN-CTE' };
    throw e;
  }
  if (msg.addFlags && !plan.flags) {
    name('FLAGS ');
    b.flags(msg.flags);
  }
  if ((plan.modseq || msg.addModSeq) && !modseqDone) name(`MODSEQ (${msg.modseq})`);
  b.raw(')');
  return { ok: true };
}

/** The RFC 8970 preview: the first text part that yields any text, read by range when possible. */
async function previewText(msg: FetchMessage, preferWhole: boolean, structure: () => Promise<MimePart>): Promise<string> {
  const root = await structure();
  for (const part of previewParts(root)) {
    const end = previewSourceEnd(part);
    const body =
      preferWhole || msg.root === null
        ? (await msg.source.whole()).subarray(part.bodyStart, end)
        : await msg.source.range(part.bodyStart, end);
    const text = partPreview(body, part);
    if (text !== '') return text;
  }
  return '';
}

/** section-spec as echoed: "1.HEADER.FIELDS (FROM TO)". */
function sectionName(b: ResponseBuilder, s: FetchSection): void {
  let t = s.part.join('.');
  if (s.text !== undefined) t += (t === '' ? '' : '.') + s.text;
  b.raw(t);
  if (s.fields !== undefined) {
    b.raw(' (');
    s.fields.forEach((f, i) => {
      if (i > 0) b.sp();
      b.astring(f.toUpperCase());
    });
    b.raw(')');
  }
}

function bodyData(b: ResponseBuilder, data: Buffer): void {
  if (data.length === 0) b.raw('""');
  else b.literal(data);
}

function slicePartial(data: Buffer, p: FetchPartial): Buffer {
  if (p.offset >= data.length) return data.subarray(0, 0);
  return data.subarray(p.offset, Math.min(data.length, p.offset + p.length));
}

type Locate = { start: number; end: number; fields?: { text: 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT'; names: string[] } } | 'empty' | null;

/** Where sectionBytes would take its bytes from (mirrors mime/section.ts); null = no such part. */
export function locateSection(root: MimePart, spec: SectionSpec, size: number): Locate {
  const part = findPart(root, spec.part);
  if (part === null) return null;
  const text = spec.text;
  if (text === undefined) return spec.part.length === 0 ? { start: 0, end: size } : { start: part.bodyStart, end: part.end };
  if (text === 'MIME') return spec.part.length === 0 ? null : { start: part.headerStart, end: part.bodyStart };
  const msg = spec.part.length === 0 ? part : part.message;
  if (msg === null) return 'empty';
  switch (text) {
    case 'HEADER':
      return { start: msg.headerStart, end: msg.bodyStart };
    case 'TEXT':
      return { start: msg.bodyStart, end: msg.end };
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      return { start: msg.headerStart, end: msg.bodyStart, fields: { text, names: spec.fields ?? [] } };
  }
  return null;
}

/** BODY[section]<partial> bytes; empty for a nonexistent part. */
async function sectionData(
  msg: FetchMessage,
  section: FetchSection,
  partial: FetchPartial | undefined,
  preferWhole: boolean,
  structure: () => Promise<MimePart>,
): Promise<Buffer> {
  return (await sectionContent(msg, section, partial, preferWhole, structure)) ?? Buffer.alloc(0);
}

/**
 * BODY[section]<partial> bytes, or null when the part does not exist (FETCH sends "" then;
 * CATENATE answers BADURL). Shared by FETCH and CATENATE URL resolution (RFC 4469 §3: "as if
 * the literal returned in a FETCH BODY response were put in place").
 */
export async function sectionContent(
  msg: Pick<FetchMessage, 'source' | 'size' | 'root'>,
  section: FetchSection,
  partial: FetchPartial | undefined,
  preferWhole: boolean,
  structure: () => Promise<MimePart>,
): Promise<Buffer | null> {
  const spec: SectionSpec = { part: section.part, text: section.text, fields: section.fields };
  const wholeMessage = spec.part.length === 0 && spec.text === undefined;
  if (wholeMessage) {
    if (preferWhole) {
      const data = await msg.source.whole();
      return partial === undefined ? data : slicePartial(data, partial);
    }
    if (partial === undefined) return msg.source.range(0, msg.size);
    if (partial.offset >= msg.size) return Buffer.alloc(0);
    return msg.source.range(partial.offset, partial.offset + partial.length);
  }
  const root = await structure();
  if (preferWhole || msg.root === null) {
    const data = sectionBytes(await msg.source.whole(), root, spec);
    if (data === null) return null;
    return partial === undefined ? data : slicePartial(data, partial);
  }
  const loc = locateSection(root, spec, msg.size);
  if (loc === null) return null;
  if (loc === 'empty') return Buffer.alloc(0);
  if (loc.fields !== undefined) {
    const header = await msg.source.range(loc.start, loc.end);
    const shifted: MimePart = { ...root, headerStart: 0, bodyStart: header.length, end: header.length, children: [], message: null };
    const data = sectionBytes(header, shifted, { part: [], text: loc.fields.text, fields: loc.fields.names }) ?? Buffer.alloc(0);
    return partial === undefined ? data : slicePartial(data, partial);
  }
  if (partial === undefined) return msg.source.range(loc.start, loc.end);
  const start = loc.start + partial.offset;
  if (start >= loc.end) return Buffer.alloc(0);
  return msg.source.range(start, Math.min(loc.end, start + partial.length));
}

const IDENTITY_CTE = new Set(['', '7BIT', '8BIT', 'BINARY']);

/** BINARY[part] decoded bytes (before partial); empty for a nonexistent part. */
async function binaryData(msg: FetchMessage, path: number[], preferWhole: boolean, structure: () => Promise<MimePart>): Promise<Buffer> {
  const root = await structure();
  const part = findPart(root, path);
  if (part === null) return Buffer.alloc(0);
  let data: Buffer;
  if (preferWhole || msg.root === null) {
    const r = binarySection(await msg.source.whole(), root, path);
    if (r === null) return Buffer.alloc(0);
    if ('error' in r) throw new UnknownCte();
    data = r.data;
  } else if (path.length === 0) {
    data = await msg.source.range(0, msg.size);
  } else {
    const body = await msg.source.range(part.bodyStart, part.end);
    if (part.type === 'multipart') data = body;
    else {
      const decoded = decodeTransfer(body, part.encoding);
      if (decoded === null) throw new UnknownCte();
      data = decoded;
    }
  }
  // RFC 3516 §4.2: the content with the transfer encoding removed, line ends untouched.
  return data;
}

/** BINARY.SIZE[part]: the length BINARY[part] would have; reads nothing when no decoding is needed. */
async function binarySize(msg: FetchMessage, path: number[], preferWhole: boolean, structure: () => Promise<MimePart>): Promise<number> {
  if (path.length === 0) return msg.size;
  const root = await structure();
  const part = findPart(root, path);
  if (part === null) return 0;
  if (part.type === 'multipart' || IDENTITY_CTE.has(part.encoding.trim().toUpperCase())) {
    return part.end - part.bodyStart;
  }
  return (await binaryData(msg, path, preferWhole, structure)).length;
}
