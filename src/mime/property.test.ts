import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from './parse.js';
import { findPart, sectionBytes, binarySection } from './section.js';
import { bodyText, allHeaderText } from './search-text.js';
import { MAX_MIME_DEPTH } from './limits.js';
import type { MimePart } from './types.js';

function checkTree(part: MimePart, lo: number, hi: number, rawLength: number): number {
  assert.ok(0 <= part.headerStart && part.headerStart <= part.bodyStart && part.bodyStart <= part.end && part.end <= rawLength);
  assert.ok(lo <= part.headerStart && part.end <= hi, 'inside parent');
  assert.equal(part.size, part.end - part.bodyStart);
  let count = 1;
  let prevEnd = part.bodyStart;
  for (const c of part.children) {
    assert.ok(c.headerStart >= prevEnd, 'children ordered');
    count += checkTree(c, part.bodyStart, part.end, rawLength);
    prevEnd = c.end;
  }
  if (part.message !== null) {
    assert.equal(part.message.headerStart, part.bodyStart);
    assert.equal(part.message.end, part.end);
    count += checkTree(part.message, part.bodyStart, part.end, rawLength);
  }
  return count;
}

function checkAll(raw: Buffer): void {
  const root = parseMessage(raw);
  assert.equal(root.headerStart, 0);
  assert.equal(root.end, raw.length);
  checkTree(root, 0, raw.length, raw.length);
  assert.deepEqual(JSON.parse(JSON.stringify(root)), root);
  for (const path of [[], [1], [1, 1], [2], [2, 1, 1]]) {
    const p = findPart(root, path);
    for (const text of [undefined, 'HEADER', 'TEXT', 'MIME', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT'] as const) {
      const b = sectionBytes(raw, root, { part: path, text, fields: ['subject', 'content-type'] });
      if (p === null) assert.equal(b, null);
    }
    binarySection(raw, root, path);
  }
  bodyText(raw, root);
  allHeaderText(raw, root);
}

const VALID = [
  'From: a@b\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\npre\r\n--X\r\nContent-Type: text/plain\r\n\r\none\r\n--X\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/alternative; boundary=Y\r\n\r\n--Y\r\n\r\na\r\n--Y\r\nContent-Type: text/html\r\n\r\n<b>\r\n--Y--\r\n--X\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--X--\r\nepi\r\n',
  'Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: x\n\nbody\n--d\nContent-Type: multipart/mixed; boundary=d2\n\n--d2\n\nq\n--d2--\n--d--\n',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant('token' as const),
    at: fc.nat(),
    token: fc.constantFrom('\r\n', '\n', '--X', '--X--', '--Y\r\n', '--d\n', '\r\n\r\n', ':', ' ', '\0', '"', 'boundary=', ';', 'Content-Type: message/rfc822\r\n\r\n'),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(base: Buffer, muts: Mutation[]): Buffer {
  let b = base;
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), Buffer.from(m.token, 'latin1'), b.subarray(at)]);
  }
  return b;
}

test('property: random bytes never break the parser', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => checkAll(Buffer.from(bytes))),
    { numRuns: 400 },
  );
});

test('property: mutated valid multiparts stay well-formed trees', () => {
  fc.assert(
    fc.property(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 8 }), (base, muts) => {
      checkAll(mutate(Buffer.from(base, 'latin1'), muts));
    }),
    { numRuns: 600 },
  );
});

test('depth limit: deeply nested multiparts become opaque leaves without throwing', () => {
  const depth = MAX_MIME_DEPTH + 20;
  let head = '';
  let tail = '';
  for (let i = 0; i < depth; i++) {
    head += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    tail = `\r\n--b${i}--` + tail;
  }
  const raw = Buffer.from(head + 'Content-Type: text/plain\r\n\r\nleaf' + tail);
  const root = parseMessage(raw);
  checkTree(root, 0, raw.length, raw.length);
  let p = root;
  let levels = 0;
  while (p.children.length > 0) {
    p = p.children[0]!;
    levels++;
  }
  assert.equal(levels, MAX_MIME_DEPTH);
  assert.equal(p.type, 'application');
  const deepRfc822 = Buffer.from('Content-Type: message/rfc822\r\n\r\n'.repeat(depth) + 'x');
  const r2 = parseMessage(deepRfc822);
  checkTree(r2, 0, deepRfc822.length, deepRfc822.length);
});

test('part limit: many parts are bounded', () => {
  const n = 12000;
  const raw = Buffer.from('Content-Type: multipart/mixed; boundary=p\r\n\r\n' + '--p\r\n\r\nx\r\n'.repeat(n) + '--p--\r\n');
  const root = parseMessage(raw);
  const count = checkTree(root, 0, raw.length, raw.length);
  assert.ok(count <= 10001, `count ${count}`);
  assert.equal(root.end, raw.length);
});
