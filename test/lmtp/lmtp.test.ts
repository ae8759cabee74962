/**
 * LMTP (RFC 2033) over real sockets against the real server: per-recipient replies in RCPT order,
 * unknown users at RCPT, pipelining, SIZE, BDAT, a connection dropped mid-DATA, the Unix socket
 * listener, and an IMAP IDLE session seeing a delivery at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { LmtpTestClient, dotStuffed } from '../support/lmtp-client.js';
import { assertStatus, loggedIn, simpleMessage, waitForLine, type TestClient } from '../support/transcript.js';

const USERS: Array<[string, string]> = [
  ['alice', 'wonderland-pass'],
  ['bob', 'bob-pass'],
];

async function lmtpServer(config: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({ users: USERS, config: { lmtpPort: await freePort(), ...config } });
}

async function lhlo(port: number | { path: string }): Promise<LmtpTestClient> {
  const c = await LmtpTestClient.connect(port);
  const r = await c.command('LHLO client.example');
  assert.equal(r.code, 250, r.text);
  return c;
}

/** INBOX message count of alice (or another user) over IMAP. */
async function inboxCount(s: TestServer, user = 'alice', pass = 'wonderland-pass'): Promise<number> {
  const c = await loggedInAs(s, user, pass);
  try {
    const r = await c.command('STATUS INBOX (MESSAGES)');
    assertStatus(r, 'OK');
    const m = /MESSAGES (\d+)/.exec(r.untagged.join(' '));
    assert.ok(m, r.untagged.join('\n'));
    return Number(m[1]);
  } finally {
    c.close();
  }
}

async function loggedInAs(s: TestServer, user: string, pass: string): Promise<TestClient> {
  if (user === 'alice') return loggedIn(s.port);
  const { TestClient } = await import('../support/client.js');
  const c = await TestClient.connect(s.port);
  assertStatus(await c.login(user, pass), 'OK');
  return c;
}

async function fetchInbox(c: TestClient, uid: number, item = 'BODY.PEEK[]'): Promise<string> {
  const sel = await c.command('SELECT INBOX');
  assertStatus(sel, 'OK');
  const r = await c.command(`UID FETCH ${uid} (${item})`);
  assertStatus(r, 'OK');
  return r.untagged.join('\r\n');
}

test('LHLO advertises the LMTP extensions; HELO/EHLO are refused; order is enforced', async () => {
  const s = await lmtpServer();
  try {
    const c = await LmtpTestClient.connect(s.config.lmtpPort);
    assert.equal(c.greeting.code, 220);
    assert.match(c.greeting.text, /LMTP/);
    assert.equal((await c.command('EHLO x')).code, 500);
    assert.equal((await c.command('HELO x')).code, 500);
    assert.match((await c.command('MAIL FROM:<a@b>')).text, /^503 5\.5\.1/);
    const r = await c.command('LHLO client.example');
    assert.equal(r.code, 250);
    const caps = r.lines.map((l) => l.slice(4));
    for (const cap of ['PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', `SIZE ${s.config.maxMessageSize}`, 'CHUNKING']) assert.ok(caps.includes(cap), `${cap} in ${caps.join(',')}`);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^503 5\.5\.1/);
    assert.match((await c.command('DATA')).text, /^503 5\.5\.1/);
    assert.match((await c.command('MAIL FROM:<bob@example.org> FOO=BAR')).text, /^555 5\.5\.4/);
    assert.match((await c.command('MAIL FROM:<bob@example.org>')).text, /^250 2\.1\.0/);
    assert.match((await c.command('MAIL FROM:<bob@example.org>')).text, /^503 5\.5\.1/);
    assert.match((await c.command('DATA')).text, /^503 5\.5\.1/, 'DATA without a valid recipient');
    assert.match((await c.command('RSET')).text, /^250 2\.0\.0/);
    assert.match((await c.command('NOOP')).text, /^250 2\.0\.0/);
    assert.match((await c.command('FROB')).text, /^500 5\.5\.1/);
    assert.match((await c.command('QUIT')).text, /^221 2\.0\.0/);
    await c.waitClosed();
  } finally {
    await s.stop();
  }
});

