/**
 * The reply to a literal the framer refused as too large, when a command's own RFC names one:
 * SETMETADATA (RFC 5464 §4.3) "MUST return a tagged NO response with a [METADATA MAXSIZE NNN]"
 * for a value larger than the server accepts. The framer refuses any argument literal above
 * wire MAX_LITERAL_SIZE before the command exists, so the session answers from the command's
 * first line instead of the generic BAD [TOOBIG].
 *
 * Invariants: only the command name (after the tag) is looked at; anything else keeps the
 * generic reply (null).
 */
import { METADATA_MAX_VALUE_BYTES } from '../../store/metadata.js';

export function refusedLiteralReply(prefix: Buffer | null): { status: 'NO'; code: string; text: string } | null {
  if (prefix === null) return null;
  const sp = prefix.indexOf(0x20);
  if (sp <= 0) return null;
  const head = prefix.subarray(sp + 1, sp + 13).toString('latin1').toUpperCase();
  if (head === 'SETMETADATA ') return { status: 'NO', code: `METADATA MAXSIZE ${METADATA_MAX_VALUE_BYTES}`, text: 'Value too large' };
  return null;
}
