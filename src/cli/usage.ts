/**
 * Help texts. The serve flags come from the config option table, so every flag is listed.
 */
import { flagsHelp } from '../config/index.js';

export const MAIN_USAGE = `Usage: facteur <command> [options]

Commands:
  serve [options]          run the IMAP and LMTP server
  user add NAME            create an account (password from stdin, or prompted on a terminal)
  user passwd NAME         set an account's password (same input rules)
  user del NAME            delete an account with all its mail
  user list                list account names, one per line
  user import FILE         import a Dovecot passwd-file (user:{SCHEME}hash:...)
  acl get|set|delete|list|create  read and change mailbox rights (RFC 4314), create Shared/ mailboxes
  quota get NAME           an account's quota usage and limits (storage, messages, mailboxes)
  quota set NAME RES=VAL.. set an account's limits: storage=2G messages=10000 mailboxes=100 (none, default)
  quota list               every account's usage and limits
  deliver --to USER        deliver the message on stdin (MTA pipe transport; sysexits codes)
  db migrate               apply pending schema migrations (prints the version before/after)
  db check                 read-only consistency check of the store (exit 1 on problems)
  store copy --from S --to S
                           copy a whole store (S: sqlite:DIR or postgres://...), then verify it
  store verify --from S --to S
                           compare two stores (exit 1 on differences)
  metadata set|del|list    the server's shared METADATA entries (e.g. /shared/comment)
  help [serve|user|acl|quota|deliver|db|store|metadata|config] show help (config: the configuration reference)

Every command but store accepts --data DIR and --config FILE. Run 'facteur serve --help' for all options.
`;

export function serveUsage(): string {
  return `Usage: facteur serve [options]

Runs the IMAP and LMTP server until SIGTERM or SIGINT. Options (flag > environment > TOML file > default;
--flag=value also works):
${flagsHelp([['--help', 'show this help']])}
`;
}

export const USER_USAGE = `Usage: facteur user <add|passwd|del|list|import> [args] [--data DIR] [--config FILE]

  user add NAME       create NAME; the password is the first line of stdin when stdin is not
                      a terminal (echo 'pw' | facteur user add alice), otherwise prompted twice
  user passwd NAME    set NAME's password (same input rules)
  user del NAME       delete NAME, its mailboxes and messages
  user list           print account names, one per line
  user import FILE    import a Dovecot passwd-file; hashes are kept as they are (SCRYPT,
                      SHA512-CRYPT, SHA256-CRYPT, MD5-CRYPT, BLF-CRYPT, ARGON2I/ID, PBKDF2,
                      SHA/SSHA/SHA256/SSHA256/SHA512/SSHA512, PLAIN, CRYPT). Existing accounts are
                      skipped; malformed lines are reported with their numbers (exit code 1).

Account names: 1-255 bytes, no whitespace, control characters or ':'; user@domain is fine.
`;

export const DB_USAGE = `Usage: facteur db <migrate|check> [--data DIR | --store postgres://...] [--config FILE]

  db migrate   apply the store's pending schema migrations and print the schema version before
               and after (serve also migrates at start; this lets an upgrade migrate first).
               Safe to run on several nodes at once.
  db check     read-only consistency check: every message's blob exists (SQLite: row and file),
               blob reference counts match, UIDs are unique and below UIDNEXT, MODSEQs are at most
               HIGHESTMODSEQ, expunge history UIDs are below UIDNEXT and not live messages,
               quota usage counters match the messages of each mailbox.
               Prints one line per problem and a summary; exit 0 when clean, 1 otherwise.

A store that cannot be reached or opened is reported on one line, exit code 1.
`;

