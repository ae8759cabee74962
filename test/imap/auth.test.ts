/**
 * Transcript tests of the not-authenticated state: greeting and CAPABILITY, LOGIN, STARTTLS,
 * implicit TLS, AUTHENTICATE (PLAIN, LOGIN, SASL-IR, cancel), wrong-state commands, LOGOUT and
 * UNAUTHENTICATE. RFC 9051 §6.1-6.2, §7.1; RFC 4959 (SASL-IR); RFC 8437 (UNAUTHENTICATE);
 * RFC 5530 (response codes); RFC 2595 §3.1 / RFC 9051 §6.2.1 (STARTTLS).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, waitClosed } from '../support/transcript.js';
import { StreamClient } from '../support/stream-client.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function capsOf(line: string): string[] {
  const m = /\[CAPABILITY ([^\]]*)\]/.exec(line) ?? /^\* CAPABILITY (.*)$/.exec(line);
  assert.ok(m, `no capability list in ${line}`);
  return m[1].split(' ');
}

/** Opens a cleartext connection, sends STARTTLS (plus `extra` in the same write) and upgrades. */
async function startTls(port: number, extra = ''): Promise<{ before: StreamClient; after: StreamClient; tls: TLSSocket; starttlsReply: string }> {
  const sock = netConnect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const plain = new StreamClient(sock);
  const greeting = await plain.readLine();
  assert.match(greeting, /^\* OK /);
  plain.write(`S1 STARTTLS\r\n${extra}`);
  const starttlsReply = await plain.readLine();
  const rest = plain.detach();
  assert.equal(rest.length, 0, `server sent bytes after the STARTTLS OK in cleartext: ${rest.toString('latin1')}`);
  const tls = tlsConnect({ socket: sock, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    tls.once('secureConnect', resolve);
    tls.once('error', reject);
  });
  return { before: plain, after: new StreamClient(tls), tls, starttlsReply };
}

