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
 * - expunged keeps one row per expunged UID forever (QRESYNC's history, RFC 7162 §3.2.5);
 *   UIDs are never reused, so (mailbox_id, uid) stays unique.
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
  // URLAUTH (RFC 4467 §2.2): the user's mailbox access key table, one secret per mailbox. Keyed
  // by mailbox id, so a deleted and re-created mailbox never inherits the old key (and its URLs).
  `
  CREATE TABLE urlauth_keys (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    key        BLOB NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the pending migrations; idempotent and safe against concurrent openers. */
export function migrate(db: Database): void {
  for (;;) {
    const done = db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new Error(`database schema version ${version} is newer than this program (${MIGRATIONS.length})`);
      }
      if (version === MIGRATIONS.length) return true;
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
      return false;
    }).immediate();
    if (done) return;
  }
}

/** Opens-time settings: WAL, durable commits, waiting for other writers, enforced references. */
export function configure(db: Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}
