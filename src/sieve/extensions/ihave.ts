/**
 * ihave (RFC 5463): the `ihave` test (true when every named capability is available to this
 * script, §4) and the `error` command (ends the run with a runtime error, §5).
 *
 * How compile handles it (compile.ts): with "ihave" required, a command, test or tag of a
 * supported capability that was not required compiles, and is checked at run time against the
 * capabilities enabled so far (required ones plus those of successful ihave tests: §4 item 1);
 * the block of an `if`/`elsif` whose test is an ihave of an unsupported capability is not
 * validated at all, since it can never run.
 *
 * Invariants: ihave never enables "variables" or "encoded-character" (§4: they change how
 * scripts are read) — the test is false for them; the capability strings are constant.
 */
import type { SieveExtension } from './extension.js';
import { REGISTRY } from '../registry.js';

/** Capabilities ihave must refuse (RFC 5463 §4). */
export const IHAVE_REFUSED = new Set(['variables', 'encoded-character', 'ihave']);

export const ihaveExtension: SieveExtension = {
  capabilities: ['ihave'],
  tests: [
    {
      name: 'ihave',
      kind: 'test',
      capability: 'ihave',
      positional: [{ kind: 'stringlist', name: 'capabilities', constant: true }],
      evaluate: async (node, rt) => {
        const caps = rt.strs(node.args[0]).map((c) => c.toLowerCase());
        if (!caps.every((c) => rt.script.requires.has(c) || (!IHAVE_REFUSED.has(c) && rt.script.available.has(c)))) return false;
        for (const c of caps) {
          rt.enabled.add(c);
          // Capabilities a capability implies (SieveExtension.implies, RFC 6131 §2) come along.
          for (const ext of REGISTRY.extensions) for (const i of ext.implies?.[c] ?? []) rt.enabled.add(i);
        }
        return true;
      },
    },
  ],
  commands: [
    {
      name: 'error',
      kind: 'command',
      capability: 'ihave',
      positional: [{ kind: 'string', name: 'message' }],
      run: async (node, rt) => rt.error(node, rt.str(node.args[0])),
    },
  ],
};
