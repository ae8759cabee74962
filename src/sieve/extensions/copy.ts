/**
 * copy (RFC 3894): `:copy` on redirect and fileinto performs the action without cancelling the
 * implicit keep (§3). The tag on fileinto needs "fileinto" too, which the validator enforces
 * through fileinto's own capability.
 */
import type { SieveExtension } from './extension.js';

export const copyExtension: SieveExtension = {
  capabilities: ['copy'],
  tags: [
    { target: 'redirect', kind: 'command', tag: { name: 'copy', capability: 'copy' } },
    { target: 'fileinto', kind: 'command', tag: { name: 'copy', capability: 'copy' } },
  ],
  preservesImplicitKeep: (_rt, action, node) =>
    node !== null && node.tags.has('copy') && (action.type === 'redirect' || action.type === 'fileinto'),
};
