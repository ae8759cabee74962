import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandFramer, createLiteralPolicy, tagOf, type FramerEvent, type FramerOptions, type LiteralRequest } from './framer.js';
import { APPEND_LIMIT, MAX_LINE_LENGTH } from './limits.js';

function run(input: Buffer | string, opts: Partial<FramerOptions> = {}, byteAtATime = false): FramerEvent[] {
  const events: FramerEvent[] = [];
  const f = new CommandFramer({ ...opts, onEvent: (e) => events.push(e) });
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  if (byteAtATime) for (let i = 0; i < buf.length; i++) f.push(buf.subarray(i, i + 1));
  else f.push(buf);
  return events;
}

function both(input: string, opts: Partial<FramerOptions> = {}): FramerEvent[] {
  const a = run(input, opts, false);
  const b = run(input, opts, true);
  assert.deepEqual(b, a, 'byte-at-a-time differs from whole');
  return a;
}

const cmd = (s: string): FramerEvent => ({ type: 'command', bytes: Buffer.from(s, 'latin1') });

test('frames simple commands, CRLF and bare LF', () => {
  assert.deepEqual(both('a1 NOOP\r\na2 LOGOUT\nA3 CAPABILITY\r\n'), [cmd('a1 NOOP'), cmd('a2 LOGOUT'), cmd('A3 CAPABILITY')]);
});

test('incomplete line yields nothing', () => {
  assert.deepEqual(both('a1 NOOP'), []);
});

test('synchronizing literal asks for continuation and keeps raw bytes', () => {
  const ev = both('a LOGIN {3}\r\nfoo {3}\r\nbar\r\n');
  assert.deepEqual(ev, [
    { type: 'continuation-needed', size: 3 },
    { type: 'continuation-needed', size: 3 },
    cmd('a LOGIN {3}\r\nfoo {3}\r\nbar'),
  ]);
});

test('LITERAL+ and literal8 forms', () => {
  assert.deepEqual(both('a LOGIN {3+}\r\nfoo bar\r\n'), [cmd('a LOGIN {3+}\r\nfoo bar')]);
  assert.deepEqual(both('a APPEND x ~{4}\r\n\0\r\n\n\r\n'), [{ type: 'continuation-needed', size: 4 }, cmd('a APPEND x ~{4}\r\n\0\r\n\n')]);
  assert.deepEqual(both('a APPEND x ~{2+}\r\nab\r\n'), [cmd('a APPEND x ~{2+}\r\nab')]);
});

test('literal data containing CRLF and braces is not interpreted', () => {
  assert.deepEqual(both('a LOGIN {7+}\r\n{5}\r\n\r\n x\r\nb NOOP\r\n'), [cmd('a LOGIN {7+}\r\n{5}\r\n\r\n x'), cmd('b NOOP')]);
});

test('zero-length literal', () => {
  assert.deepEqual(both('a LOGIN {0}\r\n {0+}\r\n\r\n'), [{ type: 'continuation-needed', size: 0 }, cmd('a LOGIN {0}\r\n {0+}\r\n')]);
});

test('huge synchronizing literal is rejected at once without waiting for data', () => {
  const ev = both('a1 LOGIN {999999999}\r\na2 NOOP\r\n');
  assert.equal(ev.length, 2);
  assert.deepEqual(ev[0], { type: 'error', tag: 'a1', kind: 'literal-too-large', fatal: false, message: 'Literal of 999999999 octets is too large' });
  assert.deepEqual(ev[1], cmd('a2 NOOP'));
});

function req(prefix: Buffer, size: number, sync: boolean): LiteralRequest {
  return { prefix, line: prefix, size, sync, binary: false, index: 0 };
}

test('APPEND may use a large literal, other commands may not', () => {
  const policy = createLiteralPolicy({ literalPlus: true });
  const big = 1024 * 1024;
  assert.equal(policy(req(Buffer.from('a APPEND INBOX {1048576}\r\n'), big, true)), 'ok');
  assert.equal(policy(req(Buffer.from('a append INBOX {1048576}\r\n'), big, true)), 'ok');
  assert.equal(policy(req(Buffer.from('a LOGIN {1048576}\r\n'), big, true)), 'too-large');
  assert.equal(policy(req(Buffer.from('a APPEND x {1}\r\n'), APPEND_LIMIT + 1, true)), 'too-large');
  const minus = createLiteralPolicy({ literalPlus: false });
  assert.equal(minus(req(Buffer.from('a APPEND x {5000+}\r\n'), 5000, false)), 'too-large');
  assert.equal(minus(req(Buffer.from('a APPEND x {4096+}\r\n'), 4096, false)), 'ok');
});

