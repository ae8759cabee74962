/**
 * The PostgreSQL schema and its versioned migrations.
 *
 * Invariants:
 * - facteur_schema.version is the number of migrations applied. Migrations run at open, in
 *   order, each in its own transaction holding a transaction-level advisory lock
 *   (MIGRATION_LOCK), and re-read the version under that lock: several nodes starting at once
 *   apply each migration exactly once, and the others wait, then see it done.
 * - A migration is never edited once released; changes are new migrations appended to the list.
 * - blobs.refs always equals the number of message rows naming the blob: the triggers maintain it
 *   in the same transaction as the insert/delete (also for cascaded deletes). Blob content lives
 *   in the same row (bytea, content-addressed by SHA-256 hex id), so a blob and the metadata
 *   that references it commit together; no orphan files exist in this mode.
 * - Ids come from identity sequences: never reused, so a session holding the id of a deleted
 *   mailbox can never act on a newer one.
 * - expunged keeps one row per expunged UID (QRESYNC's history, RFC 7162 §3.2.5) until the
 *   expunge-history horizon prunes it by age; expunge_floors holds the highest modseq pruned per
 *   mailbox (as in SQLite migration 7).
 * - The tables mirror the SQLite backend's (src/store/sqlite/schema.ts) column for column, with
 *   int8 for every integer and bytea content; semantics are documented there and in types.ts.
 */
import type pg from 'pg';

/** Key of pg_advisory_xact_lock taken by migrations ("facte" in ASCII; below 2^53, exact in JS). */
const MIGRATION_LOCK = 0x6661637465;

