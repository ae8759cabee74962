/**
 * MESSAGELIMIT and SAVELIMIT (RFC 9738): how many messages one command may process.
 *
 * The RFC text is not available here; docs/decisions/0018-messagelimit-rfc9738.md records the
 * reading this follows (two public implementations citing RFC 9738 §3, §3.1-3.4, and a client
 * that handles Yahoo's server).
 *
 * Invariants:
 * - The server advertises MESSAGELIMIT=<n> or SAVELIMIT=<n>, never both (§3), once
 *   authenticated. MESSAGELIMIT bounds FETCH, STORE, SEARCH, MOVE, UID EXPUNGE (and the UID
 *   forms), SORT, THREAD, COPY and APPEND; SAVELIMIT bounds only COPY, UID COPY and APPEND.
 *   EXPUNGE, CLOSE and STATUS are never bounded.
 * - A command that may stop part-way (FETCH, STORE, MOVE, UID EXPUNGE, SEARCH) and is given more
 *   than n messages processes the n with the highest UIDs, from the highest UID down (§3.1), and
 *   says so with [MESSAGELIMIT n uid], uid being the lowest UID processed: in the tagged OK, or
 *   in an untagged NO just before the tagged line when that line carries another response code.
 *   A client repeating the command over UIDs 1:uid-1 until no code comes back sees every message
 *   once.
 * - An atomic command (COPY, APPEND/MULTIAPPEND) and SORT/THREAD (§3.3) given more than n
 *   messages do nothing and answer a tagged NO [MESSAGELIMIT n ...].
 */
import { ok, type CommandResult } from './state.js';
import type { ImapSession } from './session.js';

/** Default when the session is built without config (tests, fake sessions); see config options. */
export const DEFAULT_MESSAGE_LIMIT = 1_000_000;

/** RFC 9738 §3: the limit SHOULD NOT be below this; a lower one is allowed but logged. */
export const RECOMMENDED_MINIMUM_LIMIT = 1000;

/** The one limit this server advertises. */
export interface MessageLimits {
  capability: 'MESSAGELIMIT' | 'SAVELIMIT';
  n: number;
}

/** SessionDeps.saveLimit set: SAVELIMIT; otherwise MESSAGELIMIT (configured or default). */
export function limitsOf(session: ImapSession): MessageLimits {
  const save = session.deps.saveLimit;
  if (save !== undefined) return { capability: 'SAVELIMIT', n: save };
  return { capability: 'MESSAGELIMIT', n: session.deps.messageLimit ?? DEFAULT_MESSAGE_LIMIT };
}

/** The bound of FETCH, STORE, SEARCH, MOVE, UID EXPUNGE, SORT and THREAD: none under SAVELIMIT. */
export function processLimit(session: ImapSession): number {
  const l = limitsOf(session);
  return l.capability === 'MESSAGELIMIT' ? l.n : Infinity;
}

/** The bound of COPY, UID COPY and APPEND: the advertised limit, whichever it is. */
export const saveLimit = (session: ImapSession): number => limitsOf(session).n;

/** The capability string (§3), e.g. "MESSAGELIMIT=1000000". */
export function limitCapability(session: ImapSession): string {
  const l = limitsOf(session);
  return `${l.capability}=${l.n}`;
}

/** A startup warning for a limit below RFC 9738's recommended minimum, or null. */
export function limitWarning(messageLimit: number, saveLimit: number | null): string | null {
  const [flag, n] = saveLimit !== null ? ['--imap-save-limit', saveLimit] : ['--imap-message-limit', messageLimit];
  if (n >= RECOMMENDED_MINIMUM_LIMIT) return null;
  return `${flag} ${n} is below ${RECOMMENDED_MINIMUM_LIMIT}, the lowest limit RFC 9738 §3 recommends; clients may work poorly`;
}

/** A command's messages after the limit: `limit` is set when some were left out. */
export interface Bounded {
  /** Ascending UIDs when nothing was cut; the `n` highest, descending, when cut (§3.1). */
  uids: number[];
  limit: { n: number; lowest: number } | null;
}

/** RFC 9738 §3.1: the `n` highest of ascending `uids`, highest first, when there are more. */
export function highestWithin(uids: readonly number[], n: number): Bounded {
  if (uids.length <= n) return { uids: [...uids], limit: null };
  const kept = uids.slice(uids.length - n).reverse();
  return { uids: kept, limit: { n, lowest: kept[kept.length - 1]! } };
}

/** MESSAGELIMIT's processing bound applied to the ascending UIDs a command would process. */
export function withinProcessLimit(session: ImapSession, uids: readonly number[]): Bounded {
  return highestWithin(uids, processLimit(session));
}

/** The response code: `resp-text-code =/ "MESSAGELIMIT" SP message-limit [SP uniqueid]`. */
export function limitCode(n: number, lowest?: number): string {
  return lowest === undefined ? `MESSAGELIMIT ${n}` : `MESSAGELIMIT ${n} ${lowest}`;
}

/**
 * The command's result, carrying [MESSAGELIMIT n uid] when only part of its messages were
 * processed: in the tagged line when it has no code of its own, else in an untagged NO sent now
 * (just before the tagged line).
 */
export function limitedResult(session: ImapSession, result: CommandResult, limit: Bounded['limit']): CommandResult {
  if (limit === null) return result;
  const code = limitCode(limit.n, limit.lowest);
  const note = `only the ${limit.n} messages with the highest UIDs were processed`;
  if (result.status === 'OK' && result.code === undefined) return ok(`${result.text}; ${note}`, code);
  session.writeLine(`* NO [${code}] ${note[0]!.toUpperCase()}${note.slice(1)}`);
  return result;
}
