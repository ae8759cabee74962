/**
 * The base language (RFC 5228): control commands require, if/elsif/else, stop (§3); actions
 * keep, discard, redirect (§4) and fileinto ("fileinto" capability); tests address, allof,
 * anyof, envelope ("envelope" capability), exists, false, true, header, not, size (§5); and the
 * encoded-character capability (§2.4.2.4, applied by compile).
 *
 * Invariants:
 * - Implicit keep (§2.10.2) is cancelled by keep, fileinto, redirect and discard; other
 *   extensions' :copy re-enables it by rewriting through onAction.
 * - Header values are unfolded and RFC 2047-decoded before comparison (§2.7.2); addresses are
 *   parsed from the raw value (so encoded display names cannot inject separators).
 * - A redirect address is checked at compile time when constant, at run time otherwise.
 */
import type { Runtime } from '../interpreter.js';
import { StopSignal } from '../interpreter.js';
import type { AddressParts, CommandDef, SieveExtension, SieveNode } from './extension.js';
import { parseAddressList, MISSING_DOMAIN, MISSING_MAILBOX } from '../../mime/index.js';
import { selectIndexed } from './date.js';

/** Splits an envelope address (no angle brackets) at its last '@'. */
export function splitAddress(address: string): AddressParts {
  // RFC 5228 §5.4: tests against envelopes drop source routes ("@a,@b:user@host").
  const addr = address.startsWith('@') && address.includes(':') ? address.slice(address.indexOf(':') + 1) : address;
  const at = addr.lastIndexOf('@');
  if (at < 0) return { localpart: addr, domain: null };
  return { localpart: addr.slice(0, at), domain: addr.slice(at + 1) };
}

/** The addresses in a raw (undecoded) header value; group markers skipped. */
export function headerAddresses(raw: string): AddressParts[] {
  const list = parseAddressList(raw);
  if (list === null) return [];
  const out: AddressParts[] = [];
  for (const a of list) {
    if (a.host === null || a.mailbox === null) continue;
    out.push({ localpart: a.mailbox === MISSING_MAILBOX ? '' : a.mailbox, domain: a.host === MISSING_DOMAIN ? null : a.host });
  }
  return out;
}

/** A deliberately modest RFC 5321 §4.1.2 mailbox check: a dot-string or quoted-string local
 * part, '@', a domain without spaces, brackets or controls. */
export function isValidRedirectAddress(s: string): boolean {
  const m = /^("(?:[^"\\\r\n]|\\[ -~])*"|[^\s<>@"(),:;[\]\\\x00-\x1f\x7f]+)@([^\s<>@\x00-\x1f\x7f]+)$/.exec(s);
  if (m === null) return false;
  const local = m[1]!;
  const dotOk = (x: string): boolean => !x.startsWith('.') && !x.endsWith('.') && !x.includes('..');
  return (local.startsWith('"') || dotOk(local)) && dotOk(m[2]!);
}

const FIELD_NAME = /^[!-9;-~]+$/;

/** RFC 5228 §5.1: the address test is restricted to headers with address-list (or mailbox)
 * bodies: the required ones plus the other RFC 5322 / common address headers. */
export const ADDRESS_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to',
  'resent-from', 'resent-to', 'resent-cc', 'resent-bcc', 'resent-sender', 'resent-reply-to',
  'return-path', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'errors-to',
  'disposition-notification-to', 'mail-followup-to', 'mail-reply-to', 'original-recipient',
]);

function checkHeaderNames(node: SieveNode, argIndex: number, ctx: { error(at: { line: number; column: number }, m: string): void }): void {
  const a = node.args[argIndex];
  if (a?.kind !== 'stringlist') return;
  for (const s of a.values) {
    // RFC 5228 §2.4.2.2 / RFC 5322 §3.6.8: a field name is printable ASCII except ':'.
    if (!s.hasVars && !FIELD_NAME.test(s.value)) ctx.error(s, `invalid header name "${s.value}"`);
  }
}

const STRINGLIST = (name: string) => ({ kind: 'stringlist' as const, name });
const STRING = (name: string) => ({ kind: 'string' as const, name });

function keepCommand(): CommandDef {
  return {
    name: 'keep',
    kind: 'command',
    positional: [],
    run: async (node, rt) => {
      rt.addAction(node, { type: 'keep', implicit: false, flags: [] }, true);
    },
  };
}

