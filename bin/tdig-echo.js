#!/usr/bin/env node
// tdig-echo: see lib/commands/echo.ts
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-echo 0.1.0\n');
} else {
  await import('../dist/tdig-echo.mjs');
}
