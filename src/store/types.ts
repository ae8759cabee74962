/**
 * The storage domain API: what every backend (SQLite now, PostgreSQL later) provides.
 *
 * Invariants:
 * - Storage speaks UIDs and internal ids only; sequence numbers belong to the IMAP session.
 * - Every operation on mail names the acting account (`actor`), so access rules (ACL, quotas)
 *   can be enforced here, in one place.
 * - Every method is asynchronous so a network database fits behind the same interface.
 * - A promise that resolves for a write means the write is durable (blob fsynced, metadata
 *   committed) and its change event has been published on the ChangeBus.
 * - Errors are StoreError with a stable code (errors.ts); never protocol text.
 */

import type { MetadataDepth, MetadataEntry, MetadataWrite } from './metadata.js';
export type { MetadataDepth, MetadataEntry, MetadataWrite } from './metadata.js';

export type Uid = number & { readonly __brand: 'Uid' };
export type ModSeq = number & { readonly __brand: 'ModSeq' };
export const asUid = (n: number): Uid => n as Uid;
export const asModSeq = (n: number): ModSeq => n as ModSeq;

/** The account on whose behalf an operation runs. */
export interface Actor {
  readonly accountId: number;
  readonly name: string;
}

export interface AccountRecord {
  id: number;
  name: string;
  /** Encoded password hash, "{SCHEME}..." (see src/auth/passwords.ts). */
  passwordHash: string;
  createdAt: number;
}

/** RFC 6154 special-use attributes a mailbox can carry. */
export type SpecialUse = '\\All' | '\\Archive' | '\\Drafts' | '\\Flagged' | '\\Junk' | '\\Sent' | '\\Trash';

export interface Mailbox {
  id: number;
  accountId: number;
  /** Full hierarchical name, "/" separated, Unicode. INBOX is always spelled "INBOX". */
  name: string;
  uidValidity: number;
  /** Next UID to be assigned; never decreases, never reused (also after expunging the highest). */
  uidNext: Uid;
  /** Highest modseq of any change in this mailbox (append, flag change, expunge). */
  highestModSeq: ModSeq;
  specialUse: SpecialUse | null;
  /**
   * MAILBOXID (RFC 8474 §4): objectid, never reused, never shared with another mailbox. Kept by
   * RENAME (same row); a new mailbox (also the one RENAME INBOX creates) gets a fresh one.
   */
  objectId: string;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  deleted: number;
  /** Sum of RFC822.SIZE of all messages (STATUS SIZE, RFC 8438). */
  size: number;
  /** Sum of RFC822.SIZE of the \\Deleted messages (STATUS DELETED-STORAGE, RFC 9208 §4.1.4). */
  deletedSize: number;
  /** Messages with UID >= the mailbox's recent floor (see claimRecent). */
  recent: number;
}

export interface MessageRow {
  uid: Uid;
  modseq: ModSeq;
  flags: readonly string[];
  /** INTERNALDATE, milliseconds since the epoch. */
  internalDate: number;
  /** RFC822.SIZE in octets. */
  size: number;
  /** Opaque blob id for readBlob / readMeta. */
  blobId: string;
  /**
   * Save date (RFC 8514 §3), milliseconds since the epoch: when the message was saved in this
   * mailbox (append, copy, move). A copy or move gets the time of that operation, never the
   * source's; nothing else changes it.
   */
  savedAt: number;
  /**
   * EMAILID (RFC 8474 §5.1): objectid of the immutable content; a COPY/MOVE copy (and the rows
   * RENAME INBOX moves) keep the source's, every APPEND/REPLACE gets a new one.
   */
  emailId: string;
  /**
   * THREADID (RFC 8474 §5.2): objectid of the message's thread within its account, assigned at
   * append from `NewMessage.threading` and never changed; copies keep it.
   */
  threadId: string;
}

/**
 * The Message IDs a new message is threaded by (normalized, see mime/message-id.ts): its own
 * Message-ID and those it refers to (References, else In-Reply-To), oldest first.
 */
