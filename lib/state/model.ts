// The state tables: threads and their fds, users, groups, interfaces. The shapes follow libsinsp's
// threadinfo and fdinfo (userspace/libsinsp/threadinfo.h, fdinfo.h) so that fields resolve as sysdig's do.

import type { MachineInfo, NetInterface } from '../scap/types.js';
import { WIDE } from '../scap/event.js';
import type { TracerParser } from './tracer.js';

/** scap fd types (formats/scap.md, fd list). 0 = unknown. */
export const FD_UNKNOWN = 0;
export const FD_FILE = 1;
export const FD_DIRECTORY = 2;
export const FD_IPV4_SOCK = 3;
export const FD_IPV6_SOCK = 4;
export const FD_IPV4_SERVSOCK = 5;
export const FD_IPV6_SERVSOCK = 6;
export const FD_FIFO = 7;
export const FD_UNIX_SOCK = 8;
export const FD_EVENT = 9;
export const FD_UNSUPPORTED = 10;
export const FD_SIGNALFD = 11;
export const FD_EVENTPOLL = 12;
export const FD_INOTIFY = 13;
export const FD_TIMERFD = 14;
export const FD_NETLINK = 15;
export const FD_FILE_V2 = 16;
export const FD_BPF = 17;
export const FD_USERFAULTFD = 18;
export const FD_IOURING = 19;
export const FD_MEMFD = 20;
export const FD_PIDFD = 21;

/** PPM_CL_* clone flags, plus libsinsp's own bits (driver/ppm_events_public.h) */
export const CL_CLONE_FILES = 1 << 0;
export const CL_CLONE_FS = 1 << 1;
export const CL_CLONE_NEWPID = 1 << 6;
export const CL_CLONE_THREAD = 1 << 13;
export const CL_CLONE_VM = 1 << 15;
export const CL_CLONE_INVERTED = 1 << 16;
export const CL_NAME_CHANGED = 1 << 17;
export const CL_CLOSED = 1 << 18;
export const CL_ACTIVE = 1 << 19;
export const CL_CLONE_NEWUSER = 1 << 20;
export const CL_PIPE_SRC = 1 << 21;
export const CL_PIPE_DST = 1 << 22;
export const CL_CLONE_VFORK = 1 << 27;
export const CL_CHILD_IN_PIDNS = 1 << 29;
export const CL_IS_MAIN_THREAD = 1 << 30;

/** l4 protocols */
export const L4_UNKNOWN = 0;
export const L4_NA = 1;
export const L4_TCP = 2;
export const L4_UDP = 3;
export const L4_ICMP = 4;
export const L4_RAW = 5;

/** fd flags (fdinfo.h) */
export const FDF_FROM_PROC = 1 << 0;
export const FDF_ROLE_CLIENT = 1 << 2;
export const FDF_ROLE_SERVER = 1 << 3;
export const FDF_CLOSE_IN_PROGRESS = 1 << 4;
export const FDF_CLOSE_CANCELED = 1 << 5;
export const FDF_IS_SOCKET_PIPE = 1 << 6;
/** opened as /dev/null: its writes may be tracers (FLAGS_IS_TRACER_FILE) */
export const FDF_TRACER_FILE = 1 << 7;
/** a write on it parsed as a tracer: all its reads and writes are tracers */
export const FDF_TRACER_FD = 1 << 8;
/** a write on it failed to parse: no tracers here */
export const FDF_NOT_TRACER = 1 << 9;
export const FDF_SOCKET_CONNECTED = 1 << 13;
export const FDF_IS_CLONED = 1 << 14;
export const FDF_CONNECTION_PENDING = 1 << 15;
export const FDF_CONNECTION_FAILED = 1 << 16;

/**
 * Socket info is one union in libsinsp (fdinfo.h), and its parsers read one member after writing
 * another; tdig keeps the same 40 raw bytes so those reads give what sysdig's give. Offsets:
 * IPv4 tuple sip 0, dip 4, sport 8, dport 10, l4proto 12; IPv6 tuple sip 0, dip 16, sport 32,
 * dport 34, l4proto 36; IPv4 server ip 0, port 4, l4proto 6; IPv6 server ip 0, port 16, l4proto 18;
 * unix source 0, dest 8. Addresses are in network order, ports and pointers little-endian.
 */
export const SOCK_BYTES = 40;

/**
 * A zeroed socket union, cut from a shared slab: Buffer.alloc makes an ArrayBuffer per call (~580 ns against
 * ~210 for a view of a slab, Node 20), and a web server's capture has a socket or two per request.
 */
