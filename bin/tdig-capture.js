#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// tdig-capture: see lib/commands/capture.ts
// (tdig makes no TLS connections; with NODE_EXTRA_CA_CERTS set, Node parses that CA bundle at every start)
const { launch } = await import('../dist/lib/cli/launch.js').catch(() => {
  process.stderr.write('tdig-capture: not built: run npm run build\n');
  process.exit(1);
});
launch('tdig-capture');
