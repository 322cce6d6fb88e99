#!/usr/bin/env node
// tdig-echo: see lib/commands/echo.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-echo 0.1.0\n');
} else {
  const { main } = await import('../dist/lib/cli/main.js');
  const { run } = await import('../dist/lib/commands/echo.js');
  main('tdig-echo', run);
}
