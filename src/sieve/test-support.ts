/**
 * Helpers for the Sieve unit tests (imported only by *.test.ts files): a message builder, a
 * default input, a recording host, and run(), which compiles and executes in one call and fails
 * loudly on a compile error.
 */
import type { SieveHost, SieveInput, SieveOutcome, CompileOptions, ExecuteOptions } from './api.js';
import { compile, execute } from './index.js';

export function message(headers: string, body = 'Hello\r\n'): Buffer {
  return Buffer.from(headers.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '') + '\r\n\r\n' + body);
}

export const DEFAULT_MESSAGE = message(
  'From: "Joe Q" <joe@example.com>\nTo: Alice <alice+lists@example.org>, bob@example.net\nSubject: Hello world\nX-Spam-Score: 7.5\nDate: Mon, 1 Jan 2024 10:00:00 +0000',
);

export function input(over: Partial<SieveInput> = {}): SieveInput {
  return {
    message: DEFAULT_MESSAGE,
    envelope: { from: 'joe@example.com', to: 'alice+lists@example.org' },
    environment: { domain: 'example.org', host: 'mx.example.org', name: 'Facteur', version: '0.1.0', phase: 'during', location: 'MDA' },
    now: new Date('2024-01-01T12:00:00Z'),
    zoneOffsetMinutes: 0,
    userAddresses: ['alice@example.org'],
    ...over,
  };
}

export interface RecordingHost extends SieveHost {
  mailboxes: Set<string>;
  calls: string[];
  /** METADATA annotations (RFC 5490): key "<mailbox> <name>", mailbox "" for the server. */
  annotations: Map<string, string>;
}

export function host(mailboxes: string[] = ['INBOX']): RecordingHost {
  const h: RecordingHost = {
    mailboxes: new Set(mailboxes),
    calls: [],
    annotations: new Map(),
    async metadata(mailbox, name) {
      h.calls.push(`metadata ${mailbox ?? '(server)'} ${name}`);
      return h.annotations.get(`${mailbox ?? ''} ${name.toLowerCase()}`) ?? null;
    },
    async mailboxExists(name) {
      h.calls.push(`exists ${name}`);
      return h.mailboxes.has(name);
    },
    async specialUseExists() {
      return false;
    },
    async duplicateSeen() {
      return false;
    },
    async loadScript() {
      return null;
    },
  };
  return h;
}

export async function run(
  src: string,
  over: Partial<SieveInput> = {},
  opts: { compile?: CompileOptions; execute?: ExecuteOptions; host?: SieveHost } = {},
): Promise<SieveOutcome> {
  const c = compile(src, opts.compile);
  if (!c.ok) throw new Error(`compile failed: ${c.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
  return execute(c.script, input(over), opts.host ?? host(), opts.execute);
}

/** Compile errors as "line:column message" strings (empty when the script compiles). */
export function errorsOf(src: string, opts?: CompileOptions): string[] {
  const c = compile(src, opts);
  return c.ok ? [] : c.errors.map((e) => `${e.line}:${e.column} ${e.message}`);
}

/** A compact view of actions for assertions. */
export function summary(o: SieveOutcome): string[] {
  return o.actions.map((a) => {
    switch (a.type) {
      case 'keep':
        return `${a.implicit ? 'implicit-keep' : 'keep'}${a.flags.length ? ` [${a.flags.join(' ')}]` : ''}`;
      case 'fileinto':
        return `fileinto ${a.mailbox}${a.flags.length ? ` [${a.flags.join(' ')}]` : ''}${a.create ? ' :create' : ''}`;
      case 'redirect':
        return `redirect ${a.address}`;
      case 'reject':
        return `${a.extended ? 'ereject' : 'reject'} ${a.reason}`;
      case 'discard':
        return 'discard';
      case 'vacation':
        return `vacation ${a.recipient}`;
    }
  });
}
