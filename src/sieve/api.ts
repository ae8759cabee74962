/**
 * The public contract of the Sieve library (RFC 5228 and its extensions): the types that
 * delivery/ (which runs scripts) and managesieve/ (which validates uploads) program against.
 * src/sieve/index.ts implements `compile`, `execute` and `SUPPORTED_EXTENSIONS` on these types.
 *
 * Invariants:
 * - The library is pure: no I/O, no clock, no randomness of its own. What it needs from the world
 *   comes in through SieveInput (the message, envelope, time) and SieveHost (asynchronous
 *   questions a store answers: does a mailbox exist, was this id seen, what is the text of an
 *   included script).
 * - execute never throws for anything a script or a message does: a runtime error ends the run
 *   with `error` set and the actions replaced by the implicit keep (RFC 5228 §2.10.6). Only a
 *   host callback's own rejection propagates (storage trouble: delivery answers a temporary
 *   failure instead of guessing).
 * - Every execution is bounded (SieveLimits): steps, actions, redirects, include depth and
 *   count, variable sizes, match sizes; exceeding one is a runtime error, never a hang.
 */

/** A compile or runtime problem, positioned in the script's source (1-based line and column). */
export interface SieveDiagnostic {
  line: number;
  column: number;
  message: string;
  /** For include (RFC 6609): the script the position refers to, when not the main script. */
  script?: string;
}

export interface SieveLimits {
  /** Largest script source accepted by compile, in bytes. */
  maxScriptBytes: number;
  /** Deepest nesting of blocks and tests (anyof/allof/not). */
  maxNesting: number;
  /** Most actions one execution may collect (keep, fileinto, redirect, ...). */
  maxActions: number;
  /** Most redirect actions per execution. */
  maxRedirects: number;
  /** Deepest include chain (RFC 6609 §3.2) and most scripts included per execution. */
  maxIncludeDepth: number;
  maxIncludes: number;
  /** Interpreter step budget per execution (commands, tests and match attempts): the CPU bound. */
  maxSteps: number;
  /** Longest value a variable may hold (RFC 5229 §3: excess is truncated), in bytes. */
  maxVariableBytes: number;
  /** Most variables per script scope. */
  maxVariables: number;
  /** Host bounds on the vacation response period (RFC 5230 §4.1, RFC 6131 §2: values outside
   * are clamped, silently) and the period when neither :days nor :seconds is given. Defaults:
   * 1 day, 90 days, 7 days. */
  vacationMinSeconds?: number;
  vacationMaxSeconds?: number;
  vacationDefaultSeconds?: number;
  /** RFC 7352 §3.3: the duplicate-tracking expiry when :seconds is absent, and the most a
   * :seconds may ask for (larger values are silently clamped). Defaults: 7 days, 30 days. */
  duplicateDefaultSeconds?: number;
  duplicateMaxSeconds?: number;
  /** RFC 5293: most addheader/deleteheader changes per execution (each rewrites the header).
   * Default 64. */
  maxHeaderEdits?: number;
}

export interface CompileOptions {
  /** The capability strings this host allows; `require` of anything else is a compile error.
   * Default: every extension the library supports. */
  extensions?: ReadonlySet<string>;
  limits?: Partial<SieveLimits>;
}

/** A compiled, validated script. Opaque to callers; reusable for many executions. */
export interface SieveScript {
  readonly source: string;
  /** The capability strings the script requires (its `require` commands). */
  readonly requires: ReadonlySet<string>;
}

export type CompileResult =
  | { ok: true; script: SieveScript; warnings: SieveDiagnostic[] }
  | { ok: false; errors: SieveDiagnostic[] };

/** The SMTP/LMTP envelope of the message being delivered (RFC 5228 §5.4 "envelope"). */
export interface SieveEnvelope {
  /** MAIL FROM address without angle brackets; '' for the null reverse-path <>. */
  from: string;
  /** The RCPT TO address as given (with any +detail), without angle brackets. */
  to: string;
  /** The authenticated submitter (envelope "auth" part), when known. */
  auth?: string;
}

/** RFC 5235: where the host's filters leave their verdicts. */
export interface ScoreTestConfig {
  /** Header field carrying the score, e.g. "X-Spam-Score". */
  header: string;
  /** Optional regular expression whose first capture group is the numeric score in the field. */
  pattern?: string;
  /** The score that maps to the top of the scale (10 for spamtest, 5 for virustest). */
  max: number;
}

