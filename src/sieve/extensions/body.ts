/**
 * body (RFC 5173): the `body` test matches keys against the message body under a transform
 * (§5): `:raw` the undecoded body after the top-level header (§5.1); `:content <types>` the
 * decoded content of each part whose Content-Type matches one of the types (§5.2: "" any
 * type, "text" any subtype of text, "text/html" exactly; a matching multipart contributes its
 * prologue and epilogue, a matching message/rfc822 its nested header; descent continues into
 * children either way); `:text` (the default) is `:content "text"`, as §5.3 permits.
 *
 * Decoding: transfer encoding removed and text/* converted from its charset via src/mime; other
 * types' decoded bytes are read as UTF-8 when valid, else latin1. Each part is one value (so a
 * :matches key cannot span two parts); MIME headers of a part are never included.
 *
 * Invariants: the walk is bounded by the mime layer's MAX_MIME_PARTS/MAX_MIME_DEPTH; matching
 * cost is charged to the step budget by the match types.
 */
import type { MimePart } from '../../mime/index.js';
import { decodeCharset, decodeTransfer, MAX_MIME_DEPTH } from '../../mime/index.js';
import { rawString } from '../../mime/charset.js';
import type { Runtime } from '../interpreter.js';
import type { SieveExtension } from './extension.js';

/** RFC 5173 §5.2: "" any type, "type" any subtype, "type/subtype" exactly; a type beginning or
 * ending with '/' or with several slashes matches nothing. */
function typeMatches(type: string, subtype: string, wanted: string[]): boolean {
  for (const w of wanted) {
    const lw = w.toLowerCase().trim();
    if (lw === '') return true;
    const parts = lw.split('/');
    if (parts.length > 2 || parts.some((p) => p === '')) continue;
    if (parts.length === 1 ? type === lw : `${type}/${subtype}` === lw) return true;
  }
  return false;
}

function leafText(rt: Runtime, part: MimePart): string | null {
  const decoded = decodeTransfer(rt.message.subarray(part.bodyStart, part.end), part.encoding);
  if (decoded === null) return null;
  if (part.type === 'text') return decodeCharset(decoded, part.params.find(([k]) => k === 'charset')?.[1] ?? 'us-ascii');
  return rawString(decoded);
}

/** The prologue and epilogue of a multipart (RFC 2046 §5.1.1 preamble/epilogue). */
function prologueEpilogue(rt: Runtime, part: MimePart): string[] {
  const body = rt.message.subarray(part.bodyStart, part.end);
  const out: string[] = [];
  const first = part.children[0];
  const last = part.children[part.children.length - 1];
  if (first === undefined || last === undefined) return [rawString(body)];
  // The preamble ends at the line break before the first delimiter line.
  const pre = rt.message.subarray(part.bodyStart, first.headerStart);
  const preText = rawString(pre).replace(/(\r?\n)?--[^\r\n]*\r?\n?$/, '');
  out.push(preText);
  // The epilogue follows the close-delimiter line after the last child.
  const tail = rawString(rt.message.subarray(last.end, part.end));
  const close = /^\r?\n--[^\r\n]*--[ \t]*(\r?\n|$)/.exec(tail);
  out.push(close === null ? '' : tail.slice(close[0].length));
  return out;
}

function collect(rt: Runtime, part: MimePart, wanted: string[], out: string[], depth: number): void {
  if (depth > MAX_MIME_DEPTH) return;
  rt.step(null);
  const matches = typeMatches(part.type, part.subtype, wanted);
  if (part.type === 'multipart') {
    // §5.2: a matching multipart contributes its prologue and epilogue only.
    if (matches) out.push(...prologueEpilogue(rt, part));
    for (const c of part.children) collect(rt, c, wanted, out, depth + 1);
    return;
  }
  if (part.message !== null) {
    // §5.2: a matching message/rfc822 contributes the nested header as one string.
    if (matches) out.push(rawString(rt.message.subarray(part.message.headerStart, part.message.bodyStart)));
    collect(rt, part.message, wanted, out, depth + 1);
    return;
  }
  if (!matches) return;
  const text = leafText(rt, part);
  if (text !== null) out.push(text);
}

export const bodyExtension: SieveExtension = {
  capabilities: ['body'],
  tests: [
    {
      name: 'body',
      kind: 'test',
      capability: 'body',
      positional: [{ kind: 'stringlist', name: 'key list' }],
      tags: [
        { name: 'raw', group: 'body-transform' },
        { name: 'text', group: 'body-transform' },
        { name: 'content', group: 'body-transform', args: [{ kind: 'stringlist', name: 'content types' }] },
      ],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => {
        const root = rt.mime();
        let values: string[];
        if (node.tags.has('raw')) values = [rawString(rt.message.subarray(root.bodyStart))];
        else {
          const wanted = node.tags.has('content') ? rt.strs(node.tags.get('content')!.args[0]) : ['text'];
          values = [];
          collect(rt, root, wanted, values, 0);
        }
        return rt.match(node, values, rt.strs(node.args[0]));
      },
    },
  ],
};
