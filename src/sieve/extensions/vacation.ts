/**
 * vacation (RFC 5230) and vacation-seconds (RFC 6131): the `vacation` action, with :days or
 * :seconds, :subject, :from, :addresses, :mime and :handle.
 *
 * The library decides whether a reply is due as far as the message itself tells (§4.5, §4.6)
 * and composes the complete reply (§5); the host checks and records the tracking key (§4.2: has
 * this sender had this response within the period?) and sends the reply from <> (§5.1).
 *
 * Invariants:
 * - At most one vacation per execution (§4.7: a second is a runtime error), counted whether or
 *   not the checks let the first one produce a reply; with reject/ereject in the same run it is
 *   a runtime error either way round (§4.7). It does not touch the implicit keep.
 * - No action is emitted when: the reverse-path is null; the sender is one of the user's own
 *   addresses or a well-known automaton (MAILER-DAEMON, LISTSERV, majordomo, owner-*, *-request:
 *   §4.6); the message has a List-* field (RFC 2369/2919), Precedence bulk/junk/list, or an
 *   Auto-Submitted value other than "no" (RFC 3834 §2); or none of the user's addresses (input
 *   userAddresses, the envelope recipient, :addresses) is in To/Cc/Bcc/Resent-To/-Cc/-Bcc (§4.5).
 * - The tracking key is a SHA-256 over counted strings (§4.2 IMPLEMENTATION NOTE): the sender,
 *   then the handle, or else :subject, :from, :mime and the reason AS WRITTEN, before variable
 *   expansion (§4.2: expanded arguments must not split tracking). It includes the sender, so the
 *   host needs no other key.
 * - The period is clamped to the host's bounds: :days to [max(1 day, min), max] (§4.1: the
 *   minimum is above 0), :seconds to [min, max] (RFC 6131 §2: 0 means "always reply" unless the
 *   host sets a minimum). Default: vacationDefaultSeconds (7 days).
 * - The reply never lets script text break its header: CR/LF in :subject become spaces, a :from
 *   must parse as an address list without line breaks, and :mime header material must be
 *   7-bit Content-* fields (§5 SHOULD reject 8bit header material). Non-ASCII in Subject or in
 *   From display names becomes RFC 2047 encoded words (§4.3), non-ASCII bodies quoted-printable.
 * - The reply is deterministic (the library has no clock or randomness): its Date is input.now
 *   and its Message-ID is derived from the tracking key and that time.
 */
import { createHash } from 'node:crypto';
import type { Runtime } from '../interpreter.js';
import type { SieveExtension, SieveNode, SieveString, ValidationContext } from './extension.js';
import { headerAddresses } from './core.js';
import { formatStd11 } from './date.js';
import { parseAddressList, parseMessageIds, MISSING_DOMAIN, MISSING_MAILBOX } from '../../mime/index.js';

export const VACATION_DEFAULT_SECONDS = 7 * 86400;
export const VACATION_MIN_SECONDS = 0;
export const VACATION_MAX_SECONDS = 90 * 86400;
const DAY = 86400;

const RECIPIENT_FIELDS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];
const LIST_FIELDS = ['list-id', 'list-help', 'list-subscribe', 'list-unsubscribe', 'list-post', 'list-owner', 'list-archive'];
const AUTOMATA = new Set(['mailer-daemon', 'listserv', 'majordomo']);

// ---- encoding helpers ----

const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

/** RFC 2047 §4.1 "B" encoded words for a phrase or unstructured text, each at most 75 chars. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  // 75 - len("=?UTF-8?B??=") = 63 base64 chars = 45 bytes of UTF-8 per word.
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** Unstructured header text: encoded iff it has non-ASCII (RFC 5230 §4.3). */
function unstructured(text: string): string {
  return isAscii(text) ? text : encodeWords(text);
}