test('multi-recipient DATA: one reply per accepted recipient in RCPT order, unknown user refused at RCPT, +detail to the user', async () => {
  const s = await lmtpServer();
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<sender@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice+lists@example.com>')).text, /^250 2\.1\.5/);
    assert.match((await c.command('RCPT TO:<nobody@example.com>')).text, /^550 5\.1\.1/);
    assert.match((await c.command('RCPT TO:<bob@example.com>')).text, /^250 2\.1\.5/);
    assert.equal((await c.command('DATA')).code, 354);
    const msg = simpleMessage({ subject: 'LMTP hello', body: '.a line starting with a dot\r\n..two dots' });
    c.write(dotStuffed(msg));
    const replies = await c.readN(2);
    assert.match(replies[0].text, /^250 2\.0\.0 <alice\+lists@example\.com>/);
    assert.match(replies[1].text, /^250 2\.0\.0 <bob@example\.com>/);
    c.write('QUIT\r\n');
    await c.waitClosed();

    const a = await loggedIn(s.port);
    const body = await fetchInbox(a, 1);
    assert.match(body, /^\* 1 FETCH .*\r\nReturn-Path: <sender@example\.org>\r\nDelivered-To: alice\+lists@example\.com\r\nReceived: from client\.example/);
    assert.ok(body.includes('\r\n.a line starting with a dot\r\n..two dots\r\n'), 'dot-unstuffed exactly once');
    const env = await a.command('UID FETCH 1 (ENVELOPE)');
    assert.match(env.untagged.join(''), /"LMTP hello"/, 'ENVELOPE from the stored MIME structure');
    const search = await a.command('UID SEARCH SUBJECT "LMTP hello"');
    assert.match(search.untagged.join(''), /SEARCH 1/);
    a.close();
    assert.equal(await inboxCount(s, 'bob', 'bob-pass'), 1);
  } finally {
    await s.stop();
  }
});

test('pipelining: a whole transaction in one write gets every reply, in order', async () => {
  const s = await lmtpServer();
  try {
    const c = await LmtpTestClient.connect(s.config.lmtpPort);
    const msg = simpleMessage({ subject: 'pipelined' });
    c.write(
      'LHLO pipe.example\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<ghost@example.com>\r\n' +
        'RCPT TO:<bob@example.com>\r\nDATA\r\n',
    );
    const r = await c.readN(6);
    assert.deepEqual(r.map((x) => x.code), [250, 250, 250, 550, 250, 354]);
    c.write(dotStuffed(msg) + 'MAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n');
    const r2 = await c.readN(5);
    assert.deepEqual(r2.map((x) => x.code), [250, 250, 250, 250, 354]);
    c.write(dotStuffed(simpleMessage({ subject: 'second' })) + 'QUIT\r\n');
    const r3 = await c.readN(2);
    assert.deepEqual(r3.map((x) => x.code), [250, 221]);
    assert.equal(await inboxCount(s), 2);
    const a = await loggedIn(s.port);
    assert.match(await fetchInbox(a, 2, 'BODY.PEEK[HEADER.FIELDS (RETURN-PATH)]'), /Return-Path: <>/);
    a.close();
  } finally {
    await s.stop();
  }
});

test('SIZE: an announced size over the limit is refused at MAIL; oversized data gets 552 per recipient and stores nothing', async () => {
  const s = await lmtpServer({ maxMessageSize: 4000 });
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<a@example.org> SIZE=4001')).text, /^552 5\.3\.4/);
    assert.match((await c.command('MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<bob@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage({ body: 'x'.repeat(70) + '\r\n'.repeat(1) + ('y'.repeat(76) + '\r\n').repeat(100) })));
    const r = await c.readN(2);
    assert.deepEqual(r.map((x) => x.text.slice(0, 9)), ['552 5.3.4', '552 5.3.4']);
    // The session goes on: a small message still goes through.
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage()));
    assert.match((await c.read()).text, /^250 2\.0\.0/);
    assert.equal(await inboxCount(s), 1);
    assert.equal(await inboxCount(s, 'bob', 'bob-pass'), 0);
  } finally {
    await s.stop();
  }
});

test('BDAT (RFC 3030): chunks are stored exactly, LAST answers per recipient', async () => {
  const s = await lmtpServer();
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<bob@example.com>')).text, /^250/);
    const msg = simpleMessage({ subject: 'chunked', body: '.leading dot stays as sent in BDAT\r\nend' });
    const part1 = msg.slice(0, 40);
    const part2 = msg.slice(40);
    c.write(`BDAT ${Buffer.byteLength(part1)}\r\n${part1}`);
    assert.match((await c.read()).text, /^250 2\.0\.0/);
    c.write(`BDAT ${Buffer.byteLength(part2)} LAST\r\n${part2}`);
    const r = await c.readN(2);
    assert.deepEqual(r.map((x) => x.code), [250, 250]);
    const a = await loggedIn(s.port);
    const body = await fetchInbox(a, 1);
    assert.ok(body.includes('\r\n.leading dot stays as sent in BDAT\r\nend'), body);
    a.close();
    // BDAT without a transaction: the chunk is still read (RFC 3030 §2), then 503.
    c.write('BDAT 5 LAST\r\nhelloNOOP\r\n');
    const r2 = await c.readN(2);
    assert.deepEqual(r2.map((x) => x.code), [503, 250]);
  } finally {
    await s.stop();
  }
});

