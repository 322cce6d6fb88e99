import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { DataError } from '../lib/cli/errors.js';
import { BlockKind, blockTypeInfo, frameBlock, sectionHeaderBlock, SHB, EV_V2, EVF_V2, EV_V2_LARGE } from '../lib/scap/blocks.js';
import {
  decodeFdList,
  decodeInterfaces,
  decodeMachineInfo,
  decodeProcList,
  decodeSectionHeader,
  decodeUsers,
  encodeFdList,
  encodeInterfaces,
  encodeMachineInfo,
  encodeProcList,
  encodeUsers,
} from '../lib/scap/records.js';
import { FdKind } from '../lib/scap/types.js';
import type { FdList, MachineInfo, NetInterface, ProcRecord, SectionHeader, UserList } from '../lib/scap/types.js';
import { ScapWriter, eventBlock, writeEventBlockInto } from '../lib/scap/writer.js';

const FIX = '/work/shared/fixtures';
const VEC = '/work/shared/reference/vectors';

interface RawBlock {
  type: number;
  offset: number;
  /** body without header and trailer, padding included */
  body: Buffer;
}

function load(path: string): Buffer {
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

function walk(data: Buffer): RawBlock[] {
  const out: RawBlock[] = [];
  let o = 0;
  while (o + 8 <= data.length) {
    const type = data.readUInt32LE(o);
    const len = data.readUInt32LE(o + 4);
    assert.ok(len >= 12 && o + len <= data.length, `bad block at ${o}`);
    assert.equal(data.readUInt32LE(o + len - 4), len, `trailer at ${o}`);
    out.push({ type, offset: o, body: data.subarray(o + 8, o + len - 4) });
    o += len;
  }
  assert.equal(o, data.length);
  return out;
}

interface Section {
  shb: SectionHeader;
  machine?: MachineInfo;
  interfaces?: NetInterface[];
  ilVersion?: number;
  users?: UserList;
  ulVersion?: number;
  procs: ProcRecord[];
  plVersions: number[];
  fds: FdList[];
  fdlVersions: number[];
  events: RawBlock[];
  unknown: number[];
}

function sections(data: Buffer): Section[] {
  const out: Section[] = [];
  let cur: Section | undefined;
  for (const b of walk(data)) {
    const info = blockTypeInfo(b.type);
    const base = b.offset + 8;
    if (info.kind === BlockKind.Section) {
      cur = { shb: decodeSectionHeader(b.body, b.offset), procs: [], plVersions: [], fds: [], fdlVersions: [], events: [], unknown: [] };
      out.push(cur);
      continue;
    }
    assert.ok(cur, 'block before SHB');
    switch (info.kind) {
      case BlockKind.MachineInfo:
        cur.machine = decodeMachineInfo(b.body, base);
        break;
      case BlockKind.Interfaces:
        cur.interfaces = decodeInterfaces(b.body, info.version, base);
        cur.ilVersion = info.version;
        break;
      case BlockKind.Users:
        cur.users = decodeUsers(b.body, info.version, base);
        cur.ulVersion = info.version;
        break;
      case BlockKind.ProcList:
        cur.procs.push(...decodeProcList(b.body, info.version, base));
        cur.plVersions.push(info.version);
        break;
      case BlockKind.FdList:
        cur.fds.push(decodeFdList(b.body, info.version, base));
        cur.fdlVersions.push(info.version);
        break;
      case BlockKind.Event:
        cur.events.push(b);
        break;
      default:
        cur.unknown.push(b.type);
    }
  }
  return out;
}

const FIXTURES = ['curl_google', 'curl_google_comments', 'single_ipv6_conn', 'test_ipv6_client'].map((n) => join(FIX, `${n}.scap`));
const VECTORS = ['synth', 'synth3'].map((n) => join(VEC, `${n}.scap`));
const ALL = [...FIXTURES, ...VECTORS];

function ip4(b: Buffer): string {
  return Array.from(b).join('.');
}

test('curl_google: SHB 1.0, MI, IL v1, UL v1, PL v5, 54 FDL v1', () => {
  const [s, ...rest] = sections(load(join(FIX, 'curl_google.scap')));
  assert.equal(rest.length, 0);
  assert.ok(s);
  assert.equal(s.shb.major, 1);
  assert.equal(s.shb.minor, 0);
  assert.equal(s.shb.sectionLength, -1n);
  assert.equal(s.shb.options.length, 0);
  assert.ok(s.machine);
  assert.equal(s.machine.numCpus, 1);
  assert.equal(s.machine.memorySizeBytes, 1038864384n);
  assert.equal(s.machine.hostname, 'ip-10-0-0-79');
  assert.deepEqual(s.plVersions, [5]);
  assert.equal(s.ilVersion, 1);
  assert.equal(s.ulVersion, 1);
  assert.equal(s.fds.length, 54);
  assert.ok(s.fdlVersions.every((v) => v === 1));
  assert.equal(s.events.length, 1536);
  assert.ok(s.interfaces && s.interfaces.length > 0);
  assert.ok(s.users && s.users.users.some((u) => u.name === 'root' && u.uid === 0));
  // v5 entries: no sid/vpgid/exepath
  const init = s.procs.find((p) => p.tid === 1);
  assert.ok(init);
  assert.equal(init.pid, 1);
  assert.equal(init.sid, -1);
  assert.equal(init.vpgid, -1);
  assert.equal(init.exepath, '');
  assert.equal(init.loginuid, -1);
});

test('curl_google_comments: SHB options kept raw', () => {
  const [s] = sections(load(join(FIX, 'curl_google_comments.scap')));
  assert.ok(s);
  assert.equal(s.shb.options.length, 116 - 28);
  assert.ok(s.shb.options.toString('latin1').includes('File-level comment'));
  assert.equal(s.machine?.hostname, 'ip-10-0-0-79');
});

test('single_ipv6_conn: SHB 1.2, ILv2, ULv2, PLv9 ending after root, 154 FDLv2', () => {
  const data = load(join(FIX, 'single_ipv6_conn.scap'));
  const [s] = sections(data);
  assert.ok(s);
  assert.equal(s.shb.minor, 2);
  assert.deepEqual(s.plVersions, [9]);
  assert.equal(s.ilVersion, 2);
  assert.equal(s.ulVersion, 2);
  assert.equal(s.fds.length, 154);
  assert.ok(s.fdlVersions.every((v) => v === 2));
  assert.ok(s.procs.length > 0);
  // tids 25886/25888 are missing from the PL
  assert.ok(!s.procs.some((p) => p.tid === 25886 || p.tid === 25888));
  // entries end right after root: re-encoding without the tail gives the same bytes
  const pl = walk(data).find((b) => b.type === 0x215);
  assert.ok(pl);
  const enc = encodeProcList(s.procs);
  assert.ok(pl.body.length - enc.length < 4);
  assert.ok(pl.body.subarray(0, enc.length).equals(enc));
  for (const p of s.procs) {
    assert.equal(p.loginuid, -1);
    assert.equal(p.tty, 0);
    assert.equal(p.exeWritable, undefined);
  }
});

test('sshd fd 3 is 10.0.0.79:22 -> 50.207.137.246:63740 (local->remote)', () => {
  let found = 0;
  for (const f of [join(FIX, 'curl_google.scap')]) {
    const [s] = sections(load(f));
    assert.ok(s);
    for (const fl of s.fds) {
      const proc = s.procs.find((p) => p.tid === fl.tid);
      if (!proc || proc.comm !== 'sshd') continue;
      const fd3 = fl.fds.find((r) => r.fd === 3);
      if (!fd3 || fd3.type !== FdKind.Ipv4Sock) continue;
      assert.equal(ip4(fd3.sip), '10.0.0.79');
      assert.equal(fd3.sport, 22);
      assert.equal(ip4(fd3.dip), '50.207.137.246');
      assert.equal(fd3.dport, 63740);
      assert.equal(fd3.l4proto, 2);
      found++;
    }
    if (f.includes('curl_google')) assert.equal(found, 2, 'sshd 3111 and 3199 in curl_google');
  }
});

test('fd types seen in fixtures decode sensibly', () => {
  const types = new Set<number>();
  for (const f of FIXTURES) {
    for (const s of sections(load(f))) {
      for (const fl of s.fds) {
        for (const r of fl.fds) {
          types.add(r.type);
          if (r.type === FdKind.UnixSock) assert.equal(typeof r.source, 'bigint');
          if (r.type === FdKind.Ipv6Sock) assert.equal(r.sip.length, 16);
          if (r.type === FdKind.Ipv4ServSock) assert.equal(r.sip.length, 4);
        }
      }
    }
  }
  assert.ok(types.has(FdKind.File) || types.has(FdKind.FileV2));
  assert.ok(types.has(FdKind.UnixSock));
});

test('synth vectors: MI, IL, PL v9, FDL v2 FILE_V2 without dev, unknown block', () => {
  const [s] = sections(load(join(VEC, 'synth.scap')));
  assert.ok(s);
  assert.equal(s.machine?.numCpus, 2);
  assert.equal(s.machine?.memorySizeBytes, 1n << 30n);
  assert.equal(s.machine?.maxPid, 32768n);
  assert.equal(s.machine?.hostname, 'synthhost');
  assert.deepEqual(
    s.interfaces?.map((i) => [i.type, i.name, ip4(i.addr), ip4(i.netmask)]),
    [
      [1, 'lo', '127.0.0.1', '255.0.0.0'],
      [1, 'eth0', '10.1.1.1', '255.255.255.0'],
    ],
  );
  assert.equal(s.procs.length, 2);
  const cli = s.procs[0]!;
  assert.equal(cli.tid, 100);
  assert.equal(cli.ptid, 1);
  assert.equal(cli.sid, 100);
  assert.equal(cli.vpgid, 100);
  assert.equal(cli.comm, 'mycli');
  assert.equal(cli.exepath, '/usr/bin/mycli');
  assert.deepEqual(cli.args, Buffer.from('-x\0host\0'));
  assert.equal(cli.cwd, '/tmp/');
  assert.equal(cli.fdlimit, 1024n);
  assert.equal(cli.uid, 1000);
  assert.equal(cli.vtid, 100);
  assert.equal(cli.root, '/');
  assert.equal(s.procs[1]!.exe, '/sbin/init');
  assert.equal(s.fds.length, 1);
  assert.equal(s.fds[0]!.tid, 100);
  const fd0 = s.fds[0]!.fds[0]!;
  assert.equal(fd0.type, FdKind.FileV2);
  assert.equal(fd0.fd, 0);
  assert.equal(fd0.openFlags, 3);
  assert.equal(fd0.name, '/dev/pts/0');
  assert.equal(fd0.dev, 0);

  const [s3] = sections(load(join(VEC, 'synth3.scap')));
  assert.deepEqual(s3?.unknown, [0x999]);
  assert.equal(s3?.procs.length, 2);
});

test('round trip: decode -> encode -> decode is identity for every section', () => {
  for (const f of ALL) {
    for (const s of sections(load(f))) {
      if (s.machine) assert.deepEqual(decodeMachineInfo(encodeMachineInfo(s.machine)), s.machine, f);
      if (s.interfaces) assert.deepEqual(decodeInterfaces(encodeInterfaces(s.interfaces), 2), s.interfaces, f);
      if (s.users) assert.deepEqual(decodeUsers(encodeUsers(s.users), 2), s.users, f);
      assert.deepEqual(decodeProcList(encodeProcList(s.procs), 9), s.procs, f);
      for (const fl of s.fds) assert.deepEqual(decodeFdList(encodeFdList(fl), 2), fl, f);
      // encoded bodies pass through framing and back
      const framed = frameBlock(0x215, encodeProcList(s.procs));
      assert.deepEqual(decodeProcList(framed.subarray(8, framed.length - 4), 9), s.procs);
    }
  }
});

test('v2 bodies written by libs re-encode byte for byte (FDL: FILE_V2 gains dev)', () => {
  const data = load(join(FIX, 'single_ipv6_conn.scap'));
  for (const b of walk(data)) {
    const strip = (enc: Buffer): void => {
      assert.ok(b.body.length - enc.length < 4 && b.body.length >= enc.length, `size ${b.type.toString(16)}`);
      assert.ok(b.body.subarray(0, enc.length).equals(enc), `bytes of block 0x${b.type.toString(16)} at ${b.offset}`);
    };
    if (b.type === 0x201) strip(encodeMachineInfo(decodeMachineInfo(b.body)));
    if (b.type === 0x219) strip(encodeInterfaces(decodeInterfaces(b.body, 2)));
    if (b.type === 0x220) strip(encodeUsers(decodeUsers(b.body, 2)));
    if (b.type === 0x218) {
      // the fixture's FILE_V2 entries carry no dev; the encoder always writes it (4 bytes more each)
      const fl = decodeFdList(b.body, 2);
      const nFileV2 = fl.fds.filter((r) => r.type === FdKind.FileV2).length;
      const enc = encodeFdList(fl);
      assert.ok(b.body.length + 4 * nFileV2 - enc.length < 4 && b.body.length + 4 * nFileV2 >= enc.length);
      if (nFileV2 === 0) strip(enc);
    }
  }
});

test('PL v9 optional tail: HEAD order, pre-0.10 order, extended round trip', () => {
  const [s] = sections(load(join(VEC, 'synth.scap')));
  const base = s!.procs[0]!;
  const full: ProcRecord = {
    ...base,
    loginuid: 1000,
    tty: 34816,
    pidnsInitStartTs: 123456789n,
    exeWritable: true,
    capInheritable: 1n,
    capPermitted: 2n,
    capEffective: 3n,
    exeUpperLayer: false,
    exeIno: 77n,
    exeInoCtime: 88n,
    exeInoMtime: 99n,
    exeFromMemfd: true,
    exeLowerLayer: false,
    pgid: 100,
  };
  assert.deepEqual(decodeProcList(encodeProcList([full], { tail: 'head' }), 9), [full]);
  // pre-0.10 tail: loginuid, exe_writable, 3 caps (29 bytes) right after root
  const short = encodeProcList([base]);
  const tail = Buffer.alloc(29);
  tail.writeInt32LE(500, 0);
  tail[4] = 1;
  tail.writeBigUInt64LE(7n, 5);
  const entry = Buffer.concat([short, tail]);
  entry.writeUInt32LE(entry.length, 0);
  const [p] = decodeProcList(entry, 9);
  assert.equal(p!.loginuid, 500);
  assert.equal(p!.tty, 0);
  assert.equal(p!.pidnsInitStartTs, 0n);
  assert.equal(p!.exeWritable, true);
  assert.equal(p!.capInheritable, 7n);
  // the pre-0.10 tail written by the encoder
  const pre = { ...base, loginuid: 1000, exeWritable: false, capInheritable: 0n, capPermitted: 5n, capEffective: 6n };
  assert.deepEqual(decodeProcList(encodeProcList([pre], { tail: 'pre010' }), 9), [pre]);
  assert.equal(encodeProcList([pre], { tail: 'pre010' }).length, short.length + 29);
  // unknown extra bytes after the known tail are skipped by entrylen
  const big = Buffer.concat([encodeProcList([full], { tail: 'head' }), Buffer.alloc(13, 0xee)]);
  big.writeUInt32LE(big.length, 0);
  const two = Buffer.concat([big, big, Buffer.alloc(3)]);
  assert.deepEqual(decodeProcList(two, 9), [full, full]);
});

test('every PL version 1..9 decodes its own layout', () => {
  // build entries by hand for v1..v8 from the v9 encoding of one record, dropping fields per version
  const p: ProcRecord = {
    tid: 42, pid: 40, ptid: 1, sid: 7, vpgid: 8, comm: 'c', exe: 'e', exepath: '/x/e', args: Buffer.from('a\0b'),
    cwd: '/w/', fdlimit: 4096n, flags: 5, uid: 6, gid: 7, vmsizeKb: 1, vmrssKb: 2, vmswapKb: 3, pfmajor: 4n, pfminor: 5n,
    env: Buffer.from('K=V'), vtid: 2, vpid: 3, cgroups: Buffer.from('cpu=/'), root: '/r', loginuid: -1, tty: 0,
    pidnsInitStartTs: 0n,
  };
  const s = (t: string): Buffer => { const b = Buffer.alloc(2 + t.length); b.writeUInt16LE(t.length); b.write(t, 2, 'latin1'); return b; };
  const i64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; };
  const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  for (let v = 1; v <= 8; v++) {
    const parts: Buffer[] = [i64(p.tid), i64(p.pid), i64(p.ptid)];
    if (v >= 6) parts.push(i64(p.sid));
    if (v >= 8) parts.push(i64(p.vpgid));
    parts.push(s(p.comm), s(p.exe));
    if (v >= 7) parts.push(s(p.exepath));
    parts.push(s(p.args.toString('latin1')), s(p.cwd), i64(4096), u32(p.flags), u32(p.uid), u32(p.gid));
    if (v >= 2) {
      parts.push(u32(1), u32(2), u32(3), i64(4), i64(5));
      if (v >= 3) parts.push(s('K=V'));
      if (v >= 4) {
        parts.push(i64(2), i64(3), s('cpu=/'));
        if (v >= 5) parts.push(s('/r'));
      }
    }
    const one = Buffer.concat(parts);
    const body = Buffer.concat([one, one, Buffer.alloc((4 - ((one.length * 2) % 4)) % 4)]);
    const got = decodeProcList(body, v);
    assert.equal(got.length, 2, `v${v}`);
    const g = got[0]!;
    assert.equal(g.tid, 42);
    assert.equal(g.sid, v >= 6 ? 7 : -1);
    assert.equal(g.vpgid, v >= 8 ? 8 : -1);
    assert.equal(g.exepath, v >= 7 ? '/x/e' : '');
    assert.equal(g.vmrssKb, v >= 2 ? 2 : 0);
    assert.deepEqual(g.env, v >= 3 ? Buffer.from('K=V') : Buffer.alloc(0));
    assert.equal(g.vpid, v >= 4 ? 3 : -1);
    assert.equal(g.root, v >= 5 ? '/r' : '');
  }
  // legacy ids map to versions
  assert.equal(blockTypeInfo(0x8000abcd).version, 1);
  assert.equal(blockTypeInfo(0x8013abcd).version, 2);
  assert.equal(blockTypeInfo(0x8014abcd).version, 3);
});

