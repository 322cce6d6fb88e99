#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node --v8-pool-size=1 --interrupt-budget=135168
// tdig-fmt: see lib/commands/fmt.ts
// (tdig makes no TLS connections; with NODE_EXTRA_CA_CERTS set, Node parses that CA bundle at every start.
// One V8 helper thread, not four: on two cores, four contend with the main thread; see README, Speed.)
'use strict';
require('./launch.js').launch('tdig-fmt');
