/**
 * ManageSieve script commands over real sockets and a real store (RFC 5804 §2.5-§2.12): the
 * RFC's own examples, validation with the real Sieve compiler, the active-script rules, quotas
 * (QUOTA/MAXSCRIPTS, QUOTA/MAXSIZE), names, literals and account isolation.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SieveClient, lit, readString } from '../support/managesieve-client.js';
import { stopAllHarnesses, startSieveHarness, USER, PASS, type SieveHarness } from './harness.js';
import { startTestServer } from '../support/server.js';

after(stopAllHarnesses);

async function session(h: SieveHarness, user = USER, pass = PASS): Promise<SieveClient> {
  const c = await SieveClient.connect(h.port);
  const r = await c.authenticate(user, pass);
  assert.equal(r.done.status, 'OK', r.done.line);
  return c;
}

const FILEINTO = 'require ["fileinto", "envelope"];\r\n\r\nif envelope :contains "to" "tmartin+sent" {\r\n  fileinto "INBOX.sent";\r\n}\r\n';

/** LISTSCRIPTS as [name, active] pairs. */
async function list(c: SieveClient): Promise<Array<[string, boolean]>> {
  const r = await c.command('LISTSCRIPTS');
  assert.equal(r.done.status, 'OK');
  return r.lines.map((l) => {
    const [name, rest] = readString(l);
    return [name, /^ ACTIVE$/i.test(rest)];
  });
}

test('the RFC 5804 §2.6-§2.11 walk: put, list, activate, get, delete, rename (through the full server)', async () => {
  const s = await startTestServer();
  let c: SieveClient | null = null;
  try {
    c = await SieveClient.connect(s.managesievePort);
    assert.equal((await c.authenticate(USER, PASS)).done.status, 'OK');
    // §2.6: an invalid script is refused with the compiler's position, and not stored.
    const invalid = await c.command(`Putscript "foo" ${lit('#comment\r\nInvalidSieveCommand\r\n')}`);
    assert.equal(invalid.done.status, 'NO');
    assert.match(invalid.done.text ?? '', /^line \d+, column \d+: \S/);
    const unknown = await c.command(`Putscript "foo" ${lit('#comment\r\nInvalidSieveCommand;\r\n')}`);
    assert.equal(unknown.done.status, 'NO');
    assert.match(unknown.done.text ?? '', /^line 2, column 1: .*invalidsievecommand/i);
    // A capability the script does not require is an error too (RFC 5228 §3.2).
    const unrequired = await c.command(`PUTSCRIPT "foo" ${lit('fileinto "x";')}`);
    assert.equal(unrequired.done.status, 'NO');
    assert.match(unrequired.done.text ?? '', /^line 1, column 1: /);
    assert.deepEqual(await list(c), []);
    const put = await c.command(`Putscript "mysievescript" ${lit(FILEINTO)}`);
    assert.equal(put.done.status, 'OK', put.done.line);
    assert.equal((await c.command(`PUTSCRIPT "other" "keep;"`)).done.status, 'OK');
    assert.deepEqual(await list(c), [['mysievescript', false], ['other', false]]);
    // §2.8
    assert.equal((await c.command('Setactive "mysievescript"')).done.status, 'OK');
    assert.deepEqual(await list(c), [['mysievescript', true], ['other', false]]);
    const missing = await c.command('Setactive "baz"');
    assert.equal(missing.done.status, 'NO');
    assert.equal(missing.done.code, 'NONEXISTENT');
    // §2.9: the script comes back byte for byte, as a literal.
    const got = await c.command('Getscript "mysievescript"');
    assert.equal(got.done.status, 'OK');
    assert.equal(got.lines.length, 1);
    assert.equal(readString(got.lines[0])[0], FILEINTO);
    assert.equal((await c.command('GETSCRIPT "nope"')).done.code, 'NONEXISTENT');
    // §2.10: the active script cannot be deleted.
    const active = await c.command('Deletescript "mysievescript"');
    assert.equal(active.done.status, 'NO');
    assert.equal(active.done.code, 'ACTIVE');
    assert.equal((await c.command('DELETESCRIPT "nope"')).done.code, 'NONEXISTENT');
    // §2.11: renaming the active script keeps it active; the target must not exist.
    assert.equal((await c.command('Renamescript "mysievescript" "main"')).done.status, 'OK');
    assert.deepEqual(await list(c), [['main', true], ['other', false]]);
    assert.equal((await c.command('RENAMESCRIPT "main" "other"')).done.code, 'ALREADYEXISTS');
    assert.equal((await c.command('RENAMESCRIPT "gone" "x"')).done.code, 'NONEXISTENT');
    // §2.8: "" deactivates, also when nothing is active.
    assert.equal((await c.command('Setactive ""')).done.status, 'OK');
    assert.equal((await c.command('Setactive ""')).done.status, 'OK');
    assert.deepEqual(await list(c), [['main', false], ['other', false]]);
    assert.equal((await c.command('Deletescript "main"')).done.status, 'OK');
    assert.deepEqual(await list(c), [['other', false]]);
  } finally {
    c?.close();
    await s.stop();
  }
});

