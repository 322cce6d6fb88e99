// Decoders and encoders for the bodies of the scap header blocks: SHB, MI, IL, UL, PL, FDL.
// Layouts: /work/shared/reference/scap-facts.md §1 (and formats/scap.md). Everything little-endian, packed.
//
// Conventions shared by every function here:
// - `body` is the block body: without the 8-byte block header and without the 4-byte trailer, but it may
//   still carry the zero padding; entry lists stop when fewer than 4 bytes remain.
// - `baseOffset` is the absolute stream offset of body[0] (block offset + 8); error locations are
//   `byte <baseOffset + offset inside body>`. decodeSectionHeader takes the block offset instead.
// - Encoders return a body (no header, padding or trailer); frame it with blocks.frameBlock().
// - Strings are decoded and encoded one byte a char (latin1, STRING_ENCODING), so that any byte round-trips.
//   args, env and cgroups stay raw Buffers.
// - 64-bit ids (tid, pid, fd, ...) are signed and converted to number; sizes and counters that may exceed
//   2^53 are bigint.

import { DataError } from '../cli/errors.js';
import { BYTE_ORDER_MAGIC } from './blocks.js';
import { readI64, u32 } from './event.js';
import { FdKind } from './types.js';
import type {
  FdList,
  FdRecord,
  GroupRecord,
  MachineInfo,
  NetInterface,
  ProcRecord,
  SectionHeader,
  UserList,
  UserRecord,
} from './types.js';

export const STRING_ENCODING: BufferEncoding = 'latin1';

/** Size limits the libscap readers enforce (and so the encoders too). */
export const MAX_PATH = 1024; // comm, exe, exepath, cwd, root: len <= 1024; fd and interface names: len < 1024
export const MAX_ARGS = 4096; // args, env, cgroups: len <= 4096
export const MAX_CREDENTIAL = 256; // user name, homedir, shell, group name: len < 256

export const MACHINE_INFO_SIZE = 180;
const HOSTNAME_SIZE = 128;

/** Byte count after `root` at or under which a v9 entry is taken to use the pre-libs-0.10 tail layout. */
const PRE_0_10_TAIL_MAX = 29;

const EMPTY = Buffer.alloc(0);
const TWO32 = 4294967296;

// ---------------------------------------------------------------------------------------------------
// Bounds-checked cursor

class Cursor {
  pos: number;
  /** reads may not pass this offset (inside buf) */
  limit: number;

  constructor(
    readonly buf: Buffer,
    readonly base: number,
    readonly what: string,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.limit = end;
  }

  get remaining(): number {
    return this.limit - this.pos;
  }

  fail(detail?: string, at = this.pos): never {
    const msg = detail ? `${this.what} corrupt: ${detail}` : `${this.what} truncated`;
    throw new DataError(msg, `byte ${this.base + at}`);
  }

  need(n: number): number {
    const p = this.pos;
    if (p + n > this.limit) this.fail();
    this.pos = p + n;
    return p;
  }

  // Byte arithmetic rather than Buffer's readUInt16LE and the like: the header blocks are decoded once, at
  // the start, by code V8 has not optimized, where each of those methods runs Node's argument checks.
  u8(): number {
    return this.buf[this.need(1)]!;
  }
  u16(): number {
    const b = this.buf;
    const p = this.need(2);
    return b[p]! | (b[p + 1]! << 8);
  }
  u32(): number {
    return u32(this.buf, this.need(4));
  }
  i32(): number {
    return u32(this.buf, this.need(4)) | 0;
  }
  /** signed 64-bit as a number (exact up to 2^53) */
  i64n(): number {
    return readI64(this.buf, this.need(8));
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.need(8));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.need(8));
  }
  /** a copy of the next n bytes */
  bytes(n: number): Buffer {
    const p = this.need(n);
    return Buffer.from(this.buf.subarray(p, p + n));
  }
  /** u16-length-prefixed string; `max` is the largest accepted length */
  str(max: number, field: string): string {
    const at = this.pos;
    const n = this.u16();
    if (n > max) this.fail(`${field} length ${n} exceeds ${max}`, at);
    const p = this.need(n);
    return this.buf.toString(STRING_ENCODING, p, p + n);
  }
  /** u16-length-prefixed raw bytes */
  blob(max: number, field: string): Buffer {
    const at = this.pos;
    const n = this.u16();
    if (n > max) this.fail(`${field} length ${n} exceeds ${max}`, at);
    return this.bytes(n);
  }
}

