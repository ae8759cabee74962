/**
 * The parsed form of every IMAP command (RFC 9051 §6, RFC 3501 §6 and the extensions Facteur
 * implements). Produced by parser.ts from one complete command (line plus literals); consumed by
 * the session and command handlers. Pure data, no I/O.
 *
 * Invariants:
 * - Mailbox names are already decoded: modified UTF-7 (RFC 3501 §5.1.3) or UTF-8 (when the
 *   session enabled UTF8=ACCEPT) becomes a JS string; "INBOX" in any case becomes "INBOX".
 * - Sequence sets keep the client's form ("*" and "$" unresolved); the session resolves them
 *   against its own view, because only the session knows sequence numbers.
 * - `uid` is true for the UID-prefixed forms (UID FETCH, UID SEARCH ...).
 */

/** One element of a sequence set: a number, "*" (largest), or a range of those. */
export type SeqNumber = number | '*';
export interface SeqRange {
  start: SeqNumber;
  end: SeqNumber;
}
/** A sequence-set (RFC 9051 §9 "sequence-set"); "$" is the saved search result (RFC 5182). */
export type SequenceSet = { kind: 'set'; ranges: SeqRange[] } | { kind: 'saved' };

export type FetchSectionPart = number[]; // e.g. [1, 2] for "1.2"; [] for the whole message

export interface FetchSection {
  /** Part number path; empty for the top-level message. */
  part: FetchSectionPart;
  /** Section text specifier, absent for the part's content. */
  text?: 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';
  /** Field names for HEADER.FIELDS(.NOT), as sent (compare case-insensitively). */
  fields?: string[];
}

export interface FetchPartial {
  offset: number;
  /** Maximum octets to return. */
  length: number;
}

export type FetchAttribute =
  | { kind: 'ENVELOPE' }
  | { kind: 'FLAGS' }
  | { kind: 'INTERNALDATE' }
  | { kind: 'RFC822.SIZE' }
  | { kind: 'RFC822' } // = BODY[] (sets \Seen)
  | { kind: 'RFC822.HEADER' } // = BODY.PEEK[HEADER], reply named RFC822.HEADER
  | { kind: 'RFC822.TEXT' } // = BODY[TEXT] (sets \Seen), reply named RFC822.TEXT
  | { kind: 'BODY' } // non-extensible BODYSTRUCTURE
  | { kind: 'BODYSTRUCTURE' }
  | { kind: 'UID' }
  | { kind: 'MODSEQ' }
  | { kind: 'BODY[]'; peek: boolean; section: FetchSection; partial?: FetchPartial }
  | { kind: 'BINARY[]'; peek: boolean; part: FetchSectionPart; partial?: FetchPartial }
  | { kind: 'BINARY.SIZE'; part: FetchSectionPart }
  | { kind: 'SAVEDATE' } // RFC 8514 §4.2
  | { kind: 'PREVIEW'; lazy: boolean } // RFC 8970 §3, LAZY §4.1
  | { kind: 'EMAILID' | 'THREADID' }; // RFC 8474 §5.3

export type SearchKey =
  | { op: 'ALL' | 'ANSWERED' | 'DELETED' | 'DRAFT' | 'FLAGGED' | 'NEW' | 'OLD' | 'RECENT' | 'SEEN' }
  | { op: 'UNANSWERED' | 'UNDELETED' | 'UNDRAFT' | 'UNFLAGGED' | 'UNSEEN' }
  | { op: 'KEYWORD' | 'UNKEYWORD'; flag: string }
  | { op: 'BCC' | 'BODY' | 'CC' | 'FROM' | 'SUBJECT' | 'TEXT' | 'TO'; value: string }
  | { op: 'HEADER'; field: string; value: string }
  | { op: 'BEFORE' | 'ON' | 'SINCE' | 'SENTBEFORE' | 'SENTON' | 'SENTSINCE'; date: SearchDate }
  | { op: 'LARGER' | 'SMALLER'; size: number }
  | { op: 'UID'; set: SequenceSet }
  | { op: 'SEQ'; set: SequenceSet }
  | { op: 'NOT'; key: SearchKey }
  | { op: 'OR'; a: SearchKey; b: SearchKey }
  | { op: 'AND'; keys: SearchKey[] } // parenthesized list or the implicit top-level conjunction
  | { op: 'MODSEQ'; modseq: number }
  | { op: 'OLDER' | 'YOUNGER'; seconds: number } // RFC 5032 WITHIN
  | { op: 'SAVEDBEFORE' | 'SAVEDON' | 'SAVEDSINCE'; date: SearchDate } // RFC 8514 §4.3
  | { op: 'SAVEDATESUPPORTED' } // RFC 8514 §4.3
  | { op: 'EMAILID' | 'THREADID'; id: string } // RFC 8474 §6
  | { op: 'UIDAFTER' | 'UIDBEFORE'; uid: number }; // RFC 9738 §3.2

