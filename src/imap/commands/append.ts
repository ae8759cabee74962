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
 */
import type { NewMessage } from '../../store/types.js';
import { StoreError } from '../../store/errors.js';
import { encodeNulParts, parseMessage } from '../../mime/index.js';
import { APPEND_LIMIT } from '../../wire/limits.js';
import { encodeSequenceSet } from '../protocol/sequence-set.js';
import type { CommandSpec } from '../session/command-table.js';
import { no, ok } from '../session/state.js';
import { assembleCatenate, badUrlText } from './catenate.js';

export const appendCommand: CommandSpec<'APPEND'> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  updates: 'all',
  capabilities: ['UIDPLUS', 'MULTIAPPEND', 'BINARY', `APPENDLIMIT=${APPEND_LIMIT}`, 'CATENATE', 'URL-PARTIAL'],
  async handler(session, cmd) {
    const now = Date.now();
    const messages: NewMessage[] = [];
    const actor = session.actor!;
    if (cmd.messages.some((m) => m.catenate !== undefined) && (await session.store.getMailbox(actor, cmd.mailbox)) === null) {
      throw new StoreError('TRYCREATE', `no mailbox ${JSON.stringify(cmd.mailbox)}`);
    }
    const selected = session.state.kind === 'selected' ? session.state.view.name : null;
    for (const m0 of cmd.messages) {
      let m = m0;
      if (m0.catenate !== undefined) {
        const r = await assembleCatenate({ store: session.store, actor, selected }, m0.catenate);
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
      const flags = m.flags.filter((f) => f.toLowerCase() !== '\\recent');
      const structure = parseMessage(content);
      messages.push({ content, flags, internalDate: m.internalDate ?? now, meta: JSON.stringify(structure) });
    }
    const result = await session.store.append(actor, cmd.mailbox, messages);
    return ok('APPEND completed', `APPENDUID ${result.uidValidity} ${encodeSequenceSet(result.uids)}`);
  },
};
