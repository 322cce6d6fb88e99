// Numeric fields that take numbers beyond 31 bits start wide (WIDE, lib/scap/event.ts): an object of these
// classes keeps its V8 map when such a number arrives, so optimized code that has seen it stays valid.
// (V8's own view of it, through --allow-natives-syntax in a child process: %HaveSameMap.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../lib/', import.meta.url));

const script = `
import { EventView } from '${dist}scap/event.js';
import { Thread } from '${dist}state/model.js';
import { Sum } from '${dist}chisels/table.js';
const out = {};
// an event whose timestamp's low word is below 2^31, then one above, as a capture's events go
const ev = (lo) => {
  const b = Buffer.alloc(26);
  b.writeUInt32LE(lo, 0);
  b.writeUInt32LE(0x18000000, 4);
  b.writeUInt32LE(26, 16);
  return b;
};
const a = new EventView(), b = new EventView();
a.set(ev(5), 0, false, false, 0);
b.set(ev(5), 0, false, false, 0);
b.set(ev(0x90000000), 0, false, false, 0);
b.streamOffset = 2 ** 32;
b.num = 2 ** 31;
out.eventView = %HaveSameMap(a, b);
out.tsLo = b.tsLo;
const t = new Thread(1, 1), u = new Thread(2, 2);
u.enterTsLo = 0x90000000;
u.latency = 5e9;
u.loginuid = 0xffffffff;
u.pfminor = 5e9;
u.vmsizeKb = 3e9;
u.fdlimit = 2 ** 64 - 1;
out.thread = %HaveSameMap(t, u);
out.latency = Object.is(t.latency, 0);
out.start = [t.fdlimit, Object.is(t.loginuid, 0), Object.is(t.pfminor, 0)];
// a table chisel's sums: bytes and nanoseconds add up past 2^31
const s1 = new Sum(5), s2 = new Sum(5);
s2.v += 3e9;
out.sum = %HaveSameMap(s1, s2);
process.stdout.write(JSON.stringify(out));
`;

test('timestamps, offsets, latencies and sums beyond 31 bits leave the map of events, threads and sums as it was', () => {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { eventView: true, tsLo: 0x90000000, thread: true, latency: true, start: [-1, true, true], sum: true });
});
