/**
 * duplicate (RFC 7352): the `duplicate` test with :handle, :header / :uniqueid, :seconds, :last.
 *
 * The library cannot remember anything between executions (it is pure): it asks the host
 * whether a key was seen (SieveHost.duplicateSeen) and hands back, in outcome.duplicateRecords,
 * what the host must record once the delivery succeeded (§3: only after a successful run; a
 * runtime error returns no records).
 *
 * Invariants:
 * - The key is a SHA-256 of the handle and the unique id (§3.2 NOTE), prefixed "duplicate:" so it
 *   can never collide with vacation tracking keys. The unique id is compared case-sensitively
 *   (§3.1); the handle separates tests (no handle and "" are different, §3.2).
 * - Header-derived ids (Message-ID by default) are the first field's value, unfolded, decoded
 *   and trimmed (§3.1); a missing field, an invalid field name or :seconds 0 make the test false
 *   and record nothing (§3.1, §3.3).
 * - Within one execution the same (handle, id) always gives the same answer (§3: ids seen earlier
 *   in this run are not duplicates), so the host is asked once per key.
 * - Records: a new id is recorded with its period; a seen id is re-recorded only with :last
 *   (§3.3: the expiry then restarts). The last evaluated test's period wins for a key (§3.3 MAY).
 * - :seconds is clamped to duplicateMaxSeconds, silently (§3.3 MUST NOT error).
 */
import { createHash } from 'node:crypto';
import type { Runtime } from '../interpreter.js';
import type { SieveExtension } from './extension.js';

export const DUPLICATE_DEFAULT_SECONDS = 7 * 24 * 3600;
export const DUPLICATE_MAX_SECONDS = 30 * 24 * 3600;

const FIELD_NAME = /^[!-9;-~]+$/;

/** The tracking key for (handle, unique id); null handle = no :handle argument. */
export function duplicateKey(handle: string | null, uniqueId: string): string {
  const h = createHash('sha256');
  // Length-prefixed parts so ("a", "bc") and ("ab", "c") differ; 'N' marks an absent handle.
  h.update(handle === null ? 'N' : `H${Buffer.byteLength(handle)}:${handle}`);
  h.update(`\0${uniqueId}`);
  return `duplicate:${h.digest('hex')}`;
}

interface DuplicateState {
  answers: Map<string, boolean>;
}

function uniqueIdOf(rt: Runtime, header: string): string | null {
  if (!FIELD_NAME.test(header)) return null;
  const first = rt.headers(header)[0];
  if (first === undefined) return null;
  return first.trim();
}

export const duplicateExtension: SieveExtension = {
  capabilities: ['duplicate'],
  tests: [
    {
      name: 'duplicate',
      kind: 'test',
      capability: 'duplicate',
      positional: [],
      tags: [
        { name: 'handle', args: [{ kind: 'string', name: 'handle' }] },
        { name: 'header', group: 'duplicate-id', args: [{ kind: 'string', name: 'header name' }] },
        { name: 'uniqueid', group: 'duplicate-id', args: [{ kind: 'string', name: 'unique id' }] },
        { name: 'seconds', args: [{ kind: 'number', name: 'timeout' }] },
        { name: 'last' },
      ],
      evaluate: async (node, rt) => {
        const max = rt.limits.duplicateMaxSeconds ?? DUPLICATE_MAX_SECONDS;
        const secondsTag = node.tags.get('seconds');
        const seconds = Math.min(secondsTag === undefined ? (rt.limits.duplicateDefaultSeconds ?? DUPLICATE_DEFAULT_SECONDS) : rt.num(secondsTag.args[0]), max);
        const uniqueTag = node.tags.get('uniqueid');
        const headerTag = node.tags.get('header');
        const id = uniqueTag !== undefined ? rt.str(uniqueTag.args[0]) : uniqueIdOf(rt, headerTag === undefined ? 'Message-ID' : rt.str(headerTag.args[0]));
        if (id === null || seconds <= 0) return false;
        const handleTag = node.tags.get('handle');
        const key = duplicateKey(handleTag === undefined ? null : rt.str(handleTag.args[0]), id);
        const state = rt.state<DuplicateState>('duplicate', () => ({ answers: new Map() }));
        let seen = state.answers.get(key);
        if (seen === undefined) {
          seen = await rt.host.duplicateSeen(key);
          state.answers.set(key, seen);
        }
        if (!seen || node.tags.has('last')) {
          const prior = rt.duplicateRecords.findIndex((r) => r.key === key);
          if (prior >= 0) rt.duplicateRecords.splice(prior, 1);
          rt.duplicateRecords.push({ key, expiresInSeconds: seconds });
        }
        return seen;
      },
    },
  ],
};
