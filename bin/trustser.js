#!/usr/bin/env node
// The trustser command line (compiled TypeScript in dist/; `npm run build` or scripts/setup makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  console.error("trustser: not built yet; run 'bash scripts/setup' (or 'npm run build') first");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
