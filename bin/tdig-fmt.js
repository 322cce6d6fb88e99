#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// tdig-fmt: see lib/commands/fmt.ts
// (tdig makes no TLS connections; with NODE_EXTRA_CA_CERTS set, Node parses that CA bundle at every start)
'use strict';
if (process.argv.includes('--version')) process.stdout.write('tdig-fmt 0.1.0\n');
else require('./launch.js').launch('tdig-fmt');
