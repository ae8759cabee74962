/**
 * imapflow over COMPRESS=DEFLATE (RFC 4978): imapflow sends COMPRESS DEFLATE on its own after
 * login when the capability is advertised (unless disableCompression), and then fails the
 * session if anything follows the tagged OK uncompressed. Exercised over cleartext and over
 * STARTTLS: list, append, fetch of a large message (byte-exact), IDLE pushes, logout; and
 * disableCompression still works.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';

function client(port: number, opts: { doSTARTTLS?: boolean; disableCompression?: boolean } = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: opts.doSTARTTLS ?? false,
    disableCompression: opts.disableCompression ?? false,
    auth: { user: USER, pass: PASS },
    logger: false,
    tls: { rejectUnauthorized: false },
    maxIdleTime: 60_000,
  });
}

/** imapflow keeps its inflater on the connection once COMPRESS succeeded. */
function compressed(c: ImapFlow): boolean {
  return Boolean((c as unknown as { _inflate?: unknown })._inflate);
}

function bigMessage(kb: number): string {
  const lines = ['From: Bob <bob@example.org>', 'To: alice@example.com', 'Subject: big one', ''];
  let x = 7;
  for (let n = 0; n * 72 < kb * 1024; n++) {
    let s = '';
    for (let i = 0; i < 70; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s += String.fromCharCode(33 + (x % 90));
    }
    lines.push(s);
  }
  return lines.join('\r\n') + '\r\n';
}

describe('imapflow with COMPRESS=DEFLATE', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });

  for (const doSTARTTLS of [false, true]) {
    test(`list, append, large fetch and IDLE over compression (${doSTARTTLS ? 'STARTTLS' : 'cleartext'})`, async () => {
      const c = client(srv.port, { doSTARTTLS });
      await c.connect();
      const box = doSTARTTLS ? 'ZTls' : 'ZPlain';
      try {
        assert.ok(c.capabilities.has('COMPRESS=DEFLATE'));
        assert.equal(compressed(c), true, 'imapflow did not negotiate COMPRESS');
        const list = await c.list();
        assert.ok(list.some((m) => m.path === 'INBOX'));
        await c.mailboxCreate(box);
        const msg = bigMessage(1024);
        const r = await c.append(box, msg);
        assert.ok(r && r.uid === 1);
        const lock = await c.getMailboxLock(box);
        try {
          const m = (await c.fetchOne('1', { uid: true, source: true, envelope: true })) as FetchMessageObject;
          assert.equal(m.envelope!.subject, 'big one');
          assert.ok(m.source!.equals(Buffer.from(msg)), 'source differs');
        } finally {
          lock.release();
        }

        await c.mailboxOpen(box);
        const seen = new Promise<{ count: number }>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no exists event within 2 s')), 2000);
          c.once('exists', (ev: { count: number }) => {
            clearTimeout(t);
            resolve(ev);
          });
        });
        const idling = c.idle();
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(c.idling, true);
        const other = client(srv.port, { disableCompression: true });
        await other.connect();
        try {
          assert.equal(compressed(other), false);
          assert.ok(await other.append(box, 'Subject: ping\r\n\r\nping\r\n'));
          const started = Date.now();
          assert.equal((await seen).count, 2);
          assert.ok(Date.now() - started < 1000);
        } finally {
          await other.logout();
        }
        await c.noop();
        await idling;
        await c.mailboxClose();
      } finally {
        await c.logout();
      }
    });
  }
});
