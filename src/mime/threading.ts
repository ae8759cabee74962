/**
 * The Message IDs a message is threaded by (RFC 8474 §5.2 THREADID; the same fields RFC 5256 §3
 * REFERENCES and JMAP, RFC 8621 §3, use): its own Message-ID and its parents, oldest first.
 *
 * Invariants:
 * - Pure. IDs are normalized as thread.ts compares them (message-id.ts), case kept.
 * - References: (first field) gives the parents; when it names none, the first valid ID of
 *   In-Reply-To does (RFC 5256 §3 REFERENCES preamble; RFC 5322 §3.6.4).
 * - The subject key is the base subject (Re:, Fwd:, [list] prefixes and "(fwd)" removed,
 *   whitespace collapsed, RFC 5256 §2.1) folded by i;unicode-casemap, as THREAD compares them;
 *   RFC 8621 §3 suggests it as the second condition for two messages to share a thread.
 */
import { extractBaseSubject } from './base-subject.js';
import { firstMessageId, parseMessageIds } from './message-id.js';
import { headerValues } from './search-text.js';
import type { MimePart } from './types.js';
import { unicodeCasemapKey } from './unicode-casemap.js';

/** Longer base subjects are cut for comparison: a thread key, not a display string. */
const MAX_SUBJECT_KEY = 500;

export interface ThreadingIds {
  messageId: string | null;
  references: string[];
  /** The base subject (RFC 5256 §2.1) as a comparison key (RFC 5051); "" when there is none. */
  subject: string;
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
  const subject = unicodeCasemapKey(extractBaseSubject(env?.subject ?? null).base).slice(0, MAX_SUBJECT_KEY);
  return { messageId, references, subject };
}