test('accepted APPEND literal is delivered whole', () => {
  const data = 'x'.repeat(100000);
  const ev = run(`a APPEND INBOX {100000}\r\n${data}\r\n`);
  assert.equal(ev.length, 2);
  assert.equal(ev[1].type, 'command');
  if (ev[1].type === 'command') assert.equal(ev[1].bytes.length, 'a APPEND INBOX {100000}\r\n'.length + 100000);
});

test('huge non-synchronizing literal is skipped without buffering, then the error', () => {
  const n = 5 * 1024 * 1024;
  const events: FramerEvent[] = [];
  const f = new CommandFramer({ onEvent: (e) => events.push(e) });
  f.push(Buffer.from(`t1 LOGIN {${n}+}\r\n`));
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const before = process.memoryUsage().arrayBuffers;
  for (let sent = 0; sent < n; sent += chunk.length) f.push(chunk);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 2 * 1024 * 1024, `memory grew by ${grown}`);
  assert.deepEqual(events, []);
  f.push(Buffer.from(' more {3+}\r\nabc\r\nt2 NOOP\r\n'));
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], { type: 'error', tag: 't1', kind: 'literal-too-large', fatal: false, message: `Literal of ${n} octets is too large` });
  assert.deepEqual(events[1], cmd('t2 NOOP'));
});

test('non-synchronizing literal beyond the skippable bound is fatal', () => {
  const ev = both('a LOGIN {4000000000+}\r\nxx\r\nb NOOP\r\n');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].type, 'error');
  if (ev[0].type === 'error') assert.equal(ev[0].fatal, true);
});

test('over-long line is discarded and reported; the next command works', () => {
  const long = 'a1 SEARCH ' + 'X'.repeat(MAX_LINE_LENGTH + 10);
  const ev = run(`${long}\r\na2 NOOP\r\n`, {}, false);
  assert.deepEqual(ev, [
    { type: 'error', tag: 'a1', kind: 'line-too-long', fatal: false, message: 'Command line too long' },
    cmd('a2 NOOP'),
  ]);
  const small = { limits: { maxLineLength: 20 } };
  const ev2 = both(`a1 SEARCH ${'Y'.repeat(50)} {3+}\r\nabc\r\na2 NOOP\r\n`, small);
  assert.deepEqual(ev2, [
    { type: 'error', tag: 'a1', kind: 'line-too-long', fatal: false, message: 'Command line too long' },
    cmd('a2 NOOP'),
  ]);
});

test('bad literal sizes', () => {
  for (const bad of ['{-1}', '{abc}', '{99999999999999999999}', '{1a}', '{}']) {
    const ev = both(`a LOGIN ${bad}\r\nb NOOP\r\n`);
    assert.equal(ev.length, 2, bad);
    assert.deepEqual(ev[0], { type: 'error', tag: 'a', kind: 'bad-literal', fatal: false, message: 'Invalid literal size' }, bad);
    assert.deepEqual(ev[1], cmd('b NOOP'));
  }
  for (const bad of ['{-1+}', '{99999999999999999999+}']) {
    const ev = both(`a LOGIN ${bad}\r\nb NOOP\r\n`);
    assert.equal(ev.length, 1, bad);
    assert.equal(ev[0].type === 'error' && ev[0].fatal, true, bad);
  }
});

test('quoted string ending in a brace is not a literal', () => {
  assert.deepEqual(both('a SEARCH SUBJECT "x{" y}\r\n'), [cmd('a SEARCH SUBJECT "x{" y}')]);
});

test('too many literals', () => {
  const ev = both('a LOGIN {1+}\r\na {1+}\r\nb {1}\r\nc NOOP\r\n', { limits: { maxLiterals: 2 } });
  assert.deepEqual(ev, [{ type: 'error', tag: 'a', kind: 'too-many-literals', fatal: false, message: 'Too many literals in one command' }, cmd('c NOOP')]);
});

test('command too large counts lines and ordinary literals', () => {
  const ev = both('a LOGIN {10+}\r\n0123456789 {10+}\r\n0123456789\r\nb NOOP\r\n', { limits: { maxCommandBytes: 30 } });
  assert.equal(ev[0].type, 'error');
  if (ev[0].type === 'error') assert.equal(ev[0].kind, 'command-too-large');
  assert.deepEqual(ev.at(-1), cmd('b NOOP'));
});

