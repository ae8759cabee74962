import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from './errors.js';
import {
  entryNameProblem,
  mayAccessMailboxMetadata,
  metadataEvents,
  prepareWrites,
  selectEntries,
  METADATA_MAX_VALUE_BYTES,
} from './metadata.js';
import { SERVER_CHANNEL } from './types.js';

test('entry names (RFC 5464 §3.2, §6): prefixes, components, characters', () => {
  for (const ok of ['/private/comment', '/shared/comment', '/Shared/Comment', '/private/vendor/vendor.isode/auto-replies', '/shared/a/b/c']) {
    assert.equal(entryNameProblem(ok), null, ok);
  }
  for (const no of ['private/x', '/other/x', '/private', '/shared/', '/private//x', '/private/x/', '/private/a*', '/private/a%b', '/private/\u00e9', '/private/a\tb', '/private/a\x7fb', '/shared/vendor/x', '', '/']) {
    assert.notEqual(entryNameProblem(no), null, JSON.stringify(no));
  }
  // As GETMETADATA prefixes, /private, /shared and short vendor paths are fine.
  for (const p of ['/private', '/shared', '/shared/vendor', '/shared/vendor/x']) assert.equal(entryNameProblem(p, true), null, p);
  assert.notEqual(entryNameProblem(`/private/${'x'.repeat(300)}`), null);
});

test('selectEntries: DEPTH 0 / 1 / infinity, no sibling prefix confusion, each once', () => {
  const e = (name: string) => ({ name, value: Buffer.from(name) });
  const stored = ['/private/a', '/private/a/b', '/private/a/b/c', '/private/ab', '/shared/a'].map(e);
  const names = (req: string[], d: '0' | '1' | 'infinity') => selectEntries(stored, req, d).map((x) => x.name);
  assert.deepEqual(names(['/private/a'], '0'), ['/private/a']);
  assert.deepEqual(names(['/private/a'], '1'), ['/private/a', '/private/a/b']);
  assert.deepEqual(names(['/private/a'], 'infinity'), ['/private/a', '/private/a/b', '/private/a/b/c']);
  assert.deepEqual(names(['/private', '/private/a'], 'infinity'), ['/private/a', '/private/a/b', '/private/a/b/c', '/private/ab']);
});

test('rights (RFC 5464 §3.3 with RFC 4314): "l" plus one of r, s, w, i, p', () => {
  assert.equal(mayAccessMailboxMetadata('lr'), true);
  assert.equal(mayAccessMailboxMetadata('lp'), true);
  assert.equal(mayAccessMailboxMetadata('l'), false);
  assert.equal(mayAccessMailboxMetadata('rswipkxteacd'), false);
  assert.equal(mayAccessMailboxMetadata('lrswipkxteacd'), true);
  for (const op of ['read', 'write'] as const) {
    for (const scope of ['private', 'shared'] as const) {
      assert.equal(mayAccessMailboxMetadata('li', op, scope), true);
      assert.equal(mayAccessMailboxMetadata('kxtea', op, scope), false);
    }
  }
});

test('prepareWrites canonicalises, keeps the last write of a name, and enforces who writes what', () => {
  const v = Buffer.from('x');
  assert.deepEqual(prepareWrites([{ name: '/Private/A', value: v }, { name: '/private/a', value: null }], 'mailbox'), [{ name: '/private/a', value: null }]);
  const code = (f: () => unknown) => {
    try {
      f();
      return 'none';
    } catch (e) {
      return isStoreError(e) ? e.code : 'other';
    }
  };
  assert.equal(code(() => prepareWrites([{ name: '/shared/comment', value: v }], 'server-client')), 'NOPERM');
  assert.equal(code(() => prepareWrites([{ name: '/private/comment', value: v }], 'server-client')), 'none');
  assert.equal(code(() => prepareWrites([{ name: '/shared/admin', value: v }], 'server-admin')), 'CANNOT');
  assert.equal(code(() => prepareWrites([{ name: '/private/x', value: v }], 'server-admin')), 'CANNOT');
  assert.equal(code(() => prepareWrites([{ name: '/private/specialuse', value: v }], 'mailbox')), 'CANNOT');
  assert.equal(code(() => prepareWrites([{ name: '/private/x', value: Buffer.alloc(METADATA_MAX_VALUE_BYTES + 1) }], 'mailbox')), 'LIMIT');
  assert.equal(code(() => prepareWrites([{ name: '/private/x', value: Buffer.alloc(METADATA_MAX_VALUE_BYTES) }], 'mailbox')), 'none');
  assert.equal(code(() => prepareWrites([{ name: '/bad', value: v }], 'mailbox')), 'CANNOT');
});

test('metadataEvents: /private to the writer, /shared to the owner or SERVER_CHANNEL', () => {
  assert.deepEqual(metadataEvents(1, 10, 2, ['/private/a', '/shared/b']), [
    { type: 'metadata', accountId: 2, mailboxId: 10, entries: ['/private/a'] },
    { type: 'metadata', accountId: 1, mailboxId: 10, entries: ['/shared/b'] },
  ]);
  assert.deepEqual(metadataEvents(null, null, 2, ['/shared/comment']), [{ type: 'metadata', accountId: SERVER_CHANNEL, mailboxId: null, entries: ['/shared/comment'] }]);
  assert.deepEqual(metadataEvents(1, 10, 1, []), []);
});
