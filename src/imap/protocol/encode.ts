/**
 * ENVELOPE and BODY/BODYSTRUCTURE encoding (RFC 9051 §7.5.2, RFC 3501 §7.4.2) from the cached
 * MIME structure (mime/types.ts).
 *
 * Invariants:
 * - Media type, subtype, parameter names and disposition type are upper-cased ("TEXT" "PLAIN",
 *   ("CHARSET" "utf-8")); values are sent as stored.
 * - Empty parameter and address lists become NIL (the grammar forbids "()").
 * - Sender and Reply-To default to From when absent (RFC 9051 §7.5.2 ENVELOPE).
 * - A multipart without children gets one empty text/plain child, as body-type-mpart needs 1*body.
 * - BODY (non-extensible) omits every extension field; BODYSTRUCTURE includes them all.
 */
import type { Address, Envelope, MimePart } from '../../mime/types.js';
import type { ResponseBuilder } from './response.js';

function addressList(b: ResponseBuilder, list: Address[] | null): void {
  if (list === null || list.length === 0) {
    b.raw('NIL');
    return;
  }
  b.raw('(');
  for (const a of list) {
    b.raw('(').nstring(a.name).sp().nstring(a.adl).sp().nstring(a.mailbox).sp().nstring(a.host).raw(')');
  }
  b.raw(')');
}

export function encodeEnvelope(b: ResponseBuilder, env: Envelope): void {
  const from = env.from;
  const orFrom = (list: Address[] | null): Address[] | null => (list === null || list.length === 0 ? from : list);
  b.raw('(').nstring(env.date).sp().nstring(env.subject).sp();
  addressList(b, from);
  b.sp();
  addressList(b, orFrom(env.sender));
  b.sp();
  addressList(b, orFrom(env.replyTo));
  for (const list of [env.to, env.cc, env.bcc]) {
    b.sp();
    addressList(b, list);
  }
  b.sp().nstring(env.inReplyTo).sp().nstring(env.messageId).raw(')');
}

/** body-fld-param: ("NAME" "value" ...) or NIL */
function params(b: ResponseBuilder, list: Array<[string, string]>): void {
  if (list.length === 0) {
    b.raw('NIL');
    return;
  }
  b.raw('(');
  list.forEach(([name, value], i) => {
    if (i > 0) b.sp();
    b.string(name.toUpperCase()).sp().string(value);
  });
  b.raw(')');
}

function disposition(b: ResponseBuilder, part: MimePart): void {
  if (part.disposition === null) {
    b.raw('NIL');
    return;
  }
  b.raw('(').string(part.disposition.type.toUpperCase()).sp();
  params(b, part.disposition.params);
  b.raw(')');
}

function language(b: ResponseBuilder, part: MimePart): void {
  const lang = part.language;
  if (lang === null || lang.length === 0) b.raw('NIL');
  else if (lang.length === 1) b.string(lang[0]);
  else b.list(lang, (bb, l) => bb.string(l));
}

const EMPTY_TEXT: MimePart = {
  headerStart: 0,
  bodyStart: 0,
  end: 0,
  type: 'text',
  subtype: 'plain',
  params: [['charset', 'us-ascii']],
  id: null,
  description: null,
  encoding: '7BIT',
  md5: null,
  disposition: null,
  language: null,
  location: null,
  size: 0,
  lines: 0,
  children: [],
  message: null,
  envelope: null,
};

/** body (RFC 9051 §9): BODYSTRUCTURE when extended, else the non-extensible BODY form. */
export function encodeBodyStructure(b: ResponseBuilder, part: MimePart, extended: boolean): void {
  const type = part.type.toUpperCase();
  b.raw('(');
  if (type === 'MULTIPART') {
    const children = part.children.length > 0 ? part.children : [EMPTY_TEXT];
    for (const child of children) encodeBodyStructure(b, child, extended);
    b.sp().string(part.subtype.toUpperCase());
    if (extended) {
      b.sp();
      params(b, part.params);
      b.sp();
      disposition(b, part);
      b.sp();
      language(b, part);
      b.sp().nstring(part.location);
    }
    b.raw(')');
    return;
  }
  const subtype = part.subtype.toUpperCase();
  b.string(type).sp().string(subtype).sp();
  params(b, part.params);
  b.sp().nstring(part.id).sp().nstring(part.description).sp().string(part.encoding.toUpperCase()).sp().number(part.size);
  const isMessage = type === 'MESSAGE' && (subtype === 'RFC822' || subtype === 'GLOBAL') && part.message !== null;
  if (isMessage && part.message !== null) {
    b.sp();
    encodeEnvelope(b, part.message.envelope ?? emptyEnvelope());
    b.sp();
    encodeBodyStructure(b, part.message, extended);
    b.sp().number(part.lines);
  } else if (type === 'TEXT') {
    b.sp().number(part.lines);
  }
  if (extended) {
    b.sp().nstring(part.md5).sp();
    disposition(b, part);
    b.sp();
    language(b, part);
    b.sp().nstring(part.location);
  }
  b.raw(')');
}

function emptyEnvelope(): Envelope {
  return { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null };
}

export { encodeSequenceSet } from './sequence-set.js';
export { encodeDateTime } from './datetime.js';
