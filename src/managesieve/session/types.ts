/**
 * What a ManageSieve session is given and what its command handlers return.
 *
 * Invariants:
 * - The compiler is the Sieve library's compile() with the host's extension set and limits
 *   (wired in src/main.ts); its `extensions` are exactly what the SIEVE capability lists.
 * - A handler result is written by the session as one completion line, unless `sent` says the
 *   handler already answered (STARTTLS, LOGOUT).
 */
import type { SecureContext } from 'node:tls';
import type { CompileResult } from '../../sieve/api.js';
import type { MailStore } from '../../store/types.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Logger } from '../../observability/log.js';
import type { ResponseCode, Status } from '../protocol/response.js';
import type { CommandTable } from './command-table.js';
import type { AccountLock } from './account-lock.js';

export interface ScriptCompiler {
  /** The capability strings scripts may `require` (RFC 5804 §1.7 SIEVE capability). */
  readonly extensions: readonly string[];
  /** RFC 5228 §2.10.6 "MUST check script for validity": the library's compile(). */
  compile(source: string): CompileResult;
  /** The most redirects one execution may perform (RFC 5804 §1.7 MAXREDIRECTS), if bounded. */
  readonly maxRedirects?: number;
  /** URI schemes of enotify methods (RFC 5804 §1.7 NOTIFY), when "enotify" is offered. */
  readonly notifyMethods?: readonly string[];
}

export interface ManageSieveSettings {
  /** Most scripts per account (RFC 5804 §1.5, QUOTA/MAXSCRIPTS). */
  maxScripts: number;
  /** Largest script in octets (QUOTA/MAXSIZE); also bounds the PUTSCRIPT/CHECKSCRIPT literal. */
  maxScriptSize: number;
  /** Same policy as IMAP: AUTHENTICATE before STARTTLS only when the operator allows it. */
  allowCleartextAuth: boolean;
  /** Inactivity before BYE, before and after authentication (RFC 5804 §1.2: at least 30 min after). */
  preauthTimeoutMs: number;
  authTimeoutMs: number;
}

export interface SessionDeps {
  store: MailStore;
  auth: Authenticator;
  logger: Logger;
  /** The listener's TLS material, for STARTTLS (RFC 5804 §2.2). */
  secureContext: SecureContext;
  compiler: ScriptCompiler;
  settings: ManageSieveSettings;
  commands: CommandTable;
  /** Shared by the listener's sessions: serialises PUTSCRIPT per account (quota check + write). */
  accountLock: AccountLock;
  onClose(): void;
}

export type StateKind = 'not-authenticated' | 'authenticated' | 'logout';

export interface CommandResult {
  status: Status;
  code?: ResponseCode | null;
  text?: string;
  /** The handler wrote its own response. */
  sent?: boolean;
}

export const ok = (text?: string, code?: ResponseCode): CommandResult => ({ status: 'OK', text, code });
export const no = (text: string, code?: ResponseCode): CommandResult => ({ status: 'NO', text, code });
