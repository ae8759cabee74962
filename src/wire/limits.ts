/**
 * Every size, depth, count and time limit applied to client input (DESIGN rule 6: every client
 * byte is hostile). One place, one reason each; the framer, parsers and session import from here.
 *
 * Invariants:
 * - Byte limits bound memory per connection: nothing a client sends is buffered beyond them.
 * - Counts bound CPU per command (parsing and evaluation are linear in them).
 */

/** Longest command line (one CRLF-terminated segment, literals excluded): RFC 9051 §4 asks for no hard limit, 64 KiB fits any real client's UID set. */
export const MAX_LINE_LENGTH = 64 * 1024;

/** Largest literal accepted as an ordinary argument (mailbox name, password, search string). */
export const MAX_LITERAL_SIZE = 64 * 1024;

/** Largest APPEND message literal, advertised as APPENDLIMIT=<n> (RFC 7889). */
export const APPEND_LIMIT = 64 * 1024 * 1024;

/** Largest command counting lines and ordinary literals but not APPEND message literals. */
export const MAX_COMMAND_BYTES = 1024 * 1024;

/** Hard cap on everything one command may hold in memory, APPEND messages included (MULTIAPPEND, RFC 3502). */
export const MAX_COMMAND_TOTAL_BYTES = 2 * APPEND_LIMIT;

/** Most literals in one command: MULTIAPPEND sends one per message; more is abuse. */
export const MAX_LITERALS_PER_COMMAND = 1000;

/** Largest rejected non-synchronizing literal the framer skips (reading and dropping); above it the connection is closed. */
export const MAX_SKIPPABLE_LITERAL = 2 * APPEND_LIMIT;

/** Deepest nesting of parenthesized lists and search keys (NOT/OR/parens): bounds parser recursion. */
export const MAX_NESTING_DEPTH = 64;

/** Most ranges in one sequence-set: bounds the set's memory and each membership test. */
export const MAX_SEQUENCE_RANGES = 10000;

/** Largest non-synchronizing literal under LITERAL- (RFC 7888 §4). */
export const LITERAL_MINUS_MAX = 4096;

/** Digits accepted in a literal size: 4294967295 (RFC 9051 "number" is 32-bit) has 10. */
export const MAX_LITERAL_SIZE_DIGITS = 10;

/** Inactivity allowed before login: unauthenticated connections are cheap to open and hold. */
export const PREAUTH_IDLE_TIMEOUT_MS = 60 * 1000;

/** Inactivity allowed once authenticated (RFC 9051 §5.4: autologout timer of at least 30 minutes). */
export const AUTH_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Inactivity allowed during IDLE before the server ends it (RFC 2177 suggests clients re-issue within 29 minutes). */
export const IDLE_COMMAND_TIMEOUT_MS = 30 * 60 * 1000;

/** Consecutive BAD commands tolerated before BYE: a confused or hostile client gets cut off. */
export const MAX_BAD_COMMANDS = 20;

/** Output buffered per connection before the session stops reading input (backpressure). */
export const MAX_OUTPUT_BUFFER = 256 * 1024;

/** A long command reports INPROGRESS (RFC 9585) at least this often: clients time out at ~30-60 s. */
export const PROGRESS_INTERVAL_MS = 2000;

/** Filters plus mailbox names in one ESEARCH IN (...) (RFC 7377 §2.4 allows limits): bounds parsing. */
export const MAX_ESEARCH_SOURCES = 1000;

/** Mailboxes one ESEARCH may search (RFC 7377 §2.4, §5): more is NO [LIMIT], before any work. */
export const MAX_ESEARCH_MAILBOXES = 1000;

/**
 * Entries named in one GETMETADATA, SETMETADATA or LIST RETURN (METADATA ...) (RFC 5464, RFC
 * 9590): bounds parsing and lookups, far above the store's entry limits so that no valid
 * command is refused (the store's METADATA_MAX_ENTRIES_PER_COMMAND matches it).
 */
export const MAX_METADATA_ENTRIES = 10_000;

/** Most ID parameter pairs (RFC 2971 §3.3: at most 30). */
export const MAX_ID_PARAMS = 30;

/** Live SEARCH/SORT RETURN (UPDATE) contexts per session (RFC 5267 §4.3.1 NOUPDATE): each re-evaluates changed messages and a SORT one holds its result. */
export const MAX_UPDATE_CONTEXTS = 8;

// --- LMTP (RFC 2033) ---

/** Longest LMTP command line: RFC 5321 §4.5.3.1.4 sets 512 octets; parameters (SIZE, BODY, ...) can push real MTAs past it, so we allow 2 KiB. */
export const MAX_LMTP_LINE = 2048;

/** Most recipients in one LMTP transaction: RFC 5321 §4.5.3.1.8 requires at least 100; more are deferred with 452 4.5.3 and the MTA sends them again. */
export const MAX_LMTP_RECIPIENTS = 1000;

/** Inactivity allowed on an LMTP connection (RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes). */
export const LMTP_IDLE_TIMEOUT_MS = 5 * 60 * 1000;

/** Consecutive erroneous LMTP commands before the connection is closed (421). */
export const MAX_LMTP_BAD_COMMANDS = 20;

/** Unread input buffered per LMTP connection before reading pauses (pipelining, backpressure). */
export const MAX_LMTP_INPUT_BUFFER = 256 * 1024;

/** Longest ManageSieve quoted string (RFC 5804 §4 "quoted": at most 1024 octets between the quotes). */
export const MANAGESIEVE_MAX_QUOTED = 1024;

/** Longest ManageSieve script name in characters (RFC 5804 §1.6: servers MUST allow 128, MAY allow more, MUST NOT truncate). */
export const MANAGESIEVE_MAX_SCRIPT_NAME = 255;

/** Arguments (strings and numbers) in one ManageSieve command: RENAMESCRIPT and HAVESPACE take two; more is abuse. */
export const MANAGESIEVE_MAX_ARGS = 4;

/** Failed AUTHENTICATE commands on one ManageSieve connection before BYE (RFC 5804 §2.1 example; the throttle still counts each). */
export const MANAGESIEVE_MAX_AUTH_FAILURES = 3;

/** SASL round trips in one AUTHENTICATE: PLAIN needs one, LOGIN two; more is a confused or hostile client. */
export const MAX_SASL_STEPS = 8;

/** Most URLs in one GENURLAUTH or URLFETCH (RFC 4467 §9 allows 1*): each may cost a message read. */
export const MAX_URLS_PER_COMMAND = 1000;