test('PUTSCRIPT replacing a script: a failed replacement keeps the old one; a good one keeps the active mark', async () => {
  const h = await startSieveHarness();
  const c = await session(h);
  try {
    assert.equal((await c.command(`PUTSCRIPT "s" ${lit('keep;\r\n')}`)).done.status, 'OK');
    assert.equal((await c.command('SETACTIVE "s"')).done.status, 'OK');
    assert.equal((await c.command(`PUTSCRIPT "s" ${lit('InvalidSieveCommand;\r\n')}`)).done.status, 'NO');
    assert.equal(readString((await c.command('GETSCRIPT "s"')).lines[0])[0], 'keep;\r\n');
    assert.equal((await c.command(`PUTSCRIPT "s" ${lit('discard;\r\n')}`)).done.status, 'OK');
    assert.equal(readString((await c.command('GETSCRIPT "s"')).lines[0])[0], 'discard;\r\n');
    assert.deepEqual(await list(c), [['s', true]]);
    const active = await h.store.getActiveSieveScript({ accountId: (await h.store.getAccount(USER))!.id, name: USER });
    assert.deepEqual(active, { name: 's', source: 'discard;\r\n' });
  } finally {
    c.close();
    await h.stop();
  }
});

test('CHECKSCRIPT validates without storing (RFC 5804 §2.12); empty and non-UTF-8 scripts', async () => {
  const h = await startSieveHarness({ maxScripts: 1 });
  const c = await session(h);
  try {
    const bad = await c.command(`CheckScript ${lit('#comment\r\nInvalidSieveCommand;\r\n')}`);
    assert.equal(bad.done.status, 'NO');
    assert.match(bad.done.text ?? '', /^line 2, column 1: /);
    // Several errors come back as one multi-line string (a literal), one per line.
    const two = await c.command(`CHECKSCRIPT ${lit('require "nosuchext";\r\nfrobnicate;\r\n')}`);
    assert.equal(two.done.status, 'NO');
    const lines = (two.done.text ?? '').split('\r\n');
    assert.equal(lines.length, 2, two.done.text ?? '');
    assert.ok(lines.every((l) => /^line \d+, column \d+: /.test(l)), two.done.text ?? '');
    assert.equal((await c.command(`CHECKSCRIPT ${lit(FILEINTO)}`)).done.status, 'OK');
    assert.equal((await c.command('CHECKSCRIPT ""')).done.status, 'OK');
    assert.deepEqual(await list(c), []);
    // §2.12: no quota check, even at the script count limit.
    assert.equal((await c.command('PUTSCRIPT "one" "keep;"')).done.status, 'OK');
    assert.equal((await c.command(`CHECKSCRIPT ${lit(FILEINTO)}`)).done.status, 'OK');
    // §2.6: a zero-length script is not stored; a script must be UTF-8 (RFC 5228 §2.1).
    assert.equal((await c.command('PUTSCRIPT "one" ""')).done.status, 'NO');
    c.write(Buffer.concat([Buffer.from('PUTSCRIPT "one" {3+}\r\n'), Buffer.from([0x23, 0xff, 0x0a]), Buffer.from('\r\n')]));
    const latin = await c.readReply();
    assert.equal(latin.done.status, 'NO');
    assert.match(latin.done.text ?? '', /UTF-8/);
  } finally {
    c.close();
    await h.stop();
  }
});

