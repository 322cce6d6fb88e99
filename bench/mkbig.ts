// Build a large capture for benchmarks: the header blocks of a real capture, then its event blocks
// repeated with timestamps shifted forward so the stream stays in time order.
// usage: node dist/bench/mkbig.js SRC.scap OUT.scap REPEATS
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const [src, out, repStr] = process.argv.slice(2);
if (!src || !out) {
  process.stderr.write('usage: mkbig SRC.scap OUT.scap [REPEATS]\n');
  process.exit(2);
}
const reps = Number(repStr ?? '1000');
let d = readFileSync(src);
if (d[0] === 0x1f && d[1] === 0x8b) d = gunzipSync(d);
const EVENT_TYPES = new Set([0x204, 0x216, 0x221, 0x208, 0x217, 0x222, 0x8010abcd]);
let pos = 0;
let firstEvent = -1;
while (pos < d.length) {
  if (EVENT_TYPES.has(d.readUInt32LE(pos))) {
    firstEvent = pos;
    break;
  }
  pos += d.readUInt32LE(pos + 4);
}
const header = d.subarray(0, firstEvent);
const events = Buffer.from(d.subarray(firstEvent));
// offsets of each event's timestamp
const tsOffsets: number[] = [];
let firstTs = 0n;
let lastTs = 0n;
for (let p = 0; p < events.length; ) {
  const t = events.readUInt32LE(p);
  const hasFlags = t === 0x208 || t === 0x217 || t === 0x222;
  const evOff = p + 8 + 2 + (hasFlags ? 4 : 0);
  tsOffsets.push(evOff);
  const ts = events.readBigUInt64LE(evOff);
  if (firstTs === 0n) firstTs = ts;
  lastTs = ts;
  p += events.readUInt32LE(p + 4);
}
const span = lastTs - firstTs + 1000n;
const fd = openSync(out, 'w', 0o600);
writeSync(fd, header);
for (let r = 0; r < reps; r++) {
  if (r > 0) for (const o of tsOffsets) events.writeBigUInt64LE(events.readBigUInt64LE(o) + span, o);
  writeSync(fd, events);
}
closeSync(fd);
process.stdout.write(`${out}: ${tsOffsets.length * reps} events\n`);