export interface MessageThreading {
  messageId: string | null;
  references: readonly string[];
  /** Comparison key of the base subject (RFC 5256 §2.1); "" when there is none. */
  subject: string;
}

export interface NewMessage {
  /** The raw message, exactly as the client sent it. */
  content: Buffer;
  /** System flags and keywords, as the client spelled them (\Recent is never stored). */
  flags: readonly string[];
  internalDate: number;
  /** Opaque text derived from the content (the cached MIME structure); stored with the blob. */
  meta: string;
  /**
   * Threading keys (RFC 8474 §5.2, JMAP-like RFC 8621 §3): the message joins the account's
   * thread that already holds one of these Message IDs and has the same base subject, else
   * starts a new one. Absent: a new thread of its own.
   */
  threading?: MessageThreading;
}

export interface AppendResult {
  uidValidity: number;
  uids: Uid[];
  modseq: ModSeq;
}

/** What replace (RFC 8508) did: the new message in the destination; the source UID is gone. */
export interface ReplaceResult {
  uidValidity: number;
  uid: Uid;
  /** The new message's modseq (in the destination mailbox). */
  modseq: ModSeq;
}

export interface CopyResult {
  uidValidity: number;
  /** Pairs in source UID order: sourceUids[i] was copied to destUids[i]. */
  sourceUids: Uid[];
  destUids: Uid[];
}

export type FlagOperation = 'set' | 'add' | 'remove';

export interface FlagUpdate {
  uid: Uid;
  modseq: ModSeq;
  flags: readonly string[];
}

export interface StoreFlagsResult {
  /** Messages whose flags actually changed, with their new modseq. */
  updated: FlagUpdate[];
  /**
   * UIDs not changed because their modseq was above unchangedSince (RFC 7162 §3.1.3). For 'add'
   * and 'remove', a message whose flags already have the requested state is not listed (§3.1.12:
   * no spurious MODIFIED); it is not changed either.
   */
  modified: Uid[];
}

/** One message whose private \Seen (a seen mark) a storeSeenMarks call changed. */
export interface SeenMarkUpdate {
  uid: Uid;
  /** The message's new modseq (the change is a change of the message, RFC 7162 §3.1.4). */
  modseq: ModSeq;
  /** Whether the reader has seen the message now. */
  seen: boolean;
}

/** What storeSeenMarks did, as StoreFlagsResult says it for flags. */
export interface SeenMarksResult {
  updated: SeenMarkUpdate[];
  /** UIDs not changed because their modseq was above unchangedSince (RFC 7162 §3.1.3). */
  modified: Uid[];
}

export interface MailboxChanges {
  highestModSeq: ModSeq;
  uidNext: Uid;
  /** Present messages whose modseq is above `since` (new ones and flag changes), UID order. */
  changed: MessageRow[];
  /** UIDs expunged with a modseq above `since`, ascending (only those still remembered). */
  expunged: Uid[];
  /**
   * Whether `expunged` is every UID expunged above `since`: false when the expunge-history
   * horizon (pruneExpungeHistory) already dropped history above `since`. The caller must then
   * treat any UID it knows that is not present now as expunged (RFC 7162 §3.2.5.2, §3.2.6).
   */
  expungedComplete: boolean;
}

/** A stored Sieve script (RFC 5804 §1.7: a user has any number, at most one active). */
export interface SieveScriptInfo {
  name: string;
  active: boolean;
  /** Size of the source in octets (UTF-8). */
  size: number;
  updatedAt: number;
}

/** A quota resource (RFC 9208 §5): STORAGE, MESSAGE, MAILBOX. */
export type QuotaResource = 'storage' | 'messages' | 'mailboxes';

/**
 * An account's usage, kept by the backend in the same transaction as every insert and delete of
 * a message or mailbox (so reading it is cheap and never stale): `storage` in octets (the sum of
 * RFC822.SIZE over all the account's messages), `messages` and `mailboxes` counted.
 */
