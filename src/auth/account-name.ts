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
  // Internal accounts (the owner of "Shared/", decision 0009) start with '#': nobody logs in as them.
  if (name.startsWith('#')) return "account names starting with '#' are reserved";
  return null;
}

/**
 * The rules for a NEW account: besides accountNameProblem, the name becomes one level of the
 * names others see its shared mailboxes under ("Other Users/<name>/...", RFC 2342), so it may
 * not contain the hierarchy separator '/' or the LIST wildcards '*' and '%'.
 */
export function newAccountNameProblem(name: string): string | null {
  const problem = accountNameProblem(name);
  if (problem !== null) return problem;
  if (/[/*%]/.test(name)) return "account name contains '/', '*' or '%'";
  return null;
}
