/**
 * Test doubles for the FETCH/SEARCH/STORE unit tests: an in-memory subset of MailStore that
 * records every content read, and a session stand-in that collects what handlers send.
 * Not used by production code.
 */
import type { ImapSession } from '../session/session.js';
import { MailboxView } from '../session/mailbox-view.js';
import type { ResponseBuilder } from '../protocol/response.js';
import type { Actor, FlagOperation, MailStore, MessageRow, ModSeq, StoreFlagsResult, Uid } from '../../store/types.js';
import { asModSeq, asUid } from '../../store/types.js';
import { parseMessage } from '../../mime/index.js';

export const ACTOR: Actor = { accountId: 1, name: 'alice' };

export interface FakeMessage {
  raw: string | Buffer;
  flags?: string[];
  internalDate?: number;
  /** Save date (RFC 8514); defaults to the internal date. */
  savedAt?: number;
  /** Store no structure (forces parsing from the content). */
  noMeta?: boolean;
}

interface Stored {
  row: MessageRow;
  raw: Buffer;
  meta: string | null;
}

export class FakeStore {
  readonly messages: Stored[] = [];
  /** [blobId, start, end] of every readBlob call. */
  readonly reads: Array<[string, number | undefined, number | undefined]> = [];
  readonly metaReads: string[][] = [];
  readonly flagCalls: Array<{ uids: number[]; op: FlagOperation; flags: string[] }> = [];
  modseq = 100;

  constructor(list: FakeMessage[]) {
    list.forEach((m, i) => {
      const raw = typeof m.raw === 'string' ? Buffer.from(m.raw, 'utf8') : m.raw;
      const uid = (i + 1) * 10;
      this.messages.push({
        row: {
          uid: asUid(uid),
          modseq: asModSeq(50 + i),
          flags: m.flags ?? [],
          internalDate: m.internalDate ?? Date.UTC(2024, 0, 15, 12, 0, 0),
          size: raw.length,
          blobId: `blob${uid}`,
          savedAt: m.savedAt ?? m.internalDate ?? Date.UTC(2024, 0, 15, 12, 0, 0),
          emailId: `M${uid}`,
          threadId: `T${uid}`,
        },
        raw,
        meta: m.noMeta ? null : JSON.stringify(parseMessage(raw)),
      });
    });
  }

  get uids(): number[] {
    return this.messages.map((m) => m.row.uid);
  }

  remove(uid: number): void {
    const i = this.messages.findIndex((m) => m.row.uid === uid);
    if (i >= 0) this.messages.splice(i, 1);
  }

  async listMessages(): Promise<MessageRow[]> {
    return this.messages.map((m) => ({ ...m.row }));
  }

  async getMessages(_a: Actor, _m: number, uids: readonly Uid[]): Promise<MessageRow[]> {
    const want = new Set<number>(uids);
    return this.messages.filter((m) => want.has(m.row.uid)).map((m) => ({ ...m.row }));
  }

  async storeFlags(
    _a: Actor,
    _m: number,
    uids: readonly Uid[],
    op: FlagOperation,
    flags: readonly string[],
    unchangedSince?: ModSeq,
  ): Promise<StoreFlagsResult> {
    this.flagCalls.push({ uids: [...uids], op, flags: [...flags] });
    const result: StoreFlagsResult = { updated: [], modified: [] };
    for (const uid of uids) {
      const m = this.messages.find((x) => x.row.uid === uid);
      if (m === undefined) continue;
      if (unchangedSince !== undefined && m.row.modseq > unchangedSince) {
        result.modified.push(m.row.uid);
        continue;
      }
      const has = (list: readonly string[], f: string): boolean => list.some((x) => x.toLowerCase() === f.toLowerCase());
      let next: string[];
      if (op === 'set') next = [...flags];
      else if (op === 'add') next = [...m.row.flags, ...flags.filter((f) => !has(m.row.flags, f))];
      else next = m.row.flags.filter((f) => !has(flags, f));
      const same = next.length === m.row.flags.length && next.every((f) => has(m.row.flags, f));
      if (same) continue;
      m.row = { ...m.row, flags: next, modseq: asModSeq(++this.modseq) };
      result.updated.push({ uid: m.row.uid, modseq: m.row.modseq, flags: next });
    }
    return result;
  }

  async readBlob(_a: Actor, blobId: string, start?: number, end?: number): Promise<Buffer> {
    this.reads.push([blobId, start, end]);
    const m = this.messages.find((x) => x.row.blobId === blobId);
    if (m === undefined) throw new Error(`no blob ${blobId}`);
    return Buffer.from(m.raw.subarray(start ?? 0, end ?? m.raw.length));
  }

  async readMeta(_a: Actor, blobIds: readonly string[]): Promise<Map<string, string>> {
    this.metaReads.push([...blobIds]);
    const out = new Map<string, string>();
    for (const id of blobIds) {
      const m = this.messages.find((x) => x.row.blobId === id);
      if (m?.meta) out.set(id, m.meta);
    }
    return out;
  }
}

export interface FakeSessionOptions {
  readOnly?: boolean;
  rev2?: boolean;
  utf8?: boolean;
  enabled?: string[];
  /** UIDs that are \Recent for this session. */
  recent?: [number, number];
}

export interface Harness {
  session: ImapSession;
  view: MailboxView;
  store: FakeStore;
  /** Everything sent so far, as one latin1 string. */
  output(): string;
  outputBuffer(): Buffer;
  clear(): void;
}

export function harness(store: FakeStore, opts: FakeSessionOptions = {}): Harness {
  const view = new MailboxView(7, 'INBOX', opts.readOnly ?? false, 1234, store.uids, asModSeq(store.modseq), asUid(1000));
  if (opts.recent) view.addRecent(opts.recent[0], opts.recent[1]);
  // As SELECT does: the keywords already in the mailbox were announced in FLAGS.
  for (const m of store.messages) for (const f of m.row.flags) if (!f.startsWith('\\')) view.keywords.set(f.toLowerCase(), f);
  const chunks: Buffer[] = [];
  const fake = {
    state: { kind: 'selected', actor: ACTOR, view },
    rev2: opts.rev2 ?? false,
    utf8: opts.utf8 ?? false,
    enabled: new Set(opts.enabled ?? []),
    store: store as unknown as MailStore,
    send(b: ResponseBuilder): void {
      b.raw('\r\n');
      chunks.push(b.toBuffer());
    },
    writeLine(text: string): void {
      chunks.push(Buffer.from(text + '\r\n', 'utf8'));
    },
    drainIfNeeded: async (): Promise<void> => undefined,
    // No MESSAGELIMIT/SAVELIMIT set: the defaults of session/message-limit.ts apply.
    deps: {},
  };
  return {
    session: fake as unknown as ImapSession,
    view,
    store,
    output: () => Buffer.concat(chunks).toString('latin1'),
    outputBuffer: () => Buffer.concat(chunks),
    clear: () => {
      chunks.length = 0;
    },
  };
}