export type QuotaUsage = Record<QuotaResource, number>;

/**
 * A stored per-account limit: null = the operator's default (config), 'unlimited', or a number
 * (storage in units of 1024 octets, RFC 9208 §5.1; messages and mailboxes counted).
 */
export type QuotaSetting = number | 'unlimited' | null;
export type QuotaSettings = Record<QuotaResource, QuotaSetting>;

/**
 * The quota layer's last word on an append (RFC 9208): a backend that is given one calls it inside
 * the append's write transaction, once the writers of the account are serialised (SQLite: the
 * database write lock; PostgreSQL: the account row lock) and before anything is inserted, with
 * the account's committed usage. Throwing (StoreError OVERQUOTA) aborts the append, so
 * concurrent appends from several processes or nodes cannot together pass a limit.
 */
export type UsageGuard = (usage: QuotaUsage) => void;

export interface AccountQuota {
  accountId: number;
  account: string;
  usage: QuotaUsage;
  settings: QuotaSettings;
}

/** One resource of a quota root as RFC 9208 §4.2.1 reports it (storage in 1024-octet units). */
export interface QuotaResourceReport {
  resource: QuotaResource;
  usage: number;
  limit: number;
}

/** A quota root with its limited resources (RFC 9208 §4.2.1; unlimited resources are omitted). */
export interface QuotaRootReport {
  root: string;
  resources: QuotaResourceReport[];
}

/** One ACL entry (RFC 4314 §2): an identifier ("alice", "anyone", "-bob") and its stored rights. */
export interface AclEntry {
  identifier: string;
  /** Real rights only, in the canonical order of store/access/rights.ts (never "c"/"d"). */
  rights: string;
}

/** How SETACL changes an entry (RFC 4314 §3.1: rights alone, "+rights" or "-rights"). */
export type AclChangeMode = 'set' | 'add' | 'remove';

/** An ACL entry found by identifier, with the mailbox it is on and that mailbox's owner. */
export interface AclGrant extends AclEntry {
  mailboxId: number;
  /** The owner's account id and name, and the mailbox's name in the owner's namespace. */
  accountId: number;
  owner: string;
  mailboxName: string;
}

/** Options of append. */
export interface AppendOptions {
  /**
   * The message is delivered (LMTP, `facteur deliver`, Sieve fileinto), not APPENDed: into a
   * mailbox of another account the right checked is "p" (post, RFC 4314 §2.1), not "i".
   */
  readonly post?: boolean;
  /** The quota layer's check inside the append's write transaction (see UsageGuard). */
  readonly guard?: UsageGuard;
}

/** What a delivery mark tracks: RFC 7352 duplicate ids, RFC 5230 §4.2 vacation responses. */
export type DeliveryMarkScope = 'duplicate' | 'vacation';

export interface MailStore {
  // --- accounts (administrative; no actor) ---
  /** Creates the account with INBOX and special-use Drafts, Sent, Trash, Junk, Archive. ALREADYEXISTS. */
  createAccount(name: string, passwordHash: string): Promise<AccountRecord>;
  /** Bulk form for imports: one transaction; existing names are skipped and reported. */
  createAccounts(entries: ReadonlyArray<{ name: string; passwordHash: string }>): Promise<{ created: number; skipped: string[] }>;
  getAccount(name: string): Promise<AccountRecord | null>;
  listAccounts(): Promise<AccountRecord[]>;
  /** NONEXISTENT if no such account. */
  setPasswordHash(name: string, passwordHash: string): Promise<void>;
  /** Removes the account, its mailboxes and messages (blobs collected). NONEXISTENT. */
  deleteAccount(name: string): Promise<void>;