export const ACL_USAGE = `Usage: facteur acl <get|set|delete|list|create> [args] [--data DIR | --store URL] [--config FILE]

  acl get OWNER MAILBOX                    print the ACL of OWNER's MAILBOX, one "identifier rights" a line
  acl set OWNER MAILBOX IDENTIFIER RIGHTS  grant RIGHTS ("+lr" adds, "-w" removes, "lrs" replaces)
  acl delete OWNER MAILBOX IDENTIFIER      remove IDENTIFIER's entry
  acl list USER                            the other accounts' mailboxes USER sees, with USER's rights
  acl create Shared/NAME                   create a public mailbox (owned by the internal '#shared' account)

A public mailbox is named Shared/NAME instead of OWNER MAILBOX (facteur acl set Shared/Team bob lrswi).
IDENTIFIER: an account name, "anyone" or "authenticated"; "-name" is a negative entry (removes rights).
RIGHTS (RFC 4314): l lookup, r read, s seen, w write flags, i insert, p post (delivery), k create
children, x delete, t delete messages, e expunge, a administer; c = kx and d = et.
The owner always has every right. Others see a mailbox as "Other Users/OWNER/MAILBOX" (or "Shared/NAME").
`;

export const STORE_USAGE = `Usage: facteur store copy --from STORE --to STORE [--merge] [--allow-live] [--no-verify | --verify-only] [--progress-every N]
       facteur store verify --from STORE --to STORE [--merge] [--progress-every N]

STORE is sqlite:DIR (a data directory) or postgres://USER@HOST:PORT/DATABASE.

  store copy     copies everything the source keeps into the destination: accounts (names and
                 password hashes), mailboxes with UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and MAILBOXID,
                 messages with UIDs, flags, modseqs, dates, EMAILID/THREADID and bodies (each blob
                 once), QRESYNC expunge history, subscriptions, Sieve scripts and the active one,
                 delivery marks and URLAUTH keys. IMAP clients need no resynchronisation.
                 The destination's schema is migrated first; the copy is one transaction (all or
                 nothing); the source is only read. Then the copy is verified (as store verify).
    --merge        the destination may already hold other accounts (no name may be on both sides)
    --allow-live   commit even if the source changed during the copy (the copy is the source as it
                   was at the start); without it such a copy is refused: stop the server first
    --no-verify    skip the verification;  --verify-only  only verify (same as store verify)
  store verify   compares per account and mailbox: UIDs, flags, modseqs, dates, object ids,
                 UIDVALIDITY/UIDNEXT/HIGHESTMODSEQ, the other tables, and the SHA-256 of every
                 blob on both sides. One line per difference; exit 1 when any.
    --merge        accounts only in the destination are not differences

  --progress-every N  a progress line on stderr every N messages/blobs (default 10000; 0: none)

Stop the server (and deliveries) on the source before copying: the copy reads one snapshot and
refuses to commit if the source changed meanwhile.
`;

export const METADATA_USAGE = `Usage: facteur metadata <set NAME VALUE|del NAME|list> [--data DIR | --store ...] [--config FILE]

  metadata set NAME VALUE   set a server METADATA entry every user can read but not change
                            (RFC 5464), e.g. facteur metadata set /shared/comment "Maintenance
                            Sunday 02:00 UTC"; NAME is /shared/comment or /shared/vendor/...
  metadata del NAME         remove it
  metadata list             print the server's shared entries, one "NAME VALUE" line each

/shared/admin is not set here but with --metadata-admin (a URI, e.g. mailto:postmaster@example.com).
Values are at most 16384 bytes. Sessions see a change at once (other nodes too).
`;

export const QUOTA_USAGE = `Usage: facteur quota <get|set|list> [args] [--data DIR] [--config FILE]

  quota get NAME                 usage and limits of account NAME
  quota set NAME RES=VALUE...    set NAME's limits; RES is storage, messages or mailboxes (RFC 9208
                                 STORAGE, MESSAGE, MAILBOX); VALUE is a number (storage: a size in
                                 octets, or with K, M, G, T: 500M, 2G), none (unlimited), or default
                                 (the operator's --quota-storage / --quota-messages / --quota-mailboxes)
  quota list                     one line per account: usage and effective limit ('-' = unlimited)

Example: facteur quota set alice storage=1G messages=10000 mailboxes=100
Storage is counted in whole units of 1024 octets (a size is rounded up); usage is shown in octets.
`;
