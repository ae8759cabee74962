/**
 * AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959): PLAIN (RFC 4616) and LOGIN.
 * Challenges and responses are base64; "*" from the client cancels with BAD.
 */
import type { CommandSpec } from '../session/command-table.js';
import { createSaslMechanism, decodeSaslBase64 } from '../../auth/sasl.js';
import { bad, no } from '../session/state.js';
import { completeLogin } from './login.js';

export const authenticateCommand: CommandSpec<'AUTHENTICATE'> = {
  name: 'AUTHENTICATE',
  states: ['not-authenticated'],
  updates: 'none',
  async handler(session, cmd) {
    if (!session.authAllowed) return no('Use STARTTLS (or port 993) before authenticating', 'PRIVACYREQUIRED');
    const mech = createSaslMechanism(cmd.mechanism.toUpperCase());
    if (!mech) return no(`Unsupported authentication mechanism ${cmd.mechanism}`, 'CANNOT');
    let response: Buffer | null = null;
    if (cmd.initialResponse !== null) {
      // RFC 4959 §3: "=" stands for an empty initial response.
      response = cmd.initialResponse === '' ? Buffer.alloc(0) : decodeSaslBase64(cmd.initialResponse);
      if (!response) return bad('Invalid base64 in initial response');
    }
    for (let round = 0; round < 8; round++) {
      const step = mech.step(response);
      if (step.type === 'error') return no(step.message, 'AUTHENTICATIONFAILED');
      if (step.type === 'done') return completeLogin(session, step.user, step.password);
      session.writeLine(`+ ${step.data.toString('base64')}`);
      const line = await session.nextLine();
      if (line === null) return no('Connection closed');
      const text = line.toString('latin1').trim();
      if (text === '*') return bad('Authentication cancelled');
      response = decodeSaslBase64(text);
      if (!response) return bad('Invalid base64 in authentication response');
    }
    return no('Too many authentication steps', 'AUTHENTICATIONFAILED');
  },
};