// ---------------------------------------------------------------------------------------------------
// Encoding helpers

function strLen(s: string, max: number, what: string): number {
  const n = Buffer.byteLength(s, STRING_ENCODING);
  if (n > max) throw new DataError(`${what} too long to encode (${n} bytes, at most ${max})`);
  return n;
}

function blobLen(b: Uint8Array, max: number, what: string): number {
  if (b.length > max) throw new DataError(`${what} too long to encode (${b.length} bytes, at most ${max})`);
  return b.length;
}

function putI64n(out: Buffer, off: number, v: number): number {
  if (!Number.isInteger(v)) throw new DataError(`cannot encode ${v} as a 64-bit integer`);
  const hi = Math.floor(v / TWO32);
  out.writeUInt32LE(v - hi * TWO32, off);
  out.writeInt32LE(hi, off + 4);
  return off + 8;
}

function putU64(out: Buffer, off: number, v: bigint): number {
  out.writeBigUInt64LE(BigInt.asUintN(64, v), off);
  return off + 8;
}

function putU32(out: Buffer, off: number, v: number): number {
  out.writeUInt32LE(v >>> 0, off);
  return off + 4;
}

function putStr(out: Buffer, off: number, s: string, n: number): number {
  out.writeUInt16LE(n, off);
  if (n > 0) out.write(s, off + 2, n, STRING_ENCODING);
  return off + 2 + n;
}

function putBlob(out: Buffer, off: number, b: Uint8Array): number {
  out.writeUInt16LE(b.length, off);
  out.set(b, off + 2);
  return off + 2 + b.length;
}

function putAddr(out: Buffer, off: number, b: Uint8Array, size: number, what: string): number {
  if (b.length !== size) throw new DataError(`${what} must be ${size} bytes, got ${b.length}`);
  out.set(b, off);
  return off + size;
}

// ---------------------------------------------------------------------------------------------------
// SHB

/**
 * Section header. `body` is the block body (16 bytes, then pcapng options, then padding);
 * `blockOffset` is the stream offset of the block itself (its type field).
 */
export function decodeSectionHeader(body: Buffer, blockOffset: number): SectionHeader {
  const c = new Cursor(body, blockOffset + 8, 'section header block');
  const magic = c.u32();
  if (magic !== BYTE_ORDER_MAGIC) {
    const hint = magic === 0x4d3c2b1a ? ' (big-endian capture, not supported)' : '';
    throw new DataError(
      `invalid byte-order magic 0x${magic.toString(16).padStart(8, '0')}${hint}`,
      `byte ${blockOffset + 8}`,
    );
  }
  const major = c.u16();
  const minor = c.u16();
  if (major > 1) {
    throw new DataError(`unsupported scap version ${major}.${minor} (this reader knows 1.x)`, `byte ${blockOffset + 12}`);
  }
  const sectionLength = c.i64();
  return { major, minor, sectionLength, options: Buffer.from(body.subarray(16)) };
}