/** A calendar date (RFC 9051 "date"): compared without time of day or zone. */
export interface SearchDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE' | 'PARTIAL' | 'UPDATE';

/**
 * A PARTIAL range (RFC 9394 §4 partial-range, RFC 5267 §4.4): result positions `low`..`high`
 * (1-based, low <= high) counted from the first result, or from the last one when `fromEnd`
 * ("-1:-100" is the last hundred results).
 */
export interface PartialRange {
  low: number;
  high: number;
  fromEnd: boolean;
}

export interface SearchCommand {
  /** null when no CHARSET was given (US-ASCII / UTF-8 per RFC 9051 §6.4.4). */
  charset: string | null;
  /** null: classic SEARCH reply; array (possibly empty): ESEARCH reply (RFC 4731). */
  returnOptions: SearchReturnOption[] | null;
  /** The range of RETURN (PARTIAL ...) when 'PARTIAL' is among returnOptions (RFC 9394 §3.1). */
  partial?: PartialRange;
  /** RETURN (UPDATE (fetch-att ...)): attributes FETCHed for new results (RFC 5465 §7). */
  updateFetch?: FetchAttribute[];
  criteria: SearchKey; // always an AND at the top
}

/** SORT keys (RFC 5256 §3, RFC 5957 §4 DISPLAYFROM/DISPLAYTO). */
export type SortKeyName = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';

/** One sort-key, with REVERSE applying to it alone (RFC 5256 §3). */
export interface SortCriterion {
  key: SortKeyName;
  reverse: boolean;
}

export interface SortCommand {
  /** Non-empty, in priority order. */
  criteria: SortCriterion[];
  /** Mandatory for SORT (RFC 5256 §3 search-criteria = charset 1*(SP search-key)). */
  charset: string;
  search: SearchKey; // always an AND at the top
  /**
   * ESORT return options (RFC 5267 §3.1), present only when RETURN was given: the reply is then
   * an ESEARCH response. "RETURN ()" gives ['ALL'] (RFC 5267 §3.3).
   */
  returnOptions?: SearchReturnOption[];
  /** The range of RETURN (PARTIAL ...) (RFC 5267 §4.4, RFC 9394 §3.1). */
  partial?: PartialRange;
  /** RETURN (UPDATE (fetch-att ...)) (RFC 5465 §7). */
  updateFetch?: FetchAttribute[];
}

/** THREAD algorithms (RFC 5256 §3); an unknown one is a parse error (BAD). */
export type ThreadAlgorithm = 'ORDEREDSUBJECT' | 'REFERENCES' | 'REFS';

export interface ThreadCommand {
  algorithm: ThreadAlgorithm;
  charset: string;
  search: SearchKey; // always an AND at the top
}

/**
 * One RFC 7377 §2.2 source option (RFC 5465 §6 filter-mailboxes, plus subtree-one). Names are
 * decoded mailbox names; "selected-delayed" is refused by the parser.
 */
export type EsearchSource =
  | { kind: 'selected' | 'personal' | 'inboxes' | 'subscribed' }
  | { kind: 'subtree' | 'subtree-one' | 'mailboxes'; names: string[] };

export type StatusItem =
  | 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE' | 'HIGHESTMODSEQ' | 'MAILBOXID'
  | 'DELETED-STORAGE'; // RFC 9208 §4.1.4

export interface ListCommand {
  /** LIST-EXTENDED selection options (RFC 5258 §3.1), upper-cased. */
  selection: Array<'SUBSCRIBED' | 'REMOTE' | 'RECURSIVEMATCH' | 'SPECIAL-USE'>;
  reference: string;
  /** One or more patterns (RFC 5258 allows a parenthesized list). */
  patterns: string[];
  /** Return options (RFC 5258 §3.2, RFC 5819, RFC 6154; `metadata`: RFC 9590 entry names as sent). */
  returnOptions: { subscribed: boolean; children: boolean; specialUse: boolean; status: StatusItem[] | null; myRights?: boolean; metadata?: string[] | null };
  /** true when the client used any LIST-EXTENDED syntax (affects reply form). */
  extended: boolean;
}

