/**
 * The one path into a mailbox: every delivered message (LMTP, `facteur deliver`) passes through
 * DeliveryAgent.deliver — normalise, add trace fields, parse once, run the recipient's Sieve
 * script, apply its actions, store through the same MailStore API (and so the same ChangeBus)
 * as IMAP APPEND.
 *
 * Invariants:
 * - A 'delivered' result means every copy that was to be stored is durable (store.append
 *   resolved); only then are duplicate ids (RFC 7352) and vacation marks recorded.
 * - Nothing is silently dropped: storage trouble is 'tempfail' (the MTA retries); a failing or
 *   impossible redirect, a missing fileinto target, a Sieve compile or runtime error all fall
 *   back to keeping the message in INBOX, with a log line.
 * - Outgoing mail happens before anything is stored when its failure must defer the delivery
 *   (redirect: a temporary relay error is 'tempfail'); vacation replies go out after storage
 *   and never affect the result.
 * - Redirect loops (RFC 5228 §4.2): a message that already carries our Delivered-To for this
 *   recipient is not redirected again; it is kept.
 * - Vacation replies (RFC 5230, RFC 3834) are sent from the null reverse-path, at most once per
 *   tracking key and period (clamped to the configured bounds), never to list, bulk or
 *   auto-submitted mail nor to mailer addresses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNulParts, storedFields } from '../mime/index.js';
import type { SieveAction, SieveEnvelope, SieveHost, SieveInput, ScoreTestConfig } from '../sieve/api.js';
import { isStoreError, StoreError } from '../store/errors.js';
import type { Actor, MailStore, SpecialUse } from '../store/types.js';
import { canonicalEntryName, entryNameProblem } from '../store/metadata.js';
import type { Logger } from '../observability/log.js';
import { bareAddress, headerFields, mustNotAutoReply, prependFields, toCrlf, withoutLeadingReturnPath } from './message.js';
import { buildRejectMdn } from './notices.js';
import { parseRecipient, type ParsedRecipient, type RecipientPolicy } from './recipient.js';
import { CompiledScripts, type SieveEngine } from './sieve-engine.js';
import { SmtpSendError, type MailSender } from './smtp-client.js';

export interface DeliveryAgentOptions {
  store: MailStore;
  logger: Logger;
  /** This host's name: trace fields, notices, Sieve environment "host". */
  hostname: string;
  recipients: RecipientPolicy;
  maxMessageSize: number;
  /** The Sieve library; null runs no scripts (every message is kept). */
  sieve: SieveEngine | null;
  /** Where redirect, vacation and reject notices go; null: they are not sent (logged). */
  sender: MailSender | null;
  vacationPeriodSeconds: { min: number; max: number };
  spamtest?: ScoreTestConfig;
  virustest?: ScoreTestConfig;
  /** Directory of global scripts for include :global (RFC 6609), or null. */
  globalScriptDir: string | null;
  /**
   * A recipient over quota (RFC 9208 OVERQUOTA from the store): 'temporary' (the default; LMTP
   * 452 4.2.2, the MTA retries) or 'permanent' (552 5.2.2, bounced now).
   */
  overQuota?: 'temporary' | 'permanent';
  /** The clock (tests). */
  now?: () => Date;
}

export type RecipientCheck =
  | { ok: true; recipient: ParsedRecipient }
  | { ok: false; status: 'invalid' | 'nouser' | 'tempfail'; reason: string };

export interface DeliveryRequest {
  /** Envelope sender without brackets; '' for <>. */
  from: string;
  recipient: ParsedRecipient;
  /** The message as received. */
  message: Buffer;
  /** Trace fields ("Name: value") placed after Return-Path and Delivered-To (e.g. Received). */
  traceFields?: readonly string[];
  /** 'lmtp' can refuse per recipient; 'deliver' answers a reject with a notice to the sender. */
  mode: 'lmtp' | 'deliver';
  /** Where the implicit keep files the message (deliver --mailbox); INBOX when absent or missing. */
  defaultMailbox?: string;
  /** RFC 5183 environment items from the protocol (remote-host, remote-ip). */
  environment?: Readonly<Record<string, string>>;
}

export type DeliveryResult =
  | { status: 'delivered'; mailboxes: string[]; note?: string }
  /** Sieve reject/ereject (RFC 5429) where the protocol can refuse: LMTP 550 5.7.1. */
  | { status: 'rejected'; reason: string }
  | { status: 'nouser'; reason: string }
  /** Try again later: storage trouble, over quota, relay unavailable. */
  | { status: 'tempfail'; reason: string; overQuota: boolean }
  /**
   * The message can never be delivered as it is (too large, NUL octets in headers), or the
   * recipient is over quota and the operator made that permanent (`overQuota`).
   */
  | { status: 'failed'; reason: string; tooBig: boolean; overQuota?: boolean };

