/**
 * THREAD and UID THREAD (RFC 5256 §3): ORDEREDSUBJECT, REFERENCES and REFS over the messages SEARCH's
 * criteria select; the algorithms themselves are in thread-algorithms.ts.
 *
 * Invariants:
 * - Subjects, sent dates, Message-ID and In-Reply-To come from the cached ENVELOPE, References
 *   from the cached structure (mime/parse.ts). Only a structure cached before References were
 *   part of it makes REFERENCES/REFS read that message's header block, a few at a time.
 * - A message's references are its References: Message IDs, else the first valid Message ID of
 *   In-Reply-To, else none (RFC 5256 §3 REFERENCES preamble).
 * - Numbers printed are sequence numbers, or UIDs for UID THREAD; the charset rules and the
 *   EXPUNGEISSUED handling are SORT's (sort.ts), and so is the MESSAGELIMIT refusal (RFC 9738
 *   §3.3); the reply never carries MODSEQ.
 */
import { ResponseBuilder } from '../protocol/response.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { bad, no, ok } from '../session/state.js';
import type { Actor } from '../../store/types.js';
import { isStoreError } from '../../store/errors.js';
import { headerValues, parseMessageIds } from '../../mime/index.js';
import { charsetSupported } from './search.js';
import { searchForSort, type SortSubject } from './sort.js';
import { encodeThreads, orderedSubject, referencesThreads, type ThreadMessage } from './thread-algorithms.js';

/** Header blocks read at once for REFERENCES. */
const HEADER_READ_CONCURRENCY = 8;

function threadMessage(m: SortSubject, uid: boolean, references: string[]): ThreadMessage {
  return {
    id: uid ? m.row.uid : m.seq,
    seq: m.seq,
    sent: m.keys.date ?? m.row.internalDate,
    subject: m.keys.subject,
    replyOrForward: m.keys.replyOrForward,
    messageId: m.keys.messageId,
    references,
  };
}

/**
 * The References: Message IDs of a message whose cached structure predates them, read from its
 * header block.
 */
async function referencesOf(session: ImapSession, actor: Actor, m: SortSubject): Promise<string[]> {
  if (m.root === null) return [];
  try {
    const raw = await session.store.readBlob(actor, m.row.blobId, 0, m.root.bodyStart);
    const value = headerValues(raw, m.root, 'references')[0];
    return value === undefined ? [] : parseMessageIds(value);
  } catch (e) {
    if (!isStoreError(e, 'NONEXISTENT')) throw e;
    return [];
  }
}

async function allReferences(session: ImapSession, actor: Actor, items: readonly SortSubject[]): Promise<string[][]> {
  const found: Array<string[] | undefined> = items.map((m) => m.keys.references);
  // Progress (RFC 9585) counts every message, whether its references were cached or read.
  for (let start = 0; start < items.length; start += HEADER_READ_CONCURRENCY) {
    session.progress?.step(start, items.length);
    const batch: number[] = [];
    for (let i = start; i < Math.min(items.length, start + HEADER_READ_CONCURRENCY); i++) if (found[i] === undefined) batch.push(i);
    if (batch.length === 0) continue;
    const refs = await Promise.all(batch.map((i) => referencesOf(session, actor, items[i]!)));
    batch.forEach((i, k) => (found[i] = refs[k]));
  }
  return items.map((m, i) => {
    const r = found[i]!;
    if (r.length > 0) return r;
    return m.keys.inReplyTo === null ? [] : [m.keys.inReplyTo];
  });
}

export const threadCommand: CommandSpec<'THREAD'> = {
  name: 'THREAD',
  states: ['selected'],
  updates: 'no-expunge',
  capabilities: ['THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'THREAD=REFS'],
  handler: async (session, cmd) => {
    const state = session.state;
    if (state.kind !== 'selected') return bad('No mailbox selected');
    if (!charsetSupported(cmd.charset)) return no('Unsupported charset', 'BADCHARSET (US-ASCII UTF-8)');
    // RFC 5256 thread-data has no MODSEQ form (RFC 7162 extends only SEARCH and SORT replies).
    // RFC 9738 §3.3: more candidates than MESSAGELIMIT is a NO (sort.ts searchForSort).
    const found = await searchForSort(session, cmd.search);
    if ('status' in found) return found;
    const { items, expunged } = found;
    let forest;
    if (cmd.algorithm === 'ORDEREDSUBJECT') {
      forest = orderedSubject(items.map((m) => threadMessage(m, cmd.uid, [])));
    } else {
      const refs = await allReferences(session, state.actor, items);
      forest = referencesThreads(items.map((m, i) => threadMessage(m, cmd.uid, refs[i]!)), cmd.algorithm === 'REFS');
    }
    const b = new ResponseBuilder();
    b.raw(forest.length > 0 ? `* THREAD ${encodeThreads(forest)}` : '* THREAD');
    session.send(b);
    await session.drainIfNeeded();
    return expunged ? ok('Thread completed, some messages were expunged', 'EXPUNGEISSUED') : ok('Thread completed');
  },
};