test('quotas: HAVESPACE and PUTSCRIPT answer QUOTA/MAXSCRIPTS and QUOTA/MAXSIZE (RFC 5804 §1.5, §2.5)', async () => {
  const h = await startSieveHarness({ maxScripts: 2, maxScriptSize: 100 });
  const c = await session(h);
  try {
    const big = await c.command('HAVESPACE "myscript" 999999');
    assert.equal(big.done.status, 'NO');
    assert.equal(big.done.code, 'QUOTA/MAXSIZE');
    assert.equal((await c.command('HAVESPACE "foobar" 100')).done.status, 'OK');
    assert.equal((await c.command('PUTSCRIPT "a" "keep;"')).done.status, 'OK');
    assert.equal((await c.command('PUTSCRIPT "b" "keep;"')).done.status, 'OK');
    const third = await c.command('PUTSCRIPT "c" "keep;"');
    assert.equal(third.done.code, 'QUOTA/MAXSCRIPTS');
    assert.equal((await c.command('HAVESPACE "c" 10')).done.code, 'QUOTA/MAXSCRIPTS');
    // Replacing an existing script does not count as a new one.
    assert.equal((await c.command('HAVESPACE "a" 10')).done.status, 'OK');
    assert.equal((await c.command('PUTSCRIPT "a" "discard;"')).done.status, 'OK');
    // A literal over the size quota is skipped unread-into-memory and refused; the session goes on.
    const script = `# ${'x'.repeat(200)}\r\nkeep;\r\n`;
    const over = await c.command(`PUTSCRIPT "a" ${lit(script)}`);
    assert.equal(over.done.status, 'NO');
    assert.equal(over.done.code, 'QUOTA/MAXSIZE');
    assert.equal(readString((await c.command('GETSCRIPT "a"')).lines[0])[0], 'discard;');
    // CHECKSCRIPT has no quota code, but the same size bound.
    const check = await c.command(`CHECKSCRIPT ${lit(script)}`);
    assert.equal(check.done.status, 'NO');
    assert.equal(check.done.code, null);
    assert.equal((await c.command('NOOP')).done.status, 'OK');
  } finally {
    c.close();
    await h.stop();
  }
});

test('a refused synchronizing literal "{n}" ends the session: its data would be read as commands', async () => {
  const h = await startSieveHarness({ maxScriptSize: 10 });
  const c = await session(h);
  try {
    // Accepted "{n}" literals work like "{n+}" (no continuation in ManageSieve).
    assert.equal((await c.command('PUTSCRIPT "s" {5}\r\nkeep;')).done.status, 'OK');
    c.write('PUTSCRIPT "s" {50}\r\n');
    const r = await c.readReply();
    assert.equal(r.done.code, 'QUOTA/MAXSIZE');
    assert.match((await c.waitClosed()).join('\n'), /^BYE/m);
  } finally {
    c.close();
    await h.stop();
  }
});

test('script names: RFC 5804 §1.6 rules, UTF-8 names round-trip, literal names', async () => {
  const h = await startSieveHarness();
  const c = await session(h);
  try {
    assert.equal((await c.command('PUTSCRIPT "été" "keep;"')).done.status, 'OK');
    assert.equal((await c.command(`PUTSCRIPT ${lit('clever"script')} "keep;"`)).done.status, 'OK');
    assert.equal((await c.command('PUTSCRIPT "" "keep;"')).done.status, 'NO');
    assert.equal((await c.command(`PUTSCRIPT ${lit('a\tb')} "keep;"`)).done.status, 'NO');
    assert.equal((await c.command(`PUTSCRIPT "${'n'.repeat(256)}" "keep;"`)).done.status, 'NO');
    assert.equal((await c.command(`PUTSCRIPT "e\u0301" "keep;"`)).done.status, 'NO');
    assert.equal((await c.command(`RENAMESCRIPT "été" "a\u2028b"`)).done.status, 'NO');
    assert.deepEqual(await list(c), [['clever"script', false], ['été', false]]);
    assert.equal((await c.command('GETSCRIPT "clever\\"script"')).done.status, 'OK');
  } finally {
    c.close();
    await h.stop();
  }
});