test('FDL: every fd type round-trips; unknown v2 type is skipped by entrylen', () => {
  const base = { ino: 5n, name: '', openFlags: 0, dev: 0, sip: Buffer.alloc(0), dip: Buffer.alloc(0), sport: 0, dport: 0, l4proto: 0, source: 0n, dest: 0n };
  const list: FdList = {
    tid: 1234,
    fds: [
      { ...base, fd: 0, type: FdKind.File, name: '/dev/null' },
      { ...base, fd: 1, type: FdKind.FileV2, name: '/tmp/x', openFlags: 0x1002, dev: 0x803 },
      { ...base, fd: 2, type: FdKind.Directory, name: '/etc' },
      { ...base, fd: 3, type: FdKind.Ipv4Sock, sip: Buffer.from([10, 0, 0, 1]), dip: Buffer.from([8, 8, 8, 8]), sport: 5555, dport: 53, l4proto: 3 },
      { ...base, fd: 4, type: FdKind.Ipv6Sock, sip: Buffer.alloc(16, 1), dip: Buffer.alloc(16, 2), sport: 1, dport: 2, l4proto: 2 },
      { ...base, fd: 5, type: FdKind.Ipv4ServSock, sip: Buffer.from([0, 0, 0, 0]), sport: 8080, l4proto: 2 },
      { ...base, fd: 6, type: FdKind.Ipv6ServSock, sip: Buffer.alloc(16), sport: 22, l4proto: 2 },
      { ...base, fd: 7, type: FdKind.UnixSock, source: 0xffff88003c420800n, dest: 0n, name: '/run/s' },
      ...[FdKind.Fifo, FdKind.Event, FdKind.Unsupported, FdKind.SignalFd, FdKind.EventPoll, FdKind.Inotify, FdKind.TimerFd,
        FdKind.Netlink, FdKind.Bpf, FdKind.UserFaultFd, FdKind.IoUring, FdKind.MemFd, FdKind.PidFd].map((t, i) => ({ ...base, fd: 10 + i, type: t, name: `n${t}` })),
      { ...base, fd: -1, type: 0 },
    ],
  };
  const enc = encodeFdList(list);
  assert.deepEqual(decodeFdList(enc, 2), list);
  // unknown type 99 with a 6-byte payload, between two known entries
  const e1 = encodeFdList({ tid: 9, fds: [list.fds[0]!] });
  const e2 = encodeFdList({ tid: 9, fds: [list.fds[2]!] });
  const unk = Buffer.alloc(4 + 17 + 6, 0xab);
  unk.writeUInt32LE(unk.length, 0);
  unk.writeBigInt64LE(33n, 4);
  unk.writeBigUInt64LE(0n, 12);
  unk[20] = 99;
  const body = Buffer.concat([e1, unk, e2.subarray(8), Buffer.alloc(1)]);
  const got = decodeFdList(body, 2);
  assert.equal(got.fds.length, 3);
  assert.equal(got.fds[1]!.fd, 33);
  assert.equal(got.fds[1]!.type, FdKind.Unsupported);
  assert.equal(got.fds[1]!.name, 'unknown-type:[99]');
  assert.equal(got.fds[2]!.name, '/etc');
  // same in v1 is an error
  const v1 = Buffer.alloc(8 + 17 + 8);
  v1[8 + 16] = 99;
  assert.throws(() => decodeFdList(v1, 1, 1000), (e: unknown) => e instanceof DataError && /unknown fd type 99/.test(e.message) && /byte 1024/.test(e.message));
});