  // --- mailboxes ---
  listMailboxes(actor: Actor): Promise<Mailbox[]>;
  /** INBOX matches case-insensitively; other names exactly. */
  getMailbox(actor: Actor, name: string): Promise<Mailbox | null>;
  /** Creates missing superiors too (RFC 9051 §6.3.4). ALREADYEXISTS, CANNOT (invalid name). */
  createMailbox(actor: Actor, name: string, specialUse?: SpecialUse | null): Promise<Mailbox>;
  /** NONEXISTENT; CANNOT for INBOX; HASCHILDREN when inferiors exist. */
  deleteMailbox(actor: Actor, name: string): Promise<void>;
  /**
   * Renames with all inferiors (RFC 9051 §6.3.6), creating missing superiors of the new name.
   * Renaming INBOX moves its messages to the new mailbox and leaves INBOX empty.
   * NONEXISTENT, ALREADYEXISTS, CANNOT.
   */
  renameMailbox(actor: Actor, oldName: string, newName: string): Promise<void>;
  /** Subscriptions may name mailboxes that do not exist (RFC 9051 §6.3.7). */
  setSubscribed(actor: Actor, name: string, subscribed: boolean): Promise<void>;
  listSubscriptions(actor: Actor): Promise<string[]>;
  counts(actor: Actor, mailboxId: number): Promise<MailboxCounts>;
  /**
   * Atomically hands the \Recent messages to one session (RFC 3501 §2.3.2): returns the previous
   * recent floor and moves it to uidNext. UIDs in [returned, uidNext) are recent for the caller.
   */
  claimRecent(actor: Actor, mailboxId: number): Promise<{ from: Uid; to: Uid }>;

  // --- messages (UIDs only) ---
  /** Appends atomically (all or none). TRYCREATE (NONEXISTENT with tryCreate) if no such mailbox. */
  append(actor: Actor, mailboxName: string, messages: readonly NewMessage[], options?: AppendOptions): Promise<AppendResult>;
  /** All messages of the mailbox, ascending UID. */
  listMessages(actor: Actor, mailboxId: number): Promise<MessageRow[]>;
  /** The given UIDs that still exist, ascending UID. */
  getMessages(actor: Actor, mailboxId: number, uids: readonly Uid[]): Promise<MessageRow[]>;
  changesSince(actor: Actor, mailboxId: number, since: ModSeq): Promise<MailboxChanges>;
  storeFlags(
    actor: Actor,
    mailboxId: number,
    uids: readonly Uid[],
    op: FlagOperation,
    flags: readonly string[],
    unchangedSince?: ModSeq,
  ): Promise<StoreFlagsResult>;
  /** Shares blobs, never copies bytes. Flags are copied (RFC 9051 §6.4.7). TRYCREATE. */
  copy(actor: Actor, sourceMailboxId: number, uids: readonly Uid[], destName: string): Promise<CopyResult>;
  /** Atomic copy + expunge from the source (RFC 6851). TRYCREATE. */
  move(actor: Actor, sourceMailboxId: number, uids: readonly Uid[], destName: string): Promise<CopyResult>;
  /**
   * REPLACE (RFC 8508 §3.4): appends `message` to `destName` and expunges `uid` from the source
   * (no \Deleted needed) in ONE transaction: both happen or neither. TRYCREATE when the
   * destination is missing, NONEXISTENT when the source message no longer exists; either way
   * nothing changed. When destination and source are the same mailbox, one modseq covers both.
   */
  replace(actor: Actor, sourceMailboxId: number, uid: Uid, destName: string, message: NewMessage): Promise<ReplaceResult>;
  // --- private \Seen (seen marks, docs/decisions/0019): a grantee's \Seen on another account's
  // messages. Called by the access layer with the mailbox OWNER as actor (NONEXISTENT when the
  // mailbox is not the actor's) and the reader's account id; marks go with the message, the
  // mailbox or the reader's account. ---
  /** The UIDs of the mailbox's messages `reader` has seen (only among `uids` when given), ascending. */
  seenMarks(actor: Actor, mailboxId: number, reader: number, uids?: readonly Uid[]): Promise<Uid[]>;
  /**
   * Marks (seen true) or unmarks `uids` as seen by `reader`, in ONE transaction that gives each
   * message whose mark changed the mailbox's next modseq (as storeFlags does) and publishes the
   * same 'mailbox' event. With unchangedSince, a message whose modseq is above it is left alone
   * and listed in `modified` (RFC 7162 §3.1.3): always when `replace` (STORE FLAGS) or
   * unchangedSince is 0, else only when its mark would have changed (§3.1.12). UIDs that do not
   * exist are ignored.
   */
  storeSeenMarks(
    actor: Actor,
    mailboxId: number,
    reader: number,
    uids: readonly Uid[],
    seen: boolean,
    options?: { unchangedSince?: ModSeq; replace?: boolean },
  ): Promise<SeenMarksResult>;
  /** How many of the mailbox's messages `reader` has seen (STATUS UNSEEN of a grantee). */
  countSeenMarks(actor: Actor, mailboxId: number, reader: number): Promise<number>;
  /** Removes messages flagged \Deleted (only among `uids` when given). Returns expunged UIDs. */
  expunge(actor: Actor, mailboxId: number, uids?: readonly Uid[]): Promise<Uid[]>;

