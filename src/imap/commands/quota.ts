/**
 * GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208 §4.1) over the store's quota roots
 * (src/store/quota/roots.ts): one root per account, named after the account.
 *
 * Invariants:
 * - Resources are reported in the order STORAGE, MESSAGE, MAILBOX; an unlimited resource is left
 *   out, so a root without limits reports an empty list (§4.2.1: "an empty list means there are
 *   no administrative resource limits").
 * - GETQUOTAROOT does not require a personal mailbox to exist (§4.1.2): every name of the
 *   account is under the account's root. Another account's mailbox must exist and be visible,
 *   and reports its owner's root (store/access/quota-roots.ts, RFC 9208 §6).
 * - SETQUOTA accepts STORAGE, MESSAGE and MAILBOX; any other resource is refused as a whole
 *   (NO, nothing changed), as are limits above what storage keeps exactly (2^53 - 1).
 */
import type { QuotaResource, QuotaRootReport } from '../../store/types.js';
import type { CommandSpec } from '../session/command-table.js';
import type { ImapSession } from '../session/session.js';
import { quotedMailbox } from '../session/names.js';
import { no, ok } from '../session/state.js';
import { quoted } from '../protocol/response.js';

const WIRE_NAMES: Record<QuotaResource, string> = { storage: 'STORAGE', messages: 'MESSAGE', mailboxes: 'MAILBOX' };
const FROM_WIRE = new Map(Object.entries(WIRE_NAMES).map(([k, v]) => [v, k as QuotaResource]));

/** An astring for a root name: quoted when plain printable ASCII, else a literal (RFC 9051 §4.3). */
function rootString(root: string): string {
  if (/^[\x20-\x7e]*$/.test(root)) return quoted(root);
  return `{${Buffer.byteLength(root, 'utf8')}}\r\n${root}`;
}

function quotaLine(report: QuotaRootReport): string {
  const list = report.resources.map((r) => `${WIRE_NAMES[r.resource]} ${r.usage} ${r.limit}`).join(' ');
  return `* QUOTA ${rootString(report.root)} (${list})`;
}

export const getQuotaCommand: CommandSpec<'GETQUOTA'> = {
  name: 'GETQUOTA',
  states: ['authenticated', 'selected'],
  updates: 'all',
  // RFC 9208 §5: every supported resource type is advertised.
  capabilities: ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE', 'QUOTA=RES-MAILBOX'],
  async handler(session, cmd) {
    session.writeLine(quotaLine(await session.store.getQuotaRoot(session.actor!, cmd.root)));
    return ok('GETQUOTA completed');
  },
};

export const getQuotaRootCommand: CommandSpec<'GETQUOTAROOT'> = {
  name: 'GETQUOTAROOT',
  states: ['authenticated', 'selected'],
  updates: 'all',
  async handler(session: ImapSession, cmd) {
    const reports = await session.store.getQuotaRoots(session.actor!, cmd.mailbox);
    const roots = reports.map((r) => ' ' + rootString(r.root)).join('');
    session.writeLine(`* QUOTAROOT ${quotedMailbox(session, cmd.mailbox)}${roots}`);
    for (const r of reports) session.writeLine(quotaLine(r));
    return ok('GETQUOTAROOT completed');
  },
};

export const setQuotaCommand: CommandSpec<'SETQUOTA'> = {
  name: 'SETQUOTA',
  states: ['authenticated', 'selected'],
  updates: 'all',
  // §4.1.3: SETQUOTA is advertised separately; it works for the quota administrators.
  capabilities: ['QUOTASET'],
  async handler(session, cmd) {
    const limits: Array<{ resource: QuotaResource; limit: number }> = [];
    for (const { resource, limit } of cmd.limits) {
      const r = FROM_WIRE.get(resource);
      if (r === undefined) return no(`Unsupported quota resource ${resource}`, 'CANNOT');
      if (!Number.isSafeInteger(limit)) return no(`Limit too large for ${resource}`, 'LIMIT');
      limits.push({ resource: r, limit });
    }
    session.writeLine(quotaLine(await session.store.setQuotaRoot(session.actor!, cmd.root, limits)));
    return ok('SETQUOTA completed');
  },
};
