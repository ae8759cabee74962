/**
 * Script validation shared by PUTSCRIPT, CHECKSCRIPT and SETACTIVE (RFC 5804 §2.6, §2.12): the
 * Sieve library's own compile(), so what is accepted here is exactly what delivery can run.
 *
 * Invariants:
 * - A script is UTF-8 (RFC 5228 §2.1); invalid bytes are refused before compiling.
 * - Diagnostics read "line L, column C: message", one per line (CRLF-separated, §2.6 allows a
 *   multi-line string); a diagnostic in an included script names that script.
 */
import type { SieveDiagnostic } from '../../sieve/api.js';
import type { ManageSieveSession } from '../session/session.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Most diagnostics quoted back: a pathological script must not make the answer huge. */
const MAX_DIAGNOSTICS = 20;

export type Checked = { ok: true; source: string; warnings: string | null } | { ok: false; text: string };

export function formatDiagnostics(list: readonly SieveDiagnostic[]): string {
  const shown = list.slice(0, MAX_DIAGNOSTICS).map((d) => `${d.script !== undefined ? `script ${JSON.stringify(d.script)}, ` : ''}line ${d.line}, column ${d.column}: ${d.message}`);
  if (list.length > MAX_DIAGNOSTICS) shown.push(`(${list.length - MAX_DIAGNOSTICS} more not shown)`);
  return shown.join('\r\n');
}

export function decodeScript(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function checkScript(session: ManageSieveSession, bytes: Buffer): Checked {
  const source = decodeScript(bytes);
  if (source === null) return { ok: false, text: 'The script is not valid UTF-8 (RFC 5228 section 2.1)' };
  const result = session.deps.compiler.compile(source);
  if (!result.ok) return { ok: false, text: formatDiagnostics(result.errors) || 'The script is not valid' };
  return { ok: true, source, warnings: result.warnings.length > 0 ? formatDiagnostics(result.warnings) : null };
}

/** The compile errors of a stored script, or null when it compiles. */
export function compileErrors(session: ManageSieveSession, source: string): string | null {
  const result = session.deps.compiler.compile(source);
  return result.ok ? null : formatDiagnostics(result.errors) || 'The script is not valid';
}
