/**
 * Typed storage errors. Stable codes; the IMAP session maps each code to a response code in one
 * table (src/imap/session/store-errors.ts). Messages are for logs and the human-readable text.
 */

export type StoreErrorCode =
  | 'NONEXISTENT' // the named mailbox/account/message does not exist
  | 'TRYCREATE' // destination mailbox of APPEND/COPY/MOVE does not exist (RFC 9051 §7.1)
  | 'ALREADYEXISTS' // CREATE/RENAME target or account name taken
  | 'HASCHILDREN' // DELETE of a mailbox with inferiors
  | 'CANNOT' // operation not possible (INBOX delete, invalid name, rename into own child)
  | 'OVERQUOTA' // a quota would be exceeded
  | 'INUSE' // the object is in use (deleting the active Sieve script)
  | 'NOPERM' // the actor lacks the access right (RFC 4314) for the operation (RFC 5530 NOPERM)
  | 'LIMIT' // an implementation limit (message too large, too many mailboxes)
  | 'UNAVAILABLE' // temporary backend failure; retry later
  | 'CORRUPTED'; // data on disk is inconsistent (missing blob)

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isStoreError = (e: unknown, code?: StoreErrorCode): e is StoreError =>
  e instanceof StoreError && (code === undefined || e.code === code);
