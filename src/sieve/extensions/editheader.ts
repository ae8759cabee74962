/**
 * editheader (RFC 5293): the `addheader` (§4) and `deleteheader` (§5) actions.
 *
 * An edit replaces the runtime's message (rt.setMessage): later tests (header, exists, address,
 * date, vacation...) see the edited header, and later actions carry it as `message` (api.ts,
 * §7). A runtime error falls back to the implicit keep of the original message (§7), which the
 * interpreter does by dropping every action.
 *
 * Invariants:
 * - Field names must be RFC 5322 §3.6.8 field-names (printable ASCII but ':'); an invalid one is
 *   an error (§4, §5): at compile time when constant, at run time otherwise.
 * - Added values never break the header: control characters (CR, LF, NUL...) are an error;
 *   non-ASCII values become RFC 2047 encoded words; a field longer than 998 octets is folded at
 *   whitespace, or refused when it cannot be (§4).
 * - Protected fields are left alone, silently (§6): deleting Received, Auto-Submitted,
 *   Return-Path or Delivered-To (trace and loop-detection fields), adding Return-Path (final
 *   delivery's field). Subject is always editable (§6 MUST).
 * - deleteheader matches like the header test (decoded, trimmed values) but sets no match
 *   variables: it is an action, not a test. :index counts occurrences before matching (§5).
 * - Each edit costs steps in proportion to the header size, and the number of edits per
 *   execution is bounded (maxHeaderEdits), so edits cannot grow work or memory without bound.
 */
import type { Runtime } from '../interpreter.js';
import type { SieveExtension, SieveNode, ValidationContext } from './extension.js';
import { readHeaderBlock, unfoldedValue } from '../../mime/header-block.js';
import { decodeEncodedWords } from '../../mime/encoded-word.js';
import { encodeWords } from './vacation.js';

const FIELD_NAME = /^[!-9;-~]+$/;
const PROTECTED_DELETE = new Set(['received', 'auto-submitted', 'return-path', 'delivered-to']);
const PROTECTED_ADD = new Set(['return-path']);
export const DEFAULT_MAX_HEADER_EDITS = 64;
/** RFC 5322 §2.1.1: a line is at most 998 octets without its CRLF. */
const MAX_LINE = 998;

/** The field as it will be written (without CRLF), or an error message. */
export function formatField(name: string, value: string): { field: string } | { error: string } {
  if (!FIELD_NAME.test(name)) return { error: `invalid header field name "${name}"` };
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return { error: `header field value for "${name}" contains control characters` };
  const body = /^[\x00-\x7f]*$/.test(value) ? value : encodeWords(value);
  const lines = `${name}: ${body}`.split('\r\n');
  const out: string[] = [];
  for (let line of lines) {
    // Fold at the last whitespace that keeps the line within the limit (§4: folding allowed).
    while (Buffer.byteLength(line) > MAX_LINE) {
      const cut = line.lastIndexOf(' ', MAX_LINE);
      if (cut <= name.length + 1) return { error: `header field "${name}" is too long to fold` };
      out.push(line.slice(0, cut));
      line = line.slice(cut);
    }
    out.push(line);
  }
  return { field: out.join('\r\n') };
}

function checkName(node: SieveNode, ctx: ValidationContext): void {
  const a = node.args[0];
  if (a?.kind === 'string' && !a.value.hasVars && !FIELD_NAME.test(a.value.value)) ctx.error(a, `invalid header field name "${a.value.value}"`);
}

function beginEdit(rt: Runtime, node: SieveNode): void {
  const state = rt.state('editheader', () => ({ edits: 0 }));
  const max = rt.limits.maxHeaderEdits ?? DEFAULT_MAX_HEADER_EDITS;
  if (++state.edits > max) rt.error(node, `too many header edits (limit ${max})`);
  rt.step(node, 1 + Math.ceil(rt.mime().bodyStart / 4096));
}

