/**
 * Who may read what an IMAP URL names, and the bytes it names: the one resolver behind CATENATE
 * (RFC 4469 §3, §5), URLFETCH and GENURLAUTH (RFC 4467), with URLAUTH's INTERNAL mechanism.
 *
 * Invariants:
 * - A plain URL (no ;URLAUTH=) resolves only within the session's own account: an absolute URL
 *   must name the session's user and a local host (RFC 4469 §3, RFC 5092 §3.1).
 * - A URLAUTH URL resolves with the access of the user in its server component (RFC 4467 §7
 *   URLFETCH), but only when all of these hold: the mechanism is INTERNAL, the URL has not
 *   expired (§3), the session matches the access identifier (§3: anonymous and authuser = any
 *   session, since every session here is logged in; user+name = that user; submit+name = an
 *   account configured as a submission entity), and the token equals HMAC-SHA256 over the rump
 *   URL's exact bytes (§6) keyed with that mailbox's access key.
 * - The host of a URLAUTH URL is not checked: the token, which covers the whole rump, proves the
 *   URL was issued here, whatever name the issuer used for this server.
 * - When the owner, mailbox or key is missing, a token is still computed with a random key so a
 *   failure takes as long as a mismatch (§6, §10: no probing for mailbox names).
 * - Tokens are "01" (the algorithm's version, §2.4.1 / §10 SHOULD) followed by 64 hex digits;
 *   they are compared in constant time.
 * - Nothing here writes: \Seen is never set by resolving a URL (RFC 4469 §3, RFC 4467 §7).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { FetchSection } from '../protocol/ast.js';
import { parseAuthorizedUrl, parseImapMessageUrl, type AuthorizedImapUrl, type ImapMessageUrl } from '../protocol/imap-url.js';
import { isStoreError } from '../../store/errors.js';
import { asUid, type Actor, type MailStore, type MessageRow } from '../../store/types.js';
import { parseMessage } from '../../mime/index.js';
import type { MimePart } from '../../mime/types.js';
import { messageSource, parseStructure, sectionContent, type MessageSource } from './fetch-items.js';

/** What a URL is resolved against: the session's user and selected mailbox. */
export interface UrlContext {
  store: MailStore;
  actor: Actor;
  /** Name of the selected mailbox (the relative base), or null in the authenticated state. */
  selected: string | null;
  /** Accounts that are message submission entities (RFC 4467 §3 "submit+"). */
  submitUsers?: ReadonlySet<string>;
}

/** The message a URL names, opened with the access of `owner`. */
export interface LocatedMessage {
  owner: Actor;
  url: ImapMessageUrl;
  row: MessageRow;
  source: MessageSource;
  /** The cached structure, or null when the meta lacks it. */
  cached: MimePart | null;
  /** The structure, parsed from the message when not cached. */
  structure(): Promise<MimePart>;
}

/** The INTERNAL mechanism's name as it appears in generated URLs (RFC 4467 §7 example). */
export const INTERNAL_MECHANISM = 'internal';
const TOKEN_VERSION = '01';
const PLAUSIBLE_KEY = randomBytes(32);