export interface AppendMessage {
  flags: string[];
  /** INTERNALDATE from date-time, ms since epoch, or null for "now". */
  internalDate: number | null;
  content: Buffer;
  /** true when sent as literal8 (~{n}, RFC 3516). */
  binary: boolean;
  /**
   * true when sent as RFC 6855 §4 `"UTF8" SP "(" literal8 ")"` (directly or as a CATENATE part);
   * the handler accepts it only after ENABLE UTF8=ACCEPT.
   */
  utf8?: boolean;
  /**
   * RFC 4469 CATENATE parts, in order; when present `content` is empty and the message is
   * assembled by the APPEND handler (TEXT literals and IMAP URLs).
   */
  catenate?: CatenatePart[];
}

/** One RFC 4469 §5 cat-part: "TEXT" SP literal / "URL" SP astring (/ RFC 6855 §4 utf8-literal, `utf8`). */
export type CatenatePart = { kind: 'TEXT'; data: Buffer; utf8?: boolean } | { kind: 'URL'; url: string };

export type StoreAction = { op: 'set' | 'add' | 'remove'; silent: boolean; flags: string[] };

/**
 * The QRESYNC select-param (RFC 7162 §3.2.5): last known UIDVALIDITY and mod-sequence, the
 * optional known UIDs and the optional message sequence match data (§3.2.5.2). The sets never
 * contain "*" or "$" (the parser rejects them).
 */
export interface QresyncSelectParams {
  uidValidity: number;
  modseq: number;
  knownUids?: SequenceSet;
  seqMatch?: { seqs: SequenceSet; uids: SequenceSet };
}

/** RFC 5524 §3.1 url-fetch-param. */
export type UrlFetchParam = 'BODY' | 'BINARY' | 'BODYPARTSTRUCTURE';

/** One URLFETCH argument (RFC 4467 §9 url-full; RFC 5524 §5 url-fetch-ext when `extended`). */
export interface UrlFetchArg {
  /** The URL exactly as sent (it is echoed in the reply and authorised byte for byte). */
  url: string;
  /** Sent as "(" url-full *(SP param) ")" with at least one parameter (RFC 5524 §3.1). */
  extended: boolean;
  /** Each at most once; never both BODY and BINARY (RFC 5524 §3.1). */
  params: UrlFetchParam[];
}

/** RFC 5465 §8 filter-mailboxes; names are decoded mailbox names (INBOX normalised). */
export type NotifyFilter =
  | { kind: 'SELECTED' | 'SELECTED-DELAYED' | 'INBOXES' | 'PERSONAL' | 'SUBSCRIBED' }
  | { kind: 'SUBTREE' | 'MAILBOXES'; names: string[] };

/** The event names of RFC 5465 §8 (event-name), canonically cased. */
export type NotifyEventName =
  | 'MessageNew'
  | 'MessageExpunge'
  | 'FlagChange'
  | 'AnnotationChange'
  | 'MailboxName'
  | 'SubscriptionChange'
  | 'MailboxMetadataChange'
  | 'ServerMetadataChange';

export interface NotifyEventGroup {
  filter: NotifyFilter;
  /** Known events of the group ([] for NONE). */
  events: NotifyEventName[];
  /** event-ext atoms this server does not know, as sent (answered NO [BADEVENT]). */
  unknown: string[];
  /** MessageNew's fetch attributes (SELECTED / SELECTED-DELAYED only). */
  fetch: FetchAttribute[];
}

/** NOTIFY SET [STATUS] event-groups (RFC 5465 §8). */
export interface NotifySet {
  status: boolean;
  groups: NotifyEventGroup[];
}
/** RFC 5464 §4.2.2 DEPTH. */
export type MetadataDepth = '0' | '1' | 'infinity';

