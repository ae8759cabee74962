/**
 * The SQLite schema and its versioned migrations.
 *
 * Invariants:
 * - PRAGMA user_version is the number of migrations applied. Migrations run at open, in order,
 *   each inside one BEGIN IMMEDIATE transaction that re-reads user_version first, so several
 *   processes opening the same data directory at once apply each migration exactly once.
 * - A migration is never edited once released; changes are new migrations appended to the list.
 * - blobs.refs always equals the number of message rows naming the blob: the triggers below
 *   maintain it in the same transaction as the insert/delete (also for cascaded deletes), and
 *   the collector (blob-refs.ts) only removes blobs whose refs is 0.
 * - Account and mailbox ids use AUTOINCREMENT: an id is never reused, so a session holding the
 *   id of a deleted mailbox can never act on a newer one.
 * - change_feed gets a row, by trigger, in every transaction that changes a mailbox's modseq or
 *   the mailbox/subscription list; it is pruned to a recent window (change-feed.ts).
 * - expunged keeps one row per expunged UID (QRESYNC's history, RFC 7162 §3.2.5) until the
 *   expunge-history horizon prunes it by age (expunged_at); expunge_floors then holds, per
 *   mailbox, the highest modseq ever pruned, so changesSince knows for which `since` its list is
 *   complete. UIDs are never reused, so (mailbox_id, uid) stays unique.
 * - Object ids (RFC 8474) are a one-letter kind prefix (F mailbox, M email, T thread) and 24
 *   lowercase hex digits of randomness: they carry nothing about the account or the content, two
 *   ids never differ by case only, and the prefixes keep EMAILIDs and THREADIDs apart (§5.2).
 */
