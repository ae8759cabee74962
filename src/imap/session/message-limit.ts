/**
 * MESSAGELIMIT and SAVELIMIT (RFC 9738): how many messages one command processes, and how many
 * UIDs one SEARCH RETURN (SAVE) keeps in "$" (RFC 5182).
 *
 * Invariants (docs/decisions/0010-quotas.md records how the RFC was read):
 * - FETCH, STORE, COPY, MOVE (and their UID forms) and UID EXPUNGE process at most `limit`
 *   messages: the ones with the lowest UIDs (= lowest sequence numbers) of the set. The tagged OK
 *   then carries [LIMIT] (an untagged OK [LIMIT] when the tagged line already has a code), so
 *   the client knows to repeat the command for the messages above the last one reported (FETCH
 *   and STORE responses, COPYUID, EXPUNGE/VANISHED name them).
 * - APPEND is all or nothing (RFC 3502): more than `limit` messages in one MULTIAPPEND is
 *   refused with NO [LIMIT] before anything is stored.
 * - SEARCH RETURN (SAVE) keeps the `saveLimit` lowest UIDs of what it would save; the results
 *   returned are not cut, and the tagged OK carries [LIMIT] when "$" was cut.
 * - The limits are advertised once authenticated, as MESSAGELIMIT=<n> and SAVELIMIT=<n>.
 */
import { ok, type CommandResult } from './state.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';

/** Defaults when the session is built without config (tests, fake sessions); see config options. */
export const DEFAULT_MESSAGE_LIMIT = 1_000_000;
export const DEFAULT_SAVE_LIMIT = 100_000;

export const messageLimit = (session: ImapSession): number => session.deps.messageLimit ?? DEFAULT_MESSAGE_LIMIT;
export const saveLimit = (session: ImapSession): number => session.deps.saveLimit ?? DEFAULT_SAVE_LIMIT;

/** The first `limit` of ascending `uids`, and whether some were left out. */
export function withinLimit(uids: readonly number[], limit: number): { uids: number[]; limited: boolean } {
  if (uids.length <= limit) return { uids: [...uids], limited: false };
  return { uids: uids.slice(0, limit), limited: true };
}

/** MESSAGELIMIT applied to the ascending UIDs a command would process. */
export function withinMessageLimit(session: ImapSession, uids: readonly number[]): { uids: number[]; limited: boolean } {
  return withinLimit(uids, messageLimit(session));
}

/**
 * Saves `uids` as "$" (RFC 5182) within SAVELIMIT: the lowest UIDs when there are more. Returns
 * whether some were left out; pass that to `limitedResult` with SAVE_LIMITED.
 */
export function saveWithinLimit(session: ImapSession, view: MailboxView, uids: number[]): boolean {
  const limit = saveLimit(session);
  if (uids.length <= limit) {
    view.savedSearch = uids;
    return false;
  }
  view.savedSearch = [...uids].sort((x, y) => x - y).slice(0, limit);
  return true;
}

/** The note of a result whose "$" was cut by SAVELIMIT. */
export const saveLimitNote = (session: ImapSession): string => `only the first ${saveLimit(session)} results were saved`;

/** The command's result, marked [LIMIT] when only part of its messages were processed. */
export function limitedResult(session: ImapSession, result: CommandResult, limited: boolean, note = `only the first ${messageLimit(session)} messages were processed`): CommandResult {
  if (!limited) return result;
  if (result.status === 'OK' && result.code === undefined) return ok(`${result.text}; ${note}`, 'LIMIT');
  session.writeLine(`* OK [LIMIT] ${note[0].toUpperCase()}${note.slice(1)}`);
  return result;
}
