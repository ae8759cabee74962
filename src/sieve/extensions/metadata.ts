/**
 * mboxmetadata and servermetadata (RFC 5490 §3.3-§4.2): the tests `metadata`,
 * `metadataexists`, `servermetadata` and `servermetadataexists` read METADATA annotations
 * (RFC 5464) through the host (SieveHost.metadata), which answers with the permissions of the
 * user the script runs for: that user's /private entries and the /shared ones (§3.3).
 *
 * Invariants:
 * - An annotation that does not exist (NIL), an invalid name, or a mailbox that does not exist
 *   makes `metadata`/`servermetadata` false and `*exists` false (§3.3: "true if the annotation
 *   exists and its value matches"); a host without METADATA (no `metadata` method) has none.
 * - Default match type :is and comparator i;ascii-casemap (§3.3, §4.1), as for every test.
 * - A host failure rejects the execution (§5: treat like a failure to fetch the script).
 * - Every lookup is charged to the step budget.
 */
import type { Runtime } from '../interpreter.js';
import type { SieveExtension, SieveNode } from './extension.js';

async function lookup(rt: Runtime, node: SieveNode, mailbox: string | null, name: string): Promise<string | null> {
  rt.step(node);
  return rt.host.metadata === undefined ? null : rt.host.metadata(mailbox, name);
}

async function allExist(rt: Runtime, node: SieveNode, mailbox: string | null, names: string[]): Promise<boolean> {
  for (const name of names) if ((await lookup(rt, node, mailbox, name)) === null) return false;
  return true;
}

export const mboxMetadataExtension: SieveExtension = {
  capabilities: ['mboxmetadata', 'servermetadata'],
  tests: [
    {
      name: 'metadata',
      kind: 'test',
      capability: 'mboxmetadata',
      positional: [
        { kind: 'string', name: 'mailbox' },
        { kind: 'string', name: 'annotation name' },
        { kind: 'stringlist', name: 'key list' },
      ],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => {
        const value = await lookup(rt, node, rt.str(node.args[0]), rt.str(node.args[1]));
        return value !== null && rt.match(node, [value], rt.strs(node.args[2]));
      },
    },
    {
      name: 'metadataexists',
      kind: 'test',
      capability: 'mboxmetadata',
      positional: [
        { kind: 'string', name: 'mailbox' },
        { kind: 'stringlist', name: 'annotation names' },
      ],
      evaluate: async (node, rt) => allExist(rt, node, rt.str(node.args[0]), rt.strs(node.args[1])),
    },
    {
      name: 'servermetadata',
      kind: 'test',
      capability: 'servermetadata',
      positional: [
        { kind: 'string', name: 'annotation name' },
        { kind: 'stringlist', name: 'key list' },
      ],
      groups: ['comparator', 'match-type'],
      evaluate: async (node, rt) => {
        const value = await lookup(rt, node, null, rt.str(node.args[0]));
        return value !== null && rt.match(node, [value], rt.strs(node.args[1]));
      },
    },
    {
      name: 'servermetadataexists',
      kind: 'test',
      capability: 'servermetadata',
      positional: [{ kind: 'stringlist', name: 'annotation names' }],
      evaluate: async (node, rt) => allExist(rt, node, null, rt.strs(node.args[0])),
    },
  ],
};
