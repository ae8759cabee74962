/**
 * DeliveryAgent applying every SieveAction kind against a real SQLite store and a real SMTP sink.
 * The Sieve engine here is a stand-in that returns fixed actions (keyed by the script text), so
 * these tests pin down delivery's side of the contract (src/sieve/api.ts) independently of which
 * extensions the library has; test/delivery/sieve-delivery.test.ts runs real scripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main.js';
import { DEFAULT_CONFIG } from '../../src/config/index.js';
import { DeliveryAgent, SmtpRelayClient, parseRecipient, type ParsedRecipient } from '../../src/delivery/index.js';
import type { SieveAction, SieveHost, SieveInput, SieveOutcome } from '../../src/sieve/api.js';
import type { Actor, MailStore } from '../../src/store/types.js';
import { silentLogger } from '../../src/observability/log.js';
import { SmtpSink } from '../support/smtp-sink.js';

interface Rig {
  store: MailStore;
  actor: Actor;
  sink: SmtpSink;
  agent: DeliveryAgent;
  /** What the fake engine saw on its last run. */
  seen: { input?: SieveInput; host?: SieveHost };
  globalDir: string;
  done(): Promise<void>;
}

type Outcome = Partial<SieveOutcome> & { actions: SieveAction[] };

async function rig(outcomes: Record<string, Outcome | ((host: SieveHost) => Promise<Outcome>)>, opts: { relay?: boolean } = {}): Promise<Rig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-agent-'));
  const globalDir = join(dataDir, 'global');
  mkdirSync(globalDir);
  const store = await openStore({ ...DEFAULT_CONFIG, dataDir });
  const acc = await store.createAccount('alice', '{PLAIN}x');
  const actor: Actor = { accountId: acc.id, name: acc.name };
  const sink = await SmtpSink.start();
  const seen: Rig['seen'] = {};
  const agent = new DeliveryAgent({
    store,
    logger: silentLogger,
    hostname: 'mx.test',
    recipients: { domain: 'strip', delimiters: '+' },
    maxMessageSize: 1 << 20,
    sieve: {
      compile: (source) => (source === 'broken' ? { ok: false, errors: [{ line: 1, column: 1, message: 'nope' }] } : { ok: true, script: { source, requires: new Set() }, warnings: [] }),
      execute: async (script, input, host) => {
        seen.input = input;
        seen.host = host;
        const o = outcomes[script.source];
        const got = typeof o === 'function' ? await o(host) : o;
        return { error: null, duplicateRecords: [], ...got };
      },
    },
    sender: opts.relay === false ? null : new SmtpRelayClient('127.0.0.1', sink.port, 'mx.test', 5000),
    vacationPeriodSeconds: { min: 86400, max: 30 * 86400 },
    globalScriptDir: globalDir,
  });
  return {
    store,
    actor,
    sink,
    agent,
    seen,
    globalDir,
    async done() {
      await sink.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const MSG = 'From: Bob <bob@example.org>\r\nTo: alice@example.com\r\nSubject: test\r\nMessage-ID: <m1@example.org>\r\n\r\nHello\r\n';
const rcpt = (a = 'alice@example.com'): ParsedRecipient => parseRecipient(a, { domain: 'strip', delimiters: '+' })!;

async function useScript(r: Rig, source: string): Promise<void> {
  await r.store.putSieveScript(r.actor, 'main', source);
  await r.store.setActiveSieveScript(r.actor, 'main');
}

async function mailboxCount(r: Rig, name: string): Promise<number> {
  const box = await r.store.getMailbox(r.actor, name);
  return box === null ? -1 : (await r.store.listMessages(r.actor, box.id)).length;
}

test('no script: implicit keep into INBOX with Return-Path, Delivered-To and the MIME meta; LF input stored as CRLF', async () => {
  const r = await rig({});
  try {
    const res = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt('alice+x@example.com'), message: Buffer.from(MSG.replace(/\r\n/g, '\n')), mode: 'lmtp' });
    assert.deepEqual(res, { status: 'delivered', mailboxes: ['INBOX'] });
    const box = (await r.store.getMailbox(r.actor, 'INBOX'))!;
    const [m] = await r.store.listMessages(r.actor, box.id);
    const raw = (await r.store.readBlob(r.actor, m.blobId)).toString();
    assert.ok(raw.startsWith('Return-Path: <bob@example.org>\r\nDelivered-To: alice+x@example.com\r\nFrom: Bob'), raw);
    assert.ok(!/[^\r]\n/.test(raw), 'CRLF only');
    const meta = JSON.parse((await r.store.readMeta(r.actor, [m.blobId])).get(m.blobId)!) as { envelope?: { subject?: string } };
    assert.ok(JSON.stringify(meta).includes('test'));
  } finally {
    await r.done();
  }
});

