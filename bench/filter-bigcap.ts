// Makes a big capture for bench/filter.sh: the header blocks of SRC, then its event blocks REPS times.
//   node dist/bench/filter-bigcap.js SRC DST REPS
// SRC may be gzip-compressed. DST is written plain, mode 0600.

import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const [src, dst, repsText] = process.argv.slice(2);
if (!src || !dst) {
  process.stderr.write('usage: filter-bigcap SRC DST [REPS]\n');
  process.exit(2);
}
const reps = Number(repsText ?? 1000);
const raw = readFileSync(src);
const b = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
const EVENT_BLOCKS = new Set([0x204, 0x208, 0x216, 0x217, 0x221, 0x222]);
let o = 0;
while (o + 8 <= b.length && !EVENT_BLOCKS.has(b.readUInt32LE(o))) {
  const len = b.readUInt32LE(o + 4);
  if (len < 12) throw new Error(`bad block length at ${o}`);
  o += len;
}
const fd = openSync(dst, 'w', 0o600);
writeSync(fd, b.subarray(0, o));
const events = b.subarray(o);
for (let i = 0; i < reps; i++) writeSync(fd, events);
closeSync(fd);
