/**
 * Account name rules (shared by the CLI and imports).
 *
 * Invariants:
 * - Non-empty, at most 255 UTF-8 bytes, no whitespace, no control characters (C0, DEL, C1),
 *   no ':' (the passwd-file field separator). "user@domain" is allowed as is.
 * - Returns a reason for the first rule broken, or null when the name is acceptable.
 */

export function accountNameProblem(name: string): string | null {
  if (name === '') return 'account name is empty';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'account name is longer than 255 bytes';
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) return 'account name contains a control character';
  if (/\s/u.test(name)) return 'account name contains whitespace';
  if (name.includes(':')) return "account name contains ':'";
  return null;
}
