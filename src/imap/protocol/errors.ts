/**
 * The one error type the IMAP protocol parsers throw. Any input, however malformed, yields either
 * a parsed command or an ImapParseError; nothing else escapes parseCommand.
 *
 * Invariants:
 * - `tag` is the command's tag when it could be read (so the session answers "<tag> BAD"),
 *   else null (the session answers "* BAD").
 * - `message` is human text naming what was wrong; it is safe to echo (ASCII, no CR/LF).
 * - `responseCode` is an RFC 9051 §7.1 response code to put in the reply, when one applies.
 * - `savedSearchReset` marks a command with RETURN (SAVE) refused with a NO (an unsupported
 *   CHARSET): RFC 5182 §2.1 then empties the search result variable "$".
 */

export type ParseResponseCode = 'BADCHARSET' | 'TOOBIG' | 'CLIENTBUG' | 'CANNOT';

export class ImapParseError extends Error {
  readonly code = 'IMAP_PARSE';
  override readonly name = 'ImapParseError';
  constructor(
    readonly tag: string | null,
    message: string,
    readonly responseCode: ParseResponseCode | null = null,
    readonly savedSearchReset = false,
  ) {
    super(sanitize(message));
  }
}

/** Keeps messages printable ASCII on one line so they can be echoed in a BAD response. */
function sanitize(message: string): string {
  const clean = message.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
