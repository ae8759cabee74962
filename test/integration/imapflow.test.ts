/**
 * imapflow (a real client library) against a real Facteur: connect (STARTTLS and cleartext),
 * list, mailboxCreate, append, fetch (source, envelope, bodyStructure, flags), messageFlagsAdd,
 * messageMove, messageDelete, search, IDLE notifications from a second client, logout; and the
 * implicit TLS port (RFC 8314 §3.3).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { MULTI, ATTACHMENT } from '../support/fixtures.js';

function client(port: number, opts: { secure?: boolean; doSTARTTLS?: boolean } = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: opts.secure ?? false,
    doSTARTTLS: opts.doSTARTTLS,
    auth: { user: USER, pass: PASS },
    logger: false,
    tls: { rejectUnauthorized: false },
    // keep IDLE from being restarted behind the test's back
    maxIdleTime: 60_000,
  });
}

/** Resolves with the first event's argument, or rejects after timeoutMs. */
function nextEvent<T>(c: ImapFlow, name: string, timeoutMs: number, filter: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      c.off(name, on);
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (v: T): void => {
      if (!filter(v)) return;
      clearTimeout(t);
      c.off(name, on);
      resolve(v);
    };
    c.on(name, on);
  });
}

describe('imapflow against Facteur', () => {
  let srv: TestServer;
  let c: ImapFlow;
  before(async () => {
    srv = await startTestServer();
    c = client(srv.port, { doSTARTTLS: true });
    await c.connect();
  });
  after(async () => {
    await c.logout().catch(() => undefined);
    await srv.stop();
  });

  test('connects over STARTTLS and sees IMAP4rev2 capabilities', () => {
    assert.equal(c.usable, true);
    assert.ok(c.capabilities.has('IMAP4rev1') || c.capabilities.has('IMAP4rev2'));
    assert.ok(c.capabilities.has('IDLE') && c.capabilities.has('UIDPLUS') && c.capabilities.has('MOVE'));
    assert.equal(c.secureConnection, true);
  });

  test('list shows the default mailboxes with special-use flags', async () => {
    const boxes = await c.list();
    const byPath = new Map(boxes.map((b) => [b.path, b]));
    for (const p of ['INBOX', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive']) assert.ok(byPath.has(p), `missing ${p}`);
    assert.equal(byPath.get('Sent')!.specialUse, '\\Sent');
    assert.equal(byPath.get('Trash')!.specialUse, '\\Trash');
    assert.equal(byPath.get('Sent')!.delimiter, '/');
  });

  test('mailboxCreate creates nested mailboxes; creating again reports created: false', async () => {
    const r = await c.mailboxCreate(['Projects', 'Flow']);
    assert.equal(r.path, 'Projects/Flow');
    assert.equal(r.created, true);
    const again = await c.mailboxCreate('Projects/Flow');
    assert.equal(again.created, false);
    const paths = (await c.list()).map((b) => b.path);
    assert.ok(paths.includes('Projects') && paths.includes('Projects/Flow'), paths.join(','));
    // a non-ASCII name round-trips through modified UTF-7
    const u = await c.mailboxCreate('Données/日本語');
    assert.equal(u.path, 'Données/日本語');
    // imapflow ENABLEs IMAP4rev2; names must then travel as UTF-8 (RFC 9051 §5.1, Appendix A.1)
    const listedPaths = (await c.list()).map((b) => b.path);
    assert.ok(listedPaths.includes('Données/日本語'), `list() after creating 'Données/日本語': ${listedPaths.join(', ')}`);
  });

  test('append, then fetch source, envelope, bodyStructure and flags', async () => {
    const r = await c.append('Projects/Flow', MULTI, ['\\Flagged'], new Date('2023-03-14T10:00:00Z'));
    assert.ok(r);
    assert.equal(r.destination, 'Projects/Flow');
    assert.equal(r.uid, 1);
    assert.equal(typeof r.uidValidity, 'bigint');
    const lock = await c.getMailboxLock('Projects/Flow');
    try {
      const m = (await c.fetchOne('1', { uid: true, source: true, envelope: true, bodyStructure: true, flags: true, internalDate: true, size: true })) as FetchMessageObject;
      assert.ok(m);
      assert.equal(m.uid, 1);
      assert.equal(m.source!.toString('latin1'), MULTI);
      assert.equal(m.size, Buffer.byteLength(MULTI));
      assert.deepEqual([...m.flags!].filter((f) => f !== '\\Recent'), ['\\Flagged']);
      assert.equal(m.envelope!.subject, 'Hello wörld');
      assert.equal(m.envelope!.messageId, '<multi-1@example.org>');
      assert.deepEqual(m.envelope!.from, [{ name: 'Bob Example', address: 'bob@example.org' }]);
      assert.deepEqual(m.envelope!.to, [{ address: 'alice@example.com' }, { name: 'Carol', address: 'carol@example.net' }].map((a) => ({ name: '', ...a })));
      assert.equal(new Date(m.internalDate!).toISOString(), '2023-03-14T10:00:00.000Z');
      const bs = m.bodyStructure!;
      assert.equal(bs.type, 'multipart/mixed');
      assert.deepEqual(bs.childNodes!.map((n) => n.type), ['multipart/alternative', 'application/octet-stream', 'message/rfc822']);
      assert.deepEqual(bs.childNodes![0].childNodes!.map((n) => [n.part, n.type, n.encoding]), [['1.1', 'text/plain', 'quoted-printable'], ['1.2', 'text/html', '7bit']]);
      assert.equal(bs.childNodes![1].part, '2');
      assert.equal(bs.childNodes![1].disposition, 'attachment');
      assert.equal(bs.childNodes![2].envelope!.subject, 'Inner subject');
      // BINARY download of the base64 attachment
      const { content } = await c.download('1', '2', { uid: true });
      assert.ok(content);
      const chunks: Buffer[] = [];
      for await (const ch of content) chunks.push(ch as Buffer);
      assert.equal(Buffer.concat(chunks).toString('latin1'), ATTACHMENT);
    } finally {
      lock.release();
    }
  });

  test('messageFlagsAdd, search, messageMove and messageDelete', async () => {
    assert.ok(await c.mailboxCreate('Flow2'));
    for (const s of ['alpha', 'beta', 'gamma']) assert.ok(await c.append('Flow2', `From: x@example.com\r\nSubject: ${s}\r\n\r\nbody of ${s}\r\n`));
    const lock = await c.getMailboxLock('Flow2');
    try {
      assert.equal(await c.messageFlagsAdd('2:3', ['\\Seen', '$Done'], { uid: true }), true);
      const flags: Record<number, string[]> = {};
      for await (const m of c.fetch('1:*', { uid: true, flags: true })) flags[m.uid] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort();
      assert.deepEqual(flags, { 1: [], 2: ['$Done', '\\Seen'], 3: ['$Done', '\\Seen'] });
      assert.deepEqual(await c.search({ seen: false }, { uid: true }), [1]);
      assert.deepEqual(await c.search({ subject: 'gamma' }, { uid: true }), [3]);
      assert.deepEqual(await c.search({ body: 'of beta' }, { uid: true }), [2]);
      assert.deepEqual(await c.search({ keyword: '$Done' }, { uid: true }), [2, 3]);

      const moved = await c.messageMove('1', 'Archive', { uid: true });
      assert.ok(moved);
      assert.equal(moved.destination, 'Archive');
      assert.deepEqual([...moved.uidMap!.entries()], [[1, 1]]);
      assert.equal(c.mailbox && c.mailbox.exists, 2);

      assert.equal(await c.messageDelete('3', { uid: true }), true);
      const left: number[] = [];
      for await (const m of c.fetch('1:*', { uid: true })) left.push(m.uid);
      assert.deepEqual(left, [2]);
    } finally {
      lock.release();
    }
    const st = await c.status('Archive', { messages: true, uidNext: true });
    assert.ok(st);
    assert.equal(st.messages, 1);
    assert.equal(st.uidNext, 2);
  });

  test('IDLE: an append by a second client raises an exists event', async () => {
    await c.mailboxCreate('Watched');
    await c.mailboxOpen('Watched');
    assert.equal(c.mailbox && c.mailbox.exists, 0);
    const seen = nextEvent<{ path: string; count: number; prevCount: number }>(c, 'exists', 3000);
    const idling = c.idle();
    // wait until IDLE was actually sent, so the update must be pushed, not polled
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.idling, true);
    const other = client(srv.port, { doSTARTTLS: false });
    await other.connect();
    try {
      assert.ok(await other.append('Watched', 'Subject: ping\r\n\r\nping\r\n'));
      const ev = await seen;
      assert.deepEqual(ev, { path: 'Watched', count: 1, prevCount: 0 });
    } finally {
      await other.logout();
    }
    // any command ends IDLE (imapflow sends DONE)
    const st = await c.noop();
    assert.equal(st, undefined);
    await idling;
    await c.mailboxClose();
  });

  test('cleartext connection without STARTTLS works when the server allows it', async () => {
    const p = client(srv.port, { doSTARTTLS: false });
    await p.connect();
    try {
      assert.equal(p.secureConnection, false);
      const boxes = await p.list();
      assert.ok(boxes.some((b) => b.path === 'Watched'));
    } finally {
      await p.logout();
    }
    assert.equal(p.usable, false);
  });

  test('implicit TLS port (secure: true) works (RFC 8314 §3.3)', async () => {
    const s = client(srv.tlsPort, { secure: true });
    await s.connect();
    try {
      assert.equal(s.secureConnection, true);
      const st = await s.status('INBOX', { messages: true });
      assert.ok(st);
      assert.equal(st.messages, 0);
    } finally {
      await s.logout();
    }
  });
});