describe('IMAP authentication (cleartext auth allowed)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('greeting carries CAPABILITY with IMAP4rev1, IMAP4rev2, STARTTLS and AUTH= mechanisms', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      assert.match(c.greeting, /^\* OK \[CAPABILITY [^\]]+\] /);
      const caps = capsOf(c.greeting);
      for (const cap of ['IMAP4rev1', 'IMAP4rev2', 'STARTTLS', 'AUTH=PLAIN', 'AUTH=LOGIN', 'SASL-IR']) assert.ok(caps.includes(cap), `missing ${cap} in ${c.greeting}`);
      assert.ok(!caps.includes('LOGINDISABLED'), c.greeting);
      const r = await c.command('CAPABILITY');
      assertStatus(r, 'OK');
      assert.equal(r.untagged.length, 1);
      assert.deepEqual(capsOf(r.untagged[0]).sort(), caps.sort());
    } finally {
      c.close();
    }
  });

  test('LOGIN succeeds and the OK carries the post-login capabilities (no STARTTLS, no AUTH=)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      const r = await c.command(`LOGIN ${USER} "${PASS}"`);
      assertStatus(r, 'OK', 'CAPABILITY');
      assert.deepEqual(r.untagged, []);
      const caps = capsOf(r.tagged);
      assert.ok(caps.includes('IMAP4rev2') && caps.includes('IMAP4rev1'));
      assert.ok(!caps.includes('STARTTLS') && !caps.some((x) => x.startsWith('AUTH=')), r.tagged);
      // RFC 9051 §6.2.3: LOGIN is only valid in the not-authenticated state.
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'BAD');
    } finally {
      c.close();
    }
  });

  test('LOGIN with a wrong password or an unknown user fails with NO [AUTHENTICATIONFAILED]', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      assertStatus(await c.command(`LOGIN ${USER} "wrong"`), 'NO', 'AUTHENTICATIONFAILED');
      assertStatus(await c.command(`LOGIN nobody "${PASS}"`), 'NO', 'AUTHENTICATIONFAILED');
      // still not authenticated (RFC 9051 §6.3.2: SELECT needs the authenticated state)
      assertStatus(await c.command('SELECT INBOX'), 'BAD');
      // and a correct login still works on the same connection
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`, 20_000), 'OK');
    } finally {
      c.close();
    }
  });

  test('implicit TLS port: greeting without STARTTLS, LOGIN works', async () => {
    const c = await TestClient.connect(srv.tlsPort, { tls: true });
    try {
      const caps = capsOf(c.greeting);
      assert.ok(caps.includes('IMAP4rev2') && caps.includes('AUTH=PLAIN'), c.greeting);
      assert.ok(!caps.includes('STARTTLS'), `STARTTLS offered on an implicit TLS port: ${c.greeting}`);
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'OK');
      const r = await c.command('STATUS INBOX (MESSAGES)');
      assert.deepEqual(r.untagged, ['* STATUS "INBOX" (MESSAGES 0)']);
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE PLAIN with an initial response (SASL-IR)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      const r = await c.command(`AUTHENTICATE PLAIN ${b64(`\0${USER}\0${PASS}`)}`);
      assertStatus(r, 'OK');
      assert.deepEqual(r.untagged, [], 'no continuation expected with SASL-IR');
      assertStatus(await c.command('SELECT INBOX'), 'OK', 'READ-WRITE');
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE PLAIN without an initial response gets an empty "+ " continuation', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      c.write('A1 AUTHENTICATE PLAIN\r\n');
      // RFC 9051 §7.5: continuation-req = "+" SP (resp-text / base64); PLAIN starts with an empty challenge.
      assert.equal(await c.readLine(), '+ ');
      c.write(`${b64(`\0${USER}\0${PASS}`)}\r\n`);
      const r = await c.readUntilTagged('A1');
      assertStatus(r, 'OK');
      assertStatus(await c.command('EXAMINE INBOX'), 'OK', 'READ-ONLY');
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE LOGIN asks for user name and password', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      c.write('A1 AUTHENTICATE LOGIN\r\n');
      assert.equal(await c.readLine(), `+ ${b64('Username:')}`);
      c.write(`${b64(USER)}\r\n`);
      assert.equal(await c.readLine(), `+ ${b64('Password:')}`);
      c.write(`${b64(PASS)}\r\n`);
      assertStatus(await c.readUntilTagged('A1'), 'OK');
      assertStatus(await c.command('SELECT INBOX'), 'OK');
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE cancelled with "*" is answered BAD (RFC 9051 §6.2.2)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      c.write('A1 AUTHENTICATE PLAIN\r\n');
      assert.match(await c.readLine(), /^\+ ?/);
      c.write('*\r\n');
      assertStatus(await c.readUntilTagged('A1'), 'BAD');
      // still usable and still not authenticated
      assertStatus(await c.command('SELECT INBOX'), 'BAD');
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'OK');
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE with invalid base64 is answered BAD (RFC 9051 §6.2.2)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      c.write('A1 AUTHENTICATE PLAIN\r\n');
      assert.match(await c.readLine(), /^\+ ?/);
      c.write('!!!not*base64===\r\n');
      assertStatus(await c.readUntilTagged('A1'), 'BAD');
      // an invalid initial response too (non-terminal "=")
      assertStatus(await c.command('AUTHENTICATE PLAIN AB=CD'), 'BAD');
      assertStatus(await c.command('NOOP'), 'OK');
    } finally {
      c.close();
    }
  });

  test('AUTHENTICATE PLAIN with a wrong password: NO [AUTHENTICATIONFAILED]; unknown mechanism: NO', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      assertStatus(await c.command(`AUTHENTICATE PLAIN ${b64(`\0${USER}\0nope`)}`, 20_000), 'NO', 'AUTHENTICATIONFAILED');
      const r = await c.command('AUTHENTICATE X-UNKNOWN-MECH');
      assert.match(r.tagged, /^\S+ (NO|BAD) /);
      assert.deepEqual(r.untagged, []);
    } finally {
      c.close();
    }
  });

  test('commands in the wrong state are answered BAD', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      // not authenticated
      for (const cmd of ['SELECT INBOX', 'LIST "" *', 'CREATE foo', 'STATUS INBOX (MESSAGES)', 'FETCH 1 FLAGS', 'UNAUTHENTICATE', 'IDLE']) {
        const r = await c.command(cmd);
        assertStatus(r, 'BAD');
        assert.deepEqual(r.untagged, [], cmd);
      }
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'OK');
      // authenticated but not selected
      for (const cmd of ['FETCH 1 FLAGS', 'STORE 1 +FLAGS (\\Seen)', 'SEARCH ALL', 'EXPUNGE', 'CLOSE', 'UNSELECT', 'COPY 1 Trash', 'MOVE 1 Trash', 'UID FETCH 1 FLAGS']) {
        assertStatus(await c.command(cmd), 'BAD');
      }
      assertStatus(await c.command('STARTTLS'), 'BAD');
    } finally {
      c.close();
    }
  });

  test('LOGOUT: untagged BYE, then tagged OK, then the server closes (RFC 9051 §6.1.3)', async () => {
    const c = await loggedIn(srv.port);
    const r = await c.command('LOGOUT');
    assertStatus(r, 'OK');
    assert.equal(r.untagged.length, 1);
    assert.match(r.untagged[0], /^\* BYE /);
    const after = await waitClosed(c);
    assert.deepEqual(after, []);
  });

  test('LOGOUT works before authentication too', async () => {
    const c = await TestClient.connect(srv.port);
    const r = await c.command('LOGOUT');
    assertStatus(r, 'OK');
    assert.match(r.untagged[0] ?? '', /^\* BYE /);
    await waitClosed(c);
  });

  test('UNAUTHENTICATE returns to the not-authenticated state (RFC 8437)', async () => {
    const c = await loggedIn(srv.port);
    try {
      assertStatus(await c.command('SELECT INBOX'), 'OK');
      const r = await c.command('UNAUTHENTICATE');
      assertStatus(r, 'OK');
      assertStatus(await c.command('LIST "" *'), 'BAD');
      const caps = await c.command('CAPABILITY');
      assert.ok(capsOf(caps.untagged[0]).includes('AUTH=PLAIN'), caps.untagged[0]);
      assertStatus(await c.command(`AUTHENTICATE PLAIN ${b64(`\0${USER}\0${PASS}`)}`), 'OK');
      assertStatus(await c.command('SELECT INBOX'), 'OK');
    } finally {
      c.close();
    }
  });

  test('STARTTLS then LOGIN over TLS; capabilities re-issued without STARTTLS', async () => {
    const { after, tls, starttlsReply } = await startTls(srv.port);
    try {
      assert.match(starttlsReply, /^S1 OK /);
      const caps = await after.command('S2', 'CAPABILITY');
      const list = capsOf(caps.untagged[0]);
      assert.ok(!list.includes('STARTTLS'), caps.untagged[0]);
      assert.ok(list.includes('AUTH=PLAIN'), caps.untagged[0]);
      assertStatus(await after.command('S3', `LOGIN ${USER} "${PASS}"`), 'OK');
      // a second STARTTLS is refused
      assertStatus(await after.command('S4', 'STARTTLS'), 'BAD');
    } finally {
      tls.destroy();
    }
  });

  test('STARTTLS discards commands pipelined in cleartext behind it (RFC 9051 §6.2.1)', async () => {
    const { after, tls, starttlsReply } = await startTls(srv.port, `X1 LOGIN ${USER} "${PASS}"\r\n`);
    try {
      assert.match(starttlsReply, /^S1 OK /);
      // The injected LOGIN must not have been executed: we are still not authenticated.
      const r = await after.command('S2', 'SELECT INBOX');
      assertStatus(r, 'BAD');
      assert.ok(!r.untagged.some((l) => l.startsWith('X1 ')), JSON.stringify(r.untagged));
    } finally {
      tls.destroy();
    }
  });
});

describe('IMAP authentication (cleartext auth NOT allowed)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ allowCleartextAuth: false });
  });
  after(async () => {
    await srv.stop();
  });

  test('greeting: STARTTLS and LOGINDISABLED, no AUTH= (RFC 9051 §6.2.3)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      const caps = capsOf(c.greeting);
      assert.ok(caps.includes('STARTTLS'), c.greeting);
      assert.ok(caps.includes('LOGINDISABLED'), c.greeting);
      assert.ok(!caps.some((x) => x.startsWith('AUTH=')), c.greeting);
      assert.ok(caps.includes('IMAP4rev1') && caps.includes('IMAP4rev2'), c.greeting);
    } finally {
      c.close();
    }
  });

  test('LOGIN and AUTHENTICATE before STARTTLS: NO [PRIVACYREQUIRED] (RFC 5530)', async () => {
    const c = await TestClient.connect(srv.port);
    try {
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'NO', 'PRIVACYREQUIRED');
      const r = await c.command(`AUTHENTICATE PLAIN ${b64(`\0${USER}\0${PASS}`)}`);
      assert.match(r.tagged, /^\S+ NO \[PRIVACYREQUIRED\]/);
      assertStatus(await c.command('SELECT INBOX'), 'BAD');
    } finally {
      c.close();
    }
  });

  test('after STARTTLS: AUTH= offered, LOGINDISABLED gone, LOGIN works', async () => {
    const { after, tls, starttlsReply } = await startTls(srv.port);
    try {
      assert.match(starttlsReply, /^S1 OK /);
      const caps = capsOf((await after.command('S2', 'CAPABILITY')).untagged[0]);
      assert.ok(caps.includes('AUTH=PLAIN'), caps.join(' '));
      assert.ok(!caps.includes('LOGINDISABLED') && !caps.includes('STARTTLS'), caps.join(' '));
      assertStatus(await after.command('S3', `LOGIN ${USER} "${PASS}"`), 'OK');
      const st = await after.command('S4', 'STATUS INBOX (MESSAGES)');
      assert.deepEqual(st.untagged, ['* STATUS "INBOX" (MESSAGES 0)']);
    } finally {
      tls.destroy();
    }
  });

  test('implicit TLS port allows LOGIN', async () => {
    const c = await TestClient.connect(srv.tlsPort, { tls: true });
    try {
      const caps = capsOf(c.greeting);
      assert.ok(!caps.includes('LOGINDISABLED') && caps.includes('AUTH=PLAIN'), c.greeting);
      assertStatus(await c.command(`LOGIN ${USER} "${PASS}"`), 'OK');
    } finally {
      c.close();
    }
  });
});
