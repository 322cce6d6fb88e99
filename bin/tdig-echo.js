#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// tdig-echo: see lib/commands/echo.ts
// (tdig makes no TLS connections; with NODE_EXTRA_CA_CERTS set, Node parses that CA bundle at every start)
if (process.argv.includes('--version')) {
  process.stdout.write('tdig-echo 0.1.0\n');
} else {
  const { launch } = await import('../dist/lib/cli/launch.js').catch(() => {
    process.stderr.write('tdig-echo: not built: run npm run build\n');
    process.exit(1);
  });
  launch('tdig-echo');
}
