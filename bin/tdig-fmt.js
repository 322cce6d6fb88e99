#!/usr/bin/env node
// tdig-fmt: see lib/commands/fmt.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-fmt 0.1.0\n');
} else {
  await import('../dist/tdig-fmt.mjs');
}
