/**
 * The capability list (RFC 5804 §1.7), derived from the command table, the compiler's extension
 * set and the session's TLS/auth situation; sent as the greeting, after STARTTLS and for
 * CAPABILITY.
 *
 * Invariants:
 * - IMPLEMENTATION, SIEVE and VERSION "1.0" are always present.
 * - SASL lists mechanisms only where authenticating is allowed (TLS, or cleartext allowed by the
 *   operator); it is empty only while STARTTLS is offered (RFC 5804 §1.7).
 * - STARTTLS is not offered once TLS is active; OWNER only after authentication.
 * - NOTIFY is present exactly when "enotify" is among the Sieve extensions (RFC 5804 §1.7 MUST).
 */
import { SASL_MECHANISMS } from '../../auth/sasl.js';
import type { ManageSieveSession } from './session.js';

export const IMPLEMENTATION = 'Facteur ManageSieve';

export function capabilityList(session: ManageSieveSession): Array<readonly [string, string | null]> {
  const { compiler } = session.deps;
  const state = session.state.kind === 'authenticated' ? 'authenticated' : 'not-authenticated';
  const caps: Array<readonly [string, string | null]> = [
    ['IMPLEMENTATION', IMPLEMENTATION],
    ['SASL', session.authAllowed ? SASL_MECHANISMS.join(' ') : ''],
    ['SIEVE', compiler.extensions.join(' ')],
  ];
  if (compiler.extensions.includes('enotify')) caps.push(['NOTIFY', (compiler.notifyMethods ?? ['mailto']).join(' ')]);
  if (compiler.maxRedirects !== undefined) caps.push(['MAXREDIRECTS', String(compiler.maxRedirects)]);
  if (session.state.kind === 'authenticated') caps.push(['OWNER', session.state.actor.name]);
  for (const name of session.deps.commands.capabilities(state)) {
    if (name === 'STARTTLS' && session.tls) continue;
    caps.push([name, null]);
  }
  caps.push(['VERSION', '1.0']);
  return caps;
}