test('errors: bad magic, newer major, truncation, all with absolute offsets', () => {
  const shb = sectionHeaderBlock();
  const body = Buffer.from(shb.subarray(8, shb.length - 4));
  assert.deepEqual(decodeSectionHeader(body, 0), { major: 1, minor: 2, sectionLength: -1n, options: Buffer.alloc(0) });
  const be = Buffer.from(body);
  be.writeUInt32BE(0x1a2b3c4d, 0);
  assert.throws(() => decodeSectionHeader(be, 500), (e: unknown) => e instanceof DataError && /magic/.test(e.message) && /byte 508/.test(e.message));
  const v2 = Buffer.from(body);
  v2.writeUInt16LE(2, 4);
  assert.throws(() => decodeSectionHeader(v2, 0), (e: unknown) => e instanceof DataError && /2\.2/.test(e.message));
  assert.throws(() => decodeSectionHeader(body.subarray(0, 10), 0), DataError);
  assert.throws(() => decodeMachineInfo(Buffer.alloc(176), 100), (e: unknown) => e instanceof DataError && /byte 100/.test(e.message));

  // every truncation of real bodies fails cleanly with a DataError (or decodes fewer entries), never a RangeError
  const [s] = sections(load(join(FIX, 'single_ipv6_conn.scap')));
  const pl = encodeProcList(s!.procs.slice(0, 3));
  const fdl = encodeFdList(s!.fds[0]!);
  const il = encodeInterfaces(s!.interfaces!);
  const ul = encodeUsers(s!.users!);
  const cases: [Buffer, (b: Buffer) => unknown][] = [
    [pl, (b) => decodeProcList(b, 9, 1000)],
    [fdl, (b) => decodeFdList(b, 2, 1000)],
    [il, (b) => decodeInterfaces(b, 2, 1000)],
    [ul, (b) => decodeUsers(b, 2, 1000)],
  ];
  for (const [full, dec] of cases) {
    for (let n = 1; n < full.length; n += 1) {
      try {
        dec(full.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof DataError, `cut at ${n}: ${String(e)}`);
        assert.match(e.message, /truncated|corrupt/);
        const m = /at byte (\d+)$/.exec(e.message);
        assert.ok(m && Number(m[1]) >= 1000 && Number(m[1]) <= 1000 + n, e.message);
      }
    }
  }
  const cut = pl.subarray(0, pl.length - 5);
  assert.throws(() => decodeProcList(cut, 9, 1000), /process list block (truncated|corrupt)/);
});

