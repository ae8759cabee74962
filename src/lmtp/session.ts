/**
 * One LMTP connection (RFC 2033): LHLO, then transactions of MAIL, RCPT..., DATA or BDAT, each
 * answered with one reply per accepted recipient, in RCPT order.
 *
 * Invariants:
 * - Commands are handled strictly in arrival order, one at a time; pipelined input waits in
 *   LmtpInput (bounded), so PIPELINING (RFC 2920) needs nothing more.
 * - Nothing is delivered before the whole message arrived (final "." or BDAT LAST): a connection
 *   that drops mid-DATA stores nothing. A 250 for a recipient is written only after
 *   DeliveryAgent.deliver resolved 'delivered', i.e. after the copy is durable.
 * - A message larger than the configured limit is read to its end and dropped as it arrives
 *   (memory stays bounded), then refused with 552 5.3.4 per recipient (RFC 1870 §6.3).
 * - Unknown users are refused at RCPT (550 5.1.1); storage trouble is a 4xx, never a silent drop.
 * - Too many bad commands or an idle peer end the connection with 421.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { DeliveryAgent, DeliveryResult, ParsedRecipient } from '../delivery/index.js';
import { rfc5322Date } from '../delivery/index.js';
import type { Logger } from '../observability/log.js';
import { LMTP_IDLE_TIMEOUT_MS, MAX_LMTP_BAD_COMMANDS, MAX_LMTP_RECIPIENTS } from '../wire/limits.js';
import { LmtpInput } from './input.js';
import { formatReply, parseCommand, reply, type Reply } from './protocol.js';

export interface LmtpSessionDeps {
  agent: DeliveryAgent;
  logger: Logger;
  onClose(session: LmtpSession): void;
}

/** Where the peer connected from: an address for TCP, 'unix' for the socket listener. */
export interface LmtpPeer {
  ip: string | null;
}

interface Transaction {
  from: string;
  rcpts: ParsedRecipient[];
  /** BDAT chunks received so far (RFC 3030): size and pieces, or tooBig once over the limit. */
  chunks: Buffer[];
  size: number;
  tooBig: boolean;
  /** A BDAT chunk was refused: the rest of the transaction is read and dropped (RFC 3030 §2). */
  bdatFailed: boolean;
}

/** The extensions we implement, in the LHLO reply (RFC 2033 §4.1, RFC 5321 §4.1.1.1). */
function capabilities(maxSize: number): string[] {
  return ['PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', `SIZE ${maxSize}`, 'CHUNKING'];
}

export class LmtpSession {
  private readonly input: LmtpInput;
  private readonly id = randomBytes(6).toString('hex');
  private readonly log: Logger;
  private lhlo: string | null = null;
  private tx: Transaction | null = null;
  private badCommands = 0;
  private draining = false;
  private closed = false;

