#!/usr/bin/env node
// The `facteur` command: runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`facteur: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