/** The 16-byte SHB body followed by `options` (raw). */
export function encodeSectionHeader(sh: SectionHeader): Buffer {
  const out = Buffer.alloc(16 + sh.options.length);
  out.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  out.writeUInt16LE(sh.major, 4);
  out.writeUInt16LE(sh.minor, 6);
  out.writeBigInt64LE(BigInt.asIntN(64, sh.sectionLength), 8);
  out.set(sh.options, 16);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// MI

export function decodeMachineInfo(body: Buffer, baseOffset = 0): MachineInfo {
  if (body.length !== MACHINE_INFO_SIZE) {
    throw new DataError(
      `machine info block corrupt: body is ${body.length} bytes, expected ${MACHINE_INFO_SIZE}`,
      `byte ${baseOffset}`,
    );
  }
  const c = new Cursor(body, baseOffset, 'machine info block');
  const numCpus = c.u32();
  const memorySizeBytes = c.u64();
  const maxPid = c.u64();
  const hp = c.need(HOSTNAME_SIZE);
  let he = body.indexOf(0, hp);
  if (he < 0 || he > hp + HOSTNAME_SIZE) he = hp + HOSTNAME_SIZE;
  const hostname = body.toString(STRING_ENCODING, hp, he);
  const bootTs = c.u64();
  const flags = c.u64();
  const reserved3 = c.u64();
  const reserved4 = c.u64();
  return { numCpus, memorySizeBytes, maxPid, hostname, bootTs, flags, reserved3, reserved4 };
}

/** Exactly 180 bytes. The hostname is cut to 127 bytes so that it stays NUL-terminated. */
export function encodeMachineInfo(mi: MachineInfo): Buffer {
  const out = Buffer.alloc(MACHINE_INFO_SIZE);
  let o = putU32(out, 0, mi.numCpus);
  o = putU64(out, o, mi.memorySizeBytes);
  o = putU64(out, o, mi.maxPid);
  const host = Buffer.from(mi.hostname, STRING_ENCODING);
  host.copy(out, o, 0, Math.min(host.length, HOSTNAME_SIZE - 1));
  o += HOSTNAME_SIZE;
  o = putU64(out, o, mi.bootTs);
  o = putU64(out, o, mi.flags);
  o = putU64(out, o, mi.reserved3);
  putU64(out, o, mi.reserved4);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// IL

export const IF_IPV4 = 1;
export const IF_IPV6 = 2;
export const IF_IPV4_NOLINKSPEED = 3;
export const IF_IPV6_NOLINKSPEED = 4;

/** Fixed part of an interface entry (type through linkspeed), or -1 for an unknown type. */
function ifFixedSize(type: number): number {
  switch (type) {
    case IF_IPV4:
      return 24;
    case IF_IPV6:
      return 60;
    case IF_IPV4_NOLINKSPEED:
      return 16;
    case IF_IPV6_NOLINKSPEED:
      return 52;
    default:
      return -1;
  }
}

export function decodeInterfaces(body: Buffer, version: number, baseOffset = 0): NetInterface[] {
  const what = 'interface list block';
  const c = new Cursor(body, baseOffset, what);
  const out: NetInterface[] = [];
  while (body.length - c.pos >= 4) {
    const entryStart = c.pos;
    let declared = -1;
    if (version >= 2) {
      declared = c.u32(); // does not count itself
      if (declared > body.length - c.pos) c.fail(`interface entry length ${declared} runs past the block`, entryStart);
    }
    const fieldsStart = c.pos;
    const type = c.u16();
    const nameLen = c.u16();
    const fixed = ifFixedSize(type);
    if (fixed < 0) c.fail(`unknown interface type ${type}`, fieldsStart);
    if (nameLen >= MAX_PATH) c.fail(`interface name length ${nameLen}`, fieldsStart + 2);
    const entryEnd = declared > 0 ? fieldsStart + declared : fieldsStart + fixed + nameLen;
    if (declared > 0 && declared < fixed + nameLen) c.fail(`interface entry length ${declared} too short`, entryStart);
    c.limit = entryEnd;
    const v6 = type === IF_IPV6 || type === IF_IPV6_NOLINKSPEED;
    const alen = v6 ? 16 : 4;
    const addr = c.bytes(alen);
    const netmask = c.bytes(alen);
    const bcast = c.bytes(alen);
    const linkspeed = type === IF_IPV4 || type === IF_IPV6 ? c.u64() : 0n;
    const np = c.need(nameLen);
    const name = body.toString(STRING_ENCODING, np, np + nameLen);
    out.push({ type, name, addr, netmask, bcast, linkspeed });
    c.limit = body.length;
    c.pos = entryEnd;
  }
  return out;
}

/** IL v2 body; entries in the given order (writers put IPv4 first, then IPv6). */
export function encodeInterfaces(list: readonly NetInterface[]): Buffer {
  const names: number[] = new Array<number>(list.length);
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const it = list[i]!;
    const fixed = ifFixedSize(it.type);
    if (fixed < 0) throw new DataError(`cannot encode interface type ${it.type}`);
    const n = strLen(it.name, MAX_PATH - 1, 'interface name');
    names[i] = n;
    total += 4 + fixed + n;
  }
  const out = Buffer.alloc(total);
  let o = 0;
  for (let i = 0; i < list.length; i++) {
    const it = list[i]!;
    const fixed = ifFixedSize(it.type);
    const n = names[i]!;
    o = putU32(out, o, fixed + n);
    out.writeUInt16LE(it.type, o);
    out.writeUInt16LE(n, o + 2);
    o += 4;
    const alen = it.type === IF_IPV6 || it.type === IF_IPV6_NOLINKSPEED ? 16 : 4;
    o = putAddr(out, o, it.addr, alen, 'interface addr');
    o = putAddr(out, o, it.netmask, alen, 'interface netmask');
    o = putAddr(out, o, it.bcast, alen, 'interface bcast');
    if (it.type === IF_IPV4 || it.type === IF_IPV6) o = putU64(out, o, it.linkspeed);
    if (n > 0) out.write(it.name, o, n, STRING_ENCODING);
    o += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// UL

export const USERBLOCK_USER = 0;
export const USERBLOCK_GROUP = 1;

export function decodeUsers(body: Buffer, version: number, baseOffset = 0): UserList {
  const c = new Cursor(body, baseOffset, 'user list block');
  const users: UserRecord[] = [];
  const groups: GroupRecord[] = [];
  const lim = MAX_CREDENTIAL - 1;
  while (body.length - c.pos >= 4) {
    const entryStart = c.pos;
    let entryEnd = -1;
    if (version >= 2) {
      const len = c.u32(); // counts itself
      if (len !== 0) {
        if (len > body.length - entryStart) c.fail(`user entry length ${len} runs past the block`, entryStart);
        entryEnd = entryStart + len;
        c.limit = entryEnd;
      }
    }
    const type = c.u8();
    if (type === USERBLOCK_USER) {
      const uid = c.u32();
      const gid = c.u32();
      const name = c.str(lim, 'user name');
      const homedir = c.str(lim, 'user homedir');
      const shell = c.str(lim, 'user shell');
      users.push({ uid, gid, name, homedir, shell });
    } else {
      const gid = c.u32();
      const name = c.str(lim, 'group name');
      groups.push({ gid, name });
    }
    c.limit = body.length;
    if (entryEnd >= 0) c.pos = entryEnd;
  }
  return { users, groups };
}

/** UL v2 body: all users, then all groups. */
export function encodeUsers(list: UserList): Buffer {
  const lim = MAX_CREDENTIAL - 1;
  const lens: number[] = [];
  let total = 0;
  for (const u of list.users) {
    const a = strLen(u.name, lim, 'user name');
    const b = strLen(u.homedir, lim, 'user homedir');
    const s = strLen(u.shell, lim, 'user shell');
    lens.push(a, b, s);
    total += 4 + 1 + 8 + 6 + a + b + s;
  }
  for (const g of list.groups) {
    const a = strLen(g.name, lim, 'group name');
    lens.push(a);
    total += 4 + 1 + 4 + 2 + a;
  }
  const out = Buffer.alloc(total);
  let o = 0;
  let k = 0;
  for (const u of list.users) {
    const a = lens[k++]!;
    const b = lens[k++]!;
    const s = lens[k++]!;
    o = putU32(out, o, 4 + 1 + 8 + 6 + a + b + s);
    out[o++] = USERBLOCK_USER;
    o = putU32(out, o, u.uid);
    o = putU32(out, o, u.gid);
    o = putStr(out, o, u.name, a);
    o = putStr(out, o, u.homedir, b);
    o = putStr(out, o, u.shell, s);
  }
  for (const g of list.groups) {
    const a = lens[k++]!;
    o = putU32(out, o, 4 + 1 + 4 + 2 + a);
    out[o++] = USERBLOCK_GROUP;
    o = putU32(out, o, g.gid);
    o = putStr(out, o, g.name, a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// PL

/** Values a PL entry gets for fields its version does not carry (as the 0.29.3 reader sets them). */
function blankProc(): ProcRecord {
  return {
    tid: 0,
    pid: 0,
    ptid: 0,
    sid: -1,
    vpgid: -1,
    comm: '',
    exe: '',
    exepath: '',
    args: EMPTY,
    cwd: '',
    fdlimit: 0n,
    flags: 0,
    uid: 0,
    gid: 0,
    vmsizeKb: 0,
    vmrssKb: 0,
    vmswapKb: 0,
    pfmajor: 0n,
    pfminor: 0n,
    env: EMPTY,
    vtid: -1,
    vpid: -1,
    cgroups: EMPTY,
    root: '',
    loginuid: -1,
    tty: 0,
    pidnsInitStartTs: 0n,
  };
}

/** Reads the optional v9 tail after `root`; `c.limit` is the entry end. */
function readProcTail(c: Cursor, p: ProcRecord): void {
  if (c.remaining > PRE_0_10_TAIL_MAX) {
    p.pidnsInitStartTs = c.u64();
    if (c.remaining >= 4) p.tty = c.u32();
  }
  if (c.remaining >= 4) p.loginuid = c.i32();
  if (c.remaining >= 1) p.exeWritable = c.u8() !== 0;
  if (c.remaining >= 8) p.capInheritable = c.u64();
  if (c.remaining >= 8) p.capPermitted = c.u64();
  if (c.remaining >= 8) p.capEffective = c.u64();
  if (c.remaining >= 1) p.exeUpperLayer = c.u8() !== 0;
  if (c.remaining >= 8) p.exeIno = c.u64();
  if (c.remaining >= 8) p.exeInoCtime = c.u64();
  if (c.remaining >= 8) p.exeInoMtime = c.u64();
  if (c.remaining >= 1) p.exeFromMemfd = c.u8() !== 0;
  if (c.remaining >= 1) p.exeLowerLayer = c.u8() !== 0;
  if (c.remaining >= 8) p.pgid = c.i64n();
}

/**
 * Process list body of block version 1..9 (legacy block ids map to versions through blockTypeInfo()).
 * v9 entries may end right after `root` or carry the optional tail (HEAD order, or the pre-0.10 order
 * when at most 29 bytes follow `root`); bytes beyond the known fields are skipped.
 */
export function decodeProcList(body: Buffer, version: number, baseOffset = 0): ProcRecord[] {
  if (!Number.isInteger(version) || version < 1 || version > 9) {
    throw new DataError(`unknown process list version ${version}`, `byte ${baseOffset}`);
  }
  const c = new Cursor(body, baseOffset, 'process list block');
  const out: ProcRecord[] = [];
  while (body.length - c.pos >= 4) {
    const entryStart = c.pos;
    let entryEnd = -1;
    if (version === 9) {
      const len = c.u32(); // counts itself
      if (len !== 0) {
        if (len < 4 || len > body.length - entryStart) c.fail(`entry length ${len}`, entryStart);
        entryEnd = entryStart + len;
        c.limit = entryEnd;
      }
    }
    const p = blankProc();
    p.tid = c.i64n();
    p.pid = c.i64n();
    p.ptid = c.i64n();
    if (version >= 6) p.sid = c.i64n();
    if (version >= 8) p.vpgid = c.i64n();
    p.comm = c.str(MAX_PATH, 'comm');
    p.exe = c.str(MAX_PATH, 'exe');
    if (version >= 7) p.exepath = c.str(MAX_PATH, 'exepath');
    p.args = c.blob(MAX_ARGS, 'args');
    p.cwd = c.str(MAX_PATH, 'cwd');
    p.fdlimit = c.i64();
    p.flags = c.u32();
    p.uid = c.u32();
    p.gid = c.u32();
    if (version >= 2) {
      p.vmsizeKb = c.u32();
      p.vmrssKb = c.u32();
      p.vmswapKb = c.u32();
      p.pfmajor = c.u64();
      p.pfminor = c.u64();
      if (version >= 3) p.env = c.blob(MAX_ARGS, 'env');
      if (version >= 4) {
        p.vtid = c.i64n();
        p.vpid = c.i64n();
        p.cgroups = c.blob(MAX_ARGS, 'cgroups');
        if (version >= 5) p.root = c.str(MAX_PATH, 'root');
      }
    }
    if (entryEnd >= 0) {
      readProcTail(c, p);
      c.limit = body.length;
      c.pos = entryEnd;
    }
    out.push(p);
  }
  return out;
}

export interface ProcEncodeOptions {
  /**
   * What follows `root` in each v9 entry:
   * - 'none' (default): nothing. Both sysdig 0.29.3 and current libs read such entries the same way
   *   (loginuid -1 / absent, tty 0).
   * - 'pre010': loginuid, exe_writable, cap_inheritable, cap_permitted, cap_effective (29 bytes), the layout of
   *   libs before 0.10. 0.29.3 reads loginuid and exe_writable from it, current libs all five fields.
   * - 'head': the current-libs order (pidns_init_start_ts, tty, loginuid, exe_writable, caps, exe_upper_layer,
   *   exe_ino, exe_ino_ctime, exe_ino_mtime, exe_from_memfd, exe_lower_layer, pgid). Current libs only:
   *   0.29.3 takes loginuid from the low half of pidns_init_start_ts [verified with sysdig 0.29.3].
   */
  tail?: 'none' | 'pre010' | 'head';
}

const PROC_TAIL_PRE010 = 4 + 1 + 24; // 29
const PROC_TAIL_HEAD = 8 + 4 + PROC_TAIL_PRE010 + 1 + 24 + 1 + 1 + 8; // 76

/** The tail layout that decoded entries carried (the richest among them), to write them back as they came. */
export function procTailOf(list: readonly ProcRecord[]): 'none' | 'pre010' | 'head' {
  let tail: 'none' | 'pre010' | 'head' = 'none';
  for (const p of list) {
    if (p.exeUpperLayer !== undefined) return 'head';
    if (p.exeWritable !== undefined) tail = 'pre010';
  }
  return tail;
}

/** PL v9 body. */
export function encodeProcList(list: readonly ProcRecord[], opts: ProcEncodeOptions = {}): Buffer {
  const mode = opts.tail ?? 'none';
  const tail = mode === 'head' ? PROC_TAIL_HEAD : mode === 'pre010' ? PROC_TAIL_PRE010 : 0;
  const lens: number[] = new Array<number>(list.length * 6);
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const k = i * 6;
    lens[k] = strLen(p.comm, MAX_PATH, 'comm');
    lens[k + 1] = strLen(p.exe, MAX_PATH, 'exe');
    lens[k + 2] = strLen(p.exepath, MAX_PATH, 'exepath');
    lens[k + 3] = strLen(p.cwd, MAX_PATH, 'cwd');
    lens[k + 4] = strLen(p.root, MAX_PATH, 'root');
    const blobs =
      blobLen(p.args, MAX_ARGS, 'args') + blobLen(p.env, MAX_ARGS, 'env') + blobLen(p.cgroups, MAX_ARGS, 'cgroups');
    // entrylen + 5 ids + 8 strings/blobs + fdlimit + flags/uid/gid + vm + pf + vtid/vpid
    const size =
      4 + 40 + 16 + 8 + 12 + 12 + 16 + 16 + lens[k]! + lens[k + 1]! + lens[k + 2]! + lens[k + 3]! + lens[k + 4]! +
      blobs + tail;
    lens[k + 5] = size;
    total += size;
  }
  const out = Buffer.alloc(total);
  let o = 0;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const k = i * 6;
    o = putU32(out, o, lens[k + 5]!);
    o = putI64n(out, o, p.tid);
    o = putI64n(out, o, p.pid);
    o = putI64n(out, o, p.ptid);
    o = putI64n(out, o, p.sid);
    o = putI64n(out, o, p.vpgid);
    o = putStr(out, o, p.comm, lens[k]!);
    o = putStr(out, o, p.exe, lens[k + 1]!);
    o = putStr(out, o, p.exepath, lens[k + 2]!);
    o = putBlob(out, o, p.args);
    o = putStr(out, o, p.cwd, lens[k + 3]!);
    o = putU64(out, o, p.fdlimit);
    o = putU32(out, o, p.flags);
    o = putU32(out, o, p.uid);
    o = putU32(out, o, p.gid);
    o = putU32(out, o, p.vmsizeKb);
    o = putU32(out, o, p.vmrssKb);
    o = putU32(out, o, p.vmswapKb);
    o = putU64(out, o, p.pfmajor);
    o = putU64(out, o, p.pfminor);
    o = putBlob(out, o, p.env);
    o = putI64n(out, o, p.vtid);
    o = putI64n(out, o, p.vpid);
    o = putBlob(out, o, p.cgroups);
    o = putStr(out, o, p.root, lens[k + 4]!);
    if (tail) {
      if (mode === 'head') {
        o = putU64(out, o, p.pidnsInitStartTs);
        o = putU32(out, o, p.tty);
      }
      o = putU32(out, o, p.loginuid);
      out[o++] = p.exeWritable ? 1 : 0;
      o = putU64(out, o, p.capInheritable ?? 0n);
      o = putU64(out, o, p.capPermitted ?? 0n);
      o = putU64(out, o, p.capEffective ?? 0n);
      if (mode === 'head') {
        out[o++] = p.exeUpperLayer ? 1 : 0;
        o = putU64(out, o, p.exeIno ?? 0n);
        o = putU64(out, o, p.exeInoCtime ?? 0n);
        o = putU64(out, o, p.exeInoMtime ?? 0n);
        out[o++] = p.exeFromMemfd ? 1 : 0;
        out[o++] = p.exeLowerLayer ? 1 : 0;
        o = putI64n(out, o, p.pgid ?? -1);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// FDL

/** fd types whose payload is just `str name`. */
function isNameOnly(type: number): boolean {
  switch (type) {
    case FdKind.File:
    case FdKind.Directory:
    case FdKind.Fifo:
    case FdKind.Event:
    case FdKind.Unsupported:
    case FdKind.SignalFd:
    case FdKind.EventPoll:
    case FdKind.Inotify:
    case FdKind.TimerFd:
    case FdKind.Netlink:
    case FdKind.Bpf:
    case FdKind.UserFaultFd:
    case FdKind.IoUring:
    case FdKind.MemFd:
    case FdKind.PidFd:
      return true;
    default:
      return false;
  }
}

/** SCAP_FD_UNKNOWN: written by no writer, read with no payload. */
const FD_UNKNOWN = 0;

function blankFd(fd: number, ino: bigint, type: number): FdRecord {
  return {
    fd,
    ino,
    type,
    name: '',
    openFlags: 0,
    dev: 0,
    sip: EMPTY,
    dip: EMPTY,
    sport: 0,
    dport: 0,
    l4proto: 0,
    source: 0n,
    dest: 0n,
  };
}

/**
 * The fd table of one thread. v2 entries carry a length (counting itself); an fd type this decoder does not
 * know becomes UNSUPPORTED named `unknown-type:[N]` with its payload skipped (v2 only; in v1 it is an error).
 */
export function decodeFdList(body: Buffer, version: number, baseOffset = 0): FdList {
  const c = new Cursor(body, baseOffset, 'fd list block');
  const tid = c.i64n();
  const fds: FdRecord[] = [];
  const maxName = MAX_PATH - 1;
  while (body.length - c.pos >= 4) {
    const entryStart = c.pos;
    let entryEnd = -1;
    if (version >= 2) {
      const len = c.u32();
      if (len !== 0) {
        if (len < 4 || len > body.length - entryStart) c.fail(`fd entry length ${len}`, entryStart);
        entryEnd = entryStart + len;
        c.limit = entryEnd;
      }
    }
    const fd = c.i64n();
    const ino = c.u64();
    const typeAt = c.pos;
    const type = c.u8();
    const r = blankFd(fd, ino, type);
    switch (type) {
      case FdKind.Ipv4Sock:
        r.sip = c.bytes(4);
        r.dip = c.bytes(4);
        r.sport = c.u16();
        r.dport = c.u16();
        r.l4proto = c.u8();
        break;
      case FdKind.Ipv6Sock:
        r.sip = c.bytes(16);
        r.dip = c.bytes(16);
        r.sport = c.u16();
        r.dport = c.u16();
        r.l4proto = c.u8();
        break;
      case FdKind.Ipv4ServSock:
        r.sip = c.bytes(4);
        r.sport = c.u16();
        r.l4proto = c.u8();
        break;
      case FdKind.Ipv6ServSock:
        r.sip = c.bytes(16);
        r.sport = c.u16();
        r.l4proto = c.u8();
        break;
      case FdKind.UnixSock:
        r.source = c.u64();
        r.dest = c.u64();
        r.name = c.str(maxName, 'fd name');
        break;
      case FdKind.FileV2:
        r.openFlags = c.u32();
        r.name = c.str(maxName, 'fd name');
        if (entryEnd >= 0 && c.remaining >= 4) r.dev = c.u32();
        break;
      case FD_UNKNOWN:
        break;
      default:
        if (isNameOnly(type)) {
          r.name = c.str(maxName, 'fd name');
        } else if (entryEnd >= 0) {
          r.type = FdKind.Unsupported;
          r.name = `unknown-type:[${type}]`;
        } else {
          c.fail(`unknown fd type ${type}`, typeAt);
        }
    }
    if (entryEnd >= 0) {
      c.limit = body.length;
      c.pos = entryEnd;
    }
    fds.push(r);
  }
  return { tid, fds };
}

function fdPayloadSize(r: FdRecord, nameLen: number): number {
  switch (r.type) {
    case FdKind.Ipv4Sock:
      return 13;
    case FdKind.Ipv6Sock:
      return 37;
    case FdKind.Ipv4ServSock:
      return 7;
    case FdKind.Ipv6ServSock:
      return 19;
    case FdKind.UnixSock:
      return 16 + 2 + nameLen;
    case FdKind.FileV2:
      return 4 + 2 + nameLen + 4;
    case FD_UNKNOWN:
      return 0;
    default:
      if (isNameOnly(r.type)) return 2 + nameLen;
      throw new DataError(`cannot encode fd type ${r.type}`);
  }
}

function hasName(type: number): boolean {
  return type === FdKind.UnixSock || type === FdKind.FileV2 || isNameOnly(type);
}

/**
 * FDL v2 body. FILE_V2 entries always carry `dev`. Note that sysdig 0.29.3 refuses fd types above 16
 * (bpf, userfaultfd, io_uring, memfd, pidfd) with "wrong fd type".
 */
export function encodeFdList(list: FdList): Buffer {
  const n = list.fds.length;
  const names: number[] = new Array<number>(n);
  const sizes: number[] = new Array<number>(n);
  let total = 8;
  for (let i = 0; i < n; i++) {
    const r = list.fds[i]!;
    const nl = hasName(r.type) ? strLen(r.name, MAX_PATH - 1, 'fd name') : 0;
    names[i] = nl;
    const size = 4 + 8 + 8 + 1 + fdPayloadSize(r, nl);
    sizes[i] = size;
    total += size;
  }
  const out = Buffer.alloc(total);
  let o = putI64n(out, 0, list.tid);
  for (let i = 0; i < n; i++) {
    const r = list.fds[i]!;
    o = putU32(out, o, sizes[i]!);
    o = putI64n(out, o, r.fd);
    o = putU64(out, o, r.ino);
    out[o++] = r.type;
    switch (r.type) {
      case FdKind.Ipv4Sock:
      case FdKind.Ipv6Sock: {
        const alen = r.type === FdKind.Ipv4Sock ? 4 : 16;
        o = putAddr(out, o, r.sip, alen, 'fd sip');
        o = putAddr(out, o, r.dip, alen, 'fd dip');
        out.writeUInt16LE(r.sport, o);
        out.writeUInt16LE(r.dport, o + 2);
        out[o + 4] = r.l4proto;
        o += 5;
        break;
      }
      case FdKind.Ipv4ServSock:
      case FdKind.Ipv6ServSock: {
        const alen = r.type === FdKind.Ipv4ServSock ? 4 : 16;
        o = putAddr(out, o, r.sip, alen, 'fd ip');
        out.writeUInt16LE(r.sport, o);
        out[o + 2] = r.l4proto;
        o += 3;
        break;
      }
      case FdKind.UnixSock:
        o = putU64(out, o, r.source);
        o = putU64(out, o, r.dest);
        o = putStr(out, o, r.name, names[i]!);
        break;
      case FdKind.FileV2:
        o = putU32(out, o, r.openFlags);
        o = putStr(out, o, r.name, names[i]!);
        o = putU32(out, o, r.dev);
        break;
      case FD_UNKNOWN:
        break;
      default:
        o = putStr(out, o, r.name, names[i]!);
    }
  }
  return out;
}
