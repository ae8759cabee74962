/**
 * Session state as a discriminated union (RFC 9051 §3): which commands are valid depends on it,
 * and the selected-state data exists only in the selected state.
 */
import type { Actor } from '../../store/types.js';
import type { MailboxView } from './mailbox-view.js';

export type SessionState =
  | { kind: 'not-authenticated' }
  | { kind: 'authenticated'; actor: Actor }
  | { kind: 'selected'; actor: Actor; view: MailboxView }
  | { kind: 'logout' };

export type StateKind = SessionState['kind'];

/** Outcome of a command: the tagged response the session writes. */
export interface CommandResult {
  status: 'OK' | 'NO' | 'BAD';
  /** Response code without brackets, e.g. "TRYCREATE" or "APPENDUID 38505 3955". */
  code?: string;
  text: string;
  /** The handler already wrote the tagged response (STARTTLS must answer before the handshake). */
  sent?: boolean;
}

export const ok = (text: string, code?: string): CommandResult => ({ status: 'OK', text, code });
export const no = (text: string, code?: string): CommandResult => ({ status: 'NO', text, code });
export const bad = (text: string, code?: string): CommandResult => ({ status: 'BAD', text, code });
