/**
 * LMTP delivery benchmark helpers: a raw LMTP client that runs one transaction per message
 * (MAIL, RCPT and DATA pipelined, then the data, then the per-recipient 250, i.e. until the
 * message is durable), and the 20-rule Sieve script the "with Sieve" run installs.
 */
import { connect, type Socket } from 'node:net';
import { openStore } from '../src/main.js';
import { DEFAULT_CONFIG, type Config } from '../src/config/index.js';

class LmtpBenchClient {
  private buf = '';
  private waiter: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  static async connect(port: number): Promise<LmtpBenchClient> {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const c = new LmtpBenchClient(sock);
    await c.expect(220);
    c.sock.write('LHLO bench.example\r\n');
    await c.expect(250);
    return c;
  }

  /** Reads one reply and checks its code. */
  async expect(code: number): Promise<void> {
    for (;;) {
      const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(this.buf);
      if (m !== null) {
        this.buf = this.buf.slice(m.index + m[0].length);
        if (Number(m[1]) !== code) throw new Error(`LMTP: expected ${code}, got ${m[0].trim()}`);
        return;
      }
      if (this.closed) throw new Error('LMTP connection closed');
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** One transaction; resolves when the server answered 250 for the recipient. */
  async deliver(from: string, to: string, stuffedData: Buffer): Promise<void> {
    this.sock.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    await this.expect(250);
    await this.expect(250);
    await this.expect(354);
    this.sock.write(stuffedData);
    await this.expect(250);
  }

  close(): void {
    this.sock.end('QUIT\r\n');
  }
}

/** DATA form of a message: dot-stuffed and terminated (RFC 5321 §4.5.2). */
export function stuffed(message: Buffer): Buffer {
  let s = message.toString('latin1');
  if (!s.endsWith('\r\n')) s += '\r\n';
  return Buffer.from(s.replace(/^\./gm, '..') + '.\r\n', 'latin1');
}

/**
 * Delivers every message over `connections` parallel connections, connection k to port `port(k)`
 * (several nodes); per-delivery latencies in ms.
 */
export async function lmtpDeliver(port: (k: number) => number, to: string, messages: Buffer[], connections: number): Promise<{ ms: number; latencies: number[] }> {
  const clients = await Promise.all(Array.from({ length: connections }, (_, k) => LmtpBenchClient.connect(port(k))));
  const latencies: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (c) => {
      while (next < messages.length) {
        const m = messages[next++];
        const t = process.hrtime.bigint();
        await c.deliver('sender@example.org', to, m);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const c of clients) c.close();
  return { ms, latencies };
}

/**
 * A 20-rule script of the usual kind (lists, senders, subjects, sizes), none of which matches the
 * generated messages but the last, so every delivery evaluates all twenty rules.
 */
export const SIEVE_20_RULES = [
  'require ["fileinto", "envelope", "variables"];',
  ...Array.from({ length: 6 }, (_, i) => `if header :contains "list-id" "list${i}.example.org" { fileinto "Lists/l${i}"; stop; }`),
  ...Array.from({ length: 5 }, (_, i) => `if address :is :domain "from" "spam${i}.example" { discard; stop; }`),
  ...Array.from({ length: 4 }, (_, i) => `if header :matches "subject" "*[ticket-${i}]*" { fileinto "Tickets"; stop; }`),
  'if envelope :is "from" "boss@corp.example" { fileinto "Boss"; stop; }',
  'if size :over 5M { fileinto "Big"; stop; }',
  'if anyof (header :contains "x-spam-flag" "YES", header :contains "x-spam-status" "Yes,") { fileinto "Junk"; stop; }',
  'if header :matches "from" "*@*" { set "domain" "${2}"; }',
  'if true { fileinto "Filtered"; }',
].join('\n');

export const SIEVE_MAILBOXES = ['Lists/l0', 'Tickets', 'Boss', 'Big', 'Filtered'];

/** Installs and activates the script for `user` through the store (the server sees it at once). */
export async function installScript(where: Pick<Config, 'dataDir' | 'store'>, user: string, source: string, mailboxes: string[]): Promise<void> {
  const store = await openStore({ ...DEFAULT_CONFIG, ...where });
  try {
    const acc = await store.getAccount(user);
    if (acc === null) throw new Error(`no account ${user}`);
    const actor = { accountId: acc.id, name: acc.name };
    for (const m of mailboxes) {
      if ((await store.getMailbox(actor, m)) === null) await store.createMailbox(actor, m);
    }
    await store.putSieveScript(actor, 'bench', source);
    await store.setActiveSieveScript(actor, 'bench');
  } finally {
    await store.close();
  }
}