const MIGRATIONS: readonly string[] = [
  // 1: everything the SQLite backend's migrations 1-4 hold (accounts, mailboxes, messages,
  // blobs with content, expunge history, subscriptions, Sieve scripts, delivery marks).
  `
  CREATE TABLE counters (
    name  text PRIMARY KEY,
    value int8 NOT NULL
  );

  CREATE TABLE accounts (
    id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    int8 NOT NULL
  );

  CREATE TABLE mailboxes (
    id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           text NOT NULL,
    uid_validity   int8 NOT NULL,
    uid_next       int8 NOT NULL DEFAULT 1,
    highest_modseq int8 NOT NULL DEFAULT 1,
    recent_floor   int8 NOT NULL DEFAULT 1,
    special_use    text,
    UNIQUE (account_id, name)
  );

  CREATE TABLE subscriptions (
    account_id int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       text NOT NULL,
    PRIMARY KEY (account_id, name)
  );

  CREATE TABLE blobs (
    id      text PRIMARY KEY,
    size    int8 NOT NULL,
    meta    text NOT NULL,
    refs    int8 NOT NULL DEFAULT 0,
    content bytea NOT NULL
  );
  -- Content is read by ranges (substring); keep it uncompressed so a range reads only its pages.
  ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;
  CREATE INDEX blobs_unreferenced ON blobs(id) WHERE refs <= 0;

  CREATE TABLE messages (
    mailbox_id    int8 NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid           int8 NOT NULL,
    modseq        int8 NOT NULL,
    flags         text NOT NULL,
    internal_date int8 NOT NULL,
    size          int8 NOT NULL,
    blob_id       text NOT NULL REFERENCES blobs(id),
    saved_at      int8 NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  );
  CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
  CREATE INDEX messages_blob ON messages(blob_id);

  CREATE TABLE expunged (
    mailbox_id int8 NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid        int8 NOT NULL,
    modseq     int8 NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  );
  CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);

  CREATE FUNCTION facteur_blob_ref() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      UPDATE blobs SET refs = refs + 1 WHERE id = NEW.blob_id;
      RETURN NEW;
    END IF;
    UPDATE blobs SET refs = refs - 1 WHERE id = OLD.blob_id;
    RETURN OLD;
  END $$;
  CREATE TRIGGER messages_ref AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION facteur_blob_ref();

  CREATE TABLE sieve_scripts (
    account_id int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       text NOT NULL,
    source     text NOT NULL,
    active     boolean NOT NULL DEFAULT false,
    updated_at int8 NOT NULL,
    PRIMARY KEY (account_id, name)
  );
  CREATE UNIQUE INDEX sieve_scripts_one_active ON sieve_scripts(account_id) WHERE active;

  CREATE TABLE delivery_marks (
    account_id int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope      text NOT NULL,
    key        text NOT NULL,
    expires_at int8 NOT NULL,
    PRIMARY KEY (account_id, scope, key)
  );
  CREATE INDEX delivery_marks_expiry ON delivery_marks(expires_at);
  `,
  // 2: OBJECTID (RFC 8474): MAILBOXID, EMAILID, THREADID and the per-account Message-ID ->
  // (THREADID, base subject) index (SQLite migration 5, src/store/sqlite/threads.ts). New ids come from the
  // application's CSPRNG; rows that predate the columns get ids from gen_random_uuid() (hex
  // without dashes, cut to 24), one EMAILID and THREADID per (account, blob) as in SQLite.
  `
  ALTER TABLE mailboxes ADD COLUMN object_id text;
  UPDATE mailboxes SET object_id = 'F' || left(replace(gen_random_uuid()::text, '-', ''), 24);
  ALTER TABLE mailboxes ALTER COLUMN object_id SET NOT NULL;
  CREATE UNIQUE INDEX mailboxes_object_id ON mailboxes(object_id);

  ALTER TABLE messages ADD COLUMN email_id text NOT NULL DEFAULT '';
  ALTER TABLE messages ADD COLUMN thread_id text NOT NULL DEFAULT '';
  WITH legacy AS (
    SELECT d.account_id, d.blob_id,
           left(replace(gen_random_uuid()::text, '-', ''), 24) AS hex,
           left(replace(gen_random_uuid()::text, '-', ''), 24) AS thread_hex
    FROM (SELECT DISTINCT x.account_id, y.blob_id FROM messages y JOIN mailboxes x ON x.id = y.mailbox_id) AS d
  )
  UPDATE messages SET email_id = 'M' || l.hex, thread_id = 'T' || l.thread_hex
  FROM legacy l, mailboxes b
  WHERE b.id = messages.mailbox_id AND l.account_id = b.account_id AND l.blob_id = messages.blob_id;

  CREATE TABLE thread_refs (
    account_id int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id text NOT NULL,
    thread_id  text NOT NULL,
    subject    text NOT NULL,
    PRIMARY KEY (account_id, message_id)
  );
  `,
  // 3: URLAUTH (RFC 4467 §2.2): one access key per mailbox, gone with the mailbox.
  `
  CREATE TABLE urlauth_keys (
    mailbox_id int8 PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    key        bytea NOT NULL
  );
  `,
  // 4: expunge-history horizon (SQLite migration 7): expunge time (ms; existing rows get the
  // migration time) and the highest pruned modseq per mailbox.
  `
  ALTER TABLE expunged ADD COLUMN expunged_at int8 NOT NULL DEFAULT 0;
  UPDATE expunged SET expunged_at = (extract(epoch FROM clock_timestamp()) * 1000)::int8;
  CREATE INDEX expunged_age ON expunged(expunged_at);
  CREATE TABLE expunge_floors (
    mailbox_id int8 PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    modseq     int8 NOT NULL
  );
  `,
  // 5: access control lists (RFC 4314; SQLite migration 8, docs/decisions/0009).
  `
  CREATE TABLE mailbox_acl (
    mailbox_id int8 NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    identifier text NOT NULL,
    rights     text NOT NULL,
    PRIMARY KEY (mailbox_id, identifier)
  );
  CREATE INDEX mailbox_acl_identifier ON mailbox_acl(identifier);
  `,
  // 6: METADATA (RFC 5464; SQLite migration 9): one row per entry of a mailbox (mailbox_id) or
  // of the server (NULL), private to account_id or shared (NULL).
  `
  CREATE TABLE metadata (
    mailbox_id int8 REFERENCES mailboxes(id) ON DELETE CASCADE,
    account_id int8 REFERENCES accounts(id) ON DELETE CASCADE,
    name       text NOT NULL,
    value      bytea NOT NULL
  );
  CREATE UNIQUE INDEX metadata_key ON metadata ((coalesce(mailbox_id, 0)), (coalesce(account_id, 0)), name);
  CREATE INDEX metadata_account ON metadata (account_id);
  `,
  // 7: quotas (RFC 9208; SQLite migration 10): per-mailbox message count and octets kept by a
  // trigger in the same transaction as every message insert/delete/re-parenting (the mailbox row
  // is already locked by the writers that change its messages), and per-account limits
  // (NULL = the operator's default, -1 = unlimited, storage in units of 1024 octets).
  `
  ALTER TABLE mailboxes ADD COLUMN message_count int8 NOT NULL DEFAULT 0;
  ALTER TABLE mailboxes ADD COLUMN message_octets int8 NOT NULL DEFAULT 0;
  UPDATE mailboxes b SET message_count = u.n, message_octets = u.octets
    FROM (SELECT mailbox_id, count(*)::int8 AS n, sum(size)::int8 AS octets FROM messages GROUP BY mailbox_id) u
    WHERE u.mailbox_id = b.id;
  CREATE FUNCTION facteur_mailbox_usage() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
      UPDATE mailboxes SET message_count = message_count - 1, message_octets = message_octets - OLD.size
        WHERE id = OLD.mailbox_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      UPDATE mailboxes SET message_count = message_count + 1, message_octets = message_octets + NEW.size
        WHERE id = NEW.mailbox_id;
      RETURN NEW;
    END IF;
    RETURN OLD;
  END $$;
  CREATE TRIGGER messages_usage AFTER INSERT OR DELETE OR UPDATE OF mailbox_id, size ON messages
    FOR EACH ROW EXECUTE FUNCTION facteur_mailbox_usage();
  CREATE TABLE quota_settings (
    account_id int8 PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    storage    int8,
    messages   int8,
    mailboxes  int8
  );
  `,
  // 8: seen marks (docs/decisions/0019; SQLite migration 12): a grantee's private \Seen on
  // another account's message, gone with the message or the reader's account by cascade.
  `
  CREATE TABLE seen_marks (
    mailbox_id int8 NOT NULL,
    uid        int8 NOT NULL,
    account_id int8 NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (mailbox_id, uid, account_id),
    FOREIGN KEY (mailbox_id, uid) REFERENCES messages(mailbox_id, uid) ON DELETE CASCADE
  );
  CREATE INDEX seen_marks_reader ON seen_marks(account_id, mailbox_id, uid);
  `,
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** The SQL of migration `n` (1-based), for tests that replay one migration on old data. */
export function pgMigrationSql(n: number): string {
  return MIGRATIONS[n - 1];
}

/**
 * Applies the pending migrations; idempotent and safe against concurrent nodes. Resolves with the
 * version first read under the lock (what this call found; `facteur db migrate` prints it).
 */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS facteur_schema (version int8 NOT NULL)').catch(async (e: unknown) => {
      // Two nodes creating it at once: one wins, the other sees a unique violation on the type,
      // or "relation/type already exists" (42P07, 42710 duplicate_object), depending on timing.
      if (!['23505', '42P07', '42710'].includes((e as { code?: string }).code ?? '')) throw e;
    });
    let first: number | null = null;
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const { rows } = await client.query<{ version: string }>('SELECT version FROM facteur_schema');
        if (rows.length === 0) await client.query('INSERT INTO facteur_schema (version) VALUES (0)');
        const version = rows.length === 0 ? 0 : Number(rows[0].version);
        first ??= version;
        if (version > MIGRATIONS.length) {
          throw new Error(`database schema version ${version} is newer than this program (${MIGRATIONS.length})`);
        }
        if (version === MIGRATIONS.length) {
          await client.query('COMMIT');
          return first;
        }
        await client.query(MIGRATIONS[version]);
        await client.query('UPDATE facteur_schema SET version = $1', [version + 1]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  } finally {
    client.release();
  }
}
