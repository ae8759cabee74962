/**
 * Script name rules (RFC 5804 §1.6): UTF-8 Net-Unicode (RFC 5198 §2: NFC) without control
 * characters (U+0000-001F, U+007F, U+0080-009F) or U+2028/U+2029, at least one character, at
 * most MANAGESIEVE_MAX_SCRIPT_NAME characters (longer names are refused, never truncated).
 * Pure; returns the reason a name is refused, or null when it is acceptable.
 */
import { MANAGESIEVE_MAX_SCRIPT_NAME } from '../../wire/limits.js';

export function scriptNameProblem(name: string): string | null {
  if (name === '') return 'Script name is empty';
  if ([...name].length > MANAGESIEVE_MAX_SCRIPT_NAME) return `Script name longer than ${MANAGESIEVE_MAX_SCRIPT_NAME} characters`;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return 'Script name contains a control character';
  if (/[\ud800-\udfff]/u.test(name)) return 'Script name is not valid Unicode';
  if (name.normalize('NFC') !== name) return 'Script name is not in Unicode normalization form C';
  return null;
}