/** RFC 2045 §6.7 quoted-printable of UTF-8 text with CRLF line breaks. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\r\n')) {
    let enc = '';
    const bytes = Buffer.from(line);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      enc += literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    // Soft line breaks keep every encoded line within 76 characters.
    while (enc.length > 76) {
      let cut = 75;
      if (enc[cut - 1] === '=') cut -= 1;
      else if (enc[cut - 2] === '=') cut -= 2;
      out.push(`${enc.slice(0, cut)}=`);
      enc = enc.slice(cut);
    }
    out.push(enc);
  }
  return out.join('\r\n');
}

const crlf = (s: string): string => s.replace(/\r?\n|\r/g, '\r\n');

// ---- argument checks ----

/** The From field value for a :from argument, or an error message (§4.3: a mailbox-list). */
export function fromField(value: string): { field: string } | { error: string } {
  if (/[\r\n\0]/.test(value)) return { error: ':from must not contain line breaks' };
  const list = parseAddressList(value);
  const addrs = (list ?? []).filter((a) => a.mailbox !== null && a.host !== null);
  if (addrs.length === 0 || addrs.some((a) => a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN)) {
    return { error: `invalid :from address "${value}"` };
  }
  if (isAscii(value)) return { field: value };
  // Non-ASCII display names become encoded words (§4.3); the addresses are kept as written.
  return {
    field: addrs
      .map((a) => {
        const spec = `${a.mailbox}@${a.host}`;
        return a.name === null || a.name === '' ? spec : `${unstructured(a.name)} <${spec}>`;
      })
      .join(', '),
  };
}

/** Splits a :mime reason into its header fields and body (RFC 2045 §2.4), or an error. */
export function mimeEntity(reason: string): { headers: string; body: string } | { error: string } {
  const text = crlf(reason);
  const sep = text.startsWith('\r\n') ? 0 : text.indexOf('\r\n\r\n');
  const head = sep < 0 ? text : text.slice(0, sep);
  const body = sep < 0 ? '' : text.slice(sep === 0 ? 2 : sep + 4);
  if (!isAscii(head)) return { error: 'vacation :mime header fields must be 7-bit (RFC 5230 §5)' };
  const fields: string[] = [];
  for (const line of head === '' ? [] : head.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else {
      const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
      if (m === null) return { error: `vacation :mime: "${line.slice(0, 40)}" is not a header field` };
      if (!/^content-/i.test(m[1]!)) return { error: `vacation :mime: only Content-* fields belong to the entity, not "${m[1]}"` };
      fields.push(line);
    }
  }
  return { headers: fields.join('\r\n'), body };
}

function constantChecks(node: SieveNode, ctx: ValidationContext): void {
  const str = (tag: string): SieveString | null => {
    const a = node.tags.get(tag)?.args[0];
    return a?.kind === 'string' && !a.value.hasVars ? a.value : null;
  };
  const from = str('from');
  if (from !== null) {
    const r = fromField(from.value);
    if ('error' in r) ctx.error(from, r.error);
  }
  const reason = node.args[0];
  if (node.tags.has('mime') && reason?.kind === 'string' && !reason.value.hasVars) {
    const r = mimeEntity(reason.value.value);
    if ('error' in r) ctx.error(reason, r.error);
  }
}

// ---- the checks of §4.5/§4.6 ----

const lowerAddr = (a: { localpart: string; domain: string | null }): string => (a.domain === null ? a.localpart : `${a.localpart}@${a.domain}`).toLowerCase();

/** Why no reply may go out, or null. `mine` holds the user's addresses, lower case. */
function refusal(rt: Runtime, sender: string, mine: Set<string>): string | null {
  if (sender === '') return 'null reverse-path';
  const at = sender.lastIndexOf('@');
  const local = (at < 0 ? sender : sender.slice(0, at)).toLowerCase();
  if (mine.has(sender.toLowerCase())) return 'sender is the user';
  if (AUTOMATA.has(local) || local.startsWith('owner-') || local.endsWith('-request')) return 'sender is an automaton';
  for (const f of LIST_FIELDS) if (rt.rawHeaders(f).length > 0) return `list message (${f})`;
  if (rt.headers('precedence').some((v) => ['bulk', 'junk', 'list'].includes(v.trim().toLowerCase()))) return 'bulk precedence';
  if (rt.headers('auto-submitted').some((v) => (v.split(';')[0] ?? '').trim().toLowerCase() !== 'no')) return 'auto-submitted';
  return null;
}

