/**
 * The Message IDs a message is threaded by (RFC 8474 §5.2 THREADID; the same fields RFC 5256 §3
 * REFERENCES and JMAP, RFC 8621 §3, use): its own Message-ID and its parents, oldest first.
 *
 * Invariants:
 * - Pure. IDs are normalized as thread.ts compares them (message-id.ts), case kept.
 * - References: (first field) gives the parents; when it names none, the first valid ID of
 *   In-Reply-To does (RFC 5256 §3 REFERENCES preamble; RFC 5322 §3.6.4).
 */
import { firstMessageId, parseMessageIds } from './message-id.js';
import { headerValues } from './search-text.js';
import type { MimePart } from './types.js';

export interface ThreadingIds {
  messageId: string | null;
  references: string[];
}

export function threadingIds(raw: Buffer, root: MimePart): ThreadingIds {
  const env = root.envelope;
  const messageId = firstMessageId(env?.messageId ?? null);
  const refs = headerValues(raw, root, 'references')[0];
  let references = refs === undefined ? [] : parseMessageIds(refs);
  if (references.length === 0) {
    const parent = firstMessageId(env?.inReplyTo ?? null);
    references = parent === null ? [] : [parent];
  }
  return { messageId, references };
}