  constructor(
    private readonly sock: Duplex & { setTimeout?(ms: number, cb?: () => void): unknown; remoteAddress?: string },
    private readonly deps: LmtpSessionDeps,
    private readonly peer: LmtpPeer,
  ) {
    this.log = deps.logger.child({ lmtp: this.id, ip: peer.ip ?? 'unix' });
    this.input = new LmtpInput(sock);
    sock.on('error', (e) => this.log.debug({ err: e.message }, 'LMTP socket error'));
    sock.on('close', () => this.finish());
    sock.setTimeout?.(LMTP_IDLE_TIMEOUT_MS, () => {
      this.send(reply(421, '4.4.2', `${this.deps.agent.hostname} Idle timeout, closing connection`));
      this.sock.end();
      setTimeout(() => this.sock.destroy(), 1000).unref();
    });
    void this.run().catch((e: unknown) => {
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'LMTP session failed');
      this.sock.destroy();
    });
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.end();
    this.deps.onClose(this);
  }

  /** Shutdown: an idle session says 421 at once; a busy one after its current command. */
  drain(): Promise<void> {
    this.draining = true;
    this.input.interrupt();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.sock.once('close', () => resolve()));
  }

  destroy(): void {
    this.sock.destroy();
  }

  private send(r: Reply): void {
    if (!this.sock.writable) return;
    this.sock.write(formatReply(r));
  }

  private async run(): Promise<void> {
    this.send(reply(220, null, `${this.deps.agent.hostname} LMTP Facteur ready`));
    for (;;) {
      const got = await this.input.readLine(() => this.draining);
      if (got === 'stopped') {
        this.send(reply(421, '4.3.2', `${this.deps.agent.hostname} Service shutting down`));
        this.sock.end();
        return;
      }
      if (got === null) return;
      if ('tooLong' in got) {
        this.bad(reply(500, '5.5.2', 'Line too long'));
        continue;
      }
      const quit = await this.handle(got.line);
      if (quit || this.closed) return;
      if (this.badCommands >= MAX_LMTP_BAD_COMMANDS) {
        this.send(reply(421, '4.7.0', 'Too many errors, closing connection'));
        this.sock.end();
        return;
      }
    }
  }

  private bad(r: Reply): void {
    this.badCommands++;
    this.send(r);
  }

  /** Handles one command line; true when the session is over. */
  private async handle(line: string): Promise<boolean> {
    const cmd = parseCommand(line);
    const agent = this.deps.agent;
    switch (cmd.kind) {
      case 'error':
        this.bad(cmd.reply);
        return false;
      case 'LHLO':
        // RFC 5321 §4.1.4: a second greeting resets any transaction.
        this.lhlo = cmd.domain;
        this.tx = null;
        this.badCommands = 0;
        this.send(reply(250, null, agent.hostname, ...capabilities(agent.maxMessageSize)));
        return false;
      case 'MAIL':
        if (this.lhlo === null) return this.bad(reply(503, '5.5.1', 'Send LHLO first')), false;
        if (this.tx !== null) return this.bad(reply(503, '5.5.1', 'Nested MAIL command')), false;
        if (cmd.size !== null && cmd.size > agent.maxMessageSize) {
          this.send(reply(552, '5.3.4', `Message size exceeds the ${agent.maxMessageSize}-octet limit`));
          return false;
        }
        this.tx = { from: cmd.from, rcpts: [], chunks: [], size: 0, tooBig: false, bdatFailed: false };
        this.badCommands = 0;
        this.send(reply(250, '2.1.0', 'Sender OK'));
        return false;
      case 'RCPT':
        await this.rcpt(cmd.to);
        return false;
      case 'DATA':
        await this.data();
        return this.closed;
      case 'BDAT':
        await this.bdat(cmd.size, cmd.last);
        return this.closed;
      case 'RSET':
        this.tx = null;
        this.send(reply(250, '2.0.0', 'OK'));
        return false;
      case 'NOOP':
        this.send(reply(250, '2.0.0', 'OK'));
        return false;
      case 'VRFY':
        // RFC 5321 §3.5.3: 252 when we will not verify but would try to deliver.
        this.send(reply(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'));
        return false;
      case 'QUIT':
        this.send(reply(221, '2.0.0', `${agent.hostname} closing connection`));
        this.sock.end();
        return true;
    }
  }

  private async rcpt(to: string): Promise<void> {
    const tx = this.tx;
    if (tx === null) return this.bad(reply(503, '5.5.1', 'Need MAIL before RCPT'));
    if (tx.rcpts.length >= MAX_LMTP_RECIPIENTS) return this.send(reply(452, '4.5.3', 'Too many recipients'));
    const check = await this.deps.agent.checkRecipient(to);
    if (check.ok) {
      tx.rcpts.push(check.recipient);
      this.badCommands = 0;
      return this.send(reply(250, '2.1.5', 'Recipient OK'));
    }
    switch (check.status) {
      case 'invalid':
        return this.bad(reply(553, '5.1.3', `Bad recipient address syntax <${to}>`));
      case 'nouser':
        this.log.info({ rcpt: to }, 'unknown recipient');
        return this.send(reply(550, '5.1.1', `<${to}> User unknown`));
      case 'tempfail':
        return this.send(reply(451, '4.3.0', 'Temporary failure, try again later'));
    }
  }

  private async data(): Promise<void> {
    const tx = this.tx;
    if (tx === null) return this.bad(reply(503, '5.5.1', 'Need MAIL before DATA'));
    // RFC 2033 §4.2: DATA with no successful RCPT fails with 503.
    if (tx.rcpts.length === 0) return this.bad(reply(503, '5.5.1', 'No valid recipients'));
    if (tx.chunks.length > 0 || tx.bdatFailed) return this.bad(reply(503, '5.5.1', 'DATA after BDAT'));
    this.send(reply(354, null, 'Start mail input; end with <CRLF>.<CRLF>'));
    const complete = await this.input.readData((piece) => this.collect(tx, piece));
    if (!complete) {
      this.log.info({ received: tx.size }, 'connection ended during DATA; nothing stored');
      this.tx = null;
      this.sock.destroy();
      this.finish();
      return;
    }
    await this.deliverAll(tx);
  }

  private async bdat(size: number, last: boolean): Promise<void> {
    const tx = this.tx;
    // RFC 3030 §2: the chunk must be read even when the command fails.
    const failed = tx === null || tx.rcpts.length === 0 || tx.bdatFailed;
    const complete = await this.input.readExact(size, (piece) => {
      if (!failed && tx !== null) this.collect(tx, piece);
    });
    if (!complete) {
      this.log.info('connection ended during BDAT; nothing stored');
      this.tx = null;
      this.sock.destroy();
      this.finish();
      return;
    }
    if (tx === null) return this.bad(reply(503, '5.5.1', 'Need MAIL before BDAT'));
    if (tx.rcpts.length === 0) return this.bad(reply(503, '5.5.1', 'No valid recipients'));
    if (tx.bdatFailed) return this.send(reply(503, '5.5.1', 'Previous BDAT failed; send RSET'));
    if (!last) return this.send(reply(250, '2.0.0', `${size} octets received`));
    await this.deliverAll(tx);
  }

  private collect(tx: Transaction, piece: Buffer): void {
    tx.size += piece.length;
    if (tx.tooBig) return;
    if (tx.size > this.deps.agent.maxMessageSize) {
      tx.tooBig = true;
      tx.chunks = [];
      return;
    }
    // Slices of the received chunks; deliverAll concatenates them once.
    tx.chunks.push(piece);
  }

  /** One reply per accepted recipient, in RCPT order (RFC 2033 §4.2), each after its delivery. */
  private async deliverAll(tx: Transaction): Promise<void> {
    this.tx = null;
    const agent = this.deps.agent;
    if (tx.tooBig) {
      for (let i = 0; i < tx.rcpts.length; i++) this.send(reply(552, '5.3.4', `Message size exceeds the ${agent.maxMessageSize}-octet limit`));
      return;
    }
    const message = Buffer.concat(tx.chunks);
    const when = rfc5322Date(new Date());
    const remote = this.peer.ip === null ? 'local' : `[${this.peer.ip}]`;
    for (const rcpt of tx.rcpts) {
      const received =
        `Received: from ${this.lhlo ?? 'unknown'} (${remote})\r\n\tby ${agent.hostname} (Facteur) with LMTP id ${this.id}\r\n` +
        `\tfor <${rcpt.address}>; ${when}`;
      const result = await agent.deliver({
        from: tx.from,
        recipient: rcpt,
        message,
        traceFields: [received],
        mode: 'lmtp',
        environment: this.peer.ip === null ? {} : { 'remote-ip': this.peer.ip },
      });
      this.send(replyFor(result, rcpt.address, agent.maxMessageSize));
    }
  }
}

export function replyFor(result: DeliveryResult, rcpt: string, maxSize: number): Reply {
  switch (result.status) {
    case 'delivered':
      return reply(250, '2.0.0', `<${rcpt}> Delivered${result.note !== undefined ? ` (${result.note})` : ''}`);
    case 'rejected':
      // RFC 5429 §2.1.1: the reject reason goes into the protocol reply.
      return reply(550, '5.7.1', `<${rcpt}> ${result.reason.slice(0, 400) || 'Rejected'}`);
    case 'nouser':
      return reply(550, '5.1.1', `<${rcpt}> User unknown`);
    case 'tempfail':
      return result.overQuota
        ? reply(452, '4.2.2', `<${rcpt}> Mailbox full, try again later`)
        : reply(451, '4.3.0', `<${rcpt}> Temporary failure (${result.reason}), try again later`);
    case 'failed':
      // RFC 3463 §3.3: X.2.2 mailbox full; permanent only when the operator chose so (--quota-exceeded).
      if (result.overQuota === true) return reply(552, '5.2.2', `<${rcpt}> Mailbox full`);
      return result.tooBig
        ? reply(552, '5.3.4', `<${rcpt}> Message size exceeds the ${maxSize}-octet limit`)
        : reply(554, '5.6.0', `<${rcpt}> ${result.reason}`);
  }
}
