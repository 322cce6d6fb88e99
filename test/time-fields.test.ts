// Time differences are unsigned, as libsinsp's: an event stamped before the one printed before it (events
// from two CPUs are merged in the order their buffers give them, not sorted) has a delta of 2^64 minus its
// lead, in the fields, in sysdig's -tD and -tr output, and in a filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_SYSDIG, tdig } from './helpers.js';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { eventInfo } from '../lib/events/table.js';
import { event, i64, proc } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-time-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function type(name: string, dir: 0 | 1): number {
  for (let t = dir; t < 512; t += 2) if (eventInfo(t)?.name === name) return t;
  throw new Error(name);
}

// close enter and exit of two threads, 1 µs apart; the second event is stamped 671 ns before the first
const A = 100;
const B = 101;
const evs = [
  event(type('close', 0), A, [i64(7)]),
  event(type('close', 1), A, [i64(-9)]),
  event(type('close', 0), B, [i64(8)]),
  event(type('close', 1), B, [i64(-9)]),
];
evs[1]!.writeBigUInt64LE(evs[0]!.readBigUInt64LE(0) - 671n, 0);
const cap = join(dir, 'early.scap');
writeFileSync(cap, Buffer.concat([...sectionBlocks({ procs: [proc(A, 'a'), proc(B, 'b')] }), ...evs.map((e, i) => eventBlock(i % 2, 0, e, false))]));

const FIELDS = '%evt.num %evt.deltatime %evt.deltatime.s %evt.deltatime.ns %evt.reltime %evt.reltime.s';

function fmt(args: string[]): string {
  const r = tdig('tdig-fmt', [...args, cap]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('latin1');
}

test('an event stamped before the one before it: its deltas wrap as unsigned 64-bit values', () => {
  const lead = 671n;
  const wrapped = 2n ** 64n - lead;
  const s = wrapped / 1000000000n;
  const ns = String(wrapped % 1000000000n).padStart(9, '0');
  const lines = fmt(['-p', FIELDS]).split('\n').filter((l) => l !== '');
  // the second event: 671 ns before the first, so before the capture's first event too
  assert.equal(lines[1], `2 ${wrapped} ${s} ${ns} ${wrapped} ${s}`);
  assert.equal(lines[2], `3 ${2000n + lead} 0 ${String(2000n + lead).padStart(9, '0')} 000002000 0`);
  // -tD: the time since the event printed before; -tr: since the first event
  assert.match(fmt(['-tD']).split('\n')[1]!, new RegExp(`^2 ${s}\\.${ns} `));
  assert.match(fmt(['-tr']).split('\n')[1]!, new RegExp(`^2 ${s}\\.${ns} `));
  // a filter on the delta leaves that event out
  const f = tdig('tdig-filter', ['evt.deltatime.s in (0, 5)', cap]);
  assert.equal(f.status, 0, f.stderr.toString());
  assert.equal(tdig('tdig-fmt', ['-p', '%evt.num'], f.stdout).stdout.toString(), '1\n3\n4\n');
});

test('the same as sysdig 0.29.3: the fields, -tD, -tr and the filter', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  for (const args of [['-p', FIELDS], ['-tD'], ['-tr'], ['-p', '%evt.num', 'evt.deltatime.s in (0, 5)']]) {
    const s = spawnSync('sysdig', ['-r', cap, ...args], { encoding: 'latin1' });
    const t = tdig('tdig-fmt', [cap, ...args]);
    assert.equal(t.stdout.toString('latin1'), s.stdout, args.join(' '));
  }
});