export type Command =
  | { name: 'CAPABILITY' | 'NOOP' | 'LOGOUT' | 'STARTTLS' | 'CHECK' | 'CLOSE' | 'UNSELECT' | 'IDLE' | 'NAMESPACE' | 'UNAUTHENTICATE' }
  | { name: 'EXPUNGE' }
  | { name: 'UID EXPUNGE'; set: SequenceSet }
  | { name: 'LOGIN'; user: string; password: string }
  | { name: 'AUTHENTICATE'; mechanism: string; initialResponse: string | null } // "=" becomes ""
  | { name: 'ENABLE'; capabilities: string[] }
  | { name: 'SELECT' | 'EXAMINE'; mailbox: string; condstore: boolean; qresync?: QresyncSelectParams }
  | { name: 'CREATE'; mailbox: string; specialUse: string[] }
  | { name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; mailbox: string }
  | { name: 'RENAME'; from: string; to: string }
  | ({ name: 'LIST' } & ListCommand)
  | { name: 'LSUB'; reference: string; pattern: string }
  | { name: 'STATUS'; mailbox: string; items: StatusItem[] }
  | { name: 'APPEND'; mailbox: string; messages: AppendMessage[] } // >1 only with MULTIAPPEND
  | ({ name: 'SEARCH'; uid: boolean } & SearchCommand)
  /** RFC 7377 multimailbox search; `sources` null means the selected mailbox. */
  | ({ name: 'ESEARCH'; sources: EsearchSource[] | null } & SearchCommand)
  | {
      name: 'FETCH';
      uid: boolean;
      set: SequenceSet;
      attributes: FetchAttribute[];
      /** The macro or list as given, for replies that echo it; informational only. */
      changedSince?: number;
      vanished?: boolean;
      /** UID FETCH PARTIAL modifier (RFC 9394 §3.3). */
      partial?: PartialRange;
    }
  | { name: 'STORE'; uid: boolean; set: SequenceSet; action: StoreAction; unchangedSince?: number }
  | { name: 'COPY' | 'MOVE'; uid: boolean; set: SequenceSet; mailbox: string }
  /** RFC 8508 §5: `id` is a seq-number (or a UID with `uid`); "*" is the last message. */
  | { name: 'REPLACE'; uid: boolean; id: SeqNumber; mailbox: string; message: AppendMessage }
  | { name: 'ID'; params: Array<[string, string | null]> | null }
  | { name: 'COMPRESS'; mechanism: string } // RFC 4978 §3; upper-cased, checked by the handler
  | ({ name: 'SORT'; uid: boolean } & SortCommand)
  | ({ name: 'THREAD'; uid: boolean } & ThreadCommand)
  /** RFC 5267 §4.3.5: the tags of the searching commands whose updates stop. */
  | { name: 'CANCELUPDATE'; tags: string[] }
  /** RFC 4467 §9: url-rump / mechanism pairs, both as sent (mechanism upper-cased). */
  | { name: 'GENURLAUTH'; pairs: Array<{ url: string; mechanism: string }> }
  /** RFC 4467 §9: no mailbox = every key of the user; mechanisms upper-cased. */
  | { name: 'RESETKEY'; mailbox: string | null; mechanisms: string[] }
  | { name: 'URLFETCH'; urls: UrlFetchArg[] }
  /** RFC 5465 §3.1: `set` null is NOTIFY NONE. */
  | { name: 'NOTIFY'; set: NotifySet | null }
  /** RFC 4314 §3: identifiers and rights as sent (rights are checked by the handler). */
  | { name: 'GETACL' | 'MYRIGHTS'; mailbox: string }
  | { name: 'SETACL'; mailbox: string; identifier: string; rights: string }
  | { name: 'DELETEACL' | 'LISTRIGHTS'; mailbox: string; identifier: string }
  /** RFC 5464 §4.2: mailbox "" means the server; entries as sent (the handler validates them). */
  | { name: 'GETMETADATA'; mailbox: string; entries: string[]; maxSize: number | null; depth: MetadataDepth }
  /** RFC 5464 §4.3: value null (NIL) removes the entry. */
  | { name: 'SETMETADATA'; mailbox: string; values: Array<{ entry: string; value: Buffer | null }> }
  /** RFC 9208 §4.1: quota roots are astrings; resource names upper-cased, as sent. */
  | { name: 'GETQUOTA'; root: string }
  | { name: 'GETQUOTAROOT'; mailbox: string }
  | { name: 'SETQUOTA'; root: string; limits: Array<{ resource: string; limit: number }> };

export type CommandName = Command['name'];

/** A tagged command as parsed from the wire. */
export interface TaggedCommand {
  tag: string;
  command: Command;
}
