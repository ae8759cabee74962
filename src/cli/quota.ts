/**
 * `facteur quota get NAME | set NAME RES=VALUE... | list`: per-account quota limits (RFC 9208
 * resources STORAGE, MESSAGE, MAILBOX) and usage, through the MailStore interface.
 *
 * Invariants:
 * - Every argument of `set` is checked before the store is written: one bad argument changes
 *   nothing, and the message names it.
 * - Storage is shown and set in octets (K, M, G, T suffixes, binary); it is stored in units of
 *   1024 octets (RFC 9208 §5.1), so a size is rounded up to a whole unit.
 * - The effective limit shown is the account's setting, else the operator's default from the
 *   same config the server reads (--quota-storage, --quota-messages, --quota-mailboxes).
 * - The store is always closed, on every path.
 */
import { formatSize, parseSize, type Config } from '../config/index.js';
import { isStoreError } from '../store/errors.js';
import { SHARED_OWNER, sharedOwnerActor } from '../store/access/index.js';
import type { AccountQuota, MailStore, QuotaResource, QuotaSetting, QuotaSettings } from '../store/types.js';
import { CliError, type CliIo } from './io.js';
import { QUOTA_USAGE } from './usage.js';
import { dispatch, withStore, type Noun } from './subcommands.js';

const RESOURCES: readonly QuotaResource[] = ['storage', 'messages', 'mailboxes'];
/** Accepted spellings: ours and RFC 9208's resource names. */
const ALIASES = new Map<string, QuotaResource>([
  ['storage', 'storage'],
  ['messages', 'messages'],
  ['message', 'messages'],
  ['mailboxes', 'mailboxes'],
  ['mailbox', 'mailboxes'],
]);
const KIB = 1024;

/** The operator default of a resource in its stored unit (storage in KiB); 0 = unlimited. */
function defaultOf(config: Config, r: QuotaResource): number {
  return r === 'storage' ? Math.ceil(config.quotaStorage / KIB) : r === 'messages' ? config.quotaMessages : config.quotaMailboxes;
}

const amount = (r: QuotaResource, n: number): string => (r === 'storage' ? formatSize(n * KIB) : String(n));
const usageText = (r: QuotaResource, n: number): string => (r === 'storage' ? `${n} octets` : String(n));

/** "1G (account)", "10000 (default)", "unlimited (account)". */
function limitText(config: Config, r: QuotaResource, s: QuotaSetting): string {
  if (s === 'unlimited') return 'unlimited (account)';
  if (s !== null) return `${amount(r, s)} (account)`;
  const d = defaultOf(config, r);
  return `${d > 0 ? amount(r, d) : 'unlimited'} (default)`;
}

function describe(config: Config, q: AccountQuota): string {
  const lines = [q.account];
  for (const r of RESOURCES) lines.push(`  ${r.padEnd(10)} ${usageText(r, q.usage[r]).padEnd(18)} limit ${limitText(config, r, q.settings[r])}`);
  return lines.join('\n') + '\n';
}

async function accountQuota(store: MailStore, name: string): Promise<AccountQuota> {
  try {
    return await store.getAccountQuota(name);
  } catch (e) {
    if (isStoreError(e, 'NONEXISTENT')) throw new CliError(`no account named ${name}`);
    throw e;
  }
}

/** One RES=VALUE argument; VALUE: a number (storage: a size), none (unlimited) or default. */
export function parseSetting(arg: string): [QuotaResource, QuotaSetting] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new CliError(`expected RESOURCE=VALUE, got '${arg}' (resources: storage, messages, mailboxes)`);
  const name = arg.slice(0, eq).toLowerCase();
  const value = arg.slice(eq + 1).trim().toLowerCase();
  const resource = ALIASES.get(name);
  if (resource === undefined) throw new CliError(`unknown quota resource '${arg.slice(0, eq)}' (expected storage, messages or mailboxes)`);
  if (value === 'none' || value === 'unlimited') return [resource, 'unlimited'];
  if (value === 'default') return [resource, null];
  if (resource === 'storage') {
    const octets = parseSize(value);
    if (octets === null) throw new CliError(`storage: expected a size such as 500M or 2G, none or default, got '${arg.slice(eq + 1)}'`);
    return [resource, Math.ceil(octets / KIB)];
  }
  if (!/^[0-9]{1,15}$/.test(value)) throw new CliError(`${resource}: expected a whole number, none or default, got '${arg.slice(eq + 1)}'`);
  return [resource, Number(value)];
}

async function get(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals, config) => {
    if (positionals.length !== 1) throw new CliError(`expected one account NAME (usage: facteur quota get NAME)`);
    io.stdout.write(describe(config, await accountQuota(store, positionals[0])));
    return 0;
  });
}

async function set(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals, config) => {
    const [name, ...settings] = positionals;
    if (name === undefined || settings.length === 0) {
      throw new CliError('expected NAME and at least one RESOURCE=VALUE (usage: facteur quota set NAME storage=1G messages=10000 mailboxes=100)');
    }
    const changes: Partial<QuotaSettings> = {};
    for (const arg of settings) {
      const [resource, value] = parseSetting(arg);
      if (resource in changes) throw new CliError(`${resource} is given twice`);
      changes[resource] = value;
    }
    // The internal owner of "Shared/" (decision 0009) is charged for public mailboxes and may
    // have limits too; it is created on first use, as `facteur acl create Shared/...` does.
    if (name === SHARED_OWNER) await sharedOwnerActor(store);
    await accountQuota(store, name);
    try {
      await store.setAccountQuota(name, changes);
    } catch (e) {
      if (isStoreError(e, 'NONEXISTENT')) throw new CliError(`no account named ${name}`);
      throw e;
    }
    io.stdout.write(describe(config, await accountQuota(store, name)));
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  return withStore(args, io, async (store, positionals, config) => {
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (usage: facteur quota list)`);
    const rows = [['ACCOUNT', 'STORAGE', 'LIMIT', 'MESSAGES', 'LIMIT', 'MAILBOXES', 'LIMIT']];
    for (const q of await store.listAccountQuotas()) {
      const row = [q.account];
      for (const r of RESOURCES) {
        const s = q.settings[r];
        const limit = s === 'unlimited' ? null : s ?? (defaultOf(config, r) > 0 ? defaultOf(config, r) : null);
        row.push(String(q.usage[r]), limit === null ? '-' : amount(r, limit));
      }
      rows.push(row);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    io.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
    return 0;
  });
}

const NOUN: Noun = {
  name: 'quota',
  usage: QUOTA_USAGE,
  verbs: { get, set, list },
  expected: 'get, set or list',
};

export const quotaCommand = (args: string[], io: CliIo): Promise<number> => dispatch(NOUN, args, io);
