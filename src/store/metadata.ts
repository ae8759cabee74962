/**
 * METADATA (RFC 5464) as storage sees it: the data model of entries, the entry-name rules, the
 * limits, which entries a read returns (DEPTH), and the access rights each operation needs.
 * Pure: no I/O; shared by both backends, the IMAP commands and the Sieve host in delivery.
 *
 * Invariants:
 * - An entry name is stored and compared lower-cased (RFC 5464 §3.2: entry names are
 *   case-insensitive), and always begins with "/private/" or "/shared/" (§6).
 * - /private entries belong to one account (the one that wrote them) and are never returned to
 *   another; /shared entries have one value for every user who may see the mailbox or server.
 * - A value is octets (RFC 5464 §3.2: a string or binary data); NIL is "no entry", never stored.
 * - Limits below bound what one account can store and what one read can return.
 * - Change events: /private entries are announced on their owner's channel only (nobody else
 *   may learn their names), /shared mailbox entries on the mailbox owner's, /shared server
 *   entries on SERVER_CHANNEL (RFC 5465 §5.7-§5.8 consume them).
 */
import { StoreError } from './errors.js';
import { SERVER_CHANNEL, type ChangeEvent } from './types.js';

/** One stored entry: lower-cased name and its value. */
export interface MetadataEntry {
  name: string;
  value: Buffer;
}

/** One SETMETADATA item: `value` null removes the entry (RFC 5464 §4.3 NIL). */
export interface MetadataWrite {
  name: string;
  value: Buffer | null;
}

/** RFC 5464 §4.2.2 DEPTH: the entry itself, its children too, or its whole subtree. */
export type MetadataDepth = '0' | '1' | 'infinity';

/**
 * Largest value accepted: 16 times the 1024 octets RFC 5464 §4.1 requires; comments, colours and
 * client settings are far smaller, and it keeps a mailbox's whole tree (MAX_ENTRIES_PER_TARGET
 * entries) under 2 MiB. Below the framer's argument literal limit (wire MAX_LITERAL_SIZE, 64 KiB)
 * the SETMETADATA handler refuses larger values; above it imap/session/literal-refusal.ts does,
 * with the same NO [METADATA MAXSIZE].
 */
export const METADATA_MAX_VALUE_BYTES = 16 * 1024;

/**
 * Most entries on one mailbox (all users' private ones and the shared ones together) and on the
 * server as one user sees it (its private ones and the shared ones): RFC 5464 §4.1 asks for at
 * least 10; this bounds what one GETMETADATA (DEPTH infinity) or one Sieve lookup reads.
 */
export const METADATA_MAX_ENTRIES_PER_TARGET = 100;

/** Most entries one account may own in all (its private entries anywhere, shared ones on its mailboxes and server). */
export const METADATA_MAX_ENTRIES_PER_ACCOUNT = 1000;

/** Longest entry name in octets: names are paths of a few short components; bounds every key. */
export const METADATA_MAX_NAME_BYTES = 256;

/**
 * Most entries named in one GETMETADATA / SETMETADATA / LIST RETURN (METADATA): a bound on one
 * command's work, far above what the entry limits let exist, so that a valid command (reading or
 * removing more entries than one mailbox may hold) is never refused for its size; adding more
 * than the limits allow is refused by them, NO [METADATA TOOMANY] (RFC 5464 §4.3). The parser's
 * MAX_METADATA_ENTRIES (wire/limits.ts) is the same number.
 */
export const METADATA_MAX_ENTRIES_PER_COMMAND = 10_000;

/** Why a name is refused; null when it is valid. */
export type EntryNameProblem = string | null;

/**
 * RFC 5464 §3.2 and §6: whether `name` may name an entry (for SETMETADATA) or, with `prefix`, a
 * subtree to read (GETMETADATA accepts "/private", "/shared" and vendor prefixes with DEPTH).
 * Returns a human reason for a refusal (the session answers BAD), or null.
 */
export function entryNameProblem(name: string, prefix = false): EntryNameProblem {
  if (!name.startsWith('/')) return 'entry names begin with "/"';
  if (Buffer.byteLength(name, 'utf8') > METADATA_MAX_NAME_BYTES) return 'entry name too long';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // §3.2: no "*" or "%", nothing outside ASCII, no control characters (0x00-0x19 by the RFC;
    // the rest of C0 and DEL are refused too: "strongly discouraged", and never meaningful).
    if (c < 0x20 || c >= 0x7f) return 'entry names are printable ASCII';
    if (c === 0x2a || c === 0x25) return 'entry names cannot contain "*" or "%"';
  }
  if (name.includes('//')) return 'entry names cannot contain "//"';
  if (name.endsWith('/')) return 'entry names cannot end with "/"';
  const parts = name.toLowerCase().split('/').slice(1);
  if (parts[0] !== 'private' && parts[0] !== 'shared') return 'entry names begin with /private or /shared';
  const min = parts[1] === 'vendor' ? 4 : 2;
  if (!prefix && parts.length < min) {
    return parts[1] === 'vendor' ? 'vendor entry names have at least 4 components' : 'entry names have at least 2 components';
  }
  return null;
}

/** The stored form of a valid name (§3.2 case-insensitive). */
export function canonicalEntryName(name: string): string {
  return name.toLowerCase();
}

export function isPrivateEntry(name: string): boolean {
  return name.toLowerCase().startsWith('/private/') || name.toLowerCase() === '/private';
}

/**
 * The entries a GETMETADATA (RFC 5464 §4.2.2) returns from `stored` for the requested names
 * (canonical) and DEPTH: each name itself when present, plus its descendants one level down
 * (DEPTH 1) or all the way (infinity). Each entry at most once, in name order.
 */
