#!/usr/bin/env node
// Rewrite a capture's event timestamps to an even grid: event i (from 0) gets FIRST + i * STEP_NS, where
// FIRST is the first event's timestamp. Everything else is kept. Windows of a whole number of
// milliseconds then end exactly on events, which tests that evt.around includes both ends.
// usage: node tools/retime-capture.mjs IN.scap OUT.scap STEP_NS      (after npx tsc -p tsconfig.json)
import { writeFileSync } from 'node:fs';
import { readBlocks } from '../dist/lib/scap/reader.js';
import { openInput } from '../dist/lib/scap/input.js';
import { eventInfo } from '../dist/lib/events/table.js';
import { eventBlock } from '../dist/lib/scap/writer.js';

const [src, dst, stepArg] = process.argv.slice(2);
if (!src || !dst || !/^\d+$/.test(stepArg ?? '')) {
  process.stderr.write('usage: node tools/retime-capture.mjs IN.scap OUT.scap STEP_NS\n');
  process.exit(2);
}
const step = BigInt(stepArg);
const out = [];
let first;
let i = 0n;
await readBlocks(openInput(src), {
  header(b) {
    out.push(Buffer.from(b.buf.subarray(b.start, b.end)));
  },
  event(ev) {
    first ??= ev.ts;
    const bytes = ev.copyBytes();
    bytes.writeBigUInt64LE(first + i++ * step, 0);
    out.push(eventBlock(ev.cpu, ev.flags, bytes, ev.lenSize === 4));
  },
}, { tableNparams: (t) => eventInfo(t)?.params.length ?? 0, name: src });
writeFileSync(dst, Buffer.concat(out), { mode: 0o600 });
