/**
 * What `facteur db migrate` and `facteur db check` report, shared by both backends
 * (src/store/sqlite/consistency.ts, src/store/postgres/consistency.ts).
 *
 * Invariants:
 * - A consistency check never writes: it reads one snapshot (one read transaction) and reports.
 * - Every problem names where it is (account, mailbox, UID or blob id) in `where`, so an operator
 *   can find the row; `problem` says what is wrong in words.
 */

export interface ConsistencyProblem {
  /** "account/mailbox uid N", "account/mailbox" or "blob <id>". */
  where: string;
  problem: string;
}

export interface ConsistencyReport {
  problems: ConsistencyProblem[];
  /** What was examined, for the summary line. */
  checked: { mailboxes: number; messages: number; blobs: number };
}

/** Schema versions around `facteur db migrate` (numbers of migrations applied). */
export interface MigrationResult {
  before: number;
  after: number;
}

/** A row naming a message's place, as both backends' queries return it. */
export interface MessagePlace {
  account: string;
  mailbox: string;
  uid: number;
}

/** Names are printed as they are unless they hold control characters (a terminal would act on
 * them): then quoted with escapes. */
const printable = (name: string): string => (/[\u0000-\u001f\u007f-\u009f]/.test(name) ? JSON.stringify(name) : name);

export const placeOf = (r: MessagePlace): string => `${printable(r.account)}/${printable(r.mailbox)} uid ${r.uid}`;

/**
 * The checks as SQL, identical on both backends (they use only columns of the first migration of
 * each). Each query returns the offending rows; the backend turns them into problems.
 */
export const CHECK_QUERIES = {
  /** Messages whose blob row is missing (foreign keys prevent it, unless the file was edited). */
  missingBlobRow: `
    SELECT a.name AS account, b.name AS mailbox, m.uid AS uid, m.blob_id AS blob_id
    FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id
    WHERE NOT EXISTS (SELECT 1 FROM blobs x WHERE x.id = m.blob_id)
    ORDER BY a.name, b.name, m.uid`,
  /** blobs.refs differing from the number of messages naming the blob (schema.ts invariant). */
  refMismatch: `
    SELECT x.id AS blob_id, x.refs AS refs, c.n AS n
    FROM blobs x JOIN (SELECT y.id AS id, (SELECT count(*) FROM messages m WHERE m.blob_id = y.id) AS n FROM blobs y) c
      ON c.id = x.id
    WHERE x.refs <> c.n
    ORDER BY x.id`,
  /** Two rows for one (mailbox, UID): the primary key forbids it, so only a damaged index shows it. */
  duplicateUid: `
    SELECT a.name AS account, b.name AS mailbox, m.uid AS uid, count(*) AS n
    FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id
    GROUP BY a.name, b.name, m.mailbox_id, m.uid HAVING count(*) > 1
    ORDER BY a.name, b.name, m.uid`,
  /** UIDs at or above UIDNEXT: a later APPEND would reuse them (RFC 9051 §2.3.1.1). */
  uidNotBelowNext: `
    SELECT a.name AS account, b.name AS mailbox, m.uid AS uid, b.uid_next AS uid_next
    FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id
    WHERE m.uid >= b.uid_next
    ORDER BY a.name, b.name, m.uid`,
  /** MODSEQs above HIGHESTMODSEQ: CONDSTORE clients would miss the change (RFC 7162 §3.1.2.1). */
  modseqAboveHighest: `
    SELECT a.name AS account, b.name AS mailbox, m.uid AS uid, m.modseq AS modseq, b.highest_modseq AS highest
    FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id
    WHERE m.modseq > b.highest_modseq
    ORDER BY a.name, b.name, m.uid`,
  /** Expunge history UIDs at or above UIDNEXT (never assigned, so never expunged). */
  expungedNotBelowNext: `
    SELECT a.name AS account, b.name AS mailbox, e.uid AS uid, b.uid_next AS uid_next
    FROM expunged e JOIN mailboxes b ON b.id = e.mailbox_id JOIN accounts a ON a.id = b.account_id
    WHERE e.uid >= b.uid_next
    ORDER BY a.name, b.name, e.uid`,
  /** UIDs both expunged and present: QRESYNC would tell clients a live message vanished. */
  expungedStillPresent: `
    SELECT a.name AS account, b.name AS mailbox, e.uid AS uid
    FROM expunged e JOIN messages m ON m.mailbox_id = e.mailbox_id AND m.uid = e.uid
      JOIN mailboxes b ON b.id = e.mailbox_id JOIN accounts a ON a.id = b.account_id
    ORDER BY a.name, b.name, e.uid`,
  counts: `
    SELECT (SELECT count(*) FROM mailboxes) AS mailboxes, (SELECT count(*) FROM messages) AS messages,
           (SELECT count(*) FROM blobs) AS blobs`,
} as const;

