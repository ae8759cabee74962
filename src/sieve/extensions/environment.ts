/**
 * environment (RFC 5183): the `environment` test compares an item the host supplied
 * (SieveInput.environment: domain, host, location, name, phase, remote-host, remote-ip,
 * version, vnd.*) with the keys. An item the host does not know makes the test false (§4:
 * "unknown" items never match), including with :count.
 */
import type { SieveExtension } from './extension.js';

export const environmentExtension: SieveExtension = {
  capabilities: ['environment'],
  tests: [
    {
      name: 'environment',
      kind: 'test',
      capability: 'environment',
      positional: [
        { kind: 'string', name: 'item name' },
        { kind: 'stringlist', name: 'key list' },
      ],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => {
        const name = rt.str(node.args[0]).toLowerCase();
        const value = Object.prototype.hasOwnProperty.call(rt.input.environment, name) ? rt.input.environment[name] : undefined;
        if (value === undefined) return false;
        return rt.match(node, [value], rt.strs(node.args[1]));
      },
    },
  ],
};