test('a connection dropped mid-DATA stores nothing; the next transaction is unaffected', async () => {
  const s = await lmtpServer();
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(simpleMessage({ subject: 'never finished' }));
    c.close();
    const d = await lhlo(s.config.lmtpPort);
    assert.match((await d.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await d.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.equal((await d.command('DATA')).code, 354);
    d.write(dotStuffed(simpleMessage({ subject: 'finished' })));
    assert.match((await d.read()).text, /^250 2\.0\.0/);
    d.close();
    const a = await loggedIn(s.port);
    await a.command('SELECT INBOX');
    const r = await a.command('UID SEARCH ALL');
    assert.match(r.untagged.join(''), /^\* SEARCH 1$/);
    const subj = await a.command('UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(subj.untagged.join(''), /Subject: finished/);
    a.close();
  } finally {
    await s.stop();
  }
});

test('the Unix socket listener delivers like TCP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-lmtp-sock-'));
  const path = join(dir, 'lmtp.sock');
  const s = await startTestServer({ users: USERS, config: { lmtpPort: 0, lmtpSocket: path } });
  try {
    assert.equal(statSync(path).mode & 0o777, 0o666, 'the MTA runs as another user');
    const c = await lhlo({ path });
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<bob+x@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage()));
    assert.match((await c.read()).text, /^250 2\.0\.0/);
    c.close();
    assert.equal(await inboxCount(s, 'bob', 'bob-pass'), 1);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recipient domain handling "keep": accounts are named with their domain', async () => {
  const s = await startTestServer({ users: [['carol@example.net', 'carol-pass']], config: { lmtpPort: await freePort(), recipientDomain: 'keep' } });
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<carol@example.org>')).text, /^550 5\.1\.1/);
    assert.match((await c.command('RCPT TO:<carol+tag@EXAMPLE.NET>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage()));
    assert.match((await c.read()).text, /^250 2\.0\.0/);
    c.close();
    assert.equal(await inboxCount(s, 'carol@example.net', 'carol-pass'), 1);
  } finally {
    await s.stop();
  }
});

test('--hostname names the server in the greeting, the LHLO reply and the Received field', async () => {
  const s = await lmtpServer({ hostname: 'mx.example.test' });
  try {
    const c = await LmtpTestClient.connect(s.config.lmtpPort);
    assert.match(c.greeting.text, /^220 mx\.example\.test LMTP/);
    const r = await c.command('LHLO client.example');
    assert.match(r.lines[0]!, /^250-mx\.example\.test$/);
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage()));
    assert.match((await c.read()).text, /^250 2\.0\.0/);
    c.close();
    const imap = await loggedIn(s.port);
    try {
      assert.match(await fetchInbox(imap, 1, 'BODY.PEEK[HEADER.FIELDS (RECEIVED)]'), /by mx\.example\.test \(Facteur\) with LMTP/);
    } finally {
      imap.close();
    }
  } finally {
    await s.stop();
  }
});

test('an IMAP session in IDLE sees an LMTP delivery at once', async () => {
  const s = await lmtpServer();
  try {
    const a = await loggedIn(s.port);
    assertStatus(await a.command('SELECT INBOX'), 'OK');
    a.write('I1 IDLE\r\n');
    await waitForLine(a, /^\+ /);
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<a@example.org>')).text, /^250/);
    assert.match((await c.command('RCPT TO:<alice@example.com>')).text, /^250/);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(dotStuffed(simpleMessage()));
    assert.match((await c.read()).text, /^250/);
    await waitForLine(a, /^\* 1 EXISTS$/);
    a.write('DONE\r\n');
    await waitForLine(a, /^I1 OK/);
    a.close();
    c.close();
  } finally {
    await s.stop();
  }
});

test('hostile input: overlong lines, bad syntax and garbage get errors, then 421 after too many', async () => {
  const s = await lmtpServer();
  try {
    const c = await lhlo(s.config.lmtpPort);
    assert.match((await c.command('MAIL FROM:<' + 'a'.repeat(5000) + '>')).text, /^500 5\.5\.2/);
    assert.match((await c.command('RCPT TO alice')).text, /^50[13]/);
    assert.match((await c.command('MAIL FROM:<a b@c>')).text, /^501/);
    assert.match((await c.command('BDAT x')).text, /^501/);
    c.write('\x00\x01\x02\r\n'.repeat(25));
    const replies: number[] = [];
    for (;;) {
      const r = await c.read();
      replies.push(r.code);
      if (r.code === 421) break;
    }
    assert.ok(replies.every((x) => x === 500 || x === 421));
    await c.waitClosed();
  } finally {
    await s.stop();
  }
});

test('shutdown: an idle LMTP session gets 421 at once; a transaction in flight finishes first', async () => {
  const s = await lmtpServer();
  const idle = await lhlo(s.config.lmtpPort);
  const busy = await lhlo(s.config.lmtpPort);
  assert.match((await busy.command('MAIL FROM:<a@example.org>')).text, /^250/);
  assert.match((await busy.command('RCPT TO:<alice@example.com>')).text, /^250/);
  assert.equal((await busy.command('DATA')).code, 354);
  const stopping = s.stop();
  assert.match((await idle.read()).text, /^421 4\.3\.2/);
  await idle.waitClosed();
  busy.write(dotStuffed(simpleMessage()));
  assert.match((await busy.read()).text, /^250 2\.0\.0/);
  assert.match((await busy.read()).text, /^421 4\.3\.2/);
  await stopping;
});