let slab = new ArrayBuffer(0);
let slabUsed = 0;
const SLAB = 1 << 16;
function newSock(): Buffer {
  if (slabUsed + SOCK_BYTES > slab.byteLength) {
    // slabs that start small and double: the first ones follow each other closely, so V8 has seen this
    // `new` before it optimizes the function (a first slab of 64 KiB lasted 1,638 sockets, and the next
    // one deoptimized every run's optimized socket parsers)
    slab = new ArrayBuffer(Math.min(SLAB, Math.max(4 * SOCK_BYTES, 2 * slab.byteLength)));
    slabUsed = 0;
  }
  const b = Buffer.from(slab, slabUsed, SOCK_BYTES);
  slabUsed += SOCK_BYTES;
  return b;
}

export class Fd {
  type = FD_UNKNOWN;
  name = '';
  /** the name when the current event looked the fd up (libsinsp m_oldname), for fd.name_changed */
  oldName = '';
  /** `clean` is `cleanOf` (a name of this fd) without its non-printable bytes (fields/fd.ts) */
  cleanOf: string | null = null;
  clean = '';
  flags = 0;
  openFlags = 0;
  ino = 0n;
  dev = 0;
  private sockBytes: Buffer | null = null;
  private sipView: Buffer | null = null;
  private dipView: Buffer | null = null;
  private sipFor = -1;
  private dipFor = -1;

  /** The socket union; allocated on first use (file fds never need it). */
  get sock(): Buffer {
    if (this.sockBytes === null) this.sockBytes = newSock();
    return this.sockBytes;
  }

  clone(): Fd {
    const f = new Fd();
    f.copyFrom(this);
    return f;
  }

  copyFrom(o: Fd): void {
    this.type = o.type;
    this.name = o.name;
    this.oldName = o.oldName;
    this.flags = o.flags;
    this.openFlags = o.openFlags;
    this.ino = o.ino;
    this.dev = o.dev;
    if (o.sockBytes !== null) o.sockBytes.copy(this.sock);
    else if (this.sockBytes !== null) this.sockBytes.fill(0);
  }

  private v6(): boolean {
    return this.type === FD_IPV6_SOCK || this.type === FD_IPV6_SERVSOCK;
  }

  /**
   * Client (source) address of an IP socket; for servsocks, the bound address. 4 or 16 bytes. sip and dip
   * are views of the socket union, each made when first read for the fd's type, not per read.
   */
  get sip(): Buffer {
    if (this.sipFor !== this.type) {
      this.sipView = this.sock.subarray(0, this.v6() ? 16 : 4);
      this.sipFor = this.type;
    }
    return this.sipView!;
  }
  /** Server (destination) address of an IP socket. */
  get dip(): Buffer {
    if (this.dipFor !== this.type) {
      this.dipView = this.type === FD_IPV6_SOCK ? this.sock.subarray(16, 32) : this.sock.subarray(4, 8);
      this.dipFor = this.type;
    }
    return this.dipView!;
  }
  /** Source port of a socket; for servsocks, the bound port. */
  get sport(): number {
    switch (this.type) {
      case FD_IPV6_SOCK:
        return this.sock.readUInt16LE(32);
      case FD_IPV4_SERVSOCK:
        return this.sock.readUInt16LE(4);
      case FD_IPV6_SERVSOCK:
        return this.sock.readUInt16LE(16);
      default:
        return this.sock.readUInt16LE(8);
    }
  }
  get dport(): number {
    return this.type === FD_IPV6_SOCK ? this.sock.readUInt16LE(34) : this.sock.readUInt16LE(10);
  }
  /** The stored l4 protocol (not role-adjusted; see l4()). */
  get l4proto(): number {
    switch (this.type) {
      case FD_IPV6_SOCK:
        return this.sock[36]!;
      case FD_IPV4_SERVSOCK:
        return this.sock[6]!;
      case FD_IPV6_SERVSOCK:
        return this.sock[18]!;
      default:
        return this.sock[12]!;
    }
  }
  /** unix sockets: kernel pointers of the two ends */
  get source(): bigint {
    return this.sock.readBigUInt64LE(0);
  }
  get dest(): bigint {
    return this.sock.readBigUInt64LE(8);
  }

