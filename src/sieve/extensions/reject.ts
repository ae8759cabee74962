/**
 * reject and ereject (RFC 5429): refuse the message with a reason. Both cancel the implicit
 * keep (§2.4). Enforced at run time (§2.4): at most one reject/ereject per execution; reject is
 * incompatible with vacation (MUST) and — as the RFC recommends — with keep, fileinto and
 * redirect; either order of the conflicting actions is a runtime error.
 */
import type { SieveAction } from '../api.js';
import type { CommandDef, SieveExtension } from './extension.js';

function rejectCommand(name: 'reject' | 'ereject'): CommandDef {
  return {
    name,
    kind: 'command',
    capability: name,
    positional: [{ kind: 'string', name: 'reason' }],
    run: async (node, rt) => {
      rt.addAction(node, { type: 'reject', reason: rt.str(node.args[0]), extended: name === 'ereject' }, true);
    },
  };
}

const delivers = (a: SieveAction): boolean =>
  (a.type === 'keep' && !a.implicit) || a.type === 'fileinto' || a.type === 'redirect' || a.type === 'vacation';

export const rejectExtension: SieveExtension = {
  capabilities: ['reject', 'ereject'],
  commands: [rejectCommand('reject'), rejectCommand('ereject')],
  onAction: (rt, action, node) => {
    const prior = rt.actions.find((a) => a.type === 'reject');
    const name = (a: SieveAction & { type: 'reject' }): string => (a.extended ? 'ereject' : 'reject');
    if (action.type === 'reject') {
      if (prior !== undefined) rt.error(node, `only one reject/ereject per script (RFC 5429 §2.4)`);
      const conflict = rt.actions.find(delivers);
      if (conflict !== undefined) rt.error(node, `${name(action)} cannot be combined with ${conflict.type}`);
    } else if (prior !== undefined && prior.type === 'reject' && delivers(action)) {
      rt.error(node, `${action.type} cannot be combined with ${name(prior)}`);
    }
  },
};