test('fileinto: flags kept, :create creates, a missing mailbox falls back to INBOX, :specialuse picks the mailbox with that use', async () => {
  const r = await rig({
    s: {
      actions: [
        { type: 'fileinto', mailbox: 'Lists/new', flags: ['\\Seen', 'bad flag', '$Label1'], create: true, specialUse: null },
        { type: 'fileinto', mailbox: 'Missing', flags: [], create: false, specialUse: null },
        { type: 'fileinto', mailbox: 'Spam', flags: [], create: false, specialUse: '\\Junk' },
      ],
    },
  });
  try {
    await useScript(r, 's');
    const res = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.deepEqual(res, { status: 'delivered', mailboxes: ['Lists/new', 'INBOX', 'Junk'] });
    const box = (await r.store.getMailbox(r.actor, 'Lists/new'))!;
    const [m] = await r.store.listMessages(r.actor, box.id);
    assert.deepEqual([...m.flags].sort(), ['$Label1', '\\Seen']);
    assert.equal(await mailboxCount(r, 'Missing'), -1);
  } finally {
    await r.done();
  }
});

test('discard stores nothing; duplicate ids are recorded only after delivery; a broken script keeps', async () => {
  const r = await rig({
    d: { actions: [{ type: 'discard' }] },
    k: { actions: [{ type: 'keep', implicit: false, flags: [] }], duplicateRecords: [{ key: 'id-1', expiresInSeconds: 3600 }] },
  });
  try {
    await useScript(r, 'd');
    assert.deepEqual(await r.agent.deliver({ from: 'b@x', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' }), { status: 'delivered', mailboxes: [] });
    assert.equal(await mailboxCount(r, 'INBOX'), 0);
    await useScript(r, 'k');
    await r.agent.deliver({ from: 'b@x', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.equal(await r.store.hasDeliveryMark(r.actor, 'duplicate', 'id-1', Date.now()), true);
    assert.equal(await r.seen.host!.duplicateSeen('id-1'), true);
    await useScript(r, 'broken');
    assert.deepEqual(await r.agent.deliver({ from: 'b@x', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' }), { status: 'delivered', mailboxes: ['INBOX'] });
    assert.equal(await mailboxCount(r, 'INBOX'), 2);
  } finally {
    await r.done();
  }
});

test('redirect goes to the relay with the envelope sender; a looping message is kept instead; a relay 4xx defers with nothing stored', async () => {
  const r = await rig({ s: { actions: [{ type: 'redirect', address: 'alice@elsewhere.example' }] } });
  try {
    await useScript(r, 's');
    const res = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.deepEqual(res, { status: 'delivered', mailboxes: [] });
    const [sent] = await r.sink.waitFor(1);
    assert.equal(sent.from, 'bob@example.org');
    assert.deepEqual(sent.to, ['alice@elsewhere.example']);
    assert.match(sent.data, /^Delivered-To: alice@example\.com\r\nFrom: Bob/, 'our Delivered-To, not our Return-Path (RFC 5321 §4.4)');

    // The redirected copy comes back: it already carries our Delivered-To.
    const looped = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(sent.data), mode: 'lmtp' });
    assert.equal(looped.status, 'delivered');
    assert.deepEqual((looped as { mailboxes: string[] }).mailboxes, ['INBOX']);
    assert.equal(r.sink.messages.length, 1, 'not redirected again');

    r.sink.failWith = '451 4.3.0 try later';
    const deferred = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.equal(deferred.status, 'tempfail');
    assert.equal(await mailboxCount(r, 'INBOX'), 1);
    r.sink.failWith = '550 5.1.1 no';
    const refused = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.equal(refused.status, 'delivered');
    assert.equal(await mailboxCount(r, 'INBOX'), 2, 'a permanently refused redirect keeps the message');
  } finally {
    await r.done();
  }
});

test('redirect without a relay keeps the message', async () => {
  const r = await rig({ s: { actions: [{ type: 'redirect', address: 'x@y.example' }] } }, { relay: false });
  try {
    await useScript(r, 's');
    const res = await r.agent.deliver({ from: 'b@x.example', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.equal(res.status, 'delivered');
    assert.equal(await mailboxCount(r, 'INBOX'), 1);
  } finally {
    await r.done();
  }
});

test('vacation: sent from <> once per tracking key and period; never to list or auto-submitted mail or to <>', async () => {
  const response = Buffer.from('From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Away\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n');
  const r = await rig({
    v: { actions: [{ type: 'keep', implicit: true, flags: [] }, { type: 'vacation', trackingKey: 'bob@example.org:away', periodSeconds: 60, recipient: 'bob@example.org', response }] },
  });
  try {
    await useScript(r, 'v');
    await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    const [reply] = await r.sink.waitFor(1);
    assert.equal(reply.from, '');
    assert.deepEqual(reply.to, ['bob@example.org']);
    assert.match(reply.data, /Subject: Away/);
    await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    await r.agent.deliver({ from: 'list-bounces@example.org', recipient: rcpt(), message: Buffer.from('List-Id: <l.example.org>\r\n' + MSG), mode: 'lmtp' });
    await r.agent.deliver({ from: 'c@example.org', recipient: rcpt(), message: Buffer.from('Auto-Submitted: auto-generated\r\n' + MSG), mode: 'lmtp' });
    await r.agent.deliver({ from: '', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' });
    assert.equal(r.sink.messages.length, 1);
    // The period is clamped to the configured minimum (one day), not the script's 60 s.
    assert.equal(await r.store.hasDeliveryMark(r.actor, 'vacation', 'bob@example.org:away', Date.now() + 3600_000), true);
    assert.equal(await mailboxCount(r, 'INBOX'), 5);
  } finally {
    await r.done();
  }
});

test('reject: LMTP refuses with the reason; deliver sends an MDN to the sender from <>, never to <>', async () => {
  const r = await rig({ s: { actions: [{ type: 'reject', reason: 'I do not want this', extended: false }] } });
  try {
    await useScript(r, 's');
    assert.deepEqual(await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'lmtp' }), {
      status: 'rejected',
      reason: 'I do not want this',
    });
    const res = await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt(), message: Buffer.from(MSG), mode: 'deliver' });
    assert.equal(res.status, 'delivered');
    const [mdn] = await r.sink.waitFor(1);
    assert.equal(mdn.from, '');
    assert.deepEqual(mdn.to, ['bob@example.org']);
    assert.match(mdn.data, /Content-Type: multipart\/report; report-type=disposition-notification/);
    assert.match(mdn.data, /I do not want this/);
    assert.match(mdn.data, /Disposition: automatic-action\/MDN-sent-automatically; deleted/);
    assert.match(mdn.data, /Original-Message-ID: <m1@example\.org>/);
    await r.agent.deliver({ from: '', recipient: rcpt(), message: Buffer.from(MSG), mode: 'deliver' });
    assert.equal(r.sink.messages.length, 1);
    assert.equal(await mailboxCount(r, 'INBOX'), 0);
  } finally {
    await r.done();
  }
});

test('Sieve input and host: envelope, environment, user addresses, mailboxexists, specialuse_exists, global and personal includes', async () => {
  const r = await rig({ s: { actions: [{ type: 'keep', implicit: true, flags: [] }] } });
  try {
    await useScript(r, 's');
    writeFileSync(join(r.globalDir, 'spam.sieve'), 'keep;');
    await r.agent.deliver({ from: 'bob@example.org', recipient: rcpt('alice+tag@Example.COM'), message: Buffer.from(MSG), mode: 'lmtp', environment: { 'remote-ip': '192.0.2.1' } });
    const { input, host } = r.seen;
    assert.deepEqual(input!.envelope, { from: 'bob@example.org', to: 'alice+tag@Example.COM' });
    assert.equal(input!.environment['remote-ip'], '192.0.2.1');
    assert.equal(input!.environment.host, 'mx.test');
    assert.ok(input!.userAddresses.includes('alice@example.com'));
    assert.ok(input!.message.toString().startsWith('Return-Path: <bob@example.org>\r\nDelivered-To: alice+tag@Example.COM\r\n'));
    assert.equal(await host!.mailboxExists('Junk'), true);
    assert.equal(await host!.mailboxExists('Nope'), false);
    assert.equal(await host!.specialUseExists(null, ['\\Junk', '\\Trash']), true);
    assert.equal(await host!.specialUseExists('Junk', ['\\Junk']), true);
    assert.equal(await host!.specialUseExists('Junk', ['\\Trash']), false);
    assert.equal(await host!.loadScript('global', 'spam'), 'keep;');
    assert.equal(await host!.loadScript('global', '../global/spam'), null, 'no path traversal');
    assert.equal(await host!.loadScript('global', 'absent'), null);
    assert.equal(await host!.loadScript('personal', 'main'), 's');
  } finally {
    await r.done();
  }
});

test('unknown users, oversized and NUL-headed messages', async () => {
  const r = await rig({});
  try {
    assert.deepEqual(await r.agent.checkRecipient('nobody@example.com'), { ok: false, status: 'nouser', reason: 'no such user' });
    assert.equal((await r.agent.checkRecipient('+x@example.com')).ok, false);
    const big = await r.agent.deliver({ from: '', recipient: rcpt(), message: Buffer.alloc(2 << 20, 'a'), mode: 'lmtp' });
    assert.equal(big.status, 'failed');
    const nul = await r.agent.deliver({ from: '', recipient: rcpt(), message: Buffer.from('Subject: a\x00b\r\n\r\nx\r\n'), mode: 'lmtp' });
    assert.equal(nul.status, 'failed');
    assert.equal(await mailboxCount(r, 'INBOX'), 0);
  } finally {
    await r.done();
  }
});