interface StoreTarget {
  mailbox: string;
  flags: readonly string[];
  create: boolean;
  specialUse: string | null;
  message: Buffer;
  /** For the log: what asked for this copy. */
  origin: string;
}

/** RFC 9051 flag syntax: a system flag or an atom keyword; anything else is dropped. */
const FLAG_RE = /^\\?[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/;
const SPECIAL_USES: readonly SpecialUse[] = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'];
/** Global script names: a file name in the configured directory, nothing that climbs out. */
const GLOBAL_SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}$/;

export class DeliveryAgent {
  private readonly scripts: CompiledScripts | null;

  constructor(private readonly opts: DeliveryAgentOptions) {
    this.scripts = opts.sieve === null ? null : new CompiledScripts(opts.sieve);
  }

  get maxMessageSize(): number {
    return this.opts.maxMessageSize;
  }

  get hostname(): string {
    return this.opts.hostname;
  }

  /** RCPT-time check: the address names an existing account (RFC 2033 §4.2 answers it then). */
  async checkRecipient(address: string): Promise<RecipientCheck> {
    const recipient = parseRecipient(address, this.opts.recipients);
    if (recipient === null) return { ok: false, status: 'invalid', reason: 'malformed recipient address' };
    try {
      const account = await this.opts.store.getAccount(recipient.account);
      if (account === null) return { ok: false, status: 'nouser', reason: 'no such user' };
    } catch (e) {
      this.opts.logger.error({ err: String(e), recipient: address }, 'recipient lookup failed');
      return { ok: false, status: 'tempfail', reason: 'recipient lookup failed' };
    }
    return { ok: true, recipient };
  }

