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
  quota get NAME           an account's quota usage and limits (storage, messages, mailboxes)
  quota set NAME RES=VAL.. set an account's limits: storage=2G messages=10000 mailboxes=100 (none, default)
  quota list               every account's usage and limits
  deliver --to USER        deliver the message on stdin (MTA pipe transport; sysexits codes)
  db migrate               apply pending schema migrations (prints the version before/after)
  db check                 read-only consistency check of the store (exit 1 on problems)
  help [serve|user|quota|deliver|db|config] show help (config: the configuration reference)

Every command accepts --data DIR and --config FILE. Run 'facteur serve --help' for all options.
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
