/**
 * Which flags an account may set or clear with its rights (RFC 4314 §4 STORE, APPEND, COPY):
 * \Seen needs "s", \Deleted needs "t", every other flag and keyword needs "w". Pure.
 */

export function flagRight(flag: string): 's' | 't' | 'w' {
  const f = flag.toLowerCase();
  if (f === '\\seen') return 's';
  if (f === '\\deleted') return 't';
  return 'w';
}

/** Whether `rights` let the account change every flag (the common, owner, case). */
export const allFlagRights = (rights: string): boolean => rights.includes('s') && rights.includes('w') && rights.includes('t');

/** Whether `rights` let the account change any flag at all. */
export const anyFlagRight = (rights: string): boolean => /[swt]/.test(rights);

/** The flags of `flags` the account may set (RFC 4314 §4: the others are silently dropped). */
export const allowedFlags = (flags: readonly string[], rights: string): string[] => flags.filter((f) => rights.includes(flagRight(f)));

/** The flags of `flags` the account may not change. */
export const deniedFlags = (flags: readonly string[], rights: string): string[] => flags.filter((f) => !rights.includes(flagRight(f)));
