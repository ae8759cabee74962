/**
 * ManageSieve sessions over real sockets (RFC 5804): greeting and capabilities, STARTTLS,
 * AUTHENTICATE (PLAIN with and without initial response, LOGIN, cancellation, failures,
 * throttling shared with IMAP's Authenticator), cleartext policy, states, UNAUTHENTICATE,
 * NOOP, LOGOUT, malformed input and the inactivity BYE.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { SieveClient, capabilities, lit } from '../support/managesieve-client.js';
import { TestClient } from '../support/client.js';
import { stopAllHarnesses, startSieveHarness } from './harness.js';
import { SUPPORTED_EXTENSIONS } from '../../src/sieve/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/main.js';
import { DEFAULT_CONFIG } from '../../src/config/index.js';
import { silentLogger } from '../../src/observability/log.js';
import { freePort } from '../support/server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

let strict: TestServer | null = null;
async function strictServer(): Promise<TestServer> {
  strict ??= await startTestServer({ allowCleartextAuth: false });
  return strict;
}
after(async () => {
  await strict?.stop();
  await stopAllHarnesses();
});

test('greeting is the capability list: IMPLEMENTATION, SASL, SIEVE, STARTTLS, UNAUTHENTICATE, VERSION "1.0" (RFC 5804 §1.7)', async () => {
  const s = await strictServer();
  const c = await SieveClient.connect(s.managesievePort);
  try {
    assert.equal(c.greeting.done.status, 'OK');
    const caps = capabilities(c.greeting);
    assert.match(caps.get('IMPLEMENTATION') ?? '', /Facteur/);
    assert.equal(caps.get('VERSION'), '1.0');
    assert.equal(caps.get('SIEVE'), SUPPORTED_EXTENSIONS.join(' '));
    // Cleartext authentication is off: SASL is empty, which is allowed only with STARTTLS.
    assert.equal(caps.get('SASL'), '');
    assert.ok(caps.has('STARTTLS'));
    assert.ok(caps.has('UNAUTHENTICATE'));
    assert.ok(!caps.has('OWNER'));
    // CAPABILITY answers the same list.
    const again = await c.command('CAPABILITY');
    assert.deepEqual(capabilities(again), caps);
    // §1.3 ENCRYPT-NEEDED before any credential is looked at.
    const r = await c.authenticate(USER, PASS);
    assert.equal(r.done.status, 'NO');
    assert.equal(r.done.code, 'ENCRYPT-NEEDED');
    const l = await c.command('LOGOUT');
    assert.equal(l.done.status, 'OK');
    await c.waitClosed();
  } finally {
    c.close();
  }
});

test('STARTTLS re-issues capabilities without STARTTLS, with SASL mechanisms; PLAIN then works (RFC 5804 §2.2, §2.1 example)', async () => {
  const s = await strictServer();
  const c = await SieveClient.connect(s.managesievePort);
  try {
    const { capabilities: after } = await c.startTls();
    assert.equal(after.done.status, 'OK');
    const caps = capabilities(after);
    assert.ok(!caps.has('STARTTLS'));
    assert.equal(caps.get('SASL'), 'PLAIN LOGIN');
    const again = await c.command('STARTTLS');
    assert.equal(again.done.status, 'NO');
    const bad = await c.authenticate(USER, 'wrong');
    assert.equal(bad.done.status, 'NO');
    const good = await c.authenticate(USER, PASS);
    assert.equal(good.done.status, 'OK', good.done.line);
    const owner = capabilities(await c.command('CAPABILITY'));
    assert.equal(owner.get('OWNER'), USER);
    assert.equal((await c.command('LISTSCRIPTS')).done.status, 'OK');
  } finally {
    c.close();
  }
});

test('commands pipelined behind STARTTLS in cleartext are discarded, not run under TLS', async () => {
  const s = await strictServer();
  const c = await SieveClient.connect(s.managesievePort);
  try {
    c.write('STARTTLS\r\nNOOP "injected"\r\n');
    const { capabilities: caps } = await (async () => {
      const r = await c.readReply();
      assert.equal(r.done.status, 'OK');
      // Reuse the handshake half of startTls by hand.
      return { capabilities: r };
    })();
    assert.ok(caps);
    const tls = await import('node:tls');
    const sock = (c as unknown as { sock: import('node:net').Socket }).sock;
    sock.removeAllListeners('data');
    const secure = tls.connect({ socket: sock, rejectUnauthorized: false });
    const received: Buffer[] = [];
    secure.on('data', (d: Buffer) => received.push(d));
    await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
    secure.write('NOOP "after"\r\n');
    for (let i = 0; i < 100 && !Buffer.concat(received).toString().includes('after'); i++) await new Promise((r) => setTimeout(r, 20));
    const text = Buffer.concat(received).toString();
    assert.match(text, /^"IMPLEMENTATION"/);
    assert.match(text, /OK \(TAG "after"\)/);
    assert.doesNotMatch(text, /injected/);
    secure.destroy();
  } finally {
    c.close();
  }
});

test('AUTHENTICATE PLAIN without initial response: empty challenge, literal answer (RFC 5804 §2.1)', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    c.write('AUTHENTICATE "PLAIN"\r\n');
    assert.equal(await c.readLine(), '""');
    const resp = b64(`\0${USER}\0${PASS}`);
    const r = await c.command(lit(resp));
    assert.equal(r.done.status, 'OK', r.done.line);
    // No reauthentication (§2.1).
    const again = await c.authenticate(USER, PASS);
    assert.equal(again.done.status, 'NO');
  } finally {
    c.close();
    await h.stop();
  }
});

test('AUTHENTICATE LOGIN: two challenges; "*" cancels with NO; an initial response is refused', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    c.write('AUTHENTICATE "LOGIN"\r\n');
    assert.equal(await c.readLine(), `"${b64('Username:')}"`);
    c.write('"*"\r\n');
    const cancelled = await c.readReply();
    assert.equal(cancelled.done.status, 'NO');
    const ir = await c.command(`AUTHENTICATE "LOGIN" "${b64(USER)}"`);
    assert.equal(ir.done.status, 'NO');
    c.write('Authenticate "login"\r\n');
    assert.equal(await c.readLine(), `"${b64('Username:')}"`);
    c.write(`"${b64(USER)}"\r\n`);
    assert.equal(await c.readLine(), `"${b64('Password:')}"`);
    const r = await c.command(lit(b64(PASS)));
    assert.equal(r.done.status, 'OK', r.done.line);
  } finally {
    c.close();
    await h.stop();
  }
});

test('unknown mechanisms and bad base64 are NO; the third failure on a connection is BYE (RFC 5804 §2.1 example)', async () => {
  const h = await startSieveHarness({ auth: { sleep: async () => undefined } });
  const c = await SieveClient.connect(h.port);
  try {
    const r1 = await c.command('AUTHENTICATE "DIGEST-MD5"');
    assert.equal(r1.done.status, 'NO');
    const r2 = await c.command('AUTHENTICATE "PLAIN" "not base64!"');
    assert.equal(r2.done.status, 'NO');
    const r3 = await c.authenticate(USER, 'wrong');
    assert.equal(r3.done.status, 'BYE');
    await c.waitClosed();
  } finally {
    c.close();
    await h.stop();
  }
});

test('failed attempts are throttled per account across connections: NO (TRYLATER) even for the right password', async () => {
  const h = await startSieveHarness({ auth: { sleep: async () => undefined, throttle: { maxAccountFailures: 2 } } });
  try {
    for (let i = 0; i < 2; i++) {
      const c = await SieveClient.connect(h.port);
      const r = await c.authenticate(USER, `wrong-${i}`);
      assert.equal(r.done.status, 'NO');
      assert.equal(r.done.code, null);
      c.close();
    }
    const c = await SieveClient.connect(h.port);
    const r = await c.authenticate(USER, PASS);
    assert.equal(r.done.status, 'NO');
    assert.equal(r.done.code, 'TRYLATER');
    c.close();
  } finally {
    await h.stop();
  }
});

test('IMAP and ManageSieve share accounts and the throttle (one Authenticator in src/main.ts)', async () => {
  // The throttle lives in each node's memory (src/auth/throttle.ts): one node shows the sharing.
  const s = await startTestServer({ singleNode: 'login throttling is per node, in memory' });
  try {
    const m = await SieveClient.connect(s.managesievePort);
    assert.equal((await m.authenticate(USER, PASS)).done.status, 'OK');
    m.close();
    // Ten failures over IMAP (the account limit) lock the account for ManageSieve too. Each
    // failure is delayed by the throttle, so the attempts run on parallel connections.
    const imap = await Promise.all(Array.from({ length: 10 }, () => TestClient.connect(s.port)));
    await Promise.all(imap.map((c, i) => c.command(`LOGIN ${USER} wrong${i}`, 60_000)));
    for (const c of imap) c.sock.destroy();
    const m2 = await SieveClient.connect(s.managesievePort);
    const r = await m2.authenticate(USER, PASS);
    assert.equal(r.done.code, 'TRYLATER', r.done.line);
    m2.close();
  } finally {
    await s.stop();
  }
});

test('states: script commands need authentication; UNAUTHENTICATE returns to it (RFC 5804 §2, §2.14.1)', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    for (const cmd of ['LISTSCRIPTS', 'GETSCRIPT "x"', 'PUTSCRIPT "x" "keep;"', 'UNAUTHENTICATE', 'HAVESPACE "x" 1']) {
      const r = await c.command(cmd);
      assert.equal(r.done.status, 'NO', cmd);
    }
    assert.equal((await c.authenticate(USER, PASS)).done.status, 'OK');
    assert.equal((await c.command('STARTTLS')).done.status, 'NO');
    const u = await c.command('UNAUTHENTICATE');
    assert.equal(u.done.status, 'OK');
    assert.ok(!capabilities(await c.command('CAPABILITY')).has('OWNER'));
    assert.equal((await c.command('LISTSCRIPTS')).done.status, 'NO');
    assert.equal((await c.authenticate(USER, PASS)).done.status, 'OK');
    assert.equal((await c.command('LISTSCRIPTS')).done.status, 'OK');
  } finally {
    c.close();
    await h.stop();
  }
});

test('NOOP echoes its string in the TAG code, even as a literal (RFC 5804 §2.13)', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    const plain = await c.command('NOOP');
    assert.equal(plain.done.status, 'OK');
    assert.equal(plain.done.code, null);
    const tagged = await c.command('NOOP "STARTTLS-SYNC-42"');
    assert.equal(tagged.done.code, 'TAG "STARTTLS-SYNC-42"');
    const literal = await c.command(`NOOP ${lit('a)b')}`);
    assert.equal(literal.done.code, 'TAG "a)b"');
  } finally {
    c.close();
    await h.stop();
  }
});

test('malformed input is NO, never a crash; a long line is refused and the session goes on', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    for (const bad of ['', 'FROB', 'NOOP "unterminated', 'NOOP "a" "b"', 'GETSCRIPT x', '"quoted"', '{3+}\r\nabc', 'NOOP {99999999999+}']) {
      const r = await c.command(bad);
      assert.equal(r.done.status, 'NO', JSON.stringify(bad));
    }
    // A literal size that cannot be skipped leaves the stream unframable: NO, then BYE.
    assert.match((await c.waitClosed()).join('\n'), /^BYE/m);
    const d = await SieveClient.connect(h.port);
    const long = await d.command(`NOOP "${'x'.repeat(70 * 1024)}"`);
    assert.equal(long.done.status, 'NO');
    assert.equal((await d.command('NOOP')).done.status, 'OK');
    // A non-script literal above the argument limit is skipped, not buffered.
    const big = await d.command(`NOOP {${100 * 1024}+}\r\n${'y'.repeat(100 * 1024)}`);
    assert.equal(big.done.status, 'NO');
    assert.equal((await d.command('NOOP')).done.status, 'OK');
    d.close();
  } finally {
    c.close();
    await h.stop();
  }
});

test('twenty bad commands in a row end with BYE', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    c.write('FROB\r\n'.repeat(25));
    const lines = await c.waitClosed();
    assert.equal(lines.filter((l) => l.startsWith('NO')).length, 20);
    assert.match(lines[lines.length - 1], /^BYE/);
  } finally {
    c.close();
    await h.stop();
  }
});

test('inactivity ends the session with BYE (RFC 5804 §1.2)', async () => {
  const h = await startSieveHarness({ preauthTimeoutMs: 200 });
  const c = await SieveClient.connect(h.port);
  try {
    const lines = await c.waitClosed(5000);
    assert.match(lines.join('\n'), /^BYE/m);
  } finally {
    c.close();
    await h.stop();
  }
});

test('LOGOUT: OK, then the server closes and ignores later commands (RFC 5804 §2.3)', async () => {
  const h = await startSieveHarness();
  const c = await SieveClient.connect(h.port);
  try {
    c.write('Logout\r\nNOOP "late"\r\n');
    const lines = await c.waitClosed();
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^OK/);
  } finally {
    c.close();
    await h.stop();
  }
});

test('shutdown: idle sessions and one waiting inside AUTHENTICATE get BYE at once', async () => {
  const h = await startSieveHarness();
  const idle = await SieveClient.connect(h.port);
  const authing = await SieveClient.connect(h.port);
  try {
    authing.write('AUTHENTICATE "PLAIN"\r\n');
    assert.equal(await authing.readLine(), '""');
    // Within 8 s, well before the 10 s a drain may wait for a command in flight.
    await h.stop();
    assert.match((await idle.waitClosed()).join('\n'), /^BYE/m);
    assert.match((await authing.waitClosed()).join('\n'), /^BYE/m);
  } finally {
    idle.close();
    authing.close();
  }
});

test('--max-connections-per-ip counts IMAP and ManageSieve connections together', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-ms-gate-'));
  const config = {
    ...DEFAULT_CONFIG,
    dataDir,
    host: '127.0.0.1',
    imapPort: await freePort(),
    imapsPort: 0,
    managesievePort: await freePort(),
    lmtpPort: 0,
    maxConnectionsPerIp: 2,
    logLevel: 'silent' as const,
  };
  const server = await startServer(config, silentLogger);
  const open: Array<{ close(): void }> = [];
  try {
    const imap = await TestClient.connect(config.imapPort);
    open.push({ close: () => imap.sock.destroy() });
    const sieve = await SieveClient.connect(config.managesievePort);
    open.push(sieve);
    assert.equal(sieve.greeting.done.status, 'OK');
    const refused = await SieveClient.connect(config.managesievePort);
    open.push(refused);
    assert.equal(refused.greeting.done.status, 'BYE');
    assert.equal(refused.greeting.done.code, 'TRYLATER');
    const refusedImap = await TestClient.connect(config.imapPort);
    open.push({ close: () => refusedImap.sock.destroy() });
    assert.match(refusedImap.greeting, /^\* BYE/);
    // A closed connection frees its place for either protocol.
    assert.equal((await sieve.command('LOGOUT')).done.status, 'OK');
    await sieve.waitClosed();
    let again: SieveClient | null = null;
    for (let i = 0; i < 50 && again === null; i++) {
      const c = await SieveClient.connect(config.managesievePort);
      open.push(c);
      if (c.greeting.done.status === 'OK') again = c;
      else await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(again, 'a place was freed');
  } finally {
    for (const c of open) c.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