  /** fdinfo.h is_tcp_socket / is_udp_socket: IPv4 sockets only, reading the IPv4 member. */
  isTcpSocket(): boolean {
    return this.type === FD_IPV4_SOCK && this.sock[12] === L4_TCP;
  }
  isUdpSocket(): boolean {
    return this.type === FD_IPV4_SOCK && this.sock[12] === L4_UDP;
  }

  isRoleServer(): boolean {
    return (this.flags & FDF_ROLE_SERVER) !== 0;
  }
  isRoleClient(): boolean {
    return (this.flags & FDF_ROLE_CLIENT) !== 0;
  }
  isRoleNone(): boolean {
    return (this.flags & (FDF_ROLE_CLIENT | FDF_ROLE_SERVER)) === 0;
  }
  setRoleServer(): void {
    this.flags |= FDF_ROLE_SERVER;
  }
  setRoleClient(): void {
    this.flags |= FDF_ROLE_CLIENT;
  }

  isIpSocket(): boolean {
    return this.type === FD_IPV4_SOCK || this.type === FD_IPV6_SOCK;
  }
  isServSocket(): boolean {
    return this.type === FD_IPV4_SERVSOCK || this.type === FD_IPV6_SERVSOCK;
  }
  isIp(): boolean {
    return this.type >= FD_IPV4_SOCK && this.type <= FD_IPV6_SERVSOCK;
  }

  /** libsinsp get_l4proto: sockets without a role report n/a, except raw ones. */
  l4(): number {
    if (this.type === FD_IPV4_SOCK || this.type === FD_IPV6_SOCK) {
      const p = this.l4proto;
      if (p === L4_RAW) return L4_RAW;
      if (this.isRoleNone()) return L4_NA;
      return p;
    }
    if (this.type === FD_IPV4_SERVSOCK || this.type === FD_IPV6_SERVSOCK) return this.l4proto;
    return L4_NA;
  }

  typeChar(): string {
    return FD_TYPE_CHARS[this.type] ?? '?';
  }

  typeString(): string {
    return FD_TYPE_STRINGS[this.type] ?? '<NA>';
  }
}

const FD_TYPE_CHARS: Record<number, string> = {
  [FD_FILE]: 'f',
  [FD_FILE_V2]: 'f',
  [FD_IPV4_SOCK]: '4',
  [FD_IPV6_SOCK]: '6',
  [FD_DIRECTORY]: 'd',
  [FD_IPV4_SERVSOCK]: '4',
  [FD_IPV6_SERVSOCK]: '6',
  [FD_FIFO]: 'p',
  [FD_UNIX_SOCK]: 'u',
  [FD_EVENT]: 'e',
  [FD_UNKNOWN]: 'o',
  [FD_UNSUPPORTED]: 'X',
  [FD_SIGNALFD]: 's',
  [FD_EVENTPOLL]: 'l',
  [FD_INOTIFY]: 'i',
  [FD_TIMERFD]: 't',
  [FD_NETLINK]: 'n',
};

const FD_TYPE_STRINGS: Record<number, string> = {
  [FD_FILE]: 'file',
  [FD_FILE_V2]: 'file',
  [FD_DIRECTORY]: 'directory',
  [FD_IPV4_SOCK]: 'ipv4',
  [FD_IPV4_SERVSOCK]: 'ipv4',
  [FD_IPV6_SOCK]: 'ipv6',
  [FD_IPV6_SERVSOCK]: 'ipv6',
  [FD_UNIX_SOCK]: 'unix',
  [FD_FIFO]: 'pipe',
  [FD_EVENT]: 'event',
  [FD_SIGNALFD]: 'signalfd',
  [FD_EVENTPOLL]: 'eventpoll',
  [FD_INOTIFY]: 'inotify',
  [FD_TIMERFD]: 'timerfd',
  [FD_NETLINK]: 'netlink',
};

/** An fd table; threads of one process share their main thread's. */
export type FdTable = Map<number, Fd>;