  // --- content ---
  /** The raw message bytes (optionally the range [start, end)). */
  readBlob(actor: Actor, blobId: string, start?: number, end?: number): Promise<Buffer>;
  /** The meta text stored at append for each blob id. */
  readMeta(actor: Actor, blobIds: readonly string[]): Promise<Map<string, string>>;

  // --- Sieve scripts (RFC 5804 storage; names compared exactly) ---
  /** The actor's scripts, ordered by name. */
  listSieveScripts(actor: Actor): Promise<SieveScriptInfo[]>;
  /** The script's source, or null when there is no such script. */
  getSieveScript(actor: Actor, name: string): Promise<string | null>;
  /**
   * Creates or replaces the script; replacing keeps its active mark. With `maxScripts`, a new
   * name is refused with OVERQUOTA (nothing written) when the account already has that many
   * scripts: checked in the write's own transaction, so sessions on other processes or nodes
   * writing at once cannot overshoot it (RFC 5804 §1.5 MAXSCRIPTS).
   */
  putSieveScript(actor: Actor, name: string, source: string, maxScripts?: number): Promise<void>;
  /** NONEXISTENT; INUSE when the script is the active one (RFC 5804 §2.10). */
  deleteSieveScript(actor: Actor, name: string): Promise<void>;
  /** Keeps the active mark. NONEXISTENT, ALREADYEXISTS (RFC 5804 §2.11.1). */
  renameSieveScript(actor: Actor, oldName: string, newName: string): Promise<void>;
  /** Makes `name` the only active script; null deactivates all (RFC 5804 §2.8). NONEXISTENT. */
  setActiveSieveScript(actor: Actor, name: string | null): Promise<void>;
  getActiveSieveScript(actor: Actor): Promise<{ name: string; source: string } | null>;

  // --- delivery marks (Sieve duplicate and vacation tracking) ---
  /** Whether `key` is recorded in `scope` with an expiry after `now` (ms since the epoch). */
  hasDeliveryMark(actor: Actor, scope: DeliveryMarkScope, key: string, now: number): Promise<boolean>;
  /** Records `key` (or moves its expiry) until `expiresAt`; marks expired before now are pruned. */
  putDeliveryMark(actor: Actor, scope: DeliveryMarkScope, key: string, expiresAt: number): Promise<void>;

  // --- URLAUTH mailbox access keys (RFC 4467 §2.2) ---
  /**
   * The mailbox's access key (at least 128 random bits). With `create`, a missing key is generated
   * and stored first (RFC 4467 §7 GENURLAUTH: "one is automatically generated"); without, a
   * missing key is null. NONEXISTENT when the mailbox is not the actor's.
   */
  urlAuthKey(actor: Actor, mailboxId: number, create: boolean): Promise<Buffer | null>;
  /**
   * RESETKEY (RFC 4467 §7): with a mailbox id, replaces that mailbox's key with a new one; with
   * null, removes every key of the actor's mailboxes. Either way, URLs authorised with the old
   * keys no longer validate. NONEXISTENT when the mailbox is not the actor's.
   */
  resetUrlAuthKeys(actor: Actor, mailboxId: number | null): Promise<void>;

