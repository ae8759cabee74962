/**
 * CATENATE (RFC 4469) message assembly for APPEND, with URL-PARTIAL (RFC 5550 §5.7.1).
 *
 * Invariants:
 * - URLs resolve only to messages of the authenticated user on this server (RFC 4469 §3): the
 *   base is "imap://user@server/" or, when selected, "imap://user@server/<selected mailbox>";
 *   an absolute or network-path URL must name this user (no user = anonymous = another user)
 *   and a local host name. Anything else is BADURL (§4.1). The exception is a URLAUTH URL
 *   (§5 allows them), which resolves as URLFETCH would (url-access.ts).
 * - ;UIDVALIDITY must match when given; ;UID is required (directly, or the URL is rejected);
 *   a message that does not exist, or a section that names no part, is BADURL.
 * - Part bytes are exactly what FETCH BODY.PEEK[section]<partial> returns (fetch-items'
 *   sectionContent, RFC 4469 §3 "as if the literal returned in a FETCH BODY response were put in
 *   place"); a partial starting past the end contributes nothing (RFC 9051 §6.4.5). Nothing is
 *   written: \Seen is never set (§3).
 * - The running size is checked after every part: past APPEND_LIMIT the assembly stops with
 *   TOOBIG (§4.2) before reading further parts.
 * - Pure w.r.t. storage writes: the caller appends only after every message assembled, so a
 *   failure stores nothing (also across MULTIAPPEND, RFC 3502 §3).
 */
import type { CatenatePart } from '../protocol/ast.js';
import type { Actor, MailStore } from '../../store/types.js';
import { APPEND_LIMIT } from '../../wire/limits.js';
import { locateUrl, urlBodyBytes } from './url-access.js';

export type CatenateOutcome = { ok: true; content: Buffer } | { ok: false; code: 'BADURL'; url: string } | { ok: false; code: 'TOOBIG' };

export interface CatenateContext {
  store: MailStore;
  actor: Actor;
  /** Name of the selected mailbox (the relative base), or null in the authenticated state. */
  selected: string | null;
  /** Accounts that are message submission entities (URLAUTH "submit+" URLs, RFC 4467 §3). */
  submitUsers?: ReadonlySet<string>;
  limit?: number;
}

/** The bytes a message-part URL names, or null when it cannot be resolved (BADURL). */
export async function resolveUrl(ctx: CatenateContext, url: string): Promise<Buffer | null> {
  const located = await locateUrl(ctx, url);
  return located === null ? null : urlBodyBytes(located);
}

/** Concatenates the parts of one CATENATE message (RFC 4469 §3). */
export async function assembleCatenate(ctx: CatenateContext, parts: readonly CatenatePart[]): Promise<CatenateOutcome> {
  const limit = ctx.limit ?? APPEND_LIMIT;
  const chunks: Buffer[] = [];
  let total = 0;
  for (const part of parts) {
    let data: Buffer;
    if (part.kind === 'TEXT') {
      data = part.data;
    } else {
      const resolved = await resolveUrl(ctx, part.url);
      if (resolved === null) return { ok: false, code: 'BADURL', url: part.url };
      data = resolved;
    }
    total += data.length;
    if (total > limit) return { ok: false, code: 'TOOBIG' };
    chunks.push(data);
  }
  return { ok: true, content: Buffer.concat(chunks, total) };
}

/**
 * The URL as it may appear in "[BADURL <url>]" (RFC 4469 §5 url-resp-text: TEXT-CHAR except
 * "]"): octets outside %x21-7E and "]" are percent-encoded, so the code cannot end early or
 * carry CR/LF.
 */
export function badUrlText(url: string): string {
  let out = '';
  for (const byte of Buffer.from(url, 'utf8')) {
    out += byte > 0x20 && byte < 0x7f && byte !== 0x5d ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