test('writer: section order and event blocks', () => {
  const [s] = sections(load(join(FIX, 'single_ipv6_conn.scap')));
  const w = new ScapWriter();
  const blocks = w.sectionBlocks({ machine: s!.machine, interfaces: s!.interfaces, users: s!.users, procs: s!.procs, fds: s!.fds });
  assert.deepEqual(
    blocks.slice(0, 5).map((b) => b.readUInt32LE(0)),
    [SHB, 0x201, 0x219, 0x220, 0x215],
  );
  assert.equal(blocks.length, 5 + 154);
  assert.equal(blocks[0]!.length, 28);
  assert.equal(blocks[1]!.length, 192);
  for (const b of blocks) {
    assert.equal(b.length % 4, 0);
    assert.equal(b.readUInt32LE(4), b.length);
    assert.equal(b.readUInt32LE(b.length - 4), b.length);
  }
  const ev = s!.events[0]!;
  const evLen = ev.body.readUInt32LE(2 + 16);
  const event = ev.body.subarray(2, 2 + evLen);
  const b0 = eventBlock(3, 0, event, false);
  assert.equal(b0.readUInt32LE(0), EV_V2);
  assert.equal(b0.readUInt16LE(8), 3);
  assert.ok(b0.subarray(10, 10 + evLen).equals(event));
  assert.equal(b0.length, (8 + 2 + evLen + 4 + 3) & ~3);
  const b1 = eventBlock(1, 1, event, false, Buffer.from([1, 2, 3, 4, 5]));
  assert.equal(b1.readUInt32LE(0), EVF_V2);
  assert.equal(b1.readUInt32LE(10), 1);
  assert.ok(b1.subarray(14 + evLen, 19 + evLen).equals(Buffer.from([1, 2, 3, 4, 5])));
  assert.equal(b1.length % 4, 0);
  for (let i = 19 + evLen; i < b1.length - 4; i++) assert.equal(b1[i], 0);
  assert.equal(eventBlock(0, 0, event, true).readUInt32LE(0), EV_V2_LARGE);
  assert.equal(eventBlock(0, 2, event, true).readUInt32LE(0), 0x222);
  const target = Buffer.alloc(1000, 0xff);
  const end = writeEventBlockInto(target, 4, 1, 1, event, false, Buffer.from([9]));
  assert.ok(target.subarray(4, end).equals(eventBlock(1, 1, event, false, Buffer.from([9]))));
  assert.throws(() => eventBlock(0, 0, Buffer.alloc(70000), false), DataError);
  assert.equal(eventBlock(0, 0, Buffer.alloc(70000), true).length, (8 + 2 + 70000 + 4 + 3) & ~3);
});