export function selectEntries(stored: readonly MetadataEntry[], requested: readonly string[], depth: MetadataDepth): MetadataEntry[] {
  const out = new Map<string, MetadataEntry>();
  for (const want of requested) {
    const below = `${want}/`;
    for (const e of stored) {
      if (e.name === want) out.set(e.name, e);
      else if (depth !== '0' && e.name.startsWith(below)) {
        if (depth === 'infinity' || !e.name.slice(below.length).includes('/')) out.set(e.name, e);
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * RFC 5464 §3.3 with ACL (RFC 4314): reading or writing any annotation of a mailbox, private or
 * shared, needs "l" plus one of "r", "s", "w", "i", "p". RFC 5464 grants no finer right: a user
 * who may see and use a mailbox may set its /shared entries too. For the actor's own mailboxes
 * every right is held. Server annotations need no right to read (§3.3: "Users can always
 * retrieve"); writing is this server's policy (metadataWritePolicy).
 */
export const METADATA_MAILBOX_RIGHTS = { all: ['l'], any: ['r', 's', 'w', 'i', 'p'] } as const;

/** What an access layer checks: RFC 4314 rights on the mailbox (every one of `all`, one of `any`). */
export interface MetadataRightsNeeded {
  readonly all: readonly string[];
  readonly any: readonly string[];
}

/**
 * The rights a METADATA operation on a mailbox entry needs, by operation and scope (RFC 5464
 * §3.3: the same for reading and writing, private and shared; GETMETADATA, LIST RETURN
 * (METADATA) and Sieve read, SETMETADATA writes). Server entries need none (see above).
 */
export const METADATA_RIGHTS: Readonly<Record<'read' | 'write', Readonly<Record<'private' | 'shared', MetadataRightsNeeded>>>> = {
  read: { private: METADATA_MAILBOX_RIGHTS, shared: METADATA_MAILBOX_RIGHTS },
  write: { private: METADATA_MAILBOX_RIGHTS, shared: METADATA_MAILBOX_RIGHTS },
};

/** Whether `rights` (RFC 4314 right letters held on a mailbox) allow `op` on entries of `scope`. */
export function mayAccessMailboxMetadata(rights: string, op: 'read' | 'write' = 'read', scope: 'private' | 'shared' = 'shared'): boolean {
  const need = METADATA_RIGHTS[op][scope];
  return need.all.every((r) => rights.includes(r)) && need.any.some((r) => rights.includes(r));
}

/**
 * Which server entries a client may write (RFC 5464 §3.3 "Servers MAY restrict the creation of
 * ... server annotations"): its own /private ones, yes; /shared ones are the operator's
 * (`facteur metadata`), and /shared/admin is read-only for everyone (§3.2.1.1, from config).
 */
export function clientMayWriteServerEntry(name: string): boolean {
  return isPrivateEntry(name);
}

/** The server entry the operator configures (--metadata-admin) and nobody can write. */
export const SERVER_ADMIN_ENTRY = '/shared/admin';

/** RFC 6154 §4: the mailbox's special-use attributes, computed (metadata-computed.ts), read-only here. */
export const MAILBOX_SPECIALUSE_ENTRY = '/private/specialuse';

/** Who writes: a client on a mailbox, a client on the server, or the operator on the server. */
export type MetadataWriter = 'mailbox' | 'server-client' | 'server-admin';

/**
 * Checks and canonicalises one SETMETADATA's writes before any storage work: valid names
 * (CANNOT), who may write which server entries (NOPERM for a client's /shared server entry,
 * CANNOT for the operator's /private or /shared/admin), value sizes (LIMIT). A name written
 * twice keeps its last value, as if the writes ran in order.
 */
export function prepareWrites(writes: readonly MetadataWrite[], writer: MetadataWriter): MetadataWrite[] {
  if (writes.length > METADATA_MAX_ENTRIES_PER_COMMAND) throw new StoreError('LIMIT', 'too many entries in one command');
  const out = new Map<string, MetadataWrite>();
  for (const w of writes) {
    const problem = entryNameProblem(w.name);
    if (problem !== null) throw new StoreError('CANNOT', `invalid entry name: ${problem}`);
    const name = canonicalEntryName(w.name);
    if (writer === 'server-client' && !clientMayWriteServerEntry(name)) {
      throw new StoreError('NOPERM', 'server /shared entries are set by the operator');
    }
    if (writer === 'mailbox' && name === MAILBOX_SPECIALUSE_ENTRY) {
      throw new StoreError('CANNOT', `${name} is read-only: special uses are set by CREATE (USE ...)`);
    }
    if (writer === 'server-admin' && (isPrivateEntry(name) || name === SERVER_ADMIN_ENTRY)) {
      throw new StoreError('CANNOT', `${name} cannot be set here`);
    }
    if (w.value !== null && w.value.length > METADATA_MAX_VALUE_BYTES) {
      throw new StoreError('LIMIT', `value larger than ${METADATA_MAX_VALUE_BYTES} octets`);
    }
    out.delete(name);
    out.set(name, { name, value: w.value });
  }
  return [...out.values()];
}

/**
 * The events announcing `changed` entry names (see invariants for the channels). `ownerId` is the
 * mailbox owner (null for the server), `writerId` the account whose /private entries they are.
 */
export function metadataEvents(ownerId: number | null, mailboxId: number | null, writerId: number, changed: readonly string[]): ChangeEvent[] {
  const priv = changed.filter(isPrivateEntry);
  const shared = changed.filter((n) => !isPrivateEntry(n));
  const events: ChangeEvent[] = [];
  if (priv.length > 0) events.push({ type: 'metadata', accountId: writerId, mailboxId, entries: priv });
  if (shared.length > 0) events.push({ type: 'metadata', accountId: ownerId ?? SERVER_CHANNEL, mailboxId, entries: shared });
  return events;
}
