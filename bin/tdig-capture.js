#!/usr/bin/env node
// tdig-capture: see lib/commands/capture.ts
await import('../dist/tdig-capture.mjs');