import type { Database } from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );

  CREATE TABLE mailboxes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    uid_validity   INTEGER NOT NULL,
    uid_next       INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL DEFAULT 1,
    recent_floor   INTEGER NOT NULL DEFAULT 1,
    special_use    TEXT,
    UNIQUE (account_id, name)
  );

  CREATE TABLE subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID;

  CREATE TABLE blobs (
    id   TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    meta TEXT NOT NULL,
    refs INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX blobs_unreferenced ON blobs(id) WHERE refs <= 0;

  CREATE TABLE messages (
    mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid           INTEGER NOT NULL,
    modseq        INTEGER NOT NULL,
    flags         TEXT NOT NULL,
    internal_date INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    blob_id       TEXT NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (mailbox_id, uid)
  ) WITHOUT ROWID;
  CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
  CREATE INDEX messages_blob ON messages(blob_id);

  CREATE TABLE expunged (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid        INTEGER NOT NULL,
    modseq     INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  ) WITHOUT ROWID;
  CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);

  CREATE TRIGGER messages_ref AFTER INSERT ON messages BEGIN
    UPDATE blobs SET refs = refs + 1 WHERE id = NEW.blob_id;
  END;
  CREATE TRIGGER messages_unref AFTER DELETE ON messages BEGIN
    UPDATE blobs SET refs = refs - 1 WHERE id = OLD.blob_id;
  END;
  `,
  // 2: the change feed other processes sharing the data directory read (change-feed.ts).
  // Triggers write it in the same transaction as the change, so no commit can go unannounced.
  `
  CREATE TABLE change_feed (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    mailbox_id INTEGER,
    modseq     INTEGER
  );

  CREATE TRIGGER feed_modseq AFTER UPDATE OF highest_modseq ON mailboxes
    WHEN NEW.highest_modseq > OLD.highest_modseq BEGIN
    INSERT INTO change_feed (account_id, mailbox_id, modseq) VALUES (NEW.account_id, NEW.id, NEW.highest_modseq);
  END;
  CREATE TRIGGER feed_mailbox_created AFTER INSERT ON mailboxes BEGIN
    INSERT INTO change_feed (account_id) VALUES (NEW.account_id);
  END;
  CREATE TRIGGER feed_mailbox_deleted AFTER DELETE ON mailboxes BEGIN
    INSERT INTO change_feed (account_id) VALUES (OLD.account_id);
  END;
  CREATE TRIGGER feed_mailbox_renamed AFTER UPDATE OF name ON mailboxes BEGIN
    INSERT INTO change_feed (account_id) VALUES (NEW.account_id);
  END;
  CREATE TRIGGER feed_subscribed AFTER INSERT ON subscriptions BEGIN
    INSERT INTO change_feed (account_id) VALUES (NEW.account_id);
  END;
  CREATE TRIGGER feed_unsubscribed AFTER DELETE ON subscriptions BEGIN
    INSERT INTO change_feed (account_id) VALUES (OLD.account_id);
  END;
  `,
  // 3: the save date of each message (RFC 8514 §3): when it was saved in its current mailbox.
  // Rows that predate the column get their INTERNALDATE, the best record of their arrival.
  `
  ALTER TABLE messages ADD COLUMN saved_at INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET saved_at = internal_date;
  `,
  // 4: Sieve scripts (RFC 5804; at most one active per account, enforced by the partial unique
  // index) and delivery marks (RFC 7352 duplicate ids, RFC 5230 vacation responses sent).
  `
  CREATE TABLE sieve_scripts (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX sieve_scripts_one_active ON sieve_scripts(account_id) WHERE active = 1;

  CREATE TABLE delivery_marks (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX delivery_marks_expiry ON delivery_marks(expires_at);
  `,
  // 5: OBJECTID (RFC 8474): MAILBOXID per mailbox, EMAILID and THREADID per message, and the
  // per-account Message-ID -> (THREADID, thread's base subject) index that threads new messages
  // (threads.ts). Existing mailboxes get fresh random ids; existing messages one EMAILID per
  // (account, blob), so copies made before the upgrade share it, and each such EMAILID its own
  // thread (their Message IDs are not indexed: later replies start new threads).
  `
  ALTER TABLE mailboxes ADD COLUMN object_id TEXT;
  UPDATE mailboxes SET object_id = 'F' || lower(hex(randomblob(12)));
  CREATE UNIQUE INDEX mailboxes_object_id ON mailboxes(object_id);

  ALTER TABLE messages ADD COLUMN email_id TEXT NOT NULL DEFAULT '';
  ALTER TABLE messages ADD COLUMN thread_id TEXT NOT NULL DEFAULT '';
  CREATE TEMP TABLE objectid_legacy AS
    SELECT account_id, blob_id, lower(hex(randomblob(12))) AS hex, lower(hex(randomblob(12))) AS thread_hex
    FROM (SELECT DISTINCT b.account_id AS account_id, m.blob_id AS blob_id
          FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id);
  UPDATE messages SET
    email_id = 'M' || (SELECT l.hex FROM objectid_legacy l JOIN mailboxes b ON b.account_id = l.account_id
                       WHERE b.id = messages.mailbox_id AND l.blob_id = messages.blob_id),
    thread_id = 'T' || (SELECT l.thread_hex FROM objectid_legacy l JOIN mailboxes b ON b.account_id = l.account_id
                        WHERE b.id = messages.mailbox_id AND l.blob_id = messages.blob_id);
  DROP TABLE objectid_legacy;

  CREATE TABLE thread_refs (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    thread_id  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    PRIMARY KEY (account_id, message_id)
  ) WITHOUT ROWID;
  `,
  // 6: URLAUTH (RFC 4467 §2.2): the user's mailbox access key table, one secret per mailbox. Keyed
  // by mailbox id, so a deleted and re-created mailbox never inherits the old key (and its URLs).
  `
  CREATE TABLE urlauth_keys (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    key        BLOB NOT NULL
  );
  `,
  // 7: expunge-history horizon (issue #4, --expunge-history-days): when each expunge happened
  // (ms since the epoch; rows that predate the column get the migration time, so they live one
  // full horizon from the upgrade) and, per mailbox, the highest modseq pruned so far.
  `
  ALTER TABLE expunged ADD COLUMN expunged_at INTEGER NOT NULL DEFAULT 0;
  UPDATE expunged SET expunged_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
  CREATE INDEX expunged_age ON expunged(expunged_at);
  CREATE TABLE expunge_floors (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    modseq     INTEGER NOT NULL
  );
  `,
  // 8: access control lists (RFC 4314, docs/decisions/0009): one row per (mailbox, identifier),
  // gone with the mailbox (RFC 4314 §4: DELETE MUST delete the ACL); looked up by identifier to
  // find what is shared with an account.
  `
  CREATE TABLE mailbox_acl (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    rights     TEXT NOT NULL,
    PRIMARY KEY (mailbox_id, identifier)
  ) WITHOUT ROWID;
  CREATE INDEX mailbox_acl_identifier ON mailbox_acl(identifier);
  `,
  // 9: METADATA (RFC 5464, store/metadata.ts): one row per entry of a mailbox (mailbox_id) or of
  // the server (NULL), private to account_id or shared (NULL). Rows die with their mailbox or
  // account; the unique index treats NULL as its own key. change_feed rows with an entry name
  // carry metadata events to other processes (written by sqlite/metadata.ts in the same
  // transaction; account_id is then the channel: owner, writer or 0 for the server).
  `
  CREATE TABLE metadata (
    mailbox_id INTEGER REFERENCES mailboxes(id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      BLOB NOT NULL
  );
  CREATE UNIQUE INDEX metadata_key ON metadata(ifnull(mailbox_id, 0), ifnull(account_id, 0), name);
  CREATE INDEX metadata_account ON metadata(account_id);
  ALTER TABLE change_feed ADD COLUMN entry TEXT;
  `,
  // 10: quotas (RFC 9208, docs/decisions/0010): each mailbox's message count and octets, kept by
  // triggers in the same transaction as every insert, delete or re-parenting of a message row
  // (cascaded deletes included), so an account's usage is a sum over its mailboxes, never over
  // its messages; and the per-account limits (NULL = the operator's default, -1 = unlimited,
  // storage in units of 1024 octets).
  `
  ALTER TABLE mailboxes ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mailboxes ADD COLUMN message_octets INTEGER NOT NULL DEFAULT 0;
  UPDATE mailboxes SET
    message_count = (SELECT count(*) FROM messages m WHERE m.mailbox_id = mailboxes.id),
    message_octets = (SELECT coalesce(sum(m.size), 0) FROM messages m WHERE m.mailbox_id = mailboxes.id);
  CREATE TRIGGER messages_usage_in AFTER INSERT ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count + 1, message_octets = message_octets + NEW.size
      WHERE id = NEW.mailbox_id;
  END;
  CREATE TRIGGER messages_usage_out AFTER DELETE ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count - 1, message_octets = message_octets - OLD.size
      WHERE id = OLD.mailbox_id;
  END;
  CREATE TRIGGER messages_usage_moved AFTER UPDATE OF mailbox_id, size ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count - 1, message_octets = message_octets - OLD.size
      WHERE id = OLD.mailbox_id;
    UPDATE mailboxes SET message_count = message_count + 1, message_octets = message_octets + NEW.size
      WHERE id = NEW.mailbox_id;
  END;
  CREATE TABLE quota_settings (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    storage    INTEGER,
    messages   INTEGER,
    mailboxes  INTEGER
  );
  `,
  // 11: ACL changes reach other processes' sessions (RFC 5465 §5.4: granting or revoking "l" is a
  // mailbox creation or deletion for the grantee). A change of an entry naming an account
  // ("bob" or "-bob") is a list change of that account; of "anyone"/"authenticated" (and their
  // negations), of SERVER_CHANNEL (account 0), which NOTIFY sessions watching names listen to.
  // An identifier whose account is gone (account deletion) writes nothing.
  `
  CREATE TRIGGER feed_acl_set AFTER INSERT ON mailbox_acl BEGIN
    INSERT INTO change_feed (account_id)
      SELECT id FROM accounts WHERE name = (CASE WHEN substr(NEW.identifier, 1, 1) = '-' THEN substr(NEW.identifier, 2) ELSE NEW.identifier END)
      UNION ALL SELECT 0 WHERE NEW.identifier IN ('anyone', 'authenticated', '-anyone', '-authenticated');
  END;
  CREATE TRIGGER feed_acl_changed AFTER UPDATE OF rights ON mailbox_acl BEGIN
    INSERT INTO change_feed (account_id)
      SELECT id FROM accounts WHERE name = (CASE WHEN substr(NEW.identifier, 1, 1) = '-' THEN substr(NEW.identifier, 2) ELSE NEW.identifier END)
      UNION ALL SELECT 0 WHERE NEW.identifier IN ('anyone', 'authenticated', '-anyone', '-authenticated');
  END;
  CREATE TRIGGER feed_acl_removed AFTER DELETE ON mailbox_acl BEGIN
    INSERT INTO change_feed (account_id)
      SELECT id FROM accounts WHERE name = (CASE WHEN substr(OLD.identifier, 1, 1) = '-' THEN substr(OLD.identifier, 2) ELSE OLD.identifier END)
      UNION ALL SELECT 0 WHERE OLD.identifier IN ('anyone', 'authenticated', '-anyone', '-authenticated');
  END;
  `,
  // 12: seen marks (docs/decisions/0019): a grantee's private \Seen on another account's
  // message. Gone with the message (expunge, MOVE, RENAME INBOX, mailbox deletion) and with the
  // reader's account by cascade. Read by (mailbox, reader); that index also serves the account's
  // cascade, the primary key the message's.
  `
  CREATE TABLE seen_marks (
    mailbox_id INTEGER NOT NULL,
    uid        INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (mailbox_id, uid, account_id),
    FOREIGN KEY (mailbox_id, uid) REFERENCES messages(mailbox_id, uid) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX seen_marks_reader ON seen_marks(account_id, mailbox_id, uid);
  `,
];

/** The database file inside the data directory. */
export const DATABASE_FILE = 'facteur.sqlite';

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The SQL of migration `n` (1-based), for tests that replay one migration on old data. */
export function migrationSql(n: number): string {
  return MIGRATIONS[n - 1];
}

/**
 * Applies the pending migrations; idempotent and safe against concurrent openers. Returns the
 * version first read under the write lock (what this call found; `facteur db migrate` prints it).
 */
export function migrate(db: Database): number {
  let first: number | null = null;
  for (;;) {
    const done = db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      first ??= version;
      if (version > MIGRATIONS.length) {
        throw new Error(`database schema version ${version} is newer than this program (${MIGRATIONS.length})`);
      }
      if (version === MIGRATIONS.length) return true;
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
      return false;
    }).immediate();
    if (done) return first ?? SCHEMA_VERSION;
  }
}

/** Opens-time settings: WAL, durable commits, waiting for other writers, enforced references. */
export function configure(db: Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}
