/**
 * Transcript tests of framing and hostile input: pipelining (RFC 9051 §5.5), resumable framing,
 * line and literal limits (RFC 9051 §4.3, §7.5; RFC 7888), nesting limits, unknown commands,
 * NUL bytes (RFC 9051 §9: CHAR8/TEXT-CHAR exclude %x00), and BYE after repeated errors.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { TestClient, loggedIn, assertStatus, waitForLine, waitClosed } from '../support/transcript.js';

const tick = (ms = 2): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads lines until `tag`'s completion (the client's helper, exposed for raw writes). */
async function reply(c: TestClient, tag: string): Promise<{ tagged: string; untagged: string[] }> {
  return c.readUntilTagged(tag, 5000);
}

describe('IMAP wire handling', () => {
  let srv: TestServer;
  let c: TestClient;
  before(async () => {
    srv = await startTestServer();
    c = await loggedIn(srv.port);
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  async function stillAlive(client = c): Promise<void> {
    const r = await client.command('NOOP');
    assertStatus(r, 'OK');
  }

  test('pipelined commands in one write are answered in order (RFC 9051 §5.5)', async () => {
    c.write('P1 NOOP\r\nP2 CAPABILITY\r\nP3 LIST "" INBOX\r\nP4 STATUS INBOX (MESSAGES)\r\nP5 CREATE {4+}\r\npipe\r\nP6 LIST "" pipe\r\n');
    const lines: string[] = [];
    for (;;) {
      const l = await c.readLine();
      lines.push(l);
      if (l.startsWith('P6 ')) break;
    }
    const shape = lines.map((l) => l.replace(/^(\S+ \S+).*$/, '$1'));
    assert.deepEqual(shape, ['P1 OK', '* CAPABILITY', 'P2 OK', '* LIST', 'P3 OK', '* STATUS', 'P4 OK', 'P5 OK', '* LIST', 'P6 OK']);
    assert.equal(lines[3], '* LIST (\\HasNoChildren) "/" "INBOX"');
    assert.equal(lines[5], '* STATUS "INBOX" (MESSAGES 0)');
    assert.match(lines[8], /^\* LIST \([^)]*\) "\/" "?pipe"?$/);
  });

  test('a command fed one byte at a time works, literal included', async () => {
    c.sock.setNoDelay(true);
    for (const ch of 'B1 STATUS "INBOX" (MESSAGES UIDNEXT)\r\n') {
      c.write(ch);
      await tick();
    }
    const r = await reply(c, 'B1');
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* STATUS "INBOX" (MESSAGES 0 UIDNEXT 1)']);
    for (const ch of 'B2 CREATE {8}\r\n') {
      c.write(ch);
      await tick();
    }
    assert.match(await c.readLine(), /^\+ /);
    for (const ch of 'bytewise\r\n') {
      c.write(ch);
      await tick();
    }
    assertStatus(await reply(c, 'B2'), 'OK');
    assert.deepEqual((await c.command('LIST "" bytewise')).untagged, ['* LIST (\\HasNoChildren) "/" "bytewise"']);
  });

  test('an over-long line is answered BAD and the connection survives (RFC 9051 §4)', async () => {
    c.write(`L1 NOOP ${'x'.repeat(70 * 1024)}\r\n`);
    const l = await c.readLine();
    assert.match(l, /^(L1|\*) BAD /);
    await stillAlive();
    // a long but acceptable line (a big UID set) is fine
    const set = Array.from({ length: 3000 }, (_, i) => String(i * 2 + 1)).join(',');
    assertStatus(await c.command('SELECT INBOX'), 'OK');
    const u = await c.command(`UID FETCH ${set} FLAGS`);
    assertStatus(u, 'OK');
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('a huge synchronizing literal is refused without "+" and the connection survives (RFC 9051 §7.5, RFC 7889)', async () => {
    c.write('H1 APPEND INBOX {999999999}\r\n');
    const l = await c.readLine();
    assert.match(l, /^H1 (NO|BAD) /, `expected a tagged refusal, got ${l}`);
    await stillAlive();
    c.write('H2 SELECT {999999999}\r\n');
    assert.match(await c.readLine(), /^H2 (NO|BAD) /);
    await stillAlive();
    // just above APPENDLIMIT
    c.write(`H3 APPEND INBOX {${64 * 1024 * 1024 + 1}}\r\n`);
    assert.match(await c.readLine(), /^H3 (NO|BAD) /);
    await stillAlive();
    assert.deepEqual((await c.command('STATUS INBOX (MESSAGES)')).untagged, ['* STATUS "INBOX" (MESSAGES 0)']);
  });

  test('negative, garbage and over-long literal sizes are BAD', async () => {
    for (const [tag, lit] of [['G1', '{-5}'], ['G2', '{abc}'], ['G3', '{99999999999}'], ['G4', '{}'], ['G5', '{5']] as const) {
      c.write(`${tag} SELECT ${lit}\r\n`);
      const l = await c.readLine();
      assert.match(l, new RegExp(`^(${tag}|\\*) BAD `), `${lit}: ${l}`);
      await stillAlive();
    }
  });

  test('deep parenthesis nesting in SEARCH is BAD and the connection survives', async () => {
    assertStatus(await c.command('SELECT INBOX'), 'OK');
    assertStatus(await c.command(`SEARCH ${'('.repeat(5000)}ALL${')'.repeat(5000)}`), 'BAD');
    assertStatus(await c.command(`SEARCH ${'NOT '.repeat(5000)}ALL`), 'BAD');
    assertStatus(await c.command(`SEARCH ${'OR ALL '.repeat(3000)}ALL`), 'BAD');
    // moderate nesting is fine
    const r = await c.command(`SEARCH ${'('.repeat(10)}ALL${')'.repeat(10)}`);
    assertStatus(r, 'OK');
    assert.deepEqual(r.untagged, ['* SEARCH']);
    assertStatus(await c.command('UNSELECT'), 'OK');
  });

  test('an unknown command is BAD; a missing tag or an empty line is BAD', async () => {
    const r = await c.command('FROBNICATE now');
    assertStatus(r, 'BAD');
    assert.deepEqual(r.untagged, []);
    c.write('\r\n');
    assert.match(await c.readLine(), /^\* BAD /);
    c.write('NOOP\r\n');
    assert.match(await c.readLine(), /^(\*|NOOP) BAD /);
    await stillAlive();
  });

  test('NUL bytes in a command are BAD (RFC 9051 §9)', async () => {
    c.write('N1 LIST "" IN\0BOX\r\n');
    assert.match(await c.readLine(), /^(N1|\*) BAD /);
    c.write('N2 LIST "" "IN\0BOX"\r\n');
    assert.match(await c.readLine(), /^(N2|\*) BAD /);
    c.write('N3 CREATE {5}\r\n');
    assert.match(await c.readLine(), /^\+ /);
    c.write('a\0bcd\r\n');
    assert.match(await c.readLine(), /^(N3|\*) (BAD|NO) /);
    const list = await c.command('LIST "" *');
    assert.ok(!list.untagged.some((l) => l.includes('\0')), 'a name with NUL was created');
    await stillAlive();
  });

  test('literals are not interpreted as commands (a literal holding "X LOGOUT")', async () => {
    const text = 'X LOGOUT\r\n';
    c.write(`Q1 CREATE {${text.length}+}\r\n${text}\r\n`);
    const r = await reply(c, 'Q1');
    // a name with CRLF is invalid, but the literal must not have been run as a command
    assert.ok(!r.untagged.some((l) => /^\* BYE/.test(l)), JSON.stringify(r.untagged));
    await stillAlive();
  });

  test('20+ invalid commands in a row: BYE and close', async () => {
    const d = await TestClient.connect(srv.port);
    const got: string[] = [];
    let bye = '';
    for (let i = 1; i <= 30 && !bye; i++) {
      d.write(`Z${i} FROBNICATE\r\n`);
      try {
        const { line, skipped } = await waitForLine(d, new RegExp(`^(Z${i} |\\* BYE)`), 3000);
        got.push(...skipped, line);
        if (line.startsWith('* BYE')) bye = line;
        else {
          // the BYE may follow the tagged BAD of the last tolerated command
          assert.match(line, new RegExp(`^Z${i} BAD `));
        }
      } catch (e) {
        if (d.closed) break;
        throw e;
      }
    }
    if (!bye) {
      const rest = await waitClosed(d);
      bye = rest.find((l) => l.startsWith('* BYE')) ?? '';
    } else await waitClosed(d);
    assert.match(bye, /^\* BYE /, `no BYE after ${got.length} lines`);
    assert.ok(got.filter((l) => / BAD /.test(l)).length >= 20, 'fewer than 20 BADs were tolerated');
    assert.ok(d.closed);
  });

  test('valid commands between errors reset the count: 15 bad, 1 good, 15 bad keeps the connection', async () => {
    const d = await loggedIn(srv.port);
    try {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 15; i++) assertStatus(await d.command('FROBNICATE'), 'BAD');
        assertStatus(await d.command('NOOP'), 'OK');
      }
    } finally {
      d.close();
    }
  });
});
