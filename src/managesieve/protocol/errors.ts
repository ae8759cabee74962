/**
 * The one error the ManageSieve parsers throw. ManageSieve has no BAD response (RFC 5804 §1.2):
 * the session answers a parse error with NO and this message.
 *
 * Invariants:
 * - `message` is printable ASCII on one line, at most 200 characters: safe to echo in a quoted
 *   string.
 */
export class ManageSieveParseError extends Error {
  readonly code = 'MANAGESIEVE_PARSE';
  override readonly name = 'ManageSieveParseError';
  constructor(message: string) {
    super(sanitize(message));
  }
}

function sanitize(message: string): string {
  const clean = message.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
