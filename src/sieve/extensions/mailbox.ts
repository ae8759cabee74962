/**
 * mailbox (RFC 5490 §3): the `mailboxexists` test (true when every named mailbox exists, asked
 * of the host) and `:create` on fileinto (create the mailbox if needed, §3.2).
 */
import type { SieveExtension } from './extension.js';

export const mailboxExtension: SieveExtension = {
  capabilities: ['mailbox'],
  tests: [
    {
      name: 'mailboxexists',
      kind: 'test',
      capability: 'mailbox',
      positional: [{ kind: 'stringlist', name: 'mailbox names' }],
      evaluate: async (node, rt) => {
        for (const name of rt.strs(node.args[0])) {
          rt.step(node);
          if (!(await rt.host.mailboxExists(name))) return false;
        }
        return true;
      },
    },
  ],
  tags: [{ target: 'fileinto', kind: 'command', tag: { name: 'create', capability: 'mailbox' } }],
  onAction: (_rt, action, node) => {
    if (action.type === 'fileinto' && node?.tags.has('create') === true) return { ...action, create: true };
  },
};
