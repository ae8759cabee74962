/**
 * SASL mechanisms PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login), as pure state
 * machines. Transport encoding (base64 lines, "*" cancellation) belongs to the session; this
 * module sees decoded client responses, plus strict base64 helpers for the session to use.
 *
 * Invariants:
 * - PLAIN: message = [authzid] NUL authcid NUL passwd (RFC 4616 §2); exactly two NULs;
 *   authcid and passwd non-empty; authzid empty or equal to authcid (no proxy authorization).
 *   An initial response of null means "send an empty challenge" (RFC 4422 §5).
 * - LOGIN: challenges "Username:" then "Password:"; an initial response is taken as the user.
 * - Every value must be valid UTF-8 without NUL; a mechanism that returned done/error must not
 *   be stepped again (further steps are errors).
 * - No I/O, no timers.
 */

export type SaslStep =
  | { type: 'challenge'; data: Buffer }
  | { type: 'done'; user: string; password: string }
  | { type: 'error'; message: string };

export interface SaslMechanism {
  readonly name: 'PLAIN' | 'LOGIN';
  /** null = no data (the first step without an initial response). */
  step(clientResponse: Buffer | null): SaslStep;
}

export const SASL_MECHANISMS: readonly string[] = ['PLAIN', 'LOGIN'];

const MAX_FIELD = 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

const fail = (message: string): SaslStep => ({ type: 'error', message });

class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';
  private finished = false;
  private challenged = false;

  step(clientResponse: Buffer | null): SaslStep {
    if (this.finished) return fail('authentication exchange already finished');
    if (clientResponse === null) {
      if (this.challenged) return fail('missing PLAIN response');
      this.challenged = true;
      return { type: 'challenge', data: Buffer.alloc(0) };
    }
    this.finished = true;
    if (clientResponse.length > 3 * MAX_FIELD) return fail('PLAIN response too long');
    const first = clientResponse.indexOf(0);
    const second = first === -1 ? -1 : clientResponse.indexOf(0, first + 1);
    if (first === -1 || second === -1 || clientResponse.indexOf(0, second + 1) !== -1) {
      return fail('malformed PLAIN response: expected [authzid] NUL authcid NUL passwd');
    }
    const authzid = decodeUtf8(clientResponse.subarray(0, first));
    const authcid = decodeUtf8(clientResponse.subarray(first + 1, second));
    const passwd = decodeUtf8(clientResponse.subarray(second + 1));
    if (authzid === null || authcid === null || passwd === null) return fail('PLAIN response is not valid UTF-8');
    if (authcid === '' || passwd === '') return fail('PLAIN response lacks a user name or password');
    if (authzid !== '' && authzid !== authcid) return fail('proxy authorization (authzid) is not supported');
    return { type: 'done', user: authcid, password: passwd };
  }
}

class LoginMechanism implements SaslMechanism {
  readonly name = 'LOGIN';
  private state: 'start' | 'user' | 'password' | 'finished' = 'start';
  private user = '';

  step(clientResponse: Buffer | null): SaslStep {
    switch (this.state) {
      case 'start':
        if (clientResponse === null || clientResponse.length === 0) {
          this.state = 'user';
          return { type: 'challenge', data: Buffer.from('Username:') };
        }
        return this.takeUser(clientResponse);
      case 'user':
        if (clientResponse === null) return this.error('missing user name');
        return this.takeUser(clientResponse);
      case 'password': {
        if (clientResponse === null) return this.error('missing password');
        this.state = 'finished';
        const password = this.field(clientResponse);
        if (password === null) return fail('password is not valid UTF-8 or too long');
        return { type: 'done', user: this.user, password };
      }
      case 'finished':
        return fail('authentication exchange already finished');
    }
  }

  private takeUser(b: Buffer): SaslStep {
    const user = this.field(b);
    if (user === null || user === '') return this.error('invalid user name');
    this.user = user;
    this.state = 'password';
    return { type: 'challenge', data: Buffer.from('Password:') };
  }

  private field(b: Buffer): string | null {
    if (b.length > MAX_FIELD || b.includes(0)) return null;
    return decodeUtf8(b);
  }

  private error(message: string): SaslStep {
    this.state = 'finished';
    return fail(message);
  }
}

/** A fresh mechanism for one exchange; null for names we do not offer (case-insensitive). */
export function createSaslMechanism(name: string): SaslMechanism | null {
  switch (name.toUpperCase()) {
    case 'PLAIN': return new PlainMechanism();
    case 'LOGIN': return new LoginMechanism();
    default: return null;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict RFC 4648 §4 decoding of a client's SASL line: canonical alphabet, padding required,
 * no whitespace. "=" alone means an empty response (RFC 9051 §6.2.2, RFC 4959). null = invalid.
 */
export function decodeSaslBase64(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) return null;
  const b = Buffer.from(text, 'base64');
  // Non-canonical trailing bits (e.g. "YR==") are rejected: re-encoding must round-trip.
  return b.toString('base64') === text ? b : null;
}

export function encodeSaslBase64(data: Buffer): string {
  return data.toString('base64');
}