  async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const log = this.opts.logger.child({ rcpt: req.recipient.address, from: req.from });
    try {
      return await this.deliverOnce(req, log);
    } catch (e) {
      const overQuota = isStoreError(e, 'OVERQUOTA');
      if (overQuota && this.opts.overQuota === 'permanent') {
        log.warn({ err: (e as StoreError).message }, 'recipient over quota, refused');
        return { status: 'failed', reason: 'mailbox full', tooBig: false, overQuota: true };
      }
      log.error({ err: e instanceof Error ? e.message : String(e) }, overQuota ? 'recipient over quota, deferred' : 'delivery failed, deferred');
      return { status: 'tempfail', reason: overQuota ? 'mailbox full' : 'temporary storage failure', overQuota };
    }
  }

  private async deliverOnce(req: DeliveryRequest, log: Logger): Promise<DeliveryResult> {
    const { store } = this.opts;
    const account = await store.getAccount(req.recipient.account);
    if (account === null) return { status: 'nouser', reason: 'no such user' };
    const actor: Actor = { accountId: account.id, name: account.name };

    let content = toCrlf(req.message);
    // RFC 3516 as at APPEND: NUL octets survive only inside parts we can re-encode as base64.
    content = encodeNulParts(content) ?? content;
    if (content.includes(0)) return { status: 'failed', reason: 'message contains NUL octets outside any MIME part body', tooBig: false };
    if (content.length === 0) return { status: 'failed', reason: 'empty message', tooBig: false };
    const looped = headerFields(content, 'Delivered-To').some((v) => bareAddress(v).toLowerCase() === req.recipient.address.toLowerCase());
    // The envelope came from a protocol or a command line: no control character may reach a header.
    const safe = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, '');
    const message = prependFields(content, [`Return-Path: <${safe(req.from)}>`, `Delivered-To: ${safe(req.recipient.address)}`, ...(req.traceFields ?? [])]);
    if (message.length > this.opts.maxMessageSize) return { status: 'failed', reason: `message larger than ${this.opts.maxMessageSize} octets`, tooBig: true };

    const now = this.opts.now?.() ?? new Date();
    const actions = await this.runSieve(actor, req, message, now, log);
    if (actions === 'tempfail') return { status: 'tempfail', reason: 'temporary failure while filtering', overQuota: false };
    const { list, duplicateRecords } = actions;

    const reject = list.find((a): a is Extract<SieveAction, { type: 'reject' }> => a.type === 'reject');
    if (reject !== undefined) {
      // RFC 5429 §2.1: ereject refuses at the protocol level whenever it can; `deliver` can, by
      // its exit status (EX_NOPERM with the reason, which the MTA turns into a bounce).
      if (req.mode === 'lmtp' || reject.extended) {
        log.info({ reason: reject.reason, extended: reject.extended }, 'rejected by Sieve');
        return { status: 'rejected', reason: reject.reason };
      }
      return this.rejectWithNotice(req, message, reject.reason, now, log);
    }

    const targets: StoreTarget[] = [];
    const keepTarget = (flags: readonly string[], msg: Buffer | undefined, origin: string): StoreTarget => ({
      mailbox: req.defaultMailbox ?? 'INBOX',
      flags,
      create: false,
      specialUse: null,
      message: msg ?? message,
      origin,
    });
    for (const a of list) {
      if (a.type === 'keep') targets.push(keepTarget(a.flags, a.message, a.implicit ? 'implicit keep' : 'keep'));
      else if (a.type === 'fileinto') {
        targets.push({ mailbox: a.mailbox, flags: a.flags, create: a.create, specialUse: a.specialUse, message: a.message ?? message, origin: 'fileinto' });
      }
    }

    // Redirects first: a temporary relay failure defers the whole delivery before anything is stored.
    const notes: string[] = [];
    for (const a of list) {
      if (a.type !== 'redirect') continue;
      const fallback = (why: string): void => {
        log.warn({ to: a.address, why }, 'redirect not performed; keeping the message instead');
        notes.push(`redirect to ${a.address} not performed (${why})`);
        targets.push(keepTarget([], undefined, 'redirect fallback'));
      };
      if (looped) {
        fallback('mail loop: the message was already delivered to this recipient');
        continue;
      }
      if (this.opts.sender === null) {
        fallback('no --smtp-relay configured');
        continue;
      }
      try {
        await this.opts.sender.send({ from: req.from, to: [a.address], data: withoutLeadingReturnPath(a.message ?? message) });
        log.info({ to: a.address }, 'redirected');
      } catch (e) {
        if (e instanceof SmtpSendError && e.temporary) {
          log.warn({ to: a.address, err: e.message }, 'redirect failed temporarily, delivery deferred');
          return { status: 'tempfail', reason: 'redirect relay unavailable', overQuota: false };
        }
        fallback(e instanceof Error ? e.message : String(e));
      }
    }

    const stored = await this.store(actor, targets, now.getTime(), log, notes);

    for (const d of duplicateRecords) {
      await store.putDeliveryMark(actor, 'duplicate', d.key, now.getTime() + d.expiresInSeconds * 1000);
    }
    for (const a of list) {
      if (a.type === 'vacation') await this.vacation(actor, req, content, a, now, log);
    }
    if (list.some((a) => a.type === 'discard') && stored.length === 0) log.info('discarded by Sieve');
    return { status: 'delivered', mailboxes: stored, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
  }

  /** The actions to apply, or 'tempfail' when the store could not answer the script's questions. */
  private async runSieve(
    actor: Actor,
    req: DeliveryRequest,
    message: Buffer,
    now: Date,
    log: Logger,
  ): Promise<{ list: SieveAction[]; duplicateRecords: Array<{ key: string; expiresInSeconds: number }> } | 'tempfail'> {
    const implicitKeep = { list: [{ type: 'keep', implicit: true, flags: [] } as SieveAction], duplicateRecords: [] };
    if (this.scripts === null || this.opts.sieve === null) return implicitKeep;
    const active = await this.opts.store.getActiveSieveScript(actor);
    if (active === null) return implicitKeep;
    const compiled = this.scripts.get(active.source);
    if (!compiled.ok) {
      const first = compiled.errors[0];
      log.warn({ script: active.name, error: first ? `line ${first.line}, column ${first.column}: ${first.message}` : 'unknown' }, 'Sieve script does not compile; keeping');
      return implicitKeep;
    }
    const envelope: SieveEnvelope = { from: req.from, to: req.recipient.address };
    const userAddresses = [req.recipient.address];
    if (req.recipient.domain !== '') userAddresses.push(`${req.recipient.user}@${req.recipient.domain}`);
    const input: SieveInput = {
      message,
      envelope,
      environment: {
        domain: req.recipient.domain || this.opts.hostname,
        host: this.opts.hostname,
        location: 'MDA',
        name: 'Facteur',
        phase: 'during',
        version: '0.1.0',
        ...(req.environment ?? {}),
      },
      now,
      zoneOffsetMinutes: -now.getTimezoneOffset(),
      userAddresses,
      subaddressDelimiters: this.opts.recipients.delimiters,
      ...(this.opts.spamtest !== undefined ? { spamtest: this.opts.spamtest } : {}),
      ...(this.opts.virustest !== undefined ? { virustest: this.opts.virustest } : {}),
    };
    try {
      // The library clamps :days/:seconds to the operator's bounds itself (RFC 6131 §2).
      const { min, max } = this.opts.vacationPeriodSeconds;
      const limits = { vacationMinSeconds: min, vacationMaxSeconds: max };
      const outcome = await this.opts.sieve.execute(compiled.script, input, this.host(actor, now), { limits });
      if (outcome.error !== null) {
        log.warn({ script: active.name, line: outcome.error.line, error: outcome.error.message }, 'Sieve runtime error; implicit keep');
      }
      return { list: outcome.actions, duplicateRecords: outcome.duplicateRecords };
    } catch (e) {
      log.error({ script: active.name, err: e instanceof Error ? e.message : String(e) }, 'Sieve host failure');
      return 'tempfail';
    }
  }

  private host(actor: Actor, now: Date): SieveHost {
    const { store } = this.opts;
    const dir = this.opts.globalScriptDir;
    return {
      mailboxExists: async (name) => (await store.getMailbox(actor, name)) !== null,
      specialUseExists: async (mailbox, uses) => {
        const boxes = await store.listMailboxes(actor);
        const has = (use: string, box: { specialUse: string | null }): boolean => box.specialUse?.toLowerCase() === use.toLowerCase();
        if (mailbox !== null) {
          const box = boxes.find((b) => b.name === mailbox || (mailbox.toUpperCase() === 'INBOX' && b.name === 'INBOX'));
          return box !== undefined && uses.every((u) => has(u, box));
        }
        return uses.every((u) => boxes.some((b) => has(u, b)));
      },
      duplicateSeen: (key) => store.hasDeliveryMark(actor, 'duplicate', key, now.getTime()),
      // RFC 5490 §3.3/§4.1: the recipient's view (its /private entries and the /shared ones).
      metadata: async (mailbox, name) => {
        if (entryNameProblem(name) !== null) return null;
        const entry = canonicalEntryName(name);
        try {
          const [found] = await store.getMetadata(actor, mailbox, [entry], '0');
          return found === undefined ? null : found.value.toString('utf8');
        } catch (e) {
          if (isStoreError(e, 'NONEXISTENT') || isStoreError(e, 'NOPERM')) return null;
          throw e;
        }
      },
      loadScript: async (location, name) => {
        if (location === 'personal') return store.getSieveScript(actor, name);
        if (dir === null || !GLOBAL_SCRIPT_NAME.test(name)) return null;
        try {
          return await readFile(join(dir, `${name}.sieve`), 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw e;
        }
      },
    };
  }

  /** Appends every target (one copy per distinct mailbox) and returns the mailbox names. */
  /**
   * Appends one copy per distinct target. Over quota (RFC 9208) on the first copy stores nothing
   * and fails the delivery (the caller answers 452/552); once one copy is stored, a later copy
   * refused over quota is only noted: failing then would make the MTA retry and duplicate the
   * stored copies.
   */
  private async store(actor: Actor, targets: StoreTarget[], internalDate: number, log: Logger, notes: string[]): Promise<string[]> {
    const done = new Set<string>();
    const stored: string[] = [];
    for (const t of targets) {
      const name = await this.resolveMailbox(actor, t, log);
      if (done.has(name)) continue;
      done.add(name);
      const flags = [...new Set(t.flags.filter((f) => FLAG_RE.test(f) && f.toLowerCase() !== '\\recent'))];
      const message = { content: t.message, flags, internalDate, ...storedFields(t.message) };
      let into = name;
      try {
        try {
          // A delivery posts: into another account's mailbox that needs "p" (RFC 4314 §2.1).
          await this.opts.store.append(actor, name, [message], { post: true });
        } catch (e) {
          // RFC 5228 §2.10.6: a fileinto that cannot be done (no right, mailbox gone) falls back to
          // keep; ManageSieve scripts are not checked against rights, delivery time decides.
          if (name === 'INBOX' || !(isStoreError(e, 'NOPERM') || isStoreError(e, 'TRYCREATE') || isStoreError(e, 'NONEXISTENT'))) throw e;
          log.warn({ mailbox: name, origin: t.origin, err: (e as StoreError).message }, 'cannot deliver into the fileinto mailbox; delivering to INBOX');
          done.delete(name);
          if (done.has('INBOX')) continue;
          done.add('INBOX');
          into = 'INBOX';
          await this.opts.store.append(actor, 'INBOX', [message], { post: true });
        }
      } catch (e) {
        if (!isStoreError(e, 'OVERQUOTA') || stored.length === 0) throw e;
        log.warn({ mailbox: into, origin: t.origin }, 'copy not stored: over quota');
        notes.push(`not filed into ${into}: over quota`);
        continue;
      }
      stored.push(into);
      log.info({ mailbox: into, origin: t.origin }, 'delivered');
    }
    return stored;
  }

  /** fileinto's target after :specialuse (RFC 8579 §4) and :create (RFC 5490 §3.2); INBOX when it cannot be had. */
  private async resolveMailbox(actor: Actor, t: StoreTarget, log: Logger): Promise<string> {
    const { store } = this.opts;
    if (t.specialUse !== null) {
      const use = t.specialUse.toLowerCase();
      const box = (await store.listMailboxes(actor)).find((b) => b.specialUse?.toLowerCase() === use);
      if (box !== undefined) return box.name;
    }
    if ((await store.getMailbox(actor, t.mailbox)) !== null) return t.mailbox;
    if (t.create) {
      const use = SPECIAL_USES.find((u) => u.toLowerCase() === t.specialUse?.toLowerCase()) ?? null;
      try {
        await store.createMailbox(actor, t.mailbox, use);
        return t.mailbox;
      } catch (e) {
        if (isStoreError(e, 'ALREADYEXISTS')) return t.mailbox;
        // Over the MAILBOX quota the message still arrives, in INBOX (as for an invalid name).
        if (!isStoreError(e, 'CANNOT') && !isStoreError(e, 'OVERQUOTA')) throw e;
        log.warn({ mailbox: t.mailbox, err: (e as StoreError).message }, 'cannot create the fileinto mailbox; delivering to INBOX');
        return 'INBOX';
      }
    }
    log.warn({ mailbox: t.mailbox, origin: t.origin }, 'no such mailbox; delivering to INBOX');
    return 'INBOX';
  }

  /** RFC 5429 §2.1 without protocol-level refusal: an MDN to the envelope sender, never to <>. */
  private async rejectWithNotice(req: DeliveryRequest, message: Buffer, reason: string, now: Date, log: Logger): Promise<DeliveryResult> {
    if (req.from === '' || mustNotAutoReply(message, req.from)) {
      log.info({ reason }, 'rejected by Sieve; no notice (null or automatic sender)');
      return { status: 'delivered', mailboxes: [], note: 'rejected; no notice sent' };
    }
    if (this.opts.sender === null) {
      log.warn({ reason }, 'rejected by Sieve; no --smtp-relay for the notice');
      return { status: 'delivered', mailboxes: [], note: 'rejected; no relay for the notice' };
    }
    const data = buildRejectMdn({ recipient: req.recipient.address, sender: req.from, reason, original: message, hostname: this.opts.hostname, now });
    try {
      await this.opts.sender.send({ from: '', to: [req.from], data });
    } catch (e) {
      if (e instanceof SmtpSendError && e.temporary) return { status: 'tempfail', reason: 'relay unavailable for the reject notice', overQuota: false };
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'reject notice refused by the relay');
    }
    log.info({ reason }, 'rejected by Sieve; notice sent');
    return { status: 'delivered', mailboxes: [], note: 'rejected; notice sent' };
  }

  private async vacation(
    actor: Actor,
    req: DeliveryRequest,
    original: Buffer,
    a: Extract<SieveAction, { type: 'vacation' }>,
    now: Date,
    log: Logger,
  ): Promise<void> {
    const { store, sender } = this.opts;
    if (mustNotAutoReply(original, req.from)) {
      log.info({ to: a.recipient }, 'vacation: automatic or list mail, no reply (RFC 3834 §2)');
      return;
    }
    if (await store.hasDeliveryMark(actor, 'vacation', a.trackingKey, now.getTime())) {
      log.debug({ to: a.recipient }, 'vacation: already answered within the period');
      return;
    }
    if (sender === null) {
      log.warn({ to: a.recipient }, 'vacation: no --smtp-relay configured, no reply sent');
      return;
    }
    const { min, max } = this.opts.vacationPeriodSeconds;
    const period = Math.min(max, Math.max(min, a.periodSeconds));
    try {
      await sender.send({ from: '', to: [a.recipient], data: a.response });
      await store.putDeliveryMark(actor, 'vacation', a.trackingKey, now.getTime() + period * 1000);
      log.info({ to: a.recipient, periodSeconds: period }, 'vacation reply sent');
    } catch (e) {
      log.warn({ to: a.recipient, err: e instanceof Error ? e.message : String(e) }, 'vacation reply not sent');
    }
  }
}