/** The first of the user's addresses found in the recipient fields (§4.5), or null. */
function addressedAs(rt: Runtime, mine: Set<string>): string | null {
  for (const f of RECIPIENT_FIELDS) {
    for (const raw of rt.rawHeaders(f)) {
      for (const a of headerAddresses(raw)) if (mine.has(lowerAddr(a))) return a.domain === null ? a.localpart : `${a.localpart}@${a.domain}`;
    }
  }
  return null;
}

// ---- tracking and composition ----

function counted(h: ReturnType<typeof createHash>, label: string, s: string | null): void {
  h.update(s === null ? `${label}-;` : `${label}${Buffer.byteLength(s)}:${s};`);
}

/** §4.2: the sender plus the handle, or the unexpanded arguments that make up the response. */
export function trackingKey(node: SieveNode, sender: string): string {
  const h = createHash('sha256');
  counted(h, 'to', sender.toLowerCase());
  const raw = (tag: string): string | null => {
    const a = node.tags.get(tag)?.args[0];
    return a?.kind === 'string' ? a.value.value : null;
  };
  const handle = raw('handle');
  if (handle !== null) counted(h, 'handle', handle);
  else {
    counted(h, 'subject', raw('subject'));
    counted(h, 'from', raw('from'));
    counted(h, 'mime', node.tags.has('mime') ? '1' : null);
    counted(h, 'reason', node.args[0]?.kind === 'string' ? node.args[0].value.value : '');
  }
  return `vacation:${h.digest('hex')}`;
}

function periodOf(rt: Runtime, node: SieveNode): number {
  const min = rt.limits.vacationMinSeconds ?? VACATION_MIN_SECONDS;
  const max = rt.limits.vacationMaxSeconds ?? VACATION_MAX_SECONDS;
  const clamp = (v: number, lo: number): number => Math.min(Math.max(v, lo), Math.max(max, lo));
  const days = node.tags.get('days');
  if (days !== undefined) return clamp(rt.num(days.args[0]) * DAY, Math.max(DAY, min));
  const seconds = node.tags.get('seconds');
  if (seconds !== undefined) return clamp(rt.num(seconds.args[0]), min);
  return clamp(rt.limits.vacationDefaultSeconds ?? VACATION_DEFAULT_SECONDS, min);
}

