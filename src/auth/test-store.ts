/**
 * An in-memory stand-in for the account half of MailStore, for auth and CLI unit tests only.
 * Mail operations throw: tests that need them use a real backend.
 */
import type { AccountRecord, MailStore } from '../store/types.js';
import { StoreError } from '../store/errors.js';

export interface AccountOnlyStore extends MailStore {
  readonly lookups: string[];
}

export function createAccountOnlyStore(initial: ReadonlyArray<{ name: string; passwordHash: string }> = []): AccountOnlyStore {
  const accounts = new Map<string, AccountRecord>();
  let nextId = 1;
  const lookups: string[] = [];
  const add = (name: string, passwordHash: string): AccountRecord => {
    const rec = { id: nextId++, name, passwordHash, createdAt: Date.now() };
    accounts.set(name, rec);
    return rec;
  };
  for (const e of initial) add(e.name, e.passwordHash);
  const target = {
    lookups,
    async createAccount(name: string, passwordHash: string) {
      if (accounts.has(name)) throw new StoreError('ALREADYEXISTS', `account ${name} exists`);
      return { ...add(name, passwordHash) };
    },
    async createAccounts(entries: ReadonlyArray<{ name: string; passwordHash: string }>) {
      const skipped: string[] = [];
      let created = 0;
      for (const e of entries) {
        if (accounts.has(e.name)) skipped.push(e.name);
        else {
          add(e.name, e.passwordHash);
          created++;
        }
      }
      return { created, skipped };
    },
    async getAccount(name: string) {
      lookups.push(name);
      const a = accounts.get(name);
      return a === undefined ? null : { ...a };
    },
    async listAccounts() {
      return [...accounts.values()].map((a) => ({ ...a }));
    },
    async setPasswordHash(name: string, passwordHash: string) {
      const a = accounts.get(name);
      if (a === undefined) throw new StoreError('NONEXISTENT', `no account ${name}`);
      a.passwordHash = passwordHash;
    },
    async deleteAccount(name: string) {
      if (!accounts.delete(name)) throw new StoreError('NONEXISTENT', `no account ${name}`);
    },
    async close() {},
  };
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop in t) return Reflect.get(t, prop, receiver);
      if (prop === 'then') return undefined;
      return () => Promise.reject(new Error(`test store: ${String(prop)} not implemented`));
    },
  }) as unknown as AccountOnlyStore;
}