export interface SieveInput {
  /** The message exactly as received (after the delivery layer added Return-Path/Delivered-To). */
  message: Buffer;
  envelope: SieveEnvelope;
  /** RFC 5183 environment items (domain, host, location, name, phase, remote-host, remote-ip,
   * version, vnd.*); absent items are unknown. */
  environment: Readonly<Record<string, string>>;
  /** The time of delivery: currentdate (RFC 5260 §5), vacation periods. */
  now: Date;
  /** The local time zone for date tests without :zone (RFC 5260 §4.1), minutes east of UTC. */
  zoneOffsetMinutes: number;
  /** The recipient's own addresses (vacation's implicit :addresses, RFC 5230 §4.5). */
  userAddresses: readonly string[];
  spamtest?: ScoreTestConfig;
  virustest?: ScoreTestConfig;
  /** RFC 5233 §4: the characters that separate user and detail in a local part (the first one
   * found separates), as the delivery layer splits recipients; default "+". */
  subaddressDelimiters?: string;
}

/** Questions only the store can answer. A rejected promise aborts the execution (temporary
 * failure for the delivery), it is not a script error. */
export interface SieveHost {
  /** RFC 5490 §3.1 mailboxexists. */
  mailboxExists(name: string): Promise<boolean>;
  /** RFC 8579 §3.3 specialuse_exists: with a mailbox, whether it carries every use; without,
   * whether each use is carried by some mailbox. */
  specialUseExists(mailbox: string | null, uses: readonly string[]): Promise<boolean>;
  /** RFC 7352 duplicate: whether `key` was recorded and has not expired. */
  duplicateSeen(key: string): Promise<boolean>;
  /** RFC 6609 include: the source of a script, or null when there is none. */
  loadScript(location: 'personal' | 'global', name: string): Promise<string | null>;
  /**
   * RFC 5490 §3.3, §4.1: the value of the METADATA annotation `name` (RFC 5464) of `mailbox`, or
   * of the server when null, as the script's user sees it (its /private entries and the /shared
   * ones); null when it does not exist, the name is invalid or the mailbox does not exist.
   * Optional: a host without it has no annotations (the tests are false).
   */
  metadata?(mailbox: string | null, name: string): Promise<string | null>;
}

/** Actions an execution decided, in order. The implicit keep appears as a keep with
 * implicit: true. `message`, when present, is the message as editheader (RFC 5293) left it at
 * the time of the action; absent means the input message. */
export type SieveAction =
  | { type: 'keep'; implicit: boolean; flags: readonly string[]; message?: Buffer }
  | {
      type: 'fileinto';
      mailbox: string;
      flags: readonly string[];
      /** RFC 5490 §3.2 :create. */
      create: boolean;
      /** RFC 8579 §4 :specialuse: file into the mailbox with this use, falling back to `mailbox`. */
      specialUse: string | null;
      message?: Buffer;
    }
  | { type: 'redirect'; address: string; message?: Buffer }
  /** RFC 5429: refuse the message. `extended` for ereject (protocol-level refusal preferred). */
  | { type: 'reject'; reason: string; extended: boolean }
  | { type: 'discard' }
  | {
      /** RFC 5230 / RFC 6131. Only emitted when the RFC 5230 §4.5-§4.6 checks the library can make
       * from the message passed (recipient addressed, not a list/bulk/auto-submitted message).
       * The host must still check and record `trackingKey` (not within `periodSeconds`) and send
       * `response` from the null reverse-path to `recipient`. The key already covers the
       * recipient and the response (RFC 5230 §4.2), so it alone identifies a record. */
      type: 'vacation';
      trackingKey: string;
      periodSeconds: number;
      recipient: string;
      /** The complete RFC 5322 response message (headers with Auto-Submitted: auto-replied,
       * In-Reply-To/References, and body), ready for SMTP DATA. */
      response: Buffer;
    };

export interface SieveOutcome {
  actions: SieveAction[];
  /** Set when a runtime error stopped the script; actions is then the implicit keep alone. */
  error: SieveDiagnostic | null;
  /** RFC 7352 ids to record once delivery succeeded. */
  duplicateRecords: Array<{ key: string; expiresInSeconds: number }>;
}

export interface ExecuteOptions {
  limits?: Partial<SieveLimits>;
}