  // --- access control (RFC 4314) ---
  // Backends keep the ACL rows and trust the actor like everywhere else (the actor is the
  // mailbox's owner); rights are checked and the shared namespaces resolved by the domain's
  // access layer (store/access/), which is what every protocol sees.
  /** The ACL of the actor's mailbox `name`, ordered by identifier. NONEXISTENT; NOPERM without "a". */
  getAcl(actor: Actor, name: string): Promise<AclEntry[]>;
  /**
   * Changes one identifier's entry in one transaction (RFC 4314 §3.1 SETACL): `mode` 'set'
   * replaces its rights with `rights`, 'add' and 'remove' apply `rights` to what is stored at
   * that moment (so concurrent "+"/"-" changes never lose each other); null (or a result of "")
   * removes the entry. Resolves to the entry's rights afterwards ("" when none).
   * NONEXISTENT; NOPERM without "a".
   */
  setAcl(actor: Actor, name: string, identifier: string, rights: string | null, mode?: AclChangeMode): Promise<string>;
  /** The actor's rights on `name` (real rights, canonical order; the owner has them all). NONEXISTENT. */
  myRights(actor: Actor, name: string): Promise<string>;
  /** Administrative: a mailbox by id with its owner's name, or null. */
  mailboxById(mailboxId: number): Promise<{ mailbox: Mailbox; owner: string } | null>;
  /** Administrative: the ACL of a mailbox by id ([] when it has none or does not exist). */
  mailboxAcl(mailboxId: number): Promise<AclEntry[]>;
  /** Administrative: every ACL entry naming one of `identifiers`, on any account's mailbox. */
  aclGrants(identifiers: readonly string[]): Promise<AclGrant[]>;
  // --- METADATA (RFC 5464; entry names and limits in store/metadata.ts) ---
  /**
   * The entries of a mailbox (`mailboxName`, the actor's) or of the server (null) the actor may
   * see: its own /private entries and the /shared ones. `entries` are canonical (lower-case)
   * names or prefixes, selected with `depth` as selectEntries does (RFC 5464 §4.2.2); result in
   * name order. NONEXISTENT when the mailbox does not exist. `privateFor` (an account id; default
   * the actor) is whose /private entries are read: the access layer calls with the mailbox OWNER
   * as actor and the acting user here, since a grantee's private entries are its own (RFC 5464 §3.3).
   */
  getMetadata(actor: Actor, mailboxName: string | null, entries: readonly string[], depth: MetadataDepth, privateFor?: number): Promise<MetadataEntry[]>;
  /**
   * Sets or removes (value null) entries in one transaction: all or none (RFC 5464 §4.3). Names
   * must be valid (entryNameProblem, else CANNOT); /private entries are the actor's. Mailbox
   * entries live and die with the mailbox row (kept by RENAME, copied by RENAME INBOX, §4.1).
   * NONEXISTENT for a missing mailbox; NOPERM for a server /shared entry (the operator's, see
   * setServerMetadata); LIMIT when a value exceeds METADATA_MAX_VALUE_BYTES or a new entry would
   * pass an entry-count limit. Publishes a 'metadata' event when something changed: /private
   * entries on `privateFor`'s channel (default the actor, whose entries they are), /shared ones
   * on the mailbox owner's (the actor) or SERVER_CHANNEL.
   */
  setMetadata(actor: Actor, mailboxName: string | null, writes: readonly MetadataWrite[], privateFor?: number): Promise<void>;
  /**
   * Administrative (`facteur metadata`): sets or removes /shared server entries, which clients
   * cannot write. CANNOT for /private names, /shared/admin (from configuration) or invalid ones.
   */
  setServerMetadata(writes: readonly MetadataWrite[]): Promise<void>;
  // --- quotas (RFC 9208; administrative, no actor) ---
  /** The account's usage and stored settings. NONEXISTENT. */
  getAccountQuota(name: string): Promise<AccountQuota>;
  /** Every account's usage and settings, ordered by name. */
  listAccountQuotas(): Promise<AccountQuota[]>;
  /** Replaces the settings of the resources given (the others are kept). NONEXISTENT. */
  setAccountQuota(name: string, settings: Partial<QuotaSettings>): Promise<void>;

