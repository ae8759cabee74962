/**
 * Dovecot passwd-file parsing: "user:password:uid:gid:gecos:home:shell:extra_fields".
 *
 * Invariants:
 * - Only the first two fields are used; the rest are ignored. Lines with only a user name and
 *   password (no further colons) are accepted.
 * - Blank lines and lines starting with '#' are skipped.
 * - The user field is kept exactly as written ("user@domain" included); it must pass
 *   accountNameProblem. A password field that is empty is malformed (Dovecot would let anyone in).
 * - Line numbers are 1-based; CRLF line ends are accepted. The hash's scheme is not checked here
 *   (passwords.ts checkPasswordHash does that).
 */
import { accountNameProblem } from './account-name.js';

export interface PasswdEntry {
  line: number;
  name: string;
  passwordHash: string;
}

export interface PasswdProblem {
  line: number;
  message: string;
}

export interface PasswdFile {
  entries: PasswdEntry[];
  malformed: PasswdProblem[];
}

export function parseDovecotPasswd(text: string): PasswdFile {
  const entries: PasswdEntry[] = [];
  const malformed: PasswdProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const n = i + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon === -1) {
      malformed.push({ line: n, message: "expected user:password (no ':' found)" });
      continue;
    }
    const name = line.slice(0, colon);
    const rest = line.slice(colon + 1);
    // No supported scheme's value contains ':', so the password field ends at the next one.
    const end = rest.indexOf(':');
    const passwordHash = end === -1 ? rest : rest.slice(0, end);
    const problem = accountNameProblem(name);
    if (problem !== null) malformed.push({ line: n, message: problem });
    else if (passwordHash === '') malformed.push({ line: n, message: `empty password field for ${name}` });
    else entries.push({ line: n, name, passwordHash });
  }
  return { entries, malformed };
}

