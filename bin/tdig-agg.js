#!/usr/bin/env node
// tdig-agg: see lib/commands/agg.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-agg 0.1.0\n');
} else {
  const { main } = await import('../dist/lib/cli/main.js');
  const { run } = await import('../dist/lib/commands/agg.js');
  main('tdig-agg', run);
}
