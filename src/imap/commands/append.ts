/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502: all messages or none), literal8
 * (RFC 3516), APPENDLIMIT (RFC 7889), APPENDUID (RFC 4315) and CATENATE (RFC 4469, with
 * URL-PARTIAL, RFC 5550 §5.7.1). The MIME structure is parsed once here and stored beside the
 * blob, so FETCH ENVELOPE/BODYSTRUCTURE never re-parse.
 *
 * Invariants:
 * - Every message is assembled and checked before storage is called once, so any error (BADURL,
 *   TOOBIG, ...) stores nothing.
 * - With CATENATE, a missing destination answers TRYCREATE before any URL is resolved (the
 *   mailbox error is the more useful one; Dovecot's imaptest expects it even for bad URLs).
 * - RFC 6855 §4: the UTF8 (literal8) data extension is BAD unless this session enabled
 *   UTF8=ACCEPT; when the server offers UTF8=ACCEPT (--utf8-accept, docs/decisions/0004), a
 *   session that enabled neither UTF8=ACCEPT nor IMAP4rev2 (whose APPEND takes RFC 6532
 *   messages, RFC 9051 §6.3.12) gets NO for a message with 8-bit header octets ("MUST reject,
 *   with a NO response"). Accepted messages are stored as sent, 8-bit headers
 *   included, and FETCH returns them as stored.
 */
import type { NewMessage } from '../../store/types.js';
import { limitCode, saveLimit } from '../session/message-limit.js';
import { StoreError } from '../../store/errors.js';
import { encodeNulParts, storedFields } from '../../mime/index.js';
import { APPEND_LIMIT } from '../../wire/limits.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { AppendMessage } from '../protocol/ast.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, no, ok, type CommandResult } from '../session/state.js';
import { assembleCatenate, badUrlText } from './catenate.js';

export const appendCommand: CommandSpec<'APPEND'> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['UIDPLUS', 'MULTIAPPEND', 'BINARY', `APPENDLIMIT=${APPEND_LIMIT}`, 'CATENATE', 'URL-PARTIAL'],
  async handler(session, cmd) {
    // RFC 9738 §3 with RFC 3502 (all or none): a MULTIAPPEND above MESSAGELIMIT (or SAVELIMIT)
    // stores nothing; the code names the limit alone, these messages have no UID yet.
    const limit = saveLimit(session);
    if (cmd.messages.length > limit) return no(`At most ${limit} messages in one APPEND`, limitCode(limit));
    const now = Date.now();
    const messages: NewMessage[] = [];
    const actor = session.actor!;
    if (cmd.messages.some((m) => m.catenate !== undefined) && (await session.store.getMailbox(actor, cmd.mailbox)) === null) {
      throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(cmd.mailbox)}`);
    }
    for (const m0 of cmd.messages) {
      const m = await prepareAppendMessage(session, m0, now);
      if ('status' in m) return m;
      messages.push(m);
    }
    const result = await session.store.append(actor, cmd.mailbox, messages);
    return ok('APPEND completed', `APPENDUID ${result.uidValidity} ${encodeSequenceSet(result.uids)}`);
  },
};

/**
 * One parsed append-message -> what storage stores, or the NO that refuses it: CATENATE
 * assembly (BADURL/TOOBIG), size and empty checks, literal8 NUL handling, \Recent dropped, MIME
 * structure parsed. Shared with REPLACE (RFC 8508 §3.4: what affects APPEND affects REPLACE).
 */
export async function prepareAppendMessage(session: ImapSession, m0: AppendMessage, now: number): Promise<NewMessage | CommandResult> {
  let m = m0;
  if ((m0.utf8 === true || m0.catenate?.some((p) => p.kind === 'TEXT' && p.utf8 === true)) && !session.enabled.has('UTF8=ACCEPT')) {
    return bad('UTF8 APPEND data requires ENABLE UTF8=ACCEPT (RFC 6855 §4)');
  }
  if (m0.catenate !== undefined) {
    const selected = session.state.kind === 'selected' ? session.state.view.name : null;
    const r = await assembleCatenate({ store: session.store, actor: session.actor!, selected, submitUsers: session.deps.urlauthSubmitUsers }, m0.catenate);
    if (!r.ok) {
      if (r.code === 'TOOBIG') return no(`Message larger than the ${APPEND_LIMIT}-octet limit`, 'TOOBIG');
      return no('Cannot resolve the URL', `BADURL ${badUrlText(r.url)}`);
    }
    m = { ...m0, content: r.content };
  }
  if (m.content.length === 0) return no('Cannot store an empty message');
  if (m.content.length > APPEND_LIMIT) return no(`Message larger than the ${APPEND_LIMIT}-octet limit`, 'TOOBIG');
  // RFC 3516 §4.1: NUL octets arrive only in literal8; parts carrying them are stored
  // base64-encoded so that BODY[] literals never contain NUL (RFC 9051 §4.3).
  const content = m.binary ? (encodeNulParts(m.content) ?? m.content) : m.content;
  if (content.includes(0)) return no('Message contains NUL octets outside any MIME part body', 'UNKNOWN-CTE');
  if (session.deps.utf8Accept && !session.utf8 && headerHas8bit(content)) return no('Message has 8-bit header octets; ENABLE UTF8=ACCEPT first (RFC 6855 §4)');
  const flags = m.flags.filter((f) => f.toLowerCase() !== '\\recent');
  // RFC 8474 §5.2: threaded once, at append, by the Message IDs the header names.
  return { content, flags, internalDate: m.internalDate ?? now, ...storedFields(content) };
}

/** true when the header block (up to the first empty line, or the whole message) has an octet >= 0x80. */
function headerHas8bit(content: Buffer): boolean {
  let end = content.length;
  for (let i = 0; i < content.length; i++) {
    if (content[i] !== 0x0a) continue;
    const next = content[i + 1];
    if (next === 0x0a || (next === 0x0d && content[i + 2] === 0x0a)) {
      end = i;
      break;
    }
  }
  // A message that starts with an empty line has no header at all.
  if (content[0] === 0x0a || (content[0] === 0x0d && content[1] === 0x0a)) end = 0;
  for (let i = 0; i < end; i++) if (content[i] >= 0x80) return true;
  return false;
}
