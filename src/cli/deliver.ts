/**
 * `facteur deliver --to USER [--from SENDER] [--mailbox NAME] < message`: local delivery for an
 * MTA's pipe transport (like dovecot-lda), through the same DeliveryAgent as LMTP, Sieve included.
 *
 * Invariants:
 * - The exit status is the MTA's instruction (sysexits.h, as sendmail and Postfix read it):
 *   0 delivered (or filed/discarded/refused by Sieve with a notice), 64 EX_USAGE, 65 EX_DATAERR
 *   (a message that can never be stored), 67 EX_NOUSER, 73 EX_CANTCREAT (over quota with
 *   --quota-exceeded permanent), 75 EX_TEMPFAIL (try again: storage,
 *   quota or relay trouble, or any unexpected failure), 77 EX_NOPERM (Sieve ereject, RFC 5429
 *   §2.1: the reason goes to stderr and the MTA bounces; a plain reject sends an MDN and exits 0).
 *   Nothing here exits 1: an MTA would read that as a permanent failure of unknown cause.
 * - stdin is read up to the configured message limit plus one octet, never more.
 * - One line on stderr says why, for every non-zero status.
 */
import { loadConfigWithArgs } from '../config/index.js';
import type { DeliveryAgent } from '../delivery/index.js';
import { createLogger } from '../observability/log.js';
import type { CliIo } from './io.js';

export const EX_OK = 0;
export const EX_USAGE = 64;
export const EX_DATAERR = 65;
export const EX_NOUSER = 67;
/** sysexits.h "can't create (user) output file": Postfix reports it as 5.2.0, a mailbox problem. */
export const EX_CANTCREAT = 73;
export const EX_TEMPFAIL = 75;
export const EX_NOPERM = 77;

export const DELIVER_USAGE = `Usage: facteur deliver --to USER [--from SENDER] [--mailbox NAME] [--data DIR] [--config FILE] < message

Delivers the message on stdin to USER's mailbox, running USER's active Sieve script, the same way
as LMTP. For an MTA pipe transport (Postfix: mailbox_command = facteur deliver --to "$USER"
--from "$SENDER"). USER may be user+detail@domain; --recipient-domain and --recipient-delimiter
apply as for LMTP. --from is the envelope sender (default: none, i.e. <>). --mailbox files the
message there instead of INBOX (when it exists) unless Sieve decides otherwise.
Aliases: -d USER, -f SENDER, -m NAME. Every serve option is accepted (--smtp-relay, ...).

Exit status: 0 delivered, 64 usage, 65 message refused as malformed or too large,
67 no such user, 75 temporary failure (the MTA retries), 77 refused by Sieve ereject
(the reason on stderr; a plain reject sends a notice to the sender and exits 0).
`;

const OWN_FLAGS: Record<string, 'to' | 'from' | 'mailbox'> = {
  '--to': 'to',
  '-d': 'to',
  '--from': 'from',
  '-f': 'from',
  '--mailbox': 'mailbox',
  '-m': 'mailbox',
};

async function readBounded(stream: NodeJS.ReadableStream, max: number): Promise<Buffer | 'toobig'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) return 'toobig';
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export async function deliverCommand(args: string[], io: CliIo): Promise<number> {
  const fail = (code: number, msg: string): number => {
    io.stderr.write(`facteur deliver: ${msg}\n`);
    return code;
  };
  const own: { to?: string; from?: string; mailbox?: string } = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq !== -1 ? a.slice(0, eq) : a;
    const key = OWN_FLAGS[name];
    if (key === undefined) {
      rest.push(a);
      continue;
    }
    const value = name !== a ? a.slice(eq + 1) : args[++i];
    if (value === undefined) return fail(EX_USAGE, `${name} needs a value`);
    own[key] = value;
  }
  let loaded;
  try {
    loaded = await loadConfigWithArgs(rest, io.env);
  } catch (e) {
    return fail(EX_USAGE, e instanceof Error ? e.message : String(e));
  }
  const { config, positionals } = loaded;
  if (positionals.length > 0) return fail(EX_USAGE, `unexpected argument '${positionals[0]}'`);
  if (own.to === undefined || own.to === '') return fail(EX_USAGE, '--to USER is required (see facteur help deliver)');
  // Angle brackets are what an MTA's $SENDER may carry; "<>" is the null sender.
  const from = (own.from ?? '').replace(/^<(.*)>$/, '$1');

  const logger = createLogger(config.logLevel, { destination: io.logDestination });
  let opened: { agent: DeliveryAgent; close(): Promise<void> };
  try {
    const api = await io.loadServerApi();
    if (api.openDeliveryAgent === undefined) return fail(EX_TEMPFAIL, 'delivery is not available in this build');
    opened = await api.openDeliveryAgent(config, logger);
  } catch (e) {
    return fail(EX_TEMPFAIL, `cannot open the mail store: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const check = await opened.agent.checkRecipient(own.to);
    if (!check.ok) {
      if (check.status === 'tempfail') return fail(EX_TEMPFAIL, `${own.to}: ${check.reason}`);
      return fail(EX_NOUSER, `${own.to}: ${check.status === 'nouser' ? 'no such user' : check.reason}`);
    }
    const message = await readBounded(io.stdin, config.maxMessageSize);
    if (message === 'toobig') return fail(EX_DATAERR, `message larger than the ${config.maxMessageSize}-octet limit`);
    const result = await opened.agent.deliver({
      from,
      recipient: check.recipient,
      message,
      mode: 'deliver',
      ...(own.mailbox !== undefined ? { defaultMailbox: own.mailbox } : {}),
    });
    switch (result.status) {
      case 'delivered':
        return EX_OK;
      case 'rejected':
        return fail(EX_NOPERM, `rejected: ${result.reason}`);
      case 'nouser':
        return fail(EX_NOUSER, `${own.to}: no such user`);
      case 'tempfail':
        return fail(EX_TEMPFAIL, result.reason);
      case 'failed':
        // Over quota with --quota-exceeded permanent: the MTA bounces (mailbox status, RFC 3463 X.2.2).
        if (result.overQuota === true) return fail(EX_CANTCREAT, `${own.to}: mailbox full`);
        return fail(EX_DATAERR, result.reason);
    }
  } catch (e) {
    return fail(EX_TEMPFAIL, e instanceof Error ? e.message : String(e));
  } finally {
    await opened.close();
  }
}
