/**
 * NotifyState (RFC 5465) against a real LocalChangeBus and a small in-memory mailbox list: the
 * METADATA notifications (§5.6, §5.7, which no IMAP command of this branch can trigger yet), the
 * SERVER_CHANNEL subscription, overflow (§5.8), and the rename diff of notify-filters.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalChangeBus } from '../../store/bus.js';
import { SERVER_CHANNEL, asModSeq, asUid, type Actor, type Mailbox } from '../../store/types.js';
import type { NotifySet } from '../protocol/ast.js';
import { parseCommand } from '../protocol/parser.js';
import type { ImapSession } from './session.js';
import { NotifyState, NotifyOverflow, type NotifyRenderers } from './notify.js';
import { MAX_NOTIFY_MAILBOXES } from './notify-status.js';
import { diffMailboxes } from './notify-filters.js';

const ACTOR: Actor = { accountId: 1, name: 'alice' };

function mailbox(id: number, name: string, accountId = 1): Mailbox {
  return { id, accountId, name, uidValidity: 7, uidNext: asUid(1), highestModSeq: asModSeq(1), specialUse: null, objectId: `o${id}` };
}

function notifySet(line: string): NotifySet {
  const c = parseCommand(Buffer.from(`a NOTIFY SET ${line}`), { utf8Accept: false }).command;
  assert.ok(c.name === 'NOTIFY' && c.set);
  return c.set;
}

function fakeSession(mailboxes: Mailbox[]) {
  const bus = new LocalChangeBus();
  const lines: string[] = [];
  let wakes = 0;
  const session = {
    deps: { bus },
    store: {
      listMailboxes: async () => mailboxes,
      listSubscriptions: async () => [],
      counts: async () => ({ messages: 0, unseen: 0, deleted: 0, size: 0, recent: 0 }),
      getMailbox: async (_a: Actor, name: string) => mailboxes.find((m) => m.name === name) ?? null,
    },
    state: { kind: 'authenticated', actor: ACTOR },
    utf8: false,
    enabled: new Set<string>(),
    drainIfNeeded: async () => undefined,
    notify: null as NotifyState | null,
    writeLine: (l: string) => lines.push(l),
    wakeNotify: () => wakes++,
  };
  return { session, bus, lines, wakes: () => wakes };
}

const renderers: NotifyRenderers = { fetchNew: async () => undefined, listAttributes: () => ['\\HasNoChildren'] };

test('MailboxMetadataChange and ServerMetadataChange become METADATA responses; other mailboxes do not', async () => {
  const f = fakeSession([mailbox(1, 'INBOX'), mailbox(2, 'Lists/a b')]);
  const st = new NotifyState(f.session as unknown as ImapSession, ACTOR, notifySet('(subtree Lists (MailboxMetadataChange)) (personal (ServerMetadataChange))'), renderers);
  await st.start(false);
  f.bus.publish({ type: 'metadata', accountId: 1, mailboxId: 2, entries: ['/shared/comment', '/private/my note'] });
  f.bus.publish({ type: 'metadata', accountId: 1, mailboxId: 1, entries: ['/shared/comment'] });
  f.bus.publish({ type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/admin'] });
  assert.equal(f.wakes(), 2, 'the INBOX entry is outside the subtree: no wake-up');
  assert.equal(st.pending, true);
  await st.emit();
  assert.deepEqual(f.lines, ['* METADATA "Lists/a b" /shared/comment "/private/my note"', '* METADATA "" /shared/admin']);
  assert.equal(st.pending, false);
  st.close();
  f.bus.publish({ type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/admin'] });
  assert.equal(st.pending, false, 'closed: unsubscribed from every channel');
});

test('without ServerMetadataChange the server channel is not listened to', async () => {
  const f = fakeSession([mailbox(1, 'INBOX')]);
  const st = new NotifyState(f.session as unknown as ImapSession, ACTOR, notifySet('(personal (MailboxMetadataChange))'), renderers);
  await st.start(false);
  f.bus.publish({ type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/admin'] });
  assert.equal(st.pending, false);
  st.close();
});

test('NOTIFICATIONOVERFLOW: too many watched mailboxes at NOTIFY SET, and METADATA events piling up', async () => {
  const many = Array.from({ length: MAX_NOTIFY_MAILBOXES + 1 }, (_, i) => mailbox(i + 1, `m${i}`));
  const f = fakeSession(many);
  const st = new NotifyState(f.session as unknown as ImapSession, ACTOR, notifySet('(personal (MessageNew MessageExpunge))'), renderers);
  await assert.rejects(st.start(true), NotifyOverflow);
  assert.deepEqual(f.lines, [], 'no STATUS written before refusing');
  st.close();

  const g = fakeSession([mailbox(1, 'INBOX')]);
  const st2 = new NotifyState(g.session as unknown as ImapSession, ACTOR, notifySet('(personal (MailboxMetadataChange))'), renderers);
  await st2.start(false);
  g.session.notify = st2;
  for (let i = 0; i < 300; i++) g.bus.publish({ type: 'metadata', accountId: 1, mailboxId: 1, entries: [`/private/e${i}`] });
  await st2.emit();
  assert.equal(g.lines.length, 1);
  assert.match(g.lines[0]!, /^\* OK \[NOTIFICATIONOVERFLOW\]/);
  assert.equal(g.session.notify, null, 'behaves as after NOTIFY NONE');
});

test('diffMailboxes: a renamed parent carries its children; an independent rename is its own', () => {
  const before = new Map([mailbox(1, 'a'), mailbox(2, 'a/b'), mailbox(3, 'c'), mailbox(4, 'gone')].map((m) => [m.id, m]));
  const after = new Map([mailbox(1, 'x'), mailbox(2, 'x/b'), mailbox(3, 'd'), mailbox(5, 'new')].map((m) => [m.id, m]));
  assert.deepEqual(diffMailboxes(before, after), [
    { kind: 'created', name: 'new' },
    { kind: 'renamed', name: 'x', oldName: 'a' },
    { kind: 'renamed', name: 'd', oldName: 'c' },
    { kind: 'deleted', name: 'gone' },
  ]);
});

test('a lost mailbox event is recovered from the next list refresh (events are hints, 0001)', async () => {
  const boxes = [mailbox(1, 'INBOX'), mailbox(2, 'Work')];
  const f = fakeSession(boxes);
  const st = new NotifyState(f.session as unknown as ImapSession, ACTOR, notifySet('(mailboxes Work (MessageNew MessageExpunge))'), renderers);
  await st.start(false);
  // a message arrived in Work, but its 'mailbox' event never came; a bus reconnect publishes
  // 'mailboxes' to make every listener re-read
  boxes[1] = { ...boxes[1]!, uidNext: asUid(2), highestModSeq: asModSeq(2) };
  f.session.store.counts = async () => ({ messages: 1, unseen: 1, deleted: 0, size: 10, recent: 0 });
  f.bus.publish({ type: 'mailboxes', accountId: 1 });
  await st.emit();
  assert.deepEqual(f.lines, ['* STATUS "Work" (MESSAGES 1 UIDNEXT 2)']);
  st.close();
});
