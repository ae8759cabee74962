/**
 * Message flags as the store keeps them.
 *
 * Invariants:
 * - System flags are stored in their canonical case (\Answered \Flagged \Deleted \Seen \Draft)
 *   whatever case the client used (RFC 9051 §2.3.2: flags are case-insensitive).
 * - Keywords keep the client's spelling but compare case-insensitively; a set never holds two
 *   flags that differ only in case (the first spelling wins).
 * - \Recent is session state (RFC 3501 §2.3.2), never stored: it is dropped here.
 * - A flag is a non-empty run without spaces or controls (which would make the space-joined
 *   column ambiguous); anything else is StoreError('CANNOT'). Finer IMAP syntax is the parser's.
 * - The database column is the flags joined by single spaces ("" for none).
 */
import { StoreError } from './errors.js';
import type { FlagOperation, ModSeq } from './types.js';

/** The system flags a message can carry (RFC 9051 §2.3.2), in canonical case; \\Recent is session state. */
export const SYSTEM_FLAGS: readonly string[] = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
const CANONICAL = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));
const RECENT = '\\recent';
const INVALID = /[\x00-\x20\x7f]/;

export const SEEN = '\\Seen';
export const DELETED = '\\Deleted';

/** Canonical, de-duplicated flags in the given order, without \Recent. */
export function normalizeFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of flags) {
    if (f.length === 0 || INVALID.test(f)) throw new StoreError('CANNOT', `invalid flag ${JSON.stringify(f)}`);
    const key = f.toLowerCase();
    if (key === RECENT || seen.has(key)) continue;
    seen.add(key);
    out.push(CANONICAL.get(key) ?? f);
  }
  return out;
}

/**
 * The flags after applying `op` with (already normalised) `operand` to `current`, or null when
 * the set would not change (compared case-insensitively; existing spellings are kept).
 */
export function applyFlags(current: readonly string[], op: FlagOperation, operand: readonly string[]): string[] | null {
  const curKeys = new Set(current.map((f) => f.toLowerCase()));
  const opKeys = new Set(operand.map((f) => f.toLowerCase()));
  switch (op) {
    case 'add': {
      const added = operand.filter((f) => !curKeys.has(f.toLowerCase()));
      return added.length === 0 ? null : [...current, ...added];
    }
    case 'remove': {
      const kept = current.filter((f) => !opKeys.has(f.toLowerCase()));
      return kept.length === current.length ? null : kept;
    }
    case 'set': {
      if (curKeys.size === opKeys.size && [...opKeys].every((k) => curKeys.has(k))) return null;
      return [...operand];
    }
  }
}

export const encodeFlags = (flags: readonly string[]): string => flags.join(' ');
export const decodeFlags = (column: string): string[] => (column.length === 0 ? [] : column.split(' '));

/**
 * RFC 7162 §3.1.3 UNCHANGEDSINCE for one message of a STORE (flags, or a reader's private \Seen):
 * 'modified' when its `modseq` is above `unchangedSince` and the STORE could conflict (`replace`:
 * FLAGS replaces the set; otherwise only when it would change something, §3.1.12: +FLAGS/-FLAGS
 * already in the requested state ask for nothing; UNCHANGEDSINCE 0 always fails, every flag
 * "exists"), 'skip' when above it but without conflict, else 'apply'.
 */
export function unchangedSinceVerdict(modseq: number, unchangedSince: ModSeq | undefined, replace: boolean, wouldChange: boolean): 'apply' | 'modified' | 'skip' {
  if (unchangedSince === undefined || modseq <= unchangedSince) return 'apply';
  return replace || wouldChange || unchangedSince === 0 ? 'modified' : 'skip';
}
