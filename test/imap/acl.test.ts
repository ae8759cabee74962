/**
 * ACL and shared mailboxes over real sockets (RFC 4314, RFC 8440 LIST-MYRIGHTS, RFC 2342
 * NAMESPACE): bob shares mailboxes, alice and carol see them as "Other Users/bob/...", an account
 * without a grant gets exactly the answers a missing mailbox gets, and IDLE follows the owner.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { ACCOUNTS, TestClient, assertStatus, append, loginAs, shape, simpleMessage, waitForLine, type Reply } from '../support/transcript.js';

const as = (srv: TestServer, user: string): Promise<TestClient> => loginAs(srv.port, user);


describe('ACL and shared mailboxes', () => {
  let srv: TestServer;
  let bob: TestClient;
  let n = 0;
  /** A fresh mailbox of bob's with two messages. */
  async function bobBox(): Promise<string> {
    const name = `Team${++n}`;
    assertStatus(await bob.command(`CREATE ${name}`), 'OK');
    assertStatus(await append(bob, name, simpleMessage({ subject: 'one' })), 'OK');
    assertStatus(await append(bob, name, simpleMessage({ subject: 'two' })), 'OK');
    return name;
  }
  before(async () => {
    srv = await startTestServer({ users: ACCOUNTS });
    bob = await as(srv, 'bob');
  });
  after(async () => {
    bob.close();
    await srv.stop();
  });

  test('capabilities and NAMESPACE', async () => {
    const alice = await as(srv, 'alice');
    const caps = await alice.command('CAPABILITY');
    for (const c of ['ACL', 'RIGHTS=texk', 'LIST-MYRIGHTS', 'NAMESPACE']) assert.ok(caps.untagged[0]!.split(' ').includes(c), c);
    const ns = await alice.command('NAMESPACE');
    assert.deepEqual(ns.untagged, ['* NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))']);
    alice.close();
  });

  test('a level alice may not list above one she may is \\Noselect for "%" and unnamed for "*"', async () => {
    // RFC 9051 §6.3.9: "%" returns matching levels of hierarchy, \Noselect when not selectable;
    // RFC 4314 §4 LIST: an unlistable parent behaves as if it did not exist.
    const top = `Gap${++n}`;
    assertStatus(await bob.command(`CREATE ${top}/kid`), 'OK');
    assertStatus(await bob.command(`SETACL ${top}/kid alice lr`), 'OK');
    const alice = await as(srv, 'alice');
    try {
      const level = `* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob/${top}"`;
      const pct = await alice.command('LIST "" "Other Users/bob/%"');
      assert.ok(pct.untagged.includes(level), pct.untagged.join(' | '));
      assert.deepEqual((await alice.command(`LIST "Other Users/bob/" "${top}/%"`)).untagged, [
        `* LIST (\\HasNoChildren) "/" "Other Users/bob/${top}/kid"`,
      ]);
      const star = await alice.command('LIST "" "*"');
      assert.ok(star.untagged.includes(`* LIST (\\HasNoChildren) "/" "Other Users/bob/${top}/kid"`), star.untagged.join(' | '));
      assert.ok(!star.untagged.some((l) => l.endsWith(`"Other Users/bob/${top}"`)), star.untagged.join(' | '));
      // Carol, with no grant below it, is told of no such level.
      const carol = await as(srv, 'carol');
      assert.ok(!(await carol.command('LIST "" "Other Users/bob/%"')).untagged.some((l) => l.includes(top)));
      carol.close();
    } finally {
      alice.close();
    }
  });

  test('bob grants alice lr: alice lists, selects read-only, fetches; her rights are enforced', async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    const acl = await bob.command(`GETACL ${box}`);
    assert.deepEqual(acl.untagged, [`* ACL "${box}" bob lrswipkxteacd alice lr`]);
    const alice = await as(srv, 'alice');
    const list = await alice.command('LIST "" "*"');
    assert.ok(list.untagged.includes(`* LIST (\\HasNoChildren) "/" ${shared}`), JSON.stringify(list.untagged));
    assert.ok(list.untagged.includes('* LIST (\\Noselect \\HasChildren) "/" "Other Users"'));
    assert.ok(list.untagged.includes('* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob"'));
    // "%" walks the namespace levels one at a time (RFC 2342 §5).
    assert.deepEqual((await alice.command('LIST "" "Other Users/%"')).untagged, ['* LIST (\\Noselect \\HasChildren) "/" "Other Users/bob"']);
    assert.deepEqual((await alice.command(`MYRIGHTS ${shared}`)).untagged, [`* MYRIGHTS ${shared} lr`]);
    const st = await alice.command(`STATUS ${shared} (MESSAGES UNSEEN)`);
    assert.deepEqual(st.untagged, [`* STATUS ${shared} (MESSAGES 2 UNSEEN 2)`]);
    const sel = await alice.command(`SELECT ${shared}`);
    assertStatus(sel, 'OK', 'READ-ONLY');
    assert.ok(sel.untagged.includes('* 2 EXISTS'));
    assert.ok(sel.untagged.includes('* OK [PERMANENTFLAGS ()] No permanent flags permitted'));
    const f = await alice.command('FETCH 2 (FLAGS BODY[HEADER.FIELDS (SUBJECT)])');
    assert.match(f.untagged[0]!, /^\* 2 FETCH \(FLAGS \(\) BODY\[HEADER.FIELDS \(SUBJECT\)\] \{16\}\r\nSubject: two\r\n\r\n\)$/);
    assertStatus(await alice.command('STORE 1 +FLAGS (\\Flagged)'), 'NO', 'READ-ONLY');
    assertStatus(await alice.command('EXPUNGE'), 'NO', 'READ-ONLY');
    const search = await alice.command('UID SEARCH SUBJECT two');
    assert.equal(search.untagged.length, 1);
    assert.match(search.untagged[0]!, /^\* SEARCH \d+$/);
    // COPY out of the shared mailbox into her own INBOX works (source "r", destination hers).
    const copy = await alice.command('COPY 1:2 INBOX');
    assertStatus(copy, 'OK', 'COPYUID');
    assertStatus(await alice.command(`GETACL ${shared}`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`SETACL ${shared} carol lr`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`DELETE ${shared}`), 'NO', 'NOPERM');
    assertStatus(await alice.command(`CREATE "Other Users/bob/${box}/Sub"`), 'NO', 'NOPERM');
    assertStatus(await append(alice, `"Other Users/bob/${box}"`, simpleMessage({ subject: 'x' })), 'NO', 'NOPERM');
    // bob's message flags did not change: the read-only FETCH set no \Seen.
    const flags = await bob.command(`STATUS ${box} (UNSEEN)`);
    assert.deepEqual(flags.untagged, [`* STATUS "${box}" (UNSEEN 2)`]);
    alice.close();
  });

  test('IDLE on a shared mailbox hears the owner\'s APPEND', async () => {
    const box = await bobBox();
    assertStatus(await bob.command(`SETACL ${box} alice lrs`), 'OK');
    const alice = await as(srv, 'alice');
    const sel = await alice.command(`SELECT "Other Users/bob/${box}"`);
    // RFC 4314 §5.2 (its example 1 is "lrs"): \Seen is alice's own here, no shared flag right,
    // so READ-ONLY; her \Seen is per-user state she may still change (RFC 9051 §6.3.2).
    assertStatus(sel, 'OK', 'READ-ONLY');
    assert.ok(sel.untagged.includes('* OK [PERMANENTFLAGS (\\Seen)] Flags permitted'), JSON.stringify(sel.untagged));
    const tag = alice.nextTag();
    alice.write(`${tag} IDLE\r\n`);
    assert.match(await alice.readLine(), /^\+ /);
    assertStatus(await append(bob, box, simpleMessage({ subject: 'three' })), 'OK');
    const ex = await waitForLine(alice, /^\* \d+ EXISTS$/, 3000);
    assert.equal(ex.line, '* 3 EXISTS');
    alice.write('DONE\r\n');
    await waitForLine(alice, new RegExp(`^${tag} OK`));
    // "s" lets her keep \Seen (RFC 4314 §4), but not set other flags: those are silently dropped.
    const st = await alice.command('STORE 1 +FLAGS (\\Seen \\Flagged)');
    assertStatus(st, 'OK');
    assert.equal(st.untagged.length, 1);
    assert.match(st.untagged[0]!, /^\* 1 FETCH \(FLAGS \(\\Seen(?: \\Recent)?\)\)$/);
    alice.close();
  });

  test('anyone, authenticated and negative rights combine; LIST-MYRIGHTS reports them', async () => {
    const box = await bobBox();
    const shared = `"Other Users/bob/${box}"`;
    assertStatus(await bob.command(`SETACL ${box} anyone lr`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} authenticated +s`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} -carol r`), 'OK');
    const carol = await as(srv, 'carol');
    const alice = await as(srv, 'alice');
    assert.deepEqual((await alice.command(`MYRIGHTS ${shared}`)).untagged, [`* MYRIGHTS ${shared} lrs`]);
    assert.deepEqual((await carol.command(`MYRIGHTS ${shared}`)).untagged, [`* MYRIGHTS ${shared} ls`]);
    assertStatus(await carol.command(`SELECT ${shared}`), 'NO', 'NOPERM');
    assertStatus(await carol.command(`STATUS ${shared} (UIDNEXT)`), 'NO', 'NOPERM');
    const lm = await carol.command(`LIST "" "Other Users/bob/${box}" RETURN (MYRIGHTS STATUS (MESSAGES))`);
    // RFC 5819: no STATUS where STATUS would fail; RFC 8440: MYRIGHTS after the LIST line.
    assert.deepEqual(lm.untagged, [`* LIST (\\HasNoChildren) "/" ${shared}`, `* MYRIGHTS ${shared} ls`]);
    assertStatus(await bob.command(`DELETEACL ${box} -carol`), 'OK');
    assert.deepEqual((await carol.command(`MYRIGHTS ${shared}`)).untagged, [`* MYRIGHTS ${shared} lrs`]);
    const own = await alice.command('LIST "" "INBOX" RETURN (MYRIGHTS)');
    assert.deepEqual(own.untagged.slice(1), ['* MYRIGHTS "INBOX" lrswipkxteacd']);
    carol.close();
    alice.close();
  });

  test('SETACL rights syntax: +/- modifiers, virtual c and d, BAD for unknown and uppercase rights', async () => {
    const box = await bobBox();
    assertStatus(await bob.command(`SETACL ${box} alice lrswida`), 'OK');
    assert.deepEqual((await bob.command(`GETACL ${box}`)).untagged, [`* ACL "${box}" bob lrswipkxteacd alice lrswitead`]);
    assertStatus(await bob.command(`SETACL ${box} alice +c`), 'OK');
    assertStatus(await bob.command(`SETACL ${box} alice -sd`), 'OK');
    assert.deepEqual((await bob.command(`GETACL ${box}`)).untagged, [`* ACL "${box}" bob lrswipkxteacd alice lrwikxac`]);
    assertStatus(await bob.command(`SETACL ${box} alice lrQ`), 'BAD');
    assertStatus(await bob.command(`SETACL ${box} alice lrq`), 'BAD');
    assertStatus(await bob.command(`SETACL ${box} "" lr`), 'BAD');
    assertStatus(await bob.command(`SETACL ${box} nosuchuser lr`), 'NO', 'CANNOT');
    assertStatus(await bob.command(`SETACL ${box} bob lr`), 'NO', 'CANNOT');
    const lr = await bob.command(`LISTRIGHTS ${box} alice`);
    assert.deepEqual(lr.untagged, [`* LISTRIGHTS "${box}" alice "" l r s w i p k x t e a c d`]);
    assert.deepEqual((await bob.command(`LISTRIGHTS ${box} bob`)).untagged, [`* LISTRIGHTS "${box}" bob lrswipkxteacd`]);
  });

  test('full rights: alice works in bob\'s mailbox with every command, and moves messages out and in', async () => {
    const box = await bobBox();
    const shared = `Other Users/bob/${box}`;
    assertStatus(await bob.command(`SETACL ${box} alice lrswipkxtea`), 'OK');
    const alice = await as(srv, 'alice');
    assertStatus(await alice.command(`SELECT "${shared}"`), 'OK', 'READ-WRITE');
    assertStatus(await alice.command('STORE 1 +FLAGS (\\Deleted $Done)'), 'OK');
    assertStatus(await alice.command('UID SORT (SUBJECT) UTF-8 ALL'), 'OK');
    assertStatus(await alice.command('THREAD REFERENCES UTF-8 ALL'), 'OK');
    assertStatus(await alice.command('EXPUNGE'), 'OK');
    assertStatus(await append(alice, `"${shared}"`, simpleMessage({ subject: 'from alice' }), '\\Seen'), 'OK', 'APPENDUID');
    // MOVE from bob's mailbox into hers, then back in (both directions across accounts).
    assertStatus(await alice.command('CREATE Mine'), 'OK');
    const mv = await alice.command('MOVE 1 Mine');
    assertStatus(mv, 'OK');
    assert.ok(mv.untagged.some((l) => /^\* 1 EXPUNGE$/.test(l)), JSON.stringify(mv.untagged));
    assertStatus(await alice.command('SELECT Mine'), 'OK');
    const back = await alice.command(`MOVE 1 "${shared}"`);
    assertStatus(back, 'OK');
    assert.match(back.untagged[0]!, /^\* OK \[COPYUID \d+ 1 \d+\]/);
    assertStatus(await alice.command(`CREATE "${shared}/Sub"`), 'OK');
    assertStatus(await alice.command(`RENAME "${shared}/Sub" "${shared}/Sub2"`), 'OK');
    assertStatus(await alice.command(`RENAME "${shared}/Sub2" Mine2`), 'NO', 'CANNOT');
    // The new child inherited the parent's ACL (RFC 4314 §4 CREATE).
    const childAcl = await bob.command(`GETACL ${box}/Sub2`);
    assert.deepEqual(childAcl.untagged, [`* ACL "${box}/Sub2" bob lrswipkxteacd alice lrswipkxteacd`]);
    assertStatus(await alice.command(`SUBSCRIBE "${shared}/Sub2"`), 'OK');
    const lsub = await alice.command('LSUB "" "Other Users/*"');
    assert.deepEqual(lsub.untagged, [`* LSUB () "/" "${shared}/Sub2"`]);
    assertStatus(await alice.command(`DELETE "${shared}/Sub2"`), 'OK');
    const st = await bob.command(`STATUS ${box} (MESSAGES)`);
    assert.deepEqual(st.untagged, [`* STATUS "${box}" (MESSAGES 2)`]);
    alice.close();
  });

  test('every command checks its right (RFC 4314 §4): refused without it, done with it', async () => {
    const ALL = 'lrswipkxtea';
    const without = (r: string): string => [...ALL].filter((x) => !r.includes(x)).join('');
    type Case = { name: string; needs: string; run: (alice: TestClient, box: string) => Promise<Reply>; refused: (r: Reply) => void; done?: (r: Reply) => void };
    const q = (box: string): string => `"Other Users/bob/${box}"`;
    const selected = async (alice: TestClient, box: string, cmd: string): Promise<Reply> => {
      assertStatus(await alice.command(`SELECT ${q(box)}`), 'OK');
      return alice.command(cmd);
    };
    const nope = (r: Reply): void => assertStatus(r, 'NO', 'NOPERM');
    const readOnly = (r: Reply): void => assertStatus(r, 'NO', 'READ-ONLY');
    const cases: Case[] = [
      { name: 'SELECT', needs: 'r', run: (a, b) => a.command(`SELECT ${q(b)}`), refused: nope },
      { name: 'EXAMINE', needs: 'r', run: (a, b) => a.command(`EXAMINE ${q(b)}`), refused: nope },
      { name: 'STATUS', needs: 'r', run: (a, b) => a.command(`STATUS ${q(b)} (MESSAGES)`), refused: nope },
      { name: 'GETACL', needs: 'a', run: (a, b) => a.command(`GETACL ${q(b)}`), refused: nope },
      { name: 'SETACL', needs: 'a', run: (a, b) => a.command(`SETACL ${q(b)} carol lr`), refused: nope },
      { name: 'DELETEACL', needs: 'a', run: (a, b) => a.command(`DELETEACL ${q(b)} carol`), refused: nope },
      { name: 'LISTRIGHTS', needs: 'a', run: (a, b) => a.command(`LISTRIGHTS ${q(b)} carol`), refused: nope },
      { name: 'APPEND', needs: 'i', run: (a, b) => append(a, q(b), simpleMessage()), refused: nope },
      { name: 'CREATE', needs: 'k', run: (a, b) => a.command(`CREATE "Other Users/bob/${b}/Child"`), refused: nope },
      { name: 'DELETE', needs: 'x', run: (a, b) => a.command(`DELETE ${q(b)}`), refused: nope },
      { name: 'LIST', needs: 'l', run: (a, b) => a.command(`LIST "" ${q(b)}`), refused: (r) => assert.deepEqual(r.untagged, []), done: (r) => assert.equal(r.untagged.length, 1) },
      { name: 'EXPUNGE', needs: 'e', run: (a, b) => selected(a, b, 'EXPUNGE'), refused: nope },
      { name: 'MOVE out', needs: 'e', run: (a, b) => selected(a, b, 'MOVE 1 INBOX'), refused: nope },
      { name: 'COPY in', needs: 'i', run: async (a, b) => { assertStatus(await a.command('SELECT INBOX'), 'OK'); return a.command(`COPY 1 ${q(b)}`); }, refused: nope },
      {
        name: 'STORE \\Seen', needs: 's', run: (a, b) => selected(a, b, 'STORE 1 +FLAGS (\\Seen)'),
        refused: (r) => { assertStatus(r, 'OK'); assert.ok(!r.untagged.some((l) => l.includes('\\Seen')), JSON.stringify(r.untagged)); },
        done: (r) => assert.match(r.untagged.join(), /FLAGS \(\\Seen/),
      },
      {
        name: 'STORE \\Deleted', needs: 't', run: (a, b) => selected(a, b, 'STORE 1 +FLAGS (\\Deleted)'),
        refused: (r) => { assertStatus(r, 'OK'); assert.ok(!r.untagged.some((l) => l.includes('\\Deleted')), JSON.stringify(r.untagged)); },
        done: (r) => assert.match(r.untagged.join(), /FLAGS \(\\Deleted/),
      },
      {
        name: 'STORE keyword', needs: 'w', run: (a, b) => selected(a, b, 'STORE 1 +FLAGS ($Done)'),
        refused: (r) => { assertStatus(r, 'OK'); assert.ok(!r.untagged.some((l) => /FETCH.*\$Done/.test(l)), JSON.stringify(r.untagged)); },
        done: (r) => assert.match(r.untagged.join(), /FETCH \(FLAGS \(\$Done/),
      },
      {
        name: 'FETCH sets \\Seen', needs: 's', run: async (a, b) => { await selected(a, b, 'FETCH 1 BODY[]'); return a.command('FETCH 1 FLAGS'); },
        refused: (r) => assert.match(r.untagged[0]!, /FLAGS \((?:\\Recent)?\)/),
        done: (r) => assert.match(r.untagged[0]!, /FLAGS \(\\Seen/),
      },
    ];
    // With only "lr" of the rights the mailbox is READ-ONLY, so STORE/EXPUNGE stop there.
    const lrOnly: Case[] = [
      { name: 'EXPUNGE read-only', needs: '', run: (a, b) => selected(a, b, 'EXPUNGE'), refused: readOnly },
      { name: 'STORE read-only', needs: '', run: (a, b) => selected(a, b, 'STORE 1 +FLAGS (\\Seen)'), refused: readOnly },
    ];
    const alice = await as(srv, 'alice');
    assertStatus(await append(alice, 'INBOX', simpleMessage({ subject: 'mine' })), 'OK');
    for (const c of cases) {
      for (const granted of [without(c.needs), ALL]) {
        const box = await bobBox();
        assertStatus(await bob.command(`SETACL ${box} alice ${granted}`), 'OK');
        const r = await c.run(alice, box);
        if (granted === ALL) {
          if (c.done) c.done(r);
          else assertStatus(r, 'OK');
        } else c.refused(r);
        await alice.command('UNSELECT');
      }
    }
    for (const c of lrOnly) {
      const box = await bobBox();
      assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
      c.refused(await c.run(alice, box));
      await alice.command('UNSELECT');
    }
    alice.close();
  });

  test('an account without a grant gets exactly the answers a missing mailbox gets, for every command', async () => {
    const box = await bobBox();
    assertStatus(await bob.command(`SETACL ${box} alice lr`), 'OK');
    const hidden = `"Other Users/bob/${box}"`;
    const missing = '"Other Users/bob/NoSuchBox"';
    const nobody = '"Other Users/nobody/Box"';
    const carol = await as(srv, 'carol');
    assertStatus(await carol.command('CREATE Own'), 'OK');
    assertStatus(await append(carol, 'Own', simpleMessage({ subject: 'c' })), 'OK');
    const commands = (m: string): string[] => [
      `SELECT ${m}`,
      `EXAMINE ${m}`,
      `STATUS ${m} (MESSAGES UIDNEXT)`,
      `LIST "" ${m}`,
      `LIST "" ${m} RETURN (MYRIGHTS STATUS (MESSAGES))`,
      `CREATE ${m.slice(0, -1)}/Child"`,
      `DELETE ${m}`,
      `RENAME ${m} "Other Users/bob/Renamed"`,
      `RENAME Own ${m}`,
      `APPEND ${m} {3+}\r\nx\r\n`,
      `GETACL ${m}`,
      `SETACL ${m} carol lrswipkxtea`,
      `DELETEACL ${m} alice`,
      `MYRIGHTS ${m}`,
      `LISTRIGHTS ${m} carol`,
      `SUBSCRIBE ${m}`,
      `UNSUBSCRIBE ${m}`,
    ];
    for (const [i, cmd] of commands(hidden).entries()) {
      const a = shape(await carol.command(cmd));
      const b = shape(await carol.command(commands(missing)[i]!));
      const c = shape(await carol.command(commands(nobody)[i]!));
      const norm = (s: { untagged: string[]; tagged: string }, name: string) =>
        JSON.stringify(s).split(name.slice(1, -1)).join('<name>');
      assert.equal(norm(a, hidden), norm(b, missing), `${cmd} answers differ from a missing mailbox`);
      assert.equal(norm(a, hidden), norm(c, nobody), `${cmd} answers differ from a missing user`);
      assert.ok(!/^(OK)/.test(a.tagged) || /^(SUBSCRIBE|UNSUBSCRIBE|LIST)/.test(cmd), `${cmd}: ${a.tagged}`);
    }
    // Selected-state commands that name a destination: COPY and MOVE give TRYCREATE alike.
    assertStatus(await carol.command('SELECT Own'), 'OK');
    for (const verb of ['COPY', 'MOVE']) {
      const a = shape(await carol.command(`${verb} 1 ${hidden}`));
      const b = shape(await carol.command(`${verb} 1 ${missing}`));
      assert.deepEqual(a, b, verb);
      assert.match(a.tagged, /^NO \[TRYCREATE\]/);
    }
    // The hidden mailbox is in none of carol's lists.
    const all = await carol.command('LIST "" "*"');
    assert.ok(!all.untagged.some((l) => l.endsWith(hidden)), JSON.stringify(all.untagged));
    carol.close();
  });
});
