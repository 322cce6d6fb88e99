#!/usr/bin/env node
// tdig-fmt: see lib/commands/fmt.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-fmt 0.1.0\n');
} else {
  const { main } = await import('../dist/lib/cli/main.js');
  const { run } = await import('../dist/lib/commands/fmt.js');
  main('tdig-fmt', run);
}
