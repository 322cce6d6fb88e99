#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// tdig-capture: see lib/commands/capture.ts
// (tdig makes no TLS connections; with NODE_EXTRA_CA_CERTS set, Node parses that CA bundle at every start)
'use strict';
require('./launch.js').launch('tdig-capture');