test('raw line mode delivers lines untouched, switchable from the handler', () => {
  const events: FramerEvent[] = [];
  const f: CommandFramer = new CommandFramer({
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'command' && e.bytes.toString().endsWith('IDLE')) f.setRawLineMode(true);
      if (e.type === 'line') f.setRawLineMode(false);
    },
  });
  f.push(Buffer.from('a IDLE\r\nDONE {5}\r\nb NOOP\r\n'));
  assert.deepEqual(events, [cmd('a IDLE'), { type: 'line', bytes: Buffer.from('DONE {5}') }, cmd('b NOOP')]);
});

test('pause holds later commands until resume', () => {
  const events: FramerEvent[] = [];
  const f: CommandFramer = new CommandFramer({
    onEvent: (e) => {
      events.push(e);
      f.pause();
    },
  });
  f.push(Buffer.from('a NOOP\r\nb NOOP\r\nc NO'));
  assert.deepEqual(events, [cmd('a NOOP')]);
  f.push(Buffer.from('OP\r\n'));
  assert.equal(events.length, 1);
  f.resume();
  assert.deepEqual(events, [cmd('a NOOP'), cmd('b NOOP')]);
  f.resume();
  assert.deepEqual(events, [cmd('a NOOP'), cmd('b NOOP'), cmd('c NOOP')]);
  f.reset();
  assert.equal(f.idle, true);
});

test('reset drops pipelined bytes after STARTTLS', () => {
  const events: FramerEvent[] = [];
  const f: CommandFramer = new CommandFramer({
    onEvent: (e) => {
      events.push(e);
      f.pause();
      f.reset();
    },
  });
  f.push(Buffer.from('a STARTTLS\r\nb LOGIN x y\r\n'));
  f.resume();
  assert.deepEqual(events, [cmd('a STARTTLS')]);
});

test('tagOf', () => {
  assert.equal(tagOf(Buffer.from('a1 NOOP')), 'a1');
  assert.equal(tagOf(Buffer.from('+ NOOP')), null);
  assert.equal(tagOf(Buffer.from('a1')), null);
  assert.equal(tagOf(Buffer.from('a"1 x')), null);
});

test('the policy sees the first line for every literal of a MULTIAPPEND', () => {
  const seen: string[] = [];
  const ev = both('a APPEND INBOX {1}\r\nx (\\Seen) {2+}\r\nyz\r\n', {
    allowLiteral: (r) => {
      seen.push(`${r.prefix.toString()}|${r.line.toString()}|${r.index}`);
      return 'ok';
    },
  });
  assert.deepEqual(ev, [{ type: 'continuation-needed', size: 1 }, cmd('a APPEND INBOX {1}\r\nx (\\Seen) {2+}\r\nyz')]);
  assert.deepEqual(seen.slice(0, 2), ['a APPEND INBOX {1}\r\n|a APPEND INBOX {1}\r\n|0', 'a APPEND INBOX {1}\r\n| (\\Seen) {2+}\r\n|1']);
});

test('a line fed byte by byte up to the limit is accepted, one more byte is not', () => {
  const limits = { maxLineLength: 100 };
  const exact = `a SEARCH ${'X'.repeat(100 - 'a SEARCH '.length)}`;
  assert.deepEqual(run(`${exact}\r\n`, { limits }, true), [cmd(exact)]);
  const ev = run(`${exact}Y\r\n`, { limits }, true);
  assert.equal(ev.length, 1);
  assert.equal(ev[0].type === 'error' && ev[0].kind, 'line-too-long');
});

test('REPLACE and UID REPLACE literals are messages, sized like APPEND (RFC 8508 §3.4)', () => {
  const policy = createLiteralPolicy({ literalPlus: true });
  const big = 1024 * 1024;
  assert.equal(policy(req(Buffer.from('a REPLACE 4 Drafts {1048576}\r\n'), big, true)), 'ok');
  assert.equal(policy(req(Buffer.from('a uid replace 4 Drafts {1048576}\r\n'), big, true)), 'ok');
  assert.equal(policy(req(Buffer.from('a UID FETCH 4 {1048576}\r\n'), big, true)), 'too-large');
  assert.equal(policy(req(Buffer.from('a REPLACE 4 x {1}\r\n'), APPEND_LIMIT + 1, true)), 'too-large');
});