export class Thread {
  // a field declared without a value starts as undefined, and V8 then keeps any number in it as a
  // separately allocated object (a "tagged" field): tid and pid start wide (WIDE) instead
  tid = WIDE;
  pid = WIDE;
  ptid = -1;
  sid = -1;
  vpgid = -1;
  comm = '';
  exe = '';
  exepath = '';
  args: string[] = [];
  // The environment and the cgroups are split into strings on first use: most runs never read them,
  // and splitting those of every process in a capture's header costs each run its start.
  private envList: string[] = [];
  private envBytes: Buffer | null = null;
  private cgroupList: [string, string][] = [];
  private cgroupBytes: Buffer | null = null;
  cwd = '/';
  root = '/';
  flags = 0;
  // wide fields (WIDE; values from here on in the constructor): 64-bit limits and counters, and a loginuid
  // of 4294967295 (none), may first arrive in an event after the warm-up
  fdlimit = WIDE;
  uid = 0xffffffff;
  gid = 0xffffffff;
  vmsizeKb = WIDE;
  vmrssKb = WIDE;
  vmswapKb = WIDE;
  pfmajor = WIDE;
  pfminor = WIDE;
  vtid = -1;
  vpid = -1;
  tty = 0;
  loginuid = WIDE;
  nchilds = 0;
  /** placeholder made for an unknown tid */
  invalid = false;
  /** from the file header (the /proc scan), not created by a clone */
  fromProc = false;
  cloneTs = 0n;
  fds: FdTable = new Map();
  /** container id ('' = host), libsinsp m_container_id (resolved from cgroups / container events) */
  containerId = '';
  /** libsinsp m_exe_writable (proc list / execve exit) */
  exeWritable = false;
  /** libsinsp command_category: 0 none, 1 container, 2 healthcheck, 3 liveness probe, 4 readiness probe */
  category = 0;

  /** per-thread parse state */
  lastEventType = -1;
  lastEventFd = 0;
  /** enter event stored for the exit parser (a copy, v2 header; the buffer may be longer than the event), or null */
  lastEnter: Buffer | null = null;
  /** the thread's tracer parser, made at its first tracer write (libsinsp m_tracer_parser) */
  tracer: TracerParser | undefined = undefined;
  /** the buffer lastEnter reuses, and a DataView over it */
  enterBuf: Buffer | null = null;
  enterDv: DataView | null = null;
  lastEnterValid = false;
  /** latency bookkeeping: timestamp of the last enter event (hi, lo) */
  enterTsHi = 0;
  enterTsLo = WIDE;
  enterSet = false;
  latency = WIDE;
  /** fd of the thread's last event (for fd.* fields) */
  lastFd: Fd | null = null;

  constructor(tid: number, pid: number) {
    this.tid = tid;
    this.pid = pid;
    this.fdlimit = -1;
    this.vmsizeKb = 0;
    this.vmrssKb = 0;
    this.vmswapKb = 0;
    this.pfmajor = 0;
    this.pfminor = 0;
    this.loginuid = 0;
    this.enterTsLo = 0;
    this.latency = 0;
  }
  get env(): string[] {
    if (this.envBytes !== null) {
      this.envList = splitEnv(this.envBytes);
      this.envBytes = null;
    }
    return this.envList;
  }

  set env(v: string[]) {
    this.envList = v;
    this.envBytes = null;
  }

  /** The environment as the event or record has it (NUL-separated); `b` is copied. */
  setEnvBytes(b: Buffer): void {
    this.envBytes = Buffer.from(b);
  }

  /** [controller, path] pairs */
  get cgroups(): [string, string][] {
    if (this.cgroupBytes !== null) {
      this.cgroupList = splitCgroups(this.cgroupBytes);
      this.cgroupBytes = null;
    }
    return this.cgroupList;
  }

  set cgroups(v: [string, string][]) {
    this.cgroupList = v;
    this.cgroupBytes = null;
  }

  /** The cgroups as one text, each "controller=path" entry ended by a NUL, without splitting them. */
  cgroupText(): string {
    if (this.cgroupBytes !== null) return this.cgroupBytes.toString('latin1');
    let s = '';
    for (const [c, p] of this.cgroupList) s += c + '=' + p + '\0';
    return s;
  }

  /** The cgroups as the event or record has them ("controller=path", NUL-separated); `b` is copied. */
  setCgroupBytes(b: Buffer): void {
    this.cgroupBytes = Buffer.from(b);
  }

  /** A clone's environment: its parent's, unsplit if it still is. */
  inheritEnv(p: Thread): void {
    this.envList = p.envList;
    this.envBytes = p.envBytes;
  }


  isMainThread(): boolean {
    return this.tid === this.pid;
  }
}

/** libsinsp get_parent_thread: lookup only, never a placeholder. */
export function parentOf(tables: StateTables, t: Thread): Thread | undefined {
  return tables.threads.get(t.ptid);
}

/**
 * libsinsp traverse_parent_state: call `visit` on each ancestor (not `t` itself) until it returns false, the
 * chain ends, or a loop is detected (slow/fast pointers, or a thread that is its own parent).
 */
