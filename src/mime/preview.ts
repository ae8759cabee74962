/**
 * Preview text for FETCH PREVIEW (RFC 8970). Pure: bytes and the cached structure in, a string out.
 *
 * Invariants:
 * - The result is plain text (RFC 8970 §3.3: "text/plain ... SHOULD remove any formatting
 *   markup"): no CR, LF or other control characters, every run of whitespace collapsed to one
 *   space, no leading or trailing space.
 * - At most PREVIEW_MAX_CHARS Unicode characters (code points, never a split surrogate pair):
 *   200, the length §3.3 says the server SHOULD keep to, below the 256 it MUST NOT exceed.
 * - Source: the first text/plain leaf (depth-first, parts with Content-Disposition: attachment
 *   skipped, encapsulated message/rfc822 parts not entered); if there is none, or it holds no
 *   text, the first text/html leaf with its markup, comments, script/style/head content removed
 *   and character references decoded. Transfer encoding and charset are removed with the same
 *   decoders SEARCH uses (decodeTransfer, decodeCharset).
 * - No usable text (no text part, an unknown transfer encoding, an encrypted body) gives ""
 *   (RFC 8970 §3.2: "the server MUST return a zero-length string"), never a made-up text.
 * - Only the first PREVIEW_SOURCE_BYTES of a part's body are looked at (cut at a line end so no
 *   encoded unit or UTF-8 sequence is split), which bounds the work for huge parts; a preview
 *   needs only the start of the text.
 * - No other rewriting (quoted lines and signatures are kept): RFC 8970 asks for nothing more.
 */
import { decodeCharset } from './charset.js';
import { MAX_MIME_DEPTH } from './limits.js';
import { decodeTransfer } from './transfer-encoding.js';
import type { MimePart } from './types.js';

/** RFC 8970 §3.3: SHOULD be at most 200 preview characters, MUST NOT exceed 256. */
export const PREVIEW_MAX_CHARS = 200;

/** Body bytes of one part examined for its preview. */
export const PREVIEW_SOURCE_BYTES = 256 * 1024;

function isAttachment(part: MimePart): boolean {
  return part.disposition?.type.toLowerCase() === 'attachment';
}

function collectLeaves(part: MimePart, subtype: string, out: MimePart[], depth: number): void {
  if (depth > MAX_MIME_DEPTH || isAttachment(part)) return;
  if (part.type === 'multipart') {
    for (const c of part.children) collectLeaves(c, subtype, out, depth + 1);
    return;
  }
  if (part.type === 'text' && part.subtype === subtype) out.push(part);
}

/** Parts a preview may come from, in order of preference: text/plain leaves, then text/html. */
export function previewParts(root: MimePart): MimePart[] {
  const plain: MimePart[] = [];
  const html: MimePart[] = [];
  collectLeaves(root, 'plain', plain, 0);
  collectLeaves(root, 'html', html, 0);
  return [...plain, ...html];
}

/** Where the bytes previewText needs of `part` end: at most PREVIEW_SOURCE_BYTES of its body. */
export function previewSourceEnd(part: MimePart): number {
  return Math.min(part.end, part.bodyStart + PREVIEW_SOURCE_BYTES);
}

const charsetOf = (part: MimePart): string => part.params.find(([k]) => k === 'charset')?.[1] ?? 'us-ascii';

/** Cut after the last LF (or keep everything when there is none). */
function toLastLineEnd(data: Buffer): Buffer {
  const lf = data.lastIndexOf(0x0a);
  return lf < 0 ? data : data.subarray(0, lf + 1);
}

/**
 * The preview of one text part from its body bytes (still transfer-encoded), which may be the
 * first previewSourceEnd(part) - bodyStart bytes of it.
 */
