/**
 * Object ids and thread keys shared by every backend (RFC 8474): pure functions, no storage.
 *
 * Invariants:
 * - An object id is a kind letter (F mailbox, M email, T thread) and 24 lowercase hex digits from
 *   a CSPRNG (RFC 8474 §7 objectid syntax); nothing in it derives from the account, the content or
 *   a counter another account could observe.
 * - threadKeys bounds the work a hostile References field can cause: at most MAX_THREAD_KEYS
 *   Message IDs of at most MAX_MESSAGE_ID_LENGTH octets.
 */
import { randomBytes } from 'node:crypto';
import type { MessageThreading } from './types.js';

/** Message IDs per message used for threading: the own ID plus the newest references. */
const MAX_THREAD_KEYS = 50;
/** Longer Message IDs are ignored: RFC 5322 lines stop at 998 octets, a msg-id cannot be longer. */
const MAX_MESSAGE_ID_LENGTH = 998;

export function newObjectId(kind: 'F' | 'M' | 'T'): string {
  return kind + randomBytes(12).toString('hex');
}

/**
 * The Message IDs a message is threaded by, in lookup order: its own, the thread root (the first
 * reference, RFC 5322 §3.6.4), then the other references newest (the parent) first.
 */
export function threadKeys(t: MessageThreading | undefined): string[] {
  if (t === undefined) return [];
  const out: string[] = [];
  const add = (id: string | undefined | null): void => {
    if (id && id.length <= MAX_MESSAGE_ID_LENGTH && out.length < MAX_THREAD_KEYS && !out.includes(id)) out.push(id);
  };
  add(t.messageId);
  add(t.references[0]);
  for (let i = t.references.length - 1; i > 0 && out.length < MAX_THREAD_KEYS; i--) add(t.references[i]);
  return out;
}
