#!/usr/bin/env node
// tdig-agg: see lib/commands/agg.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-agg 0.1.0\n');
} else {
  await import('../dist/tdig-agg.mjs');
}