export function partPreview(body: Buffer, part: MimePart): string {
  const charset = charsetOf(part);
  // UTF-16/32 text has no byte-level line ends to cut at safely; such parts are used whole.
  const wide = /^utf-?(16|32)/i.test(charset.trim());
  const truncated = body.length < part.end - part.bodyStart && !wide;
  const decoded = decodeTransfer(truncated ? toLastLineEnd(body) : body, part.encoding);
  if (decoded === null) return '';
  const text = decodeCharset(truncated ? toLastLineEnd(decoded) : decoded, charset);
  return finish(part.subtype === 'html' ? htmlToText(text) : text);
}

/** The preview of a whole message (RFC 8970 §3): "" when no text part yields any text. */
export function messagePreview(raw: Buffer, root: MimePart): string {
  for (const part of previewParts(root)) {
    const preview = partPreview(raw.subarray(part.bodyStart, previewSourceEnd(part)), part);
    if (preview !== '') return preview;
  }
  return '';
}

/**
 * Whitespace (including NBSP and other Unicode spaces) collapsed, control and format characters
 * that have no place in a one-line preview removed, cut to PREVIEW_MAX_CHARS code points.
 */
export function finish(text: string): string {
  const flat = text
    .replace(/[\u200b\u200c\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();
  const chars = Array.from(flat);
  if (chars.length <= PREVIEW_MAX_CHARS) return flat;
  return chars.slice(0, PREVIEW_MAX_CHARS).join('').trimEnd();
}

/** Elements after which text visibly breaks: replaced by a space, other tags by nothing. */
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'img',
  'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'ul', 'body', 'html',
]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003',
  thinsp: '\u2009', shy: '\u00ad', zwnj: '\u200c', zwj: '\u200d', copy: '\u00a9', reg: '\u00ae',
  trade: '\u2122', hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019',
  sbquo: '\u201a', ldquo: '\u201c', rdquo: '\u201d', bdquo: '\u201e', laquo: '\u00ab', raquo: '\u00bb',
  bull: '\u2022', middot: '\u00b7', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2',
  sect: '\u00a7', para: '\u00b6', deg: '\u00b0', plusmn: '\u00b1', times: '\u00d7', divide: '\u00f7',
  iexcl: '\u00a1', iquest: '\u00bf', agrave: '\u00e0', aacute: '\u00e1', acirc: '\u00e2', auml: '\u00e4',
  atilde: '\u00e3', aring: '\u00e5', aelig: '\u00e6', ccedil: '\u00e7', egrave: '\u00e8', eacute: '\u00e9',
  ecirc: '\u00ea', euml: '\u00eb', igrave: '\u00ec', iacute: '\u00ed', icirc: '\u00ee', iuml: '\u00ef',
  ntilde: '\u00f1', ograve: '\u00f2', oacute: '\u00f3', ocirc: '\u00f4', ouml: '\u00f6', otilde: '\u00f5',
  oslash: '\u00f8', ugrave: '\u00f9', uacute: '\u00fa', ucirc: '\u00fb', uuml: '\u00fc', yuml: '\u00ff',
  szlig: '\u00df', Agrave: '\u00c0', Aacute: '\u00c1', Acirc: '\u00c2', Auml: '\u00c4', Ccedil: '\u00c7',
  Egrave: '\u00c8', Eacute: '\u00c9', Ecirc: '\u00ca', Ouml: '\u00d6', Uuml: '\u00dc', Ntilde: '\u00d1',
};

function decodeEntity(ref: string, body: string): string {
  if (body.startsWith('#')) {
    const hex = body[1] === 'x' || body[1] === 'X';
    const cp = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
    if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(cp);
  }
  return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? ref;
}

/** Visible text of an HTML document: markup removed, character references decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style|head|title|template)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g, ' ')
    .replace(/<\/?([A-Za-z][A-Za-z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>/g, (_m, tag: string) =>
      BLOCK_TAGS.has(tag.toLowerCase()) ? ' ' : '',
    )
    .replace(/<![^>]*>|<\?[^>]*>/g, ' ')
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?/g, decodeEntity);
}
