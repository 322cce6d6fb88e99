// Small synthetic captures for tests: process records and v2 events built by hand.
import type { ProcRecord } from '../lib/scap/types.js';

/** A process-list record of a single-threaded process. */
export function proc(tid: number, comm: string): ProcRecord {
  return {
    tid, pid: tid, ptid: 1, sid: tid, vpgid: tid, comm, exe: comm, exepath: '/usr/bin/' + comm,
    args: Buffer.from('-x\0'), cwd: '/tmp/', fdlimit: 1024n, flags: 0, uid: 0, gid: 0,
    vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0n, pfminor: 0n, env: Buffer.alloc(0),
    vtid: tid, vpid: tid, cgroups: Buffer.alloc(0), root: '/', loginuid: -1, tty: 0, pidnsInitStartTs: 0n,
  };
}

let ts = 1_700_000_000_000_000_000n;
/** A v2 event with the given params (each a Buffer), 1 µs after the one made before it. */
export function event(type: number, tid: number, params: Buffer[]): Buffer {
  ts += 1000n;
  const lens = Buffer.alloc(2 * params.length);
  params.forEach((p, i) => lens.writeUInt16LE(p.length, 2 * i));
  const hdr = Buffer.alloc(26);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(26 + lens.length + params.reduce((a, p) => a + p.length, 0), 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  return Buffer.concat([hdr, lens, ...params]);
}

export const i64 = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};

export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

/** A NUL-terminated string param. */
export const str = (s: string): Buffer => Buffer.from(s + '\0', 'latin1');
