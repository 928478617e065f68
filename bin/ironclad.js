#!/usr/bin/env node
// Runs the compiled CLI in dist/ (scripts/setup.sh and `npm run build` make it; tsx is for development only).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: the compiled CLI (dist/) is missing\nhint: run npm run setup (or npm run build)\n');
  process.exit(70);
}
await import(entry.href);
