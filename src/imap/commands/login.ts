/**
 * LOGIN (RFC 9051 §6.2.3) and the shared end of every authentication: refused on cleartext
 * connections unless the operator allows it (LOGINDISABLED, RFC 8314), throttled by the
 * Authenticator, and answered with the post-login capabilities (RFC 9051 §6.2.3).
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { capabilityList } from '../session/capabilities.js';
import { no, ok, type CommandResult } from '../session/state.js';

export async function completeLogin(session: ImapSession, user: string, password: string): Promise<CommandResult> {
  const result = await session.deps.auth.authenticate(user, password, session.remoteAddress);
  if (session.isClosed) return no('Connection closed');
  if (!result.ok) {
    session.log.info({ user, reason: result.reason }, 'authentication failed');
    if (result.reason === 'throttled') return no('Too many failed attempts, try again later', 'UNAVAILABLE');
    return no('Authentication failed', 'AUTHENTICATIONFAILED');
  }
  session.login({ accountId: result.account.id, name: result.account.name });
  session.log.info({ user: result.account.name }, 'logged in');
  return ok('Logged in', `CAPABILITY ${capabilityList(session).join(' ')}`);
}

export const loginCommand: CommandSpec<'LOGIN'> = {
  name: 'LOGIN',
  states: ['not-authenticated'],
  updates: 'none',
  capabilities: ['SASL-IR', 'LITERAL+'],
  async handler(session, cmd) {
    if (!session.authAllowed) return no('Use STARTTLS (or port 993) before logging in', 'PRIVACYREQUIRED');
    return completeLogin(session, cmd.user, cmd.password);
  },
};
