/**
 * The store arguments of `facteur store copy|verify`: `sqlite:DIR` (a data directory) or a
 * PostgreSQL URL (`postgres://` or `postgresql://`, as --store accepts).
 *
 * Invariants: a spec is parsed before anything is opened; descriptions never show a password.
 */
import { resolve } from 'node:path';
import { TransferError } from './types.js';

export type StoreSpec = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

const POSTGRES = /^postgres(ql)?:\/\//i;

export function parseStoreSpec(text: string | undefined, flag: string): StoreSpec {
  if (text === undefined || text === '') throw new TransferError(`${flag} is required: sqlite:DIR or postgres://USER@HOST:PORT/DATABASE`);
  if (text.startsWith('sqlite:')) {
    const dir = text.slice('sqlite:'.length);
    if (dir === '') throw new TransferError(`${flag} sqlite: needs the data directory (sqlite:/var/lib/facteur)`);
    return { kind: 'sqlite', dataDir: resolve(dir) };
  }
  if (POSTGRES.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new TransferError(`${flag}: not a valid URL: ${describeUrl(text)}`);
    }
    if (url.hostname === '' && !url.searchParams.has('host')) throw new TransferError(`${flag}: the PostgreSQL URL names no host`);
    if (url.pathname === '' || url.pathname === '/') throw new TransferError(`${flag}: the PostgreSQL URL names no database (postgres://USER@HOST:PORT/DATABASE)`);
    return { kind: 'postgres', url: text };
  }
  throw new TransferError(`${flag}: expected sqlite:DIR or postgres://USER@HOST:PORT/DATABASE, got ${JSON.stringify(describeUrl(text))}`);
}

/** A URL without its password, for messages. */
export function describeUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/:[^:@/]*@/, ':***@');
  }
}

export function describeSpec(spec: StoreSpec): string {
  return spec.kind === 'sqlite' ? `sqlite:${spec.dataDir}` : describeUrl(spec.url);
}

/** Whether two specs name the same store (a copy onto itself would read what it writes). */
export function sameStore(a: StoreSpec, b: StoreSpec): boolean {
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return a.dataDir === b.dataDir;
  if (a.kind === 'postgres' && b.kind === 'postgres') {
    try {
      const x = new URL(a.url);
      const y = new URL(b.url);
      return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname &&
        x.searchParams.get('options') === y.searchParams.get('options');
    } catch {
      return a.url === b.url;
    }
  }
  return false;
}
