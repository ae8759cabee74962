/**
 * Transcript tests of COMPRESS=DEFLATE (RFC 4978): the client side is node:zlib raw
 * deflate/inflate (RFC 1951, no zlib header), flushed with Z_SYNC_FLUSH after each command, so
 * every reply proves the server flushed its own output. Covers the states COMPRESS is valid in
 * (§3, §5 command-auth), NO [COMPRESSIONACTIVE], LIST, APPEND with a synchronizing literal, a
 * 1 MB FETCH read slowly (backpressure through the compressor) and byte-exact, IDLE pushes,
 * COMPRESS over TLS, STARTTLS refused after COMPRESS, hostile compressed input and BYE.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';
import { startTestServer, USER, PASS, type TestServer } from '../support/server.js';
import { loggedIn, append, simpleMessage, type Reply } from '../support/transcript.js';

/** A raw IMAP client that can switch to DEFLATE after COMPRESS's tagged OK. */
class ZClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private deflate: DeflateRaw | null = null;
  closed = false;
  /** Compressed bytes received (to show that compression happened). */
  wireBytesIn = 0;
  private seq = 0;

  private constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      if (this.deflate) this.wireBytesIn += d.length;
      else this.take(d);
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static async connect(port: number, tls = false): Promise<ZClient> {
    const sock = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : netConnect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      sock.once(tls ? 'secureConnect' : 'connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new ZClient(sock);
    assert.match((await c.readLine()).toString(), /^\* OK /);
    return c;
  }

  private take(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private async more(timeoutMs: number): Promise<void> {
    if (this.closed) throw new Error(`connection closed; buffered ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout; buffered ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Turns compression on: from now on everything is raw DEFLATE both ways. */
  startCompression(): void {
    const inflate = createInflateRaw();
    inflate.on('data', (d: Buffer) => this.take(d));
    inflate.on('error', () => undefined);
    // Inflating is asynchronous: the connection counts as closed once the inflater has handed
    // over everything received, not when the socket closes.
    inflate.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.sock.removeAllListeners('close');
    this.sock.on('close', () => inflate.end());
    this.sock.removeAllListeners('data');
    this.sock.on('data', (d: Buffer) => (this.wireBytesIn += d.length));
    this.sock.pipe(inflate);
    this.deflate = createDeflateRaw();
    this.deflate.pipe(this.sock);
  }

  /** Sends bytes (compressed and Z_SYNC_FLUSHed once compression is on). */
  write(data: string | Buffer): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.deflate) {
      this.deflate.write(b);
      this.deflate.flush(constants.Z_SYNC_FLUSH);
    } else this.sock.write(b);
  }

  /** Sends bytes that are already compressed (hostile input tests). */
  writeRaw(data: Buffer): void {
    this.sock.write(data);
  }

  async readLine(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) {
        const line = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      await this.more(Math.max(1, deadline - Date.now()));
    }
  }

  async readBytes(n: number, timeoutMs = 10000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) await this.more(Math.max(1, deadline - Date.now()));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One response: a line, with any literals inlined; literal bodies returned separately. */
  async readResponse(timeoutMs = 5000): Promise<{ text: string; literals: Buffer[] }> {
    let text = '';
    const literals: Buffer[] = [];
    for (;;) {
      const line = (await this.readLine(timeoutMs)).toString('latin1');
      text += line;
      const m = /\{(\d+)\}$/.exec(line);
      if (!m) return { text, literals };
      const lit = await this.readBytes(Number(m[1]), timeoutMs);
      literals.push(lit);
      text += `<${lit.length} bytes>`;
    }
  }

  nextTag(): string {
    return `Z${++this.seq}`;
  }

  async readUntilTagged(tag: string, timeoutMs = 5000): Promise<Reply & { literals: Buffer[] }> {
    const untagged: string[] = [];
    const literals: Buffer[] = [];
    for (;;) {
      const r = await this.readResponse(timeoutMs);
      literals.push(...r.literals);
      if (r.text.startsWith(`${tag} `)) return { tagged: r.text, untagged, literals };
      untagged.push(r.text);
    }
  }

  async command(cmd: string, timeoutMs = 5000): Promise<Reply & { literals: Buffer[] }> {
    const tag = this.nextTag();
    this.write(`${tag} ${cmd}\r\n`);
    return this.readUntilTagged(tag, timeoutMs);
  }

  /** LOGIN then COMPRESS DEFLATE, switching at the tagged OK (RFC 4978 §3). */
  async loginAndCompress(): Promise<void> {
    assert.match((await this.command(`LOGIN ${USER} ${PASS}`)).tagged, / OK /);
    const r = await this.command('COMPRESS DEFLATE');
    assert.match(r.tagged, /^Z\d+ OK DEFLATE active$/);
    assert.equal(this.buf.length, 0, 'nothing may follow the tagged OK uncompressed');
    this.startCompression();
  }

  async waitClosed(timeoutMs = 3000): Promise<string[]> {
    const lines: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        lines.push((await this.readLine(Math.max(1, deadline - Date.now()))).toString('latin1'));
      } catch (e) {
        if (this.closed) return lines;
        throw e;
      }
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

const status = (r: Reply): string => r.tagged.split(' ')[1];

describe('COMPRESS=DEFLATE (RFC 4978)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('advertised; valid only after authentication; unknown mechanism is BAD', async () => {
    const c = await ZClient.connect(srv.port);
    try {
      const pre = await c.command('COMPRESS DEFLATE');
      assert.equal(status(pre), 'BAD', pre.tagged);
      assert.match((await c.command(`LOGIN ${USER} ${PASS}`)).tagged, / OK /);
      const cap = await c.command('CAPABILITY');
      assert.ok(cap.untagged[0].split(' ').includes('COMPRESS=DEFLATE'), cap.untagged[0]);
      assert.equal(status(await c.command('COMPRESS LZW')), 'BAD');
      assert.equal(status(await c.command('COMPRESS')), 'BAD');
      // still uncompressed after the refusals
      assert.equal(status(await c.command('NOOP')), 'OK');
    } finally {
      c.close();
    }
  });

  test('LIST, APPEND with a literal, 1 MB FETCH (slow reader), second COMPRESS, LOGOUT', async () => {
    const c = await ZClient.connect(srv.port);
    try {
      await c.loginAndCompress();
      const list = await c.command('LIST "" "*"');
      assert.equal(status(list), 'OK');
      assert.ok(list.untagged.some((l) => /^\* LIST .*"INBOX"$/.test(l)), JSON.stringify(list.untagged));

      assert.equal(status(await c.command('CREATE zbox')), 'OK');
      // A synchronizing literal: the "+" continuation must arrive flushed.
      const small = simpleMessage({ subject: 'small' });
      let tag = c.nextTag();
      c.write(`${tag} APPEND zbox {${Buffer.byteLength(small)}}\r\n`);
      assert.match((await c.readLine()).toString(), /^\+ /);
      c.write(`${small}\r\n`);
      assert.match((await c.readUntilTagged(tag)).tagged, / OK \[APPENDUID /);

      // 1 MB of varied, partly incompressible text, sent as a non-synchronizing literal.
      const lines: string[] = [];
      let x = 12345;
      while (lines.length * 72 < 1024 * 1024) {
        let s = '';
        for (let i = 0; i < 70; i++) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          s += String.fromCharCode(33 + (x % 90));
        }
        lines.push(s);
      }
      const big = simpleMessage({ subject: 'big', body: lines.join('\r\n') });
      const bigBytes = Buffer.from(big);
      assert.ok(bigBytes.length > 1024 * 1024);
      tag = c.nextTag();
      c.write(`${tag} APPEND zbox {${bigBytes.length}+}\r\n`);
      c.write(bigBytes);
      c.write('\r\n');
      assert.match((await c.readUntilTagged(tag, 10000)).tagged, / OK /);

      assert.equal(status(await c.command('SELECT zbox')), 'OK');
      // Read slowly: stop reading the socket for a while so the server's output backs up
      // through the deflater; the session must wait (bounded memory), then finish byte-exact.
      c.sock.pause();
      tag = c.nextTag();
      c.write(`${tag} FETCH 2 BODY.PEEK[]\r\n`);
      await new Promise((r) => setTimeout(r, 300));
      c.sock.resume();
      const f = await c.readUntilTagged(tag, 10000);
      assert.equal(status(f), 'OK');
      assert.equal(f.literals.length, 1);
      assert.ok(f.literals[0].equals(bigBytes), 'FETCH body differs from the APPENDed message');

      const again = await c.command('COMPRESS DEFLATE');
      assert.match(again.tagged, /^Z\d+ NO \[COMPRESSIONACTIVE\] /);
      assert.equal(status(await c.command('NOOP')), 'OK');

      tag = c.nextTag();
      c.write(`${tag} LOGOUT\r\n`);
      const out = await c.waitClosed();
      assert.ok(out.some((l) => l.startsWith('* BYE')), JSON.stringify(out));
      assert.ok(out.some((l) => l.startsWith(`${tag} OK`)), JSON.stringify(out));
      assert.ok(c.wireBytesIn < bigBytes.length, `no compression on the wire: ${c.wireBytesIn} bytes`);
    } finally {
      c.close();
    }
  });

  test('IDLE: an EXISTS caused by another connection arrives within 1 s (flushed)', async () => {
    const c = await ZClient.connect(srv.port);
    const other = await loggedIn(srv.port);
    try {
      await c.loginAndCompress();
      assert.equal(status(await c.command('CREATE idlebox')), 'OK');
      assert.equal(status(await c.command('SELECT idlebox')), 'OK');
      const tag = c.nextTag();
      c.write(`${tag} IDLE\r\n`);
      assert.match((await c.readLine()).toString(), /^\+ /);
      const started = Date.now();
      assert.match((await append(other, 'idlebox', simpleMessage({ subject: 'push' }))).tagged, / OK /);
      assert.equal((await c.readLine(1000)).toString(), '* 1 EXISTS');
      assert.ok(Date.now() - started < 1000);
      c.write('DONE\r\n');
      const done = await c.readUntilTagged(tag);
      assert.equal(status(done), 'OK');
    } finally {
      c.close();
      other.close();
    }
  });

  test('COMPRESS over implicit TLS; STARTTLS after COMPRESS is refused', async () => {
    const t = await ZClient.connect(srv.tlsPort, true);
    try {
      await t.loginAndCompress();
      assert.equal(status(await t.command('LIST "" INBOX')), 'OK');
    } finally {
      t.close();
    }
    const c = await ZClient.connect(srv.port);
    try {
      await c.loginAndCompress();
      assert.equal(status(await c.command('UNAUTHENTICATE')), 'OK');
      assert.equal(status(await c.command('STARTTLS')), 'BAD');
      assert.equal(status(await c.command('NOOP')), 'OK');
    } finally {
      c.close();
    }
  });

  test('a decompression bomb meets the line limit with bounded memory; the session survives', async () => {
    const c = await ZClient.connect(srv.port);
    try {
      await c.loginAndCompress();
      const before = process.memoryUsage().rss;
      // 64 MB of "x" without a line end: about 64 KB compressed.
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      c.write('B1 NOOP ');
      for (let i = 0; i < 64; i++) c.write(chunk);
      c.write('\r\n');
      const l = (await c.readLine(20000)).toString();
      assert.match(l, /^(B1|\*) BAD /);
      assert.equal(status(await c.command('NOOP', 10000)), 'OK');
      const grown = process.memoryUsage().rss - before;
      assert.ok(grown < 200 * 1024 * 1024, `RSS grew by ${grown} bytes`);
    } finally {
      c.close();
    }
  });

  test('corrupt compressed input ends the connection', async () => {
    const c = await ZClient.connect(srv.port);
    try {
      await c.loginAndCompress();
      c.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]));
      await c.waitClosed();
      assert.ok(c.closed);
    } finally {
      c.close();
    }
  });

  test('pipelined cleartext after COMPRESS is discarded, not executed', async () => {
    const c = await ZClient.connect(srv.port);
    try {
      assert.match((await c.command(`LOGIN ${USER} ${PASS}`)).tagged, / OK /);
      c.write('C1 COMPRESS DEFLATE\r\nC2 CREATE injected\r\n');
      assert.match((await c.readLine()).toString(), /^C1 OK /);
      c.startCompression();
      const r = await c.command('LIST "" injected');
      assert.deepEqual(r.untagged, []);
    } finally {
      c.close();
    }
  });

  test('a compressed session in IDLE gets a readable BYE on shutdown', async () => {
    const own = await startTestServer();
    const c = await ZClient.connect(own.port);
    try {
      await c.loginAndCompress();
      assert.equal(status(await c.command('SELECT INBOX')), 'OK');
      c.write('I1 IDLE\r\n');
      assert.match((await c.readLine()).toString(), /^\+ /);
      await own.stop();
      const out = await c.waitClosed();
      assert.ok(out.includes('* BYE Server shutting down'), JSON.stringify(out));
    } finally {
      c.close();
    }
  });

  test('one client-side stream may span a command and its flushes (deflateRawSync of a whole command)', async () => {
    // A client that compresses the first command as one finished stream is legal DEFLATE too.
    const c = await ZClient.connect(srv.port);
    try {
      assert.match((await c.command(`LOGIN ${USER} ${PASS}`)).tagged, / OK /);
      assert.match((await c.command('COMPRESS DEFLATE')).tagged, / OK /);
      c.startCompression();
      c.writeRaw(deflateRawSync(Buffer.from('S1 NOOP\r\n'), { finishFlush: constants.Z_SYNC_FLUSH }));
      assert.match((await c.readLine()).toString(), /^S1 OK /);
    } finally {
      c.close();
    }
  });
});
