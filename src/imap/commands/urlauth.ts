/**
 * URLAUTH (RFC 4467): GENURLAUTH, RESETKEY, URLFETCH; and the extended URLFETCH of
 * URLAUTH=BINARY (RFC 5524). URL validation and resolution live in url-access.ts.
 *
 * Invariants:
 * - GENURLAUTH checks every pair before generating anything (RFC 4467 §7): the URL is an
 *   authimapurlrump (user, mailbox, UID, ";URLAUTH=" access, no token yet), its user is the
 *   session's user (the only key table a session may use), its mailbox exists, the mechanism is
 *   INTERNAL. Any failure is a tagged BAD and no GENURLAUTH response. A missing key is created.
 * - RESETKEY without arguments removes every key of the user; with a mailbox it replaces that
 *   mailbox's key and answers OK [URLMECH INTERNAL] (§7, §8). Only INTERNAL is a mechanism here.
 *   Other sessions of the user (in this process) with an affected mailbox selected get
 *   "* OK [URLMECH INTERNAL]" at their next safe point (session/updates.ts).
 * - URLFETCH always answers one untagged URLFETCH response with one entry per URL, in order, and
 *   a tagged OK (§7): a URL that is malformed, unauthorised, expired or names nothing gets NIL.
 *   Each URL's data is written as soon as it is read, so the response holds one part in memory.
 * - Extended form (RFC 5524 §3): BODY is the section as FETCH BODY.PEEK would return it;
 *   BINARY has the part's Content-Transfer-Encoding removed (literal8 when it holds NUL, NIL when
 *   the encoding is unknown); BODYPARTSTRUCTURE describes the part as returned, so after a
 *   decoding it shows the identity encoding, the decoded size and 0 lines (as Dovecot reports;
 *   decoded data has no line count in the transfer form). BINARY and BODYPARTSTRUCTURE apply to
 *   body parts only: a URL whose section is HEADER, TEXT, MIME or HEADER.FIELDS gets NIL then.
 *   Metadata goes out in the order BODYPARTSTRUCTURE, BODY, BINARY.
 * - Every SELECT/EXAMINE reports "* OK [URLMECH INTERNAL]" (§8), from select.ts.
 */
import type { UrlFetchArg } from '../protocol/ast.js';
import { parseAuthorizedUrl } from '../protocol/imap-url.js';
import { encodeBodyStructure } from '../protocol/encode.js';
import { ResponseBuilder } from '../protocol/response.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, no, ok } from '../session/state.js';
import { isStoreError } from '../../store/errors.js';
import { decodeTransfer, findPart } from '../../mime/index.js';
import type { MimePart } from '../../mime/types.js';
import { INTERNAL_MECHANISM, internalToken, locateUrl, urlBodyBytes, urlSection, type LocatedMessage, type UrlContext } from './url-access.js';

/** The response code of RESETKEY and SELECT/EXAMINE (RFC 4467 §8): INTERNAL carries no data. */
export const URLMECH_CODE = 'URLMECH INTERNAL';

function urlContext(session: ImapSession): UrlContext {
  const state = session.state;
  return {
    store: session.store,
    actor: session.actor!,
    selected: state.kind === 'selected' ? state.view.name : null,
    submitUsers: session.deps.urlauthSubmitUsers,
  };
}

export const genUrlAuthCommand: CommandSpec<'GENURLAUTH'> = {
  name: 'GENURLAUTH',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['URLAUTH', 'URLAUTH=BINARY'],
  async handler(session, cmd) {
    const actor = session.actor!;
    const checked: Array<{ rump: string; mailboxId: number }> = [];
    for (const { url, mechanism } of cmd.pairs) {
      if (mechanism !== INTERNAL_MECHANISM.toUpperCase()) return bad(`Unsupported URLAUTH mechanism ${mechanism}`);
      if (!/;URLAUTH=/i.test(url)) return bad('Missing access identifier in supplied URL');
      const auth = parseAuthorizedUrl(url);
      if (auth === null) return bad('Invalid URL: expected imap://user@host/mailbox/;UID=n[...];URLAUTH=access');
      if (auth.mechanism !== null) return bad('URL is already authorized');
      if (auth.url.server.user !== actor.name) return bad("URL must name the logged-in user as the key's owner");
      const mailbox = await session.store.getMailbox(actor, auth.url.mailbox);
      if (mailbox === null) return bad('Mailbox in URL does not exist');
      checked.push({ rump: auth.rump, mailboxId: mailbox.id });
    }
    const b = new ResponseBuilder({ utf8Accept: session.utf8 });
    b.raw('* GENURLAUTH');
    for (const { rump, mailboxId } of checked) {
      let key: Buffer | null;
      try {
        key = await session.store.urlAuthKey(actor, mailboxId, true);
      } catch (e) {
        if (isStoreError(e, 'NONEXISTENT')) return no('Mailbox was deleted', 'NONEXISTENT');
        throw e;
      }
      b.sp().string(`${rump}:${INTERNAL_MECHANISM}:${internalToken(key!, rump)}`);
    }
    session.send(b);
    return ok('GENURLAUTH completed');
  },
};

