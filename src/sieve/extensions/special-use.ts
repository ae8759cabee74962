/**
 * special-use (RFC 8579): the `specialuse_exists` test (§3) and `:specialuse` on fileinto (§4).
 *
 * Which mailbox carries a use, and whether it accepts delivery, is the store's knowledge: the
 * test asks SieveHost.specialUseExists; fileinto :specialuse only records the use on the action
 * (`specialUse`), and delivery picks the mailbox with that use, falling back to the named one
 * (§4: the named mailbox wins when it carries the use itself).
 *
 * Invariants:
 * - A special-use attribute must be RFC 6154 §6 `use-attr` syntax ("\" atom). Constant strings
 *   are checked at compile time; expanded ones at run time, where an invalid one is a runtime
 *   error, as an invalid mailbox name is for fileinto (§4 SHOULD).
 * - The attribute reaches the host as written, with its backslash; comparison is the host's
 *   (IMAP attributes are case-insensitive).
 */
import type { Runtime } from '../interpreter.js';
import type { SieveExtension, SieveNode, SieveString, ValidationContext } from './extension.js';

/** RFC 6154 §6 use-attr-ext = "\" atom (RFC 3501 ATOM-CHAR: no specials, controls or space). */
export function isUseAttr(s: string): boolean {
  return /^\\[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/.test(s);
}

function checkConstant(s: SieveString, ctx: ValidationContext): void {
  if (!s.hasVars && !isUseAttr(s.value)) ctx.error(s, `invalid special-use attribute "${s.value}" (RFC 6154 §6)`);
}

function checked(rt: Runtime, node: SieveNode, s: string): string {
  if (!isUseAttr(s)) rt.error(node, `invalid special-use attribute "${s}"`);
  return s;
}

export const specialUseExtension: SieveExtension = {
  capabilities: ['special-use'],
  tests: [
    {
      name: 'specialuse_exists',
      kind: 'test',
      capability: 'special-use',
      // RFC 8579 §3: specialuse_exists [<mailbox: string>] <special-use-attrs: string-list>.
      // The optional argument comes first, so both are read as lists and sorted out here.
      positional: [
        { kind: 'stringlist', name: 'special-use attributes' },
        { kind: 'stringlist', name: 'special-use attributes', optional: true },
      ],
      validate: (node, ctx) => {
        const [first, second] = node.args;
        if (second !== undefined) {
          if (first?.kind === 'stringlist' && first.values.length !== 1) ctx.error(first, 'specialuse_exists: the mailbox must be a single string');
          if (second.kind === 'stringlist') for (const s of second.values) checkConstant(s, ctx);
        } else if (first?.kind === 'stringlist') for (const s of first.values) checkConstant(s, ctx);
      },
      evaluate: async (node, rt) => {
        const twoArgs = node.args.length === 2;
        const mailbox = twoArgs ? rt.str(node.args[0]) : null;
        const uses = rt.strs(node.args[twoArgs ? 1 : 0]).map((u) => checked(rt, node, u));
        rt.step(node, uses.length);
        return rt.host.specialUseExists(mailbox, uses);
      },
    },
  ],
  tags: [
    {
      target: 'fileinto',
      kind: 'command',
      tag: {
        name: 'specialuse',
        capability: 'special-use',
        args: [{ kind: 'string', name: 'special-use attribute' }],
        validate: (_node, tag, ctx) => {
          const a = tag.args[0];
          if (a?.kind === 'string') checkConstant(a.value, ctx);
        },
      },
    },
  ],
  onAction: (rt, action, node) => {
    const tag = node?.tags.get('specialuse');
    if (action.type !== 'fileinto' || tag === undefined || node === null) return;
    return { ...action, specialUse: checked(rt, node, rt.str(tag.args[0])) };
  },
};

