/**
 * body (RFC 5173): the `body` test matches keys against the message body under a transform
 * (§5): `:raw` the undecoded body after the top-level header (§5.1); `:content <types>` the
 * decoded content of each leaf part whose Content-Type matches one of the types (§5.2: "" any
 * type, "text" any subtype of text, "text/html" exactly); `:text` (the default, §5.3) the
 * decoded text of every text/* part.
 *
 * Decoding: transfer encoding removed and text/* converted from its charset via src/mime; other
 * types' decoded bytes are read as UTF-8 when valid, else latin1. Each part is one value (so a
 * :matches key cannot span two parts). Parts of encapsulated messages (message/rfc822) are
 * included, their header blocks are not (§5.2 mentions only content).
 *
 * Invariants: the walk is bounded by the mime layer's MAX_MIME_PARTS/MAX_MIME_DEPTH; matching
 * cost is charged to the step budget by the match types.
 */
import type { MimePart } from '../../mime/index.js';
import { decodeCharset, decodeTransfer, MAX_MIME_DEPTH } from '../../mime/index.js';
import { rawString } from '../../mime/charset.js';
import type { Runtime } from '../interpreter.js';
import type { SieveExtension } from './extension.js';

function typeMatches(part: MimePart, wanted: string[]): boolean {
  for (const w of wanted) {
    const lw = w.toLowerCase().trim();
    if (lw === '') return true;
    const slash = lw.indexOf('/');
    if (slash < 0 ? part.type === lw : `${part.type}/${part.subtype}` === lw) return true;
  }
  return false;
}

function leafText(rt: Runtime, part: MimePart): string | null {
  const decoded = decodeTransfer(rt.message.subarray(part.bodyStart, part.end), part.encoding);
  if (decoded === null) return null;
  if (part.type === 'text') return decodeCharset(decoded, part.params.find(([k]) => k === 'charset')?.[1] ?? 'us-ascii');
  return rawString(decoded);
}

function collect(rt: Runtime, part: MimePart, wanted: string[], out: string[], depth: number): void {
  if (depth > MAX_MIME_DEPTH) return;
  rt.step(null);
  if (part.type === 'multipart') {
    for (const c of part.children) collect(rt, c, wanted, out, depth + 1);
    return;
  }
  if (part.message !== null) {
    collect(rt, part.message, wanted, out, depth + 1);
    return;
  }
  if (!typeMatches(part, wanted)) return;
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
      validate: (node, ctx) => {
        const a = node.tags.get('content')?.args[0];
        if (a?.kind !== 'stringlist') return;
        for (const s of a.values) {
          if (!s.hasVars && !/^$|^[!#-'*+.0-9A-Z^-~-]+(\/[!#-'*+.0-9A-Z^-~-]+)?$/i.test(s.value.trim())) {
            ctx.error(s, `invalid content type "${s.value}"`);
          }
        }
      },
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
