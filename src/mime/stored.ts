/**
 * What storage keeps beside a message blob, computed once when the message is saved: the MIME
 * tree as JSON (NewMessage.meta) and the Message IDs that thread it (RFC 8474 §5.2). IMAP
 * APPEND/REPLACE and delivery (LMTP, `facteur deliver`) all store exactly this, so FETCH, SEARCH
 * and THREADID treat delivered and appended mail alike.
 */
import { parseMessage } from './parse.js';
import { threadingIds, type ThreadingIds } from './threading.js';

export function storedFields(raw: Buffer): { meta: string; threading: ThreadingIds } {
  const root = parseMessage(raw);
  return { meta: JSON.stringify(root), threading: threadingIds(raw, root) };
}
