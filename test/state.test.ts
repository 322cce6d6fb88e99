// The state engine's contracts beyond sysdig's goldens: state-only events, evt.num across sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import type { ProcRecord } from '../lib/scap/types.js';
import { tdigText } from './helpers.js';

function proc(tid: number, comm: string): ProcRecord {
  return {
    tid, pid: tid, ptid: 1, sid: tid, vpgid: tid, comm, exe: comm, exepath: '/usr/bin/' + comm,
    args: Buffer.from('-x\0'), cwd: '/tmp/', fdlimit: 1024n, flags: 0, uid: 0, gid: 0,
    vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0n, pfminor: 0n, env: Buffer.alloc(0),
    vtid: tid, vpid: tid, cgroups: Buffer.alloc(0), root: '/', loginuid: -1, tty: 0, pidnsInitStartTs: 0n,
  };
}

let ts = 1_700_000_000_000_000_000n;
/** A v2 event with the given params (each a Buffer). */
function event(type: number, tid: number, params: Buffer[]): Buffer {
  ts += 1000n;
  const lens = Buffer.alloc(2 * params.length);
  params.forEach((p, i) => lens.writeUInt16LE(p.length, 2 * i));
  const hdr = Buffer.alloc(26);
  const len = 26 + lens.length + params.reduce((a, p) => a + p.length, 0);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(len, 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  return Buffer.concat([hdr, lens, ...params]);
}
const i64 = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const str = (s: string): Buffer => Buffer.from(s + '\0', 'latin1');

function capture(stateOnly: boolean): Buffer {
  const blocks = sectionBlocks({ procs: [proc(100, 'mycli')] });
  const flags = stateOnly ? 1 : 0;
  blocks.push(eventBlock(0, flags, event(2, 100, [str('/etc/passwd'), u32(1), u32(0)]), false));
  blocks.push(eventBlock(0, flags, event(3, 100, [i64(3), str('/etc/passwd'), u32(1), u32(0), u32(0)]), false));
  blocks.push(eventBlock(0, 0, event(6, 100, [i64(3), u32(100)]), false));
  return Buffer.concat(blocks);
}

test('state-only events update the fd table but are not printed, and still take an event number', () => {
  const out = tdigText('tdig-fmt', [], capture(true)).split('\n').filter((l) => l);
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^3 \S+ 0 mycli \(100\) > read fd=3\(<f>\/etc\/passwd\) size=100 $/);
});

test('the same events without the state-only flag are all printed', () => {
  const out = tdigText('tdig-fmt', [], capture(false)).split('\n').filter((l) => l);
  assert.equal(out.length, 3);
  assert.match(out[1]!, /^2 .* < open fd=3\(<f>\/etc\/passwd\) name=\/etc\/passwd flags=1\(O_RDONLY\) mode=0 dev=0 $/);
});

test('evt.num runs on across concatenated sections, and each section starts with fresh tables', () => {
  const two = Buffer.concat([capture(false), capture(false)]);
  const out = tdigText('tdig-fmt', ['-p', '*%evt.num %fd.name'], two).split('\n').filter((l) => l);
  assert.deepEqual(out.map((l) => l.split(' ')[0]), ['1', '2', '3', '4', '5', '6']);
});