  // --- quota roots (RFC 9208 §4.1; one root per account, named after the account) ---
  /** The roots of a mailbox (which need not exist, §4.1.2) with usage and limits. */
  getQuotaRoots(actor: Actor, mailboxName: string): Promise<QuotaRootReport[]>;
  /** NONEXISTENT when the actor may not see that root. */
  getQuotaRoot(actor: Actor, root: string): Promise<QuotaRootReport>;
  /**
   * SETQUOTA (§4.1.3): the root's limits become exactly `limits` (resources not listed become
   * unlimited). NOPERM unless the actor is a quota administrator; NONEXISTENT for no such root.
   */
  setQuotaRoot(actor: Actor, root: string, limits: ReadonlyArray<{ resource: QuotaResource; limit: number }>): Promise<QuotaRootReport>;

  // --- maintenance (administrative; no actor) ---
  /**
   * Expunge-history horizon: deletes every account's expunge records made before `olderThan`
   * (ms since the epoch) and raises each affected mailbox's floor to the highest modseq
   * removed, so later changesSince calls with `since` below it report expungedComplete false.
   * Returns how many records were removed.
   */
  pruneExpungeHistory(olderThan: number): Promise<number>;

  /** Flushes and closes the database; no call may follow. */
  close(): Promise<void>;
}

/** Change events: hints that something changed; the modseq log (changesSince) is the truth. */
export type ChangeEvent =
  | { type: 'mailbox'; accountId: number; mailboxId: number; highestModSeq: ModSeq }
  | { type: 'mailboxes'; accountId: number }
  /**
   * URLAUTH keys were reset (RFC 4467 §7 RESETKEY): one mailbox's, or all (null). Sessions with
   * that mailbox selected announce URLMECH. Published in this process only (not in the change
   * feed shared by processes on one data directory).
   */
  | { type: 'urlauth-keys'; accountId: number; mailboxId: number | null }
  /**
   * METADATA entries (RFC 5464) changed: of a mailbox (mailboxId, published on the mailbox
   * owner's account), or of the server (mailboxId null, published on SERVER_CHANNEL so every
   * session that subscribes to it hears it). `entries` are the entry names written or removed.
   * /private entries are the exception: they are announced on their owner's own account only
   * (mailbox or server), since nobody else may learn their names (store/metadata.ts).
   * NOTIFY turns these into MailboxMetadataChange / ServerMetadataChange (RFC 5465 §5.7, §5.8).
   */
  | { type: 'metadata'; accountId: number; mailboxId: number | null; entries: readonly string[] };

/**
 * The ChangeBus "account" that carries server-wide events (server METADATA). No account has id 0
 * (ids start at 1 in both backends), so it never mixes with an account's own events.
 */
export const SERVER_CHANNEL = 0;

export interface ChangeBus {
  publish(event: ChangeEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(accountId: number, listener: (event: ChangeEvent) => void): () => void;
  /**
   * Cross-process buses only: resolves once the events published here so far have been handed
   * to the other processes (a store awaits it before a write resolves, so a client told OK knows
   * the other nodes can hear of it). Bounded; absent on the in-process bus.
   */
  flush?(): Promise<void>;
  /**
   * Cross-process buses only: resolves once every event another process had handed over before
   * the call has been delivered to this process's listeners (a barrier for NOOP, the client's
   * poll: RFC 9051 §6.1.2). Bounded; absent on the in-process bus.
   */
  sync?(): Promise<void>;
}
