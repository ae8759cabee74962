/**
 * The one error a password-hash check raises for values it cannot verify.
 *
 * Invariants:
 * - Raised for unknown schemes AND for malformed values of known schemes, so an import can
 *   report every unusable line without running a KDF.
 * - The message never contains the hash or the password.
 */

export class UnsupportedSchemeError extends Error {
  override readonly name = 'UnsupportedSchemeError';
  readonly code = 'UNSUPPORTED_SCHEME';
  constructor(
    /** The scheme as written between braces (upper-cased), or the crypt prefix. */
    readonly scheme: string,
    /** Why it cannot be used, phrased for an administrator. */
    readonly reason: string,
  ) {
    super(`password scheme ${scheme}: ${reason}`);
  }
}