/** The INTERNAL token of a rump URL under a mailbox access key. */
export function internalToken(key: Buffer, rump: string): string {
  return TOKEN_VERSION + createHmac('sha256', key).update(rump, 'utf8').digest('hex');
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

function localHosts(): Set<string> {
  return new Set(['localhost', '127.0.0.1', '[::1]', hostname().toLowerCase()]);
}

/** May this session use a URL with this access identifier (RFC 4467 §3)? */
export function accessAllowed(ctx: UrlContext, auth: AuthorizedImapUrl): boolean {
  switch (auth.access.kind) {
    case 'anonymous':
    case 'authuser':
      return true;
    case 'user':
      return auth.access.user === ctx.actor.name;
    case 'submit':
      return ctx.submitUsers?.has(ctx.actor.name) ?? false;
  }
}

/** Opens the message `url` names in `owner`'s mailboxes; null when it does not exist. */
async function openMessage(store: MailStore, owner: Actor, url: ImapMessageUrl, mailboxName: string): Promise<LocatedMessage | null> {
  if (url.uid === null) return null;
  const mailbox = await store.getMailbox(owner, mailboxName);
  if (mailbox === null) return null;
  if (url.uidValidity !== null && url.uidValidity !== mailbox.uidValidity) return null;
  const [row] = await store.getMessages(owner, mailbox.id, [asUid(url.uid)]);
  if (row === undefined) return null;
  const meta = (await store.readMeta(owner, [row.blobId])).get(row.blobId);
  const source = messageSource(row.size, (start, end) => store.readBlob(owner, row.blobId, start, end));
  const cached = parseStructure(meta);
  let root = cached;
  return { owner, url, row, source, cached, structure: async () => (root ??= parseMessage(await source.whole())) };
}

/** Validates a URLAUTH URL (RFC 4467 §6) and returns the account it grants access as, or null. */
async function authorize(ctx: UrlContext, auth: AuthorizedImapUrl): Promise<Actor | null> {
  if (auth.mechanism === null || auth.token === null) return null; // a rump is not authorised
  let key: Buffer | null = null;
  let owner: Actor | null = null;
  const record = await ctx.store.getAccount(auth.url.server.user);
  if (record !== null) {
    owner = { accountId: record.id, name: record.name };
    const mailbox = await ctx.store.getMailbox(owner, auth.url.mailbox);
    if (mailbox !== null) key = await ctx.store.urlAuthKey(owner, mailbox.id, false);
  }
  const expected = internalToken(key ?? PLAUSIBLE_KEY, auth.rump);
  const matches = tokensEqual(expected, auth.token);
  if (key === null || owner === null || !matches || auth.mechanism !== INTERNAL_MECHANISM.toUpperCase()) return null;
  if (auth.expire !== null && Date.now() > auth.expire) return null;
  if (!accessAllowed(ctx, auth)) return null;
  return owner;
}

/**
 * The message an IMAP URL names, with the access that applies (see the module invariants), or
 * null when the URL is malformed, not authorised, or names nothing.
 */
export async function locateUrl(ctx: UrlContext, text: string): Promise<LocatedMessage | null> {
  try {
    if (/;URLAUTH=/i.test(text)) {
      const auth = parseAuthorizedUrl(text);
      if (auth === null) return null;
      const owner = await authorize(ctx, auth);
      return owner === null ? null : await openMessage(ctx.store, owner, auth.url, auth.url.mailbox);
    }
    const url = parseImapMessageUrl(text);
    if (url === null) return null;
    if (url.server !== null) {
      if (url.server.user === null || url.server.user !== ctx.actor.name) return null;
      if (!localHosts().has(url.server.host)) return null;
    }
    const mailboxName = url.mailbox ?? ctx.selected;
    if (mailboxName === null) return null;
    return await openMessage(ctx.store, ctx.actor, url, mailboxName);
  } catch (e) {
    // The message was expunged (and its blob collected) while it was being read.
    if (isStoreError(e, 'NONEXISTENT')) return null;
    throw e;
  }
}

/** The section a located URL names (the whole message when it names none). */
export function urlSection(m: LocatedMessage): FetchSection {
  return m.url.section ?? { part: [] };
}

/**
 * BODY.PEEK[section]<partial> of a located URL: exactly what FETCH returns (RFC 4469 §3, RFC 4467
 * §7); null when the section names no part.
 */
export async function urlBodyBytes(m: LocatedMessage): Promise<Buffer | null> {
  const p = m.url.partial;
  const partial = p === null ? undefined : { offset: p.offset, length: p.length ?? Number.POSITIVE_INFINITY };
  try {
    return await sectionContent({ source: m.source, size: m.row.size, root: m.cached }, urlSection(m), partial, false, m.structure);
  } catch (e) {
    if (isStoreError(e, 'NONEXISTENT')) return null;
    throw e;
  }
}