async function evalChain(node: SieveNode, rt: Runtime): Promise<boolean> {
  const ok = await rt.evalTest(node.tests[0]!);
  if (ok) await rt.runBlock(node.block!);
  return ok;
}

const commands: CommandDef[] = [
  {
    name: 'require',
    kind: 'command',
    positional: [{ kind: 'stringlist', name: 'capabilities', constant: true }],
    validate: (node, ctx) => {
      // RFC 5228 §3.2: require only at the start of the script.
      if (!ctx.topLevel || ctx.afterOtherCommands) ctx.error(node, 'require must come before any other command');
    },
    run: async () => {},
  },
  {
    name: 'if',
    kind: 'command',
    positional: [],
    tests: 'one',
    block: 'required',
    run: (node, rt) => evalChain(node, rt),
  },
  {
    name: 'elsif',
    kind: 'command',
    positional: [],
    tests: 'one',
    block: 'required',
    validate: (node, ctx) => {
      if (ctx.previousName !== 'if' && ctx.previousName !== 'elsif') ctx.error(node, "'elsif' must follow 'if' or 'elsif'");
    },
    run: async (node, rt, chain) => (chain === true ? true : evalChain(node, rt)),
  },
  {
    name: 'else',
    kind: 'command',
    positional: [],
    block: 'required',
    validate: (node, ctx) => {
      if (ctx.previousName !== 'if' && ctx.previousName !== 'elsif') ctx.error(node, "'else' must follow 'if' or 'elsif'");
    },
    run: async (node, rt, chain) => {
      if (chain === false) await rt.runBlock(node.block!);
    },
  },
  {
    name: 'stop',
    kind: 'command',
    positional: [],
    run: async () => {
      throw new StopSignal();
    },
  },
  keepCommand(),
  {
    name: 'discard',
    kind: 'command',
    positional: [],
    run: async (node, rt) => {
      rt.addAction(node, { type: 'discard' }, true);
    },
  },
  {
    name: 'redirect',
    kind: 'command',
    positional: [STRING('address')],
    validate: (node, ctx) => {
      const a = node.args[0];
      if (a?.kind === 'string' && !a.value.hasVars && !isValidRedirectAddress(a.value.value)) {
        ctx.error(a, `invalid redirect address "${a.value.value}"`);
      }
    },
    run: async (node, rt) => {
      const address = rt.str(node.args[0]);
      if (!isValidRedirectAddress(address)) rt.error(node, `invalid redirect address "${address}"`);
      rt.addAction(node, { type: 'redirect', address }, true);
    },
  },
  {
    name: 'fileinto',
    kind: 'command',
    capability: 'fileinto',
    positional: [STRING('mailbox')],
    validate: (node, ctx) => {
      const a = node.args[0];
      if (a?.kind === 'string' && !a.value.hasVars && a.value.value === '') ctx.error(a, 'fileinto needs a mailbox name');
    },
    run: async (node, rt) => {
      const mailbox = rt.str(node.args[0]);
      if (mailbox === '' || /[\x00-\x1f\x7f]/.test(mailbox)) rt.error(node, `invalid mailbox name "${mailbox}"`);
      rt.addAction(node, { type: 'fileinto', mailbox, flags: [], create: false, specialUse: null }, true);
    },
  },
];

/** Address values of `headers` via the node's address part (RFC 5228 §5.1). */
function addressValues(rt: Runtime, node: SieveNode, addrs: AddressParts[]): string[] {
  const part = rt.addressPart(node);
  const out: string[] = [];
  for (const a of addrs) {
    const v = part.extract(a, rt.input);
    if (v !== null) out.push(v);
  }
  return out;
}