export const resetKeyCommand: CommandSpec<'RESETKEY'> = {
  name: 'RESETKEY',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const actor = session.actor!;
    for (const m of cmd.mechanisms) if (m !== INTERNAL_MECHANISM.toUpperCase()) return bad(`Unsupported URLAUTH mechanism ${m}`);
    if (cmd.mailbox === null) {
      await session.store.resetUrlAuthKeys(actor, null);
      session.urlMechPending = false; // this session's own reset: the tagged OK says it
      return ok('All keys removed');
    }
    const mailbox = await session.store.getMailbox(actor, cmd.mailbox);
    if (mailbox === null) return no('Mailbox does not exist', 'NONEXISTENT');
    try {
      await session.store.resetUrlAuthKeys(actor, mailbox.id);
    } catch (e) {
      if (isStoreError(e, 'NONEXISTENT')) return no('Mailbox does not exist', 'NONEXISTENT');
      throw e;
    }
    session.urlMechPending = false; // this session's own reset: the tagged OK carries URLMECH
    return ok('Key reset', URLMECH_CODE);
  },
};

/** Non-empty data as a literal (literal8 when allowed and needed), empty as "" (as FETCH does). */
function data(b: ResponseBuilder, value: Buffer, literal8: boolean): void {
  if (value.length === 0) b.raw('""');
  else b.literal(value, literal8 && value.includes(0));
}

const IDENTITY_CTE = new Set(['7BIT', '8BIT', 'BINARY']);

/** The identity encoding that describes decoded data (RFC 2045 §6.2). */
function identityEncoding(decoded: Buffer): string {
  if (decoded.includes(0)) return 'BINARY';
  for (const c of decoded) if (c >= 0x80) return '8BIT';
  return '7BIT';
}

/** The extended URLFETCH metadata (RFC 5524 §3.2) of one located URL, or null for NIL. */
async function extendedItems(b: ResponseBuilder, m: LocatedMessage, params: UrlFetchArg['params']): Promise<boolean> {
  const section = urlSection(m);
  const wantBinary = params.includes('BINARY');
  const wantStructure = params.includes('BODYPARTSTRUCTURE');
  let part: MimePart | null = null;
  let binary: Buffer | null = null;
  if (wantBinary || wantStructure) {
    if (section.text !== undefined) return false;
    part = findPart(await m.structure(), section.part);
    if (part === null) return false;
  }
  if (wantBinary && part !== null) {
    const body = await m.source.range(section.part.length === 0 ? 0 : part.bodyStart, section.part.length === 0 ? m.row.size : part.end);
    const decodes = section.part.length > 0 && part.type !== 'multipart' && !IDENTITY_CTE.has(part.encoding.trim().toUpperCase());
    binary = decodes ? decodeTransfer(body, part.encoding) : body;
    if (decodes && binary !== null) {
      part = { ...part, encoding: identityEncoding(binary), size: binary.length, lines: 0 };
    }
  }
  const body = params.includes('BODY') ? await urlBodyBytes(m) : null;
  if (params.includes('BODY') && body === null) return false;
  if (wantStructure && part !== null) {
    b.raw(' (BODYPARTSTRUCTURE ');
    encodeBodyStructure(b, part, true);
    b.raw(')');
  }
  if (body !== null) {
    b.raw(' (BODY ');
    data(b, body, false);
    b.raw(')');
  }
  if (wantBinary) {
    b.raw(' (BINARY ');
    if (binary === null) b.raw('NIL');
    else {
      const p = m.url.partial;
      const slice = p === null ? binary : binary.subarray(Math.min(p.offset, binary.length), p.length === null ? binary.length : Math.min(binary.length, p.offset + p.length));
      data(b, slice, true);
    }
    b.raw(')');
  }
  return true;
}

export const urlFetchCommand: CommandSpec<'URLFETCH'> = {
  name: 'URLFETCH',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session, cmd) {
    const ctx = urlContext(session);
    for (let i = 0; i < cmd.urls.length; i++) {
      const arg = cmd.urls[i];
      const b = new ResponseBuilder({ utf8Accept: session.utf8 });
      b.raw(i === 0 ? '* URLFETCH ' : ' ').string(arg.url);
      const located = await locateUrl(ctx, arg.url);
      let done = false;
      if (located !== null) {
        if (arg.extended) done = await extendedItems(b, located, arg.params);
        else {
          const body = await urlBodyBytes(located);
          if (body !== null) {
            b.sp();
            data(b, body, false);
            done = true;
          }
        }
      }
      if (!done) b.raw(' NIL');
      if (i === cmd.urls.length - 1) session.send(b);
      else session.write(b.toBuffer());
      await session.drainIfNeeded();
    }
    return ok('URLFETCH completed');
  },
};
