/**
 * The one table that turns storage errors into tagged responses (DESIGN rule 2). Response codes
 * per RFC 9051 §7.1 and RFC 5530.
 */
import { StoreError, type StoreErrorCode } from '../../store/errors.js';
import { no, type CommandResult } from './state.js';

const CODES: Record<StoreErrorCode, { code?: string; text?: string }> = {
  NONEXISTENT: { code: 'NONEXISTENT' },
  TRYCREATE: { code: 'TRYCREATE' },
  ALREADYEXISTS: { code: 'ALREADYEXISTS' },
  HASCHILDREN: { code: 'HASCHILDREN' },
  CANNOT: { code: 'CANNOT' },
  OVERQUOTA: { code: 'OVERQUOTA' },
  INUSE: { code: 'INUSE' },
  NOPERM: { code: 'NOPERM' },
  LIMIT: { code: 'LIMIT' },
  UNAVAILABLE: { code: 'UNAVAILABLE', text: 'Temporary storage failure, try again later' },
  CORRUPTED: { code: 'SERVERBUG', text: 'Internal error reading the message; it has been logged' },
};

/** Maps a StoreError to NO [CODE] text; rethrows anything else (a bug, logged by the session). */
export function storeErrorResult(e: unknown): CommandResult {
  if (!(e instanceof StoreError)) throw e;
  const entry = CODES[e.code];
  return no(entry.text ?? e.message, entry.code);
}
