/**
 * `facteur acl ...`: operators read and change mailbox access control lists (RFC 4314) and
 * create the public mailboxes of the "Shared/" namespace (docs/decisions/0009).
 *
 * Invariants:
 * - A mailbox is named OWNER MAILBOX (MAILBOX in OWNER's personal namespace), or Shared/NAME
 *   alone for a public mailbox. Account names contain no "/", so the two never mix.
 * - The operator acts as the mailbox's owner, through the same store (and access layer) as IMAP:
 *   identifiers and rights are checked the same way, with the same rights syntax as SETACL.
 * - The store is always closed, on every path; every bad input names the problem (exit 1).
 */
import { isStoreError } from '../store/errors.js';
import type { Actor, MailStore } from '../store/types.js';
import { sharedOwnerActor } from '../store/access/index.js';
import { locate } from '../store/access/namespaces.js';
import { parseModification, withVirtual } from '../store/access/rights.js';
import { CliError, type CliIo } from './io.js';
import { ACL_USAGE } from './usage.js';
import { dispatch, withStore, type Noun } from './subcommands.js';

interface MailboxArg {
  owner: Actor;
  /** The name in the owner's namespace. */
  name: string;
  /** As the operator wrote it, for messages. */
  label: string;
}

/** Takes the mailbox arguments off the front of `positionals`. */
async function mailboxArg(store: MailStore, positionals: string[], usage: string): Promise<MailboxArg> {
  const first = positionals.shift();
  if (first === undefined) throw new CliError(`missing OWNER MAILBOX or Shared/NAME (usage: ${usage})`);
  const loc = locate(first);
  if (loc.kind === 'shared') return { owner: await sharedOwnerActor(store), name: loc.name, label: first };
  if (first.includes('/')) throw new CliError(`${JSON.stringify(first)} is neither an account name nor Shared/NAME (usage: ${usage})`);
  const name = positionals.shift();
  if (name === undefined) throw new CliError(`missing MAILBOX after ${first} (usage: ${usage})`);
  const account = await store.getAccount(first);
  if (account === null) throw new CliError(`no account ${first}`);
  if (locate(name).kind !== 'personal') throw new CliError(`name the mailbox in its owner's namespace, not ${JSON.stringify(name)}`);
  return { owner: { accountId: account.id, name: account.name }, name, label: `${first} ${name}` };
}

function noMore(positionals: string[], usage: string): void {
  if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (usage: ${usage})`);
}

function take(positionals: string[], what: string, usage: string): string {
  const v = positionals.shift();
  if (v === undefined || v === '') throw new CliError(`missing ${what} (usage: ${usage})`);
  return v;
}

/** Store errors as one line naming the problem. */
async function explain<T>(mb: MailboxArg, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isStoreError(e, 'NONEXISTENT')) throw new CliError(`no mailbox ${mb.label}`);
    if (isStoreError(e, 'CANNOT')) throw new CliError(e.message);
    throw e;
  }
}

const GET = 'facteur acl get OWNER MAILBOX | Shared/NAME';
const SET = 'facteur acl set OWNER MAILBOX | Shared/NAME IDENTIFIER [+|-]RIGHTS';
const DELETE = 'facteur acl delete OWNER MAILBOX | Shared/NAME IDENTIFIER';
const LIST = 'facteur acl list USER';
const CREATE = 'facteur acl create Shared/NAME';

async function get(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const mb = await mailboxArg(store, positionals, GET);
    noMore(positionals, GET);
    for (const e of await explain(mb, () => store.getAcl(mb.owner, mb.name))) io.stdout.write(`${e.identifier} ${withVirtual(e.rights)}\n`);
    return 0;
  });
}

async function set(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const mb = await mailboxArg(store, positionals, SET);
    const identifier = take(positionals, 'IDENTIFIER', SET);
    const text = take(positionals, 'RIGHTS', SET);
    noMore(positionals, SET);
    const mod = parseModification(text);
    if ('error' in mod) throw new CliError(`invalid rights ${JSON.stringify(text)}: ${mod.error} (rights: lrswipkxtea, c, d)`);
    const rights = await explain(mb, () => store.setAcl(mb.owner, mb.name, identifier, mod.rights, mod.mode));
    io.stdout.write(`${mb.label}: ${identifier} ${rights === '' ? '(no rights)' : withVirtual(rights)}\n`);
    return 0;
  });
}

async function del(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const mb = await mailboxArg(store, positionals, DELETE);
    const identifier = take(positionals, 'IDENTIFIER', DELETE);
    noMore(positionals, DELETE);
    await explain(mb, () => store.setAcl(mb.owner, mb.name, identifier, null));
    io.stdout.write(`${mb.label}: removed ${identifier}\n`);
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const user = take(positionals, 'USER', LIST);
    noMore(positionals, LIST);
    const account = await store.getAccount(user);
    if (account === null) throw new CliError(`no account ${user}`);
    const actor = { accountId: account.id, name: account.name };
    // What USER sees of other accounts: each mailbox with USER's rights (as MYRIGHTS shows them).
    for (const m of await store.listMailboxes(actor)) {
      if (m.accountId === actor.accountId) continue;
      io.stdout.write(`${m.name} ${withVirtual(await store.myRights(actor, m.name))}\n`);
    }
    return 0;
  });
}

async function create(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals) => {
    const first = take(positionals, 'Shared/NAME', CREATE);
    noMore(positionals, CREATE);
    const loc = locate(first);
    if (loc.kind !== 'shared') throw new CliError(`only public mailboxes are created here: name it Shared/NAME (users create their own over IMAP)`);
    const owner = await sharedOwnerActor(store);
    try {
      await store.createMailbox(owner, loc.name);
    } catch (e) {
      if (isStoreError(e, 'ALREADYEXISTS')) throw new CliError(`mailbox ${first} already exists`);
      if (isStoreError(e, 'CANNOT')) throw new CliError(`invalid mailbox name ${JSON.stringify(first)}`);
      throw e;
    }
    io.stdout.write(`created ${first} (grant rights with: facteur acl set ${first} IDENTIFIER RIGHTS)\n`);
    return 0;
  });
}

const NOUN: Noun = {
  name: 'acl',
  usage: ACL_USAGE,
  verbs: { get, set, delete: del, del, list, create },
  expected: 'get, set, delete, list or create',
};

export const aclCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