test("accounts are isolated: bob sees none of alice's scripts", async () => {
  const h = await startSieveHarness({ users: [[USER, PASS], ['bob', 'bob-pass']] });
  const a = await session(h);
  const b = await session(h, 'bob', 'bob-pass');
  try {
    assert.equal((await a.command('PUTSCRIPT "mine" "keep;"')).done.status, 'OK');
    assert.equal((await a.command('SETACTIVE "mine"')).done.status, 'OK');
    assert.deepEqual(await list(b), []);
    assert.equal((await b.command('GETSCRIPT "mine"')).done.code, 'NONEXISTENT');
    assert.equal((await b.command('DELETESCRIPT "mine"')).done.code, 'NONEXISTENT');
    assert.equal((await b.command('PUTSCRIPT "mine" "discard;"')).done.status, 'OK');
    assert.deepEqual(await list(a), [['mine', true]]);
    assert.equal(readString((await a.command('GETSCRIPT "mine"')).lines[0])[0], 'keep;');
  } finally {
    a.close();
    b.close();
    await h.stop();
  }
});

test('pipelined commands are answered in order', async () => {
  const h = await startSieveHarness();
  const c = await session(h);
  try {
    c.write(`PUTSCRIPT "p" ${lit('keep;')}\r\nSETACTIVE "p"\r\nLISTSCRIPTS\r\nGETSCRIPT "p"\r\nNOOP "end"\r\n`);
    assert.equal((await c.readReply()).done.status, 'OK');
    assert.equal((await c.readReply()).done.status, 'OK');
    const l = await c.readReply();
    assert.deepEqual(l.lines, ['"p" ACTIVE']);
    const g = await c.readReply();
    assert.equal(readString(g.lines[0])[0], 'keep;');
    assert.equal((await c.readReply()).done.code, 'TAG "end"');
  } finally {
    c.close();
    await h.stop();
  }
});

test('compiler warnings make OK (WARNINGS) with their positions (RFC 5804 §2.6, §2.12)', async () => {
  // The Sieve library emits no warnings yet; this compiler adds one to the real result, so the
  // path from a warning to the response is what is tested.
  const h = await startSieveHarness({
    compiler: (real) => ({
      extensions: real.extensions,
      compile: (source) => {
        const r = real.compile(source);
        return r.ok && source.includes('redirect') ? { ...r, warnings: [{ line: 1, column: 1, message: 'redirect limit is 4' }] } : r;
      },
    }),
  });
  const c = await session(h);
  try {
    const put = await c.command(`PUTSCRIPT "fwd" ${lit('redirect "a@example.net";')}`);
    assert.equal(put.done.status, 'OK');
    assert.equal(put.done.code, 'WARNINGS');
    assert.equal(put.done.text, 'line 1, column 1: redirect limit is 4');
    assert.deepEqual(await list(c), [['fwd', false]]);
    const check = await c.command(`CHECKSCRIPT ${lit('redirect "a@example.net";')}`);
    assert.equal(check.done.code, 'WARNINGS');
    assert.equal((await c.command(`CHECKSCRIPT ${lit('keep;')}`)).done.code, null);
  } finally {
    c.close();
    await h.stop();
  }
});

test('concurrent PUTSCRIPTs of one account cannot overshoot QUOTA/MAXSCRIPTS', async () => {
  const h = await startSieveHarness({ maxScripts: 1 });
  const a = await session(h);
  const b = await session(h);
  try {
    const [ra, rb] = await Promise.all([a.command('PUTSCRIPT "a" "keep;"'), b.command('PUTSCRIPT "b" "keep;"')]);
    assert.deepEqual([ra.done.status, rb.done.status].sort(), ['NO', 'OK']);
    assert.equal((ra.done.status === 'NO' ? ra : rb).done.code, 'QUOTA/MAXSCRIPTS');
    assert.equal((await list(a)).length, 1);
  } finally {
    a.close();
    b.close();
    await h.stop();
  }
});
