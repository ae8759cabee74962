/**
 * AUTHENTICATE (RFC 5804 §2.1) with PLAIN (RFC 4616) and LOGIN, the same mechanisms, accounts,
 * throttling and cleartext policy as IMAP (auth/sasl.ts, auth/authenticator.ts).
 *
 * Invariants:
 * - Challenges are strings holding base64 (quoted or literal); each client answer is one string
 *   line; the string "*" cancels with NO (§2.1).
 * - An initial response is used only with a client-first mechanism (PLAIN); with LOGIN, which
 *   starts with a server challenge, it is refused with NO (§2.1 MUST).
 * - Without TLS (and unless the operator allows cleartext) the answer is NO (ENCRYPT-NEEDED)
 *   before any credential is looked at.
 * - A throttled attempt is NO (TRYLATER); after MANAGESIEVE_MAX_AUTH_FAILURES failures on one
 *   connection the server says BYE (§2.1 example). No reauthentication once authenticated.
 */
import type { CommandSpec } from '../session/command-table.js';
import type { ManageSieveSession } from '../session/session.js';
import { no, ok, type CommandResult } from '../session/types.js';
import { createSaslMechanism, decodeSaslBase64 } from '../../auth/sasl.js';
import { MANAGESIEVE_MAX_AUTH_FAILURES, MAX_SASL_STEPS } from '../../wire/limits.js';
import { parseStringLine } from '../protocol/parser.js';
import { dataLine } from '../protocol/response.js';
import { ManageSieveParseError } from '../protocol/errors.js';

/** Mechanisms where the client speaks first, so an initial response is meaningful (RFC 4422 §5). */
const CLIENT_FIRST = new Set(['PLAIN']);

function decodeResponse(text: string): Buffer | null {
  // The empty string is an empty response (§2.1); clients may fold long base64 in a literal.
  const compact = text.replace(/[\r\n\t ]/g, '');
  return compact === '' ? Buffer.alloc(0) : decodeSaslBase64(compact);
}

export const authenticateCommand: CommandSpec<'AUTHENTICATE'> = {
  name: 'AUTHENTICATE',
  states: ['not-authenticated'],
  async handler(session, cmd) {
    const result = await exchange(session, cmd.mechanism, cmd.initialResponse);
    if (result.status === 'NO' && result.code !== 'ENCRYPT-NEEDED') {
      session.authFailures++;
      if (session.authFailures >= MANAGESIEVE_MAX_AUTH_FAILURES) {
        session.fatal('Too many failed authentication attempts');
        return { status: 'BYE', sent: true };
      }
    }
    return result;
  },
};

async function exchange(session: ManageSieveSession, mechanismName: string, initial: string | null): Promise<CommandResult> {
  if (!session.authAllowed) return no('Use STARTTLS before authenticating', 'ENCRYPT-NEEDED');
  const name = mechanismName.toUpperCase();
  const mech = createSaslMechanism(name);
  if (!mech) return no(`Unsupported authentication mechanism ${mechanismName}`);
  let response: Buffer | null = null;
  if (initial !== null) {
    if (!CLIENT_FIRST.has(name)) return no(`${name} does not take an initial response`);
    response = decodeResponse(initial);
    if (!response) return no('Invalid base64 in the initial response');
  }
  for (let round = 0; round < MAX_SASL_STEPS; round++) {
    const step = mech.step(response);
    if (step.type === 'error') return no(`Authentication failed: ${step.message}`);
    if (step.type === 'done') return completeLogin(session, step.user, step.password);
    session.write(dataLine(step.data.toString('base64')));
    const line = await session.nextClientLine();
    if (line === null) return { status: 'NO', sent: true };
    let text: string;
    try {
      text = parseStringLine(line);
    } catch (e) {
      if (e instanceof ManageSieveParseError) return no(`Authentication cancelled: ${e.message}`);
      throw e;
    }
    if (text === '*') return no('Authentication cancelled');
    response = decodeResponse(text);
    if (!response) return no('Invalid base64 in the authentication response');
  }
  return no('Too many authentication steps');
}

async function completeLogin(session: ManageSieveSession, user: string, password: string): Promise<CommandResult> {
  const result = await session.deps.auth.authenticate(user, password, session.remoteAddress);
  if (session.isClosed) return { status: 'NO', sent: true };
  if (!result.ok) {
    session.log.info({ user, reason: result.reason }, 'authentication failed');
    if (result.reason === 'throttled') return no('Too many failed attempts, try again later', 'TRYLATER');
    return no('Authentication failed');
  }
  session.login({ accountId: result.account.id, name: result.account.name });
  session.log.info({ user: result.account.name }, 'logged in');
  return ok('Logged in');
}