function compose(rt: Runtime, node: SieveNode, o: { recipient: string; from: string; key: string }): Buffer {
  const subjectTag = node.tags.get('subject');
  let subject: string;
  if (subjectTag !== undefined) subject = rt.str(subjectTag.args[0]);
  else {
    // §5.3: "Auto: " and the original subject, or a fixed one when there is none.
    const original = rt.headers('subject')[0];
    subject = original === undefined ? 'Automated reply' : `Auto: ${original.trim()}`;
  }
  subject = subject.replace(/[\r\n]+/g, ' ');
  const ids = parseMessageIds(rt.rawHeaders('message-id')[0] ?? '');
  const refs = parseMessageIds(rt.rawHeaders('references')[0] ?? rt.rawHeaders('in-reply-to')[0] ?? '');
  const domain = /@([^@>\s]+)>?\s*$/.exec(o.from)?.[1] ?? rt.input.environment.domain ?? 'localhost';
  const idHash = createHash('sha256').update(`${o.key}\0${rt.input.now.getTime()}\0${ids[0] ?? ''}`).digest('hex').slice(0, 24);
  const head = [
    `Date: ${formatStd11(rt.input.now.getTime(), rt.input.zoneOffsetMinutes)}`,
    `From: ${o.from}`,
    `To: <${o.recipient}>`,
    `Subject: ${unstructured(subject)}`,
    `Message-ID: <vacation.${idHash}@${domain}>`,
  ];
  if (ids[0] !== undefined) {
    // §5.8 and RFC 5322 §3.6.4: In-Reply-To the original, References extended by it.
    head.push(`In-Reply-To: <${ids[0]}>`);
    head.push(`References: ${[...refs, ids[0]].map((r) => `<${r}>`).join('\r\n ')}`);
  }
  head.push('Auto-Submitted: auto-replied', 'MIME-Version: 1.0');
  const reason = rt.str(node.args[0]);
  let body: string;
  if (node.tags.has('mime')) {
    const entity = mimeEntity(reason);
    if ('error' in entity) return rt.error(node, entity.error);
    if (entity.headers !== '') head.push(entity.headers);
    body = entity.body;
  } else {
    const text = crlf(reason);
    const plain = isAscii(text) && text.split('\r\n').every((l) => l.length <= 998);
    head.push('Content-Type: text/plain; charset=utf-8', `Content-Transfer-Encoding: ${plain ? '7bit' : 'quoted-printable'}`);
    body = plain ? text : quotedPrintable(text);
  }
  if (!body.endsWith('\r\n')) body += '\r\n';
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export const vacationExtension: SieveExtension = {
  capabilities: ['vacation', 'vacation-seconds'],
  implies: { 'vacation-seconds': ['vacation'] },
  onAction: (rt, action, node) => {
    if (action.type === 'reject' && rt.state('vacation', () => ({ done: false })).done) {
      rt.error(node, `${action.extended ? 'ereject' : 'reject'} cannot be combined with vacation (RFC 5230 §4.7)`);
    }
  },
  commands: [
    {
      name: 'vacation',
      kind: 'command',
      capability: 'vacation',
      positional: [{ kind: 'string', name: 'reason' }],
      tags: [
        { name: 'days', group: 'vacation-period', args: [{ kind: 'number', name: 'days' }] },
        { name: 'seconds', group: 'vacation-period', capability: 'vacation-seconds', args: [{ kind: 'number', name: 'seconds' }] },
        { name: 'subject', args: [{ kind: 'string', name: 'subject' }] },
        { name: 'from', args: [{ kind: 'string', name: 'from address' }] },
        { name: 'addresses', args: [{ kind: 'stringlist', name: 'addresses' }] },
        { name: 'mime' },
        { name: 'handle', args: [{ kind: 'string', name: 'handle' }] },
      ],
      validate: constantChecks,
      run: async (node, rt) => {
        const state = rt.state('vacation', () => ({ done: false }));
        if (state.done) rt.error(node, 'vacation can only be executed once per script (RFC 5230 §4.7)');
        state.done = true;
        // §4.7: incompatible with reject, even when no reply turns out to be due (reject's own
        // check only sees an emitted vacation action).
        if (rt.actions.some((a) => a.type === 'reject')) rt.error(node, 'vacation cannot be combined with reject (RFC 5230 §4.7)');
        const sender = rt.input.envelope.from;
        const mine = new Set<string>([...rt.input.userAddresses, rt.input.envelope.to].filter((a) => a !== '').map((a) => a.toLowerCase()));
        const addressesTag = node.tags.get('addresses');
        for (const a of rt.strs(addressesTag?.args[0])) mine.add(a.trim().toLowerCase());
        const fromTag = node.tags.get('from');
        let from: string | null = null;
        if (fromTag !== undefined) {
          const r = fromField(rt.str(fromTag.args[0]));
          if ('error' in r) return rt.error(node, r.error);
          from = r.field;
        }
        const period = periodOf(rt, node);
        if (refusal(rt, sender, mine) !== null) return;
        const addressed = addressedAs(rt, mine);
        if (addressed === null) return;
        // §5.4: from the script owner; the address the message reached them by is the best guess.
        from ??= `<${addressed}>`;
        const key = trackingKey(node, sender);
        const response = compose(rt, node, { recipient: sender, from, key });
        rt.addAction(node, { type: 'vacation', trackingKey: key, periodSeconds: period, recipient: sender, response }, false);
      },
    },
  ],
};