const HAVE_SYSDIG = existsSync('/usr/bin/sysdig');

test('sysdig 0.29.3 reads a capture built by the writer', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const [s] = sections(load(join(FIX, 'single_ipv6_conn.scap')));
  const w = new ScapWriter();
  const parts = w.sectionBlocks({ machine: s!.machine, interfaces: s!.interfaces, users: s!.users, procs: s!.procs, fds: s!.fds });
  // every event, every third one with a 16-byte trailer after the event
  const evs = s!.events;
  for (let i = 0; i < evs.length; i++) {
    const b = evs[i]!;
    const evLen = b.body.readUInt32LE(2 + 16);
    const event = b.body.subarray(2, 2 + evLen);
    const trailer = i % 3 === 0 ? Buffer.from([1, 0, 8, 0, i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) : undefined;
    parts.push(eventBlock(b.body.readUInt16LE(0), 0, event, false, trailer));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tdig-rec-'));
  try {
    const mine = join(dir, 'w.scap');
    writeFileSync(mine, Buffer.concat(parts));
    const ref = join(FIX, 'single_ipv6_conn.scap');
    const run = (f: string): string => {
      const r = spawnSync('/usr/bin/sysdig', ['-r', f], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const a = run(mine);
    assert.equal(a, run(ref));
    assert.ok(a.split('\n').length > 20);
    // and a proc-name field resolved from our PL
    const names = execFileSync('/usr/bin/sysdig', ['-r', mine, '-p', '%proc.name %fd.name', 'evt.type=accept or evt.type=connect'], { encoding: 'utf8' });
    assert.equal(names, execFileSync('/usr/bin/sysdig', ['-r', ref, '-p', '%proc.name %fd.name', 'evt.type=accept or evt.type=connect'], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sysdig 0.29.3 takes loginuid from a pre-0.10 PL tail, and not from the HEAD-order tail', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const [s] = sections(load(join(VEC, 'synth.scap')));
  const procs = s!.procs.map((p) => ({ ...p, loginuid: 1000, tty: 34816, pidnsInitStartTs: 0x55n }));
  const evs = s!.events.map((b) => eventBlock(b.body.readUInt16LE(0), 0, b.body.subarray(2, 2 + b.body.readUInt32LE(18)), false));
  const dir = mkdtempSync(join(tmpdir(), 'tdig-rec-'));
  try {
    const got: string[] = [];
    for (const tail of ['none', 'pre010', 'head'] as const) {
      const f = join(dir, `${tail}.scap`);
      const w = new ScapWriter({ tail });
      writeFileSync(f, Buffer.concat([...w.sectionBlocks({ machine: s!.machine, interfaces: s!.interfaces, procs, fds: s!.fds }), ...evs]));
      got.push(execFileSync('/usr/bin/sysdig', ['-r', f, '-p', '%proc.name %user.loginuid'], { encoding: 'utf8' }).split('\n')[0]!);
    }
    assert.deepEqual(got, ['mycli -1', 'mycli 1000', 'mycli 85']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