/**
 * Quota usage counters (RFC 9208; SQLite migration 8, PostgreSQL migration 5) differing from the
 * messages they count. Separate from CHECK_QUERIES: a database checked before that migration has
 * no such columns, so the backends run it only when the column exists.
 */
export const USAGE_CHECK_QUERY = `
    SELECT a.name AS account, b.name AS mailbox, b.message_count AS count, b.message_octets AS octets, c.n AS n, c.octets AS real_octets
    FROM mailboxes b JOIN accounts a ON a.id = b.account_id
      JOIN (SELECT y.id AS id, (SELECT count(*) FROM messages m WHERE m.mailbox_id = y.id) AS n,
                   (SELECT coalesce(sum(m.size), 0) FROM messages m WHERE m.mailbox_id = y.id) AS octets
            FROM mailboxes y) c ON c.id = b.id
    WHERE b.message_count <> c.n OR b.message_octets <> c.octets
    ORDER BY a.name, b.name`;

/**
 * Seen marks (decision 0019; SQLite migration 12, PostgreSQL migration 8) whose message is gone.
 * Foreign-key cascades remove them with the message; a database written without foreign keys
 * enforced (a SQLite connection without PRAGMA foreign_keys, by another tool) could keep them,
 * and a later message could never reuse the UID, but the counts of UNSEEN would be off. Run only
 * when the table exists.
 */
export const SEEN_MARKS_CHECK_QUERY = `
    SELECT a.name AS account, b.name AS mailbox, s.uid AS uid, r.name AS reader
    FROM seen_marks s JOIN mailboxes b ON b.id = s.mailbox_id JOIN accounts a ON a.id = b.account_id
      LEFT JOIN accounts r ON r.id = s.account_id
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.mailbox_id = s.mailbox_id AND m.uid = s.uid)
    ORDER BY a.name, b.name, s.uid`;

type Row = Record<string, unknown>;

/**
 * Turns the rows of CHECK_QUERIES into problems (the shared part of both backends' checks).
 * `run` executes one query and returns its rows, in the same read snapshot for every call.
 */
export async function runChecks(
  run: (sql: string) => Promise<Row[]>,
  opts: { usageCounters?: boolean; seenMarks?: boolean } = {},
): Promise<ConsistencyReport> {
  const problems: ConsistencyProblem[] = [];
  const place = (r: Row): string => placeOf({ account: String(r.account), mailbox: String(r.mailbox), uid: Number(r.uid) });
  for (const r of await run(CHECK_QUERIES.missingBlobRow)) {
    problems.push({ where: place(r), problem: `blob ${String(r.blob_id)} has no blob row` });
  }
  for (const r of await run(CHECK_QUERIES.refMismatch)) {
    problems.push({ where: `blob ${String(r.blob_id)}`, problem: `reference count ${Number(r.refs)}, but ${Number(r.n)} message(s) reference it` });
  }
  for (const r of await run(CHECK_QUERIES.duplicateUid)) {
    problems.push({ where: place(r), problem: `UID used by ${Number(r.n)} messages` });
  }
  for (const r of await run(CHECK_QUERIES.uidNotBelowNext)) {
    problems.push({ where: place(r), problem: `UID not below the mailbox's UIDNEXT ${Number(r.uid_next)}` });
  }
  for (const r of await run(CHECK_QUERIES.modseqAboveHighest)) {
    problems.push({ where: place(r), problem: `MODSEQ ${Number(r.modseq)} above the mailbox's HIGHESTMODSEQ ${Number(r.highest)}` });
  }
  for (const r of await run(CHECK_QUERIES.expungedNotBelowNext)) {
    problems.push({ where: place(r), problem: `expunge history UID not below the mailbox's UIDNEXT ${Number(r.uid_next)}` });
  }
  for (const r of await run(CHECK_QUERIES.expungedStillPresent)) {
    problems.push({ where: place(r), problem: 'in the expunge history but still present as a message' });
  }
  if (opts.usageCounters === true) {
    for (const r of await run(USAGE_CHECK_QUERY)) {
      problems.push({
        where: `${printable(String(r.account))}/${printable(String(r.mailbox))}`,
        problem: `quota usage counters say ${Number(r.count)} messages, ${Number(r.octets)} octets; the mailbox holds ${Number(r.n)}, ${Number(r.real_octets)}`,
      });
    }
  }
  if (opts.seenMarks === true) {
    for (const r of await run(SEEN_MARKS_CHECK_QUERY)) {
      problems.push({ where: place(r), problem: `seen mark of ${printable(String(r.reader))} on a message that no longer exists` });
    }
  }
  const c = (await run(CHECK_QUERIES.counts))[0];
  return { problems, checked: { mailboxes: Number(c.mailboxes), messages: Number(c.messages), blobs: Number(c.blobs) } };
}