export function traverseParents(tables: StateTables, t: Thread, visit: (p: Thread) => boolean): void {
  let slow = parentOf(tables, t);
  let fast = slow ? parentOf(tables, slow) : undefined;
  while (slow !== undefined && slow.tid !== -1) {
    if (!visit(slow)) return;
    slow = parentOf(tables, slow);
    for (let i = 0; i < 2; i++) {
      fast = fast ? parentOf(tables, fast) : undefined;
      if (slow !== undefined && (slow === fast || slow.tid === slow.ptid)) return;
    }
  }
}

export interface UserInfo {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupInfo {
  gid: number;
  name: string;
}

/** A container's metadata (libsinsp sinsp_container_info), from container events in the stream. */
export interface ContainerMount {
  source: string;
  dest: string;
  mode: string;
  rdwr: boolean;
  propagation: string;
}

export interface ContainerInfo {
  id: string;
  /** sinsp_container_type: 0 docker, 1 lxc, 2 libvirt-lxc, 3 mesos, 4 rkt, 5 custom, 6 cri,
   *  7 containerd, 8 cri-o, 9 bpm, 10 static, 11 podman */
  type: number;
  name: string;
  image: string;
  imageId: string;
  imageRepo: string;
  imageTag: string;
  imageDigest: string;
  privileged: boolean;
  mounts: ContainerMount[];
  /** probeType: 1 healthcheck, 2 liveness probe, 3 readiness probe */
  healthProbes: { probeType: number; exe: string; args: string[] }[];
  /** IPv4 address, host order; 0 = unknown */
  containerIp: number;
  /** the runtime's labels (Kubernetes puts the pod's name, namespace, uid and sandbox here) */
  labels: Map<string, string>;
  /** metadata lookup complete */
  successful: boolean;
}

/** Thread ids below this are found through TidMap's index; larger ones (rare) through the Map alone. */
const INDEXED_TIDS = 1 << 22;
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/**
 * A Map by thread id (its iteration order is the order entries were added), plus an index by tid for
 * get(): two array loads instead of the Map's hash lookup. The index covers tids below 2^22 (Linux's
 * largest pid_max) in chunks of 4096, made when a tid of theirs is first added.
 */
export class TidMap<T> extends Map<number, T> {
  private chunks = noChunks<T>();

  override get(tid: number): T | undefined {
    if (tid >= 0 && tid < INDEXED_TIDS) {
      const c = this.chunks[tid >>> CHUNK_BITS];
      return c === undefined ? undefined : c[tid & (CHUNK - 1)];
    }
    return super.get(tid);
  }

  override set(tid: number, v: T): this {
    super.set(tid, v);
    if (tid >= 0 && tid < INDEXED_TIDS) {
      const i = tid >>> CHUNK_BITS;
      let c = this.chunks[i];
      if (c === undefined) this.chunks[i] = c = new Array<T | undefined>(CHUNK).fill(undefined);
      c[tid & (CHUNK - 1)] = v;
    }
    return this;
  }

  override delete(tid: number): boolean {
    if (tid >= 0 && tid < INDEXED_TIDS) {
      const c = this.chunks[tid >>> CHUNK_BITS];
      if (c !== undefined) c[tid & (CHUNK - 1)] = undefined;
    }
    return super.delete(tid);
  }

  override clear(): void {
    this.chunks = noChunks<T>();
    super.clear();
  }
}

function noChunks<T>(): ((T | undefined)[] | undefined)[] {
  return new Array<(T | undefined)[] | undefined>(INDEXED_TIDS >>> CHUNK_BITS).fill(undefined);
}

/**
 * The thread table, a TidMap: the tables that list threads keep the order threads came, and get() is a
 * lookup on every event (on a web server's capture, perf put the Map's hash lookup at ~6% of a filter's
 * time; with the index, the instructions the engine runs, counted with callgrind, fell by 2%).
 *
 * It also counts its threads by pid (withPid): a placeholder for an unknown tid takes as many children
 * as the table holds threads of that pid, which was a walk over the whole table for each one (a capture
 * with many unknown tids then took time in the square of their number). A thread's pid changes, while it
 * is in the table, through setPid only.
 */
export class ThreadMap extends TidMap<Thread> {
  private readonly pids = new Map<number, number>();

  /** how many threads of the table have this pid */
  withPid(pid: number): number {
    return this.pids.get(pid) ?? 0;
  }

