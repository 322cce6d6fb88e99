#!/usr/bin/env node
// tdig-filter: see lib/commands/filter.ts
if (process.argv[2] === '--version' || process.argv[2] === '-V') {
  process.stdout.write('tdig-filter 0.1.0\n');
} else {
  await import('../dist/tdig-filter.mjs');
}
