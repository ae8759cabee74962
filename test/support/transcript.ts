/**
 * Small helpers shared by the transcript tests in test/imap/: logged-in clients, literal
 * building, waiting for a specific untagged line with a timeout, and tag/status matchers.
 */
import assert from 'node:assert/strict';
import { TestClient, type Reply } from './client.js';
import { USER, PASS } from './server.js';

export { TestClient, type Reply };

/** Connects and logs alice in. */
export async function loggedIn(port: number, opts: { tls?: boolean } = {}): Promise<TestClient> {
  const c = await TestClient.connect(port, opts);
  await c.login(USER, PASS);
  return c;
}

/** Users of the multi-account tests (ACL, shared mailboxes): each password is "<name>-pass". */
export const ACCOUNTS: Array<[string, string]> = [
  ['alice', 'alice-pass'],
  ['bob', 'bob-pass'],
  ['carol', 'carol-pass'],
];

/** Connects to `port` and logs `user` in with the "<name>-pass" password; asserts OK. */
export async function loginAs(port: number, user: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  assertStatus(await c.login(user, `${user}-pass`), 'OK');
  return c;
}

/** A reply without its tag, so two commands' answers can be compared. */
export const shape = (r: Reply): { untagged: string[]; tagged: string } => ({ untagged: r.untagged, tagged: r.tagged.replace(/^\S+ /, '') });

/** Asserts the tagged line is "<tag> <status> [<code>] ..." (code optional). */
export function assertStatus(r: Reply, status: 'OK' | 'NO' | 'BAD', code?: string): void {
  const m = /^\S+ (OK|NO|BAD)(?: \[([^\]]*)\])?/.exec(r.tagged);
  assert.ok(m, `malformed tagged line: ${r.tagged}`);
  assert.equal(m[1], status, `expected ${status}${code ? ` [${code}]` : ''}, got: ${r.tagged}\nuntagged: ${JSON.stringify(r.untagged)}`);
  if (code !== undefined) {
    assert.ok(m[2] !== undefined, `expected response code [${code}], got: ${r.tagged}`);
    const got = m[2];
    assert.ok(got === code || got.startsWith(code + ' '), `expected response code [${code}], got: ${r.tagged}`);
  }
}

/** Returns the code's arguments, e.g. "APPENDUID 123 4" -> ["123","4"]. */
export function codeArgs(r: Reply, code: string): string[] {
  const m = new RegExp(`\\[${code}(?: ([^\\]]*))?\\]`).exec(r.tagged);
  assert.ok(m, `no [${code}] in ${r.tagged}`);
  return m[1] ? m[1].split(' ') : [];
}

/** A literal: "{n}\r\n<bytes>" counting UTF-8 bytes. */
export function lit(s: string): string {
  return `{${Buffer.byteLength(s)}}\r\n${s}`;
}

/** Reads lines until one matches (returns it, plus those skipped), or fails after timeoutMs. */
export async function waitForLine(c: TestClient, re: RegExp, timeoutMs = 3000): Promise<{ line: string; skipped: string[] }> {
  const deadline = Date.now() + timeoutMs;
  const skipped: string[] = [];
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(skipped)}`);
    const line = await c.readLine(left);
    if (re.test(line)) return { line, skipped };
    skipped.push(line);
  }
}

/** Waits for the connection to be closed by the server. */
export async function waitClosed(c: TestClient, timeoutMs = 3000): Promise<string[]> {
  const lines: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`connection not closed; read ${JSON.stringify(lines)}`);
    try {
      lines.push(await c.readLine(left));
    } catch (e) {
      if (c.closed || /closed/.test(String(e))) return lines;
      throw e;
    }
  }
}

/** Sends an APPEND with a synchronizing literal, waiting for the continuation. */
export async function append(c: TestClient, mailbox: string, message: string, flags = '', date = ''): Promise<Reply> {
  const tag = c.nextTag();
  const size = Buffer.byteLength(message);
  c.write(`${tag} APPEND ${mailbox}${flags ? ` (${flags})` : ''}${date ? ` "${date}"` : ''} {${size}}\r\n`);
  const cont = await c.readLine();
  if (!cont.startsWith('+')) return { tagged: cont, untagged: [] };
  c.write(message + '\r\n');
  return c.readUntilTagged(tag);
}

/** A simple RFC 5322 message with CRLF line ends. */
export function simpleMessage(opts: { from?: string; to?: string; subject?: string; body?: string; date?: string; extra?: string } = {}): string {
  return [
    `From: ${opts.from ?? 'Bob <bob@example.org>'}`,
    `To: ${opts.to ?? 'Alice <alice@example.com>'}`,
    `Subject: ${opts.subject ?? 'Hello'}`,
    `Date: ${opts.date ?? 'Mon, 7 Feb 1994 21:52:25 -0800'}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.org>`,
    ...(opts.extra ? [opts.extra] : []),
    '',
    opts.body ?? 'Hello Alice.',
    '',
  ].join('\r\n');
}

/** Untagged lines that match. */
export function grep(r: Reply | string[], re: RegExp): string[] {
  const lines = Array.isArray(r) ? r : r.untagged;
  return lines.filter((l) => re.test(l));
}

/**
 * Creates `mailbox` (if needed) and appends `messages` over a separate connection, which then
 * SELECTs it once so \Recent is claimed there (RFC 3501 §2.3.2) and later sessions see none.
 * Returns the APPENDUID replies.
 */
export async function seedMailbox(port: number, mailbox: string, messages: Array<{ body: string; flags?: string; date?: string }>): Promise<Reply[]> {
  const h = await loggedIn(port);
  try {
    const cr = await h.command(`CREATE ${mailbox}`);
    if (!/ OK /.test(cr.tagged) && !/ALREADYEXISTS/.test(cr.tagged)) throw new Error(`CREATE ${mailbox}: ${cr.tagged}`);
    const out: Reply[] = [];
    for (const m of messages) {
      const r = await append(h, mailbox, m.body, m.flags ?? '', m.date ?? '');
      if (!/ OK /.test(r.tagged)) throw new Error(`APPEND: ${r.tagged}`);
      out.push(r);
    }
    await h.command(`SELECT ${mailbox}`);
    await h.command('LOGOUT');
    return out;
  } finally {
    h.close();
  }
}