function headerFields(rt: Runtime) {
  const top = rt.mime();
  return readHeaderBlock<never>(rt.message, top.headerStart, top.bodyStart).fields;
}

export const editheaderExtension: SieveExtension = {
  capabilities: ['editheader'],
  commands: [
    {
      name: 'addheader',
      kind: 'command',
      capability: 'editheader',
      positional: [
        { kind: 'string', name: 'field name' },
        { kind: 'string', name: 'value' },
      ],
      tags: [{ name: 'last' }],
      validate: (node, ctx) => {
        checkName(node, ctx);
        const [n, v] = node.args;
        if (n?.kind === 'string' && v?.kind === 'string' && !n.value.hasVars && !v.value.hasVars && FIELD_NAME.test(n.value.value)) {
          const r = formatField(n.value.value, v.value.value);
          if ('error' in r) ctx.error(v, r.error);
        }
      },
      run: async (node, rt) => {
        const name = rt.str(node.args[0]);
        const r = formatField(name, rt.str(node.args[1]));
        if ('error' in r) return rt.error(node, r.error);
        if (PROTECTED_ADD.has(name.toLowerCase())) return;
        beginEdit(rt, node);
        const msg = rt.message;
        let at = rt.mime().headerStart;
        let text = `${r.field}\r\n`;
        if (node.tags.has('last')) {
          const fields = headerFields(rt);
          at = fields.length > 0 ? fields[fields.length - 1]!.end : at;
          // A last field without a line break (header-only message) gets one first.
          if (at > 0 && msg[at - 1] !== 0x0a) text = `\r\n${text}`;
        }
        rt.setMessage(Buffer.concat([msg.subarray(0, at), Buffer.from(text), msg.subarray(at)]));
      },
    },
    {
      name: 'deleteheader',
      kind: 'command',
      capability: 'editheader',
      positional: [
        { kind: 'string', name: 'field name' },
        { kind: 'stringlist', name: 'value patterns', optional: true },
      ],
      tags: [
        { name: 'index', args: [{ kind: 'number', name: 'field number' }] },
        { name: 'last' },
      ],
      groups: ['comparator', 'match-type'],
      validate: (node, ctx) => {
        checkName(node, ctx);
        const index = node.tags.get('index');
        if (node.tags.has('last') && index === undefined) ctx.error(node.tags.get('last')!, "':last' needs ':index' (RFC 5293 §5)");
        const n = index?.args[0];
        if (n?.kind === 'number' && n.value < 1) ctx.error(n, ':index counts from 1');
      },
      run: async (node, rt) => {
        const name = rt.str(node.args[0]);
        if (!FIELD_NAME.test(name)) return rt.error(node, `invalid header field name "${name}"`);
        if (PROTECTED_DELETE.has(name.toLowerCase())) return;
        beginEdit(rt, node);
        const lower = name.toLowerCase();
        let fields = headerFields(rt).filter((f) => f.name.toLowerCase() === lower);
        const index = node.tags.get('index');
        if (index !== undefined) {
          // §5: the counting happens before the value patterns are matched.
          const n = rt.num(index.args[0]);
          const i = node.tags.has('last') ? fields.length - n : n - 1;
          fields = i >= 0 && i < fields.length ? [fields[i]!] : [];
        }
        const patterns = node.args[1];
        if (patterns !== undefined) {
          const keys = rt.strs(patterns);
          const saved = rt.matchVariables;
          fields = fields.filter((f) => rt.match(node, [decodeEncodedWords(unfoldedValue(rt.message, f)).trim()], keys));
          rt.matchVariables = saved;
        }
        if (fields.length === 0) return;
        const msg = rt.message;
        const parts: Buffer[] = [];
        let pos = 0;
        for (const f of fields) {
          parts.push(msg.subarray(pos, f.start));
          pos = f.end;
        }
        parts.push(msg.subarray(pos));
        rt.setMessage(Buffer.concat(parts));
      },
    },
  ],
};
