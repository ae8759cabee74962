// Enforces the layer rules of ../shared/DESIGN.md and docs/architecture.md: imports point inward only,
// protocol/ and pure libraries do no I/O, and only the composition root (src/main.ts) picks a
// storage backend. Test files (*.test.ts) may reach further, since they assemble real stacks.
// Exits 1 and names every offending import.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve('src');
const IO_MODULES = ['fs', 'net', 'tls', 'child_process', 'http', 'https', 'dgram', 'worker_threads', 'cluster'];

/** Layer of a src-relative file path: the first rule whose prefix matches. */
const LAYERS = [
  ['imap/protocol/', 'imap-protocol'],
  ['imap/session/', 'imap-session'],
  ['imap/commands/', 'imap-commands'],
  ['store/sqlite/', 'store-backend'],
  ['store/postgres/', 'store-backend'],
  ['store/memory/', 'store-backend'],
  ['store/blobs/', 'store-backend'],
  ['store/contract/', 'store-contract'],
  ['store/', 'store'],
  ['wire/', 'wire'],
  ['sieve/', 'sieve'],
  ['delivery/', 'delivery'],
  ['lmtp/', 'lmtp'],
  ['managesieve/', 'managesieve'],
  ['mime/', 'mime'],
  ['auth/', 'auth'],
  ['config/', 'config'],
  ['observability/', 'observability'],
  ['cli/', 'cli'],
  ['main.ts', 'main'],
];
/** What each layer may import (besides itself). */
const ALLOWED = {
  wire: [],
  'imap-protocol': ['wire', 'mime-types'],
  'imap-session': ['imap-protocol', 'wire', 'store', 'mime', 'auth', 'observability', 'config'],
  'imap-commands': ['imap-session', 'imap-protocol', 'wire', 'store', 'mime', 'auth', 'observability'],
  mime: [],
  // Sieve is a pure language library (DESIGN: "never sieve -> store"); it reads messages via mime.
  sieve: ['mime'],
  // The one path into a mailbox: parse once, run Sieve, apply actions, store; sends redirect and
  // vacation mail itself.
  delivery: ['sieve', 'store', 'mime', 'observability', 'wire', 'config'],
  // LMTP calls delivery and nothing below it (DESIGN layers).
  lmtp: ['delivery', 'wire', 'observability', 'config'],
  managesieve: ['wire', 'sieve', 'store', 'auth', 'observability', 'config'],
  store: ['observability'],
  'store-backend': ['store', 'observability'],
  'store-contract': ['store'],
  auth: ['store', 'observability', 'wire'],
  config: [],
  observability: [],
  cli: ['main', 'config', 'auth', 'store', 'observability', 'delivery', 'sieve'],
  main: ['config', 'store', 'store-backend', 'auth', 'imap-session', 'imap-commands', 'imap-protocol', 'wire', 'observability', 'mime',
    'sieve', 'delivery', 'lmtp', 'managesieve'],
};
const PURE = new Set(['imap-protocol', 'mime', 'wire-pure', 'sieve']);

function layerOf(rel) {
  for (const [prefix, name] of LAYERS) if (rel === prefix || rel.startsWith(prefix)) return name;
  return null;
}
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}
const problems = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of walk(root, [])) {
  const rel = relative(root, file).split(sep).join('/');
  const isTest = rel.endsWith('.test.ts');
  const layer = layerOf(rel);
  if (!layer) { problems.push(`${rel}: file is in no known layer (see scripts/check-imports.mjs)`); continue; }
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
      if (target.startsWith('..')) { problems.push(`${rel}: imports ${spec}, outside src/`); continue; }
      const tl = layerOf(target);
      if (tl === layer) continue;
      if (isTest) { if (tl === 'imap-session' || tl === 'store-backend' || tl === 'main') continue; }
      // mime's type-only module may be named by protocol (encoders of ENVELOPE/BODYSTRUCTURE data).
      const effective = tl === 'mime' && target === 'mime/types.ts' ? 'mime-types' : tl;
      if (!(ALLOWED[layer] ?? []).includes(effective) && !(ALLOWED[layer] ?? []).includes(tl)) {
        problems.push(`${rel}: ${layer} may not import ${target} (${tl})`);
      }
    } else if (!isTest && PURE.has(layer)) {
      const bare = spec.replace(/^node:/, '').split('/')[0];
      if (IO_MODULES.includes(bare)) problems.push(`${rel}: ${layer} is pure and may not import ${spec}`);
    }
  }
}
if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} layer rule violation(s):\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log('check-imports: layer rules hold');