  /** Set a thread's pid (keeping the count of withPid when the thread is in the table). */
  setPid(t: Thread, pid: number): void {
    if (this.get(t.tid) === t) {
      this.uncount(t.pid);
      this.pids.set(pid, this.withPid(pid) + 1);
    }
    t.pid = pid;
  }

  private uncount(pid: number): void {
    const n = this.withPid(pid);
    if (n <= 1) this.pids.delete(pid);
    else this.pids.set(pid, n - 1);
  }

  override set(tid: number, t: Thread): this {
    const old = this.get(tid);
    if (old !== undefined) this.uncount(old.pid);
    this.pids.set(t.pid, this.withPid(t.pid) + 1);
    return super.set(tid, t);
  }

  override delete(tid: number): boolean {
    const old = this.get(tid);
    if (old !== undefined) this.uncount(old.pid);
    return super.delete(tid);
  }

  override clear(): void {
    this.pids.clear();
    super.clear();
  }
}

/** Everything the state engine knows, for one section of a stream. */
export class StateTables {
  threads = new ThreadMap();
  users = new Map<number, UserInfo>();
  groups = new Map<number, GroupInfo>();
  interfaces: NetInterface[] = [];
  machine: MachineInfo | null = null;
  serverPorts = new Set<number>();
  containers = new Map<string, ContainerInfo>();

  reset(): void {
    this.threads = new ThreadMap();
    this.users = new Map();
    this.groups = new Map();
    this.interfaces = [];
    this.machine = null;
    this.serverPorts = new Set();
    this.containers = new Map();
  }

  /** libsinsp get_main_thread: the thread itself for a main thread, else the thread `pid`. */
  mainThread(t: Thread): Thread | undefined {
    if (t.tid === t.pid || (t.flags & CL_IS_MAIN_THREAD) !== 0) return t;
    return this.threads.get(t.pid);
  }

  /** The fd table a thread uses: its own, or its main thread's when it was cloned with CLONE_FILES. */
  fdTable(t: Thread): FdTable | undefined {
    if ((t.flags & CL_CLONE_FILES) === 0) return t.fds;
    return this.mainThread(t)?.fds;
  }

  /**
   * A thread's fd. Like threadinfo's get_fd (libsinsp threadinfo.h), a lookup makes the fd's current name its
   * old name: fd.name_changed compares the event's fd with its name at its last lookup, which for a dirfd
   * is the lookup that parse_dirfd makes.
   */
  getFd(t: Thread, fd: number): Fd | undefined {
    const f = this.fdTable(t)?.get(fd);
    if (f !== undefined) f.oldName = f.name;
    return f;
  }

  /** The cwd belongs to the main thread. */
  cwd(t: Thread): string {
    const m = this.mainThread(t);
    return m ? m.cwd : './';
  }
}

/** set_args: NUL-separated list; a trailing NUL does not add an empty entry. */
export function splitNul(b: Buffer): string[] {
  const out: string[] = [];
  let off = 0;
  while (off < b.length) {
    let z = b.indexOf(0, off);
    if (z === -1) z = b.length;
    out.push(b.toString('latin1', off, z));
    off = z + 1;
  }
  return out;
}

/** set_env: like set_args, but stops at an all-zero tail. */
function splitEnv(b: Buffer): string[] {
  const out: string[] = [];
  let off = 0;
  while (off < b.length) {
    if (b[off] === 0) {
      let allZero = true;
      for (let i = off; i < b.length; i++) if (b[i] !== 0) {
        allZero = false;
        break;
      }
      if (allZero) return out;
    }
    let z = b.indexOf(0, off);
    if (z === -1) z = b.length;
    out.push(b.toString('latin1', off, z));
    off = z + 1;
  }
  return out;
}

/** set_cgroups: "controller=path" entries. */
function splitCgroups(b: Buffer): [string, string][] {
  // sinsp_threadinfo::set_cgroups: each entry splits at its last '='; an entry without one ends the list;
  // the controller loses "_cgroup", and perf, mem and io (blkio's name in cgroup v2) take their long names
  const out: [string, string][] = [];
  for (const e of splitNul(b)) {
    const eq = e.lastIndexOf('=');
    if (eq < 0) break;
    let subsys = e.slice(0, eq).replace('_cgroup', '');
    if (subsys === 'perf') subsys = 'perf_event';
    else if (subsys === 'mem') subsys = 'memory';
    else if (subsys === 'io') subsys = 'blkio';
    out.push([subsys, e.slice(eq + 1)]);
  }
  return out;
}