const tests: CommandDef[] = [
  {
    name: 'true',
    kind: 'test',
    positional: [],
    evaluate: async () => true,
  },
  {
    name: 'false',
    kind: 'test',
    positional: [],
    evaluate: async () => false,
  },
  {
    name: 'not',
    kind: 'test',
    positional: [],
    tests: 'one',
    evaluate: async (node, rt) => !(await rt.evalTest(node.tests[0]!)),
  },
  {
    name: 'allof',
    kind: 'test',
    positional: [],
    tests: 'list',
    evaluate: async (node, rt) => {
      for (const t of node.tests) if (!(await rt.evalTest(t))) return false;
      return true;
    },
  },
  {
    name: 'anyof',
    kind: 'test',
    positional: [],
    tests: 'list',
    evaluate: async (node, rt) => {
      for (const t of node.tests) if (await rt.evalTest(t)) return true;
      return false;
    },
  },
  {
    name: 'exists',
    kind: 'test',
    positional: [STRINGLIST('header names')],
    validate: (node, ctx) => checkHeaderNames(node, 0, ctx),
    evaluate: async (node, rt) => rt.strs(node.args[0]).every((h) => rt.rawHeaders(h).length > 0),
  },
  {
    name: 'size',
    kind: 'test',
    positional: [{ kind: 'number', name: 'limit' }],
    tags: [
      { name: 'over', group: 'size' },
      { name: 'under', group: 'size' },
    ],
    validate: (node, ctx) => {
      if (!node.tags.has('over') && !node.tags.has('under')) ctx.error(node, "size needs ':over' or ':under'");
    },
    // RFC 5228 §5.9: strictly greater / strictly less than the limit.
    evaluate: async (node, rt) => (node.tags.has('over') ? rt.message.length > rt.num(node.args[0]) : rt.message.length < rt.num(node.args[0])),
  },
  {
    name: 'header',
    kind: 'test',
    positional: [STRINGLIST('header names'), STRINGLIST('key list')],
    groups: ['comparator', 'match-type'],
    validate: (node, ctx) => checkHeaderNames(node, 0, ctx),
    evaluate: async (node, rt) => {
      const values: string[] = [];
      for (const h of rt.strs(node.args[0])) values.push(...rt.headers(h));
      // RFC 5260 §6: :index picks one field of those named (index extension hook).
      return rt.match(node, selectIndexed(rt, node, values), rt.strs(node.args[1]));
    },
  },
  {
    name: 'address',
    kind: 'test',
    positional: [STRINGLIST('header names'), STRINGLIST('key list')],
    groups: ['comparator', 'address-part', 'match-type'],
    validate: (node, ctx) => {
      checkHeaderNames(node, 0, ctx);
      const a = node.args[0];
      if (a?.kind !== 'stringlist') return;
      for (const s of a.values) {
        if (!s.hasVars && FIELD_NAME.test(s.value) && !ADDRESS_HEADERS.has(s.value.toLowerCase())) {
          ctx.error(s, `header "${s.value}" does not hold addresses (address test, RFC 5228 §5.1)`);
        }
      }
    },
    evaluate: async (node, rt) => {
      const fields: string[] = [];
      for (const h of rt.strs(node.args[0])) {
        // A name built from variables is held to the same restriction, silently.
        if (!ADDRESS_HEADERS.has(h.toLowerCase())) continue;
        fields.push(...rt.rawHeaders(h));
      }
      // RFC 5260 §6: :index counts fields, not the addresses within one (index extension hook).
      const addrs: AddressParts[] = [];
      for (const raw of selectIndexed(rt, node, fields)) addrs.push(...headerAddresses(raw));
      return rt.match(node, addressValues(rt, node, addrs), rt.strs(node.args[1]));
    },
  },
  {
    name: 'envelope',
    kind: 'test',
    capability: 'envelope',
    positional: [STRINGLIST('envelope parts'), STRINGLIST('key list')],
    groups: ['comparator', 'address-part', 'match-type'],
    validate: (node, ctx) => {
      const a = node.args[0];
      if (a?.kind !== 'stringlist') return;
      for (const s of a.values) {
        if (!s.hasVars && !['from', 'to'].includes(s.value.toLowerCase())) ctx.error(s, `unknown envelope part "${s.value}"`);
      }
    },
    evaluate: async (node, rt) => {
      const values: string[] = [];
      for (const p of rt.strs(node.args[0])) {
        const lp = p.toLowerCase();
        const v = lp === 'from' ? rt.input.envelope.from : lp === 'to' ? rt.input.envelope.to : undefined;
        if (v === undefined) continue;
        // RFC 5228 §5.4: the null reverse-path compares as the empty string for every part.
        if (v === '') values.push('');
        else values.push(...addressValues(rt, node, [splitAddress(v)]));
      }
      return rt.match(node, values, rt.strs(node.args[1]));
    },
  },
];

export const coreExtension: SieveExtension = {
  capabilities: ['fileinto', 'envelope', 'encoded-character'],
  commands,
  tests,
};
