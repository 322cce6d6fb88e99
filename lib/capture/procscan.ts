// The initial state of a live capture, scanned from /proc and /etc: machine info, interfaces, users and
// groups, every thread and every fd. The records are those of lib/scap/types.ts; lib/scap/writer.ts
// frames them as the header blocks of a section.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { FdKind } from '../scap/types.js';
import { CL_CLONE_FILES, CL_CLONE_THREAD, L4_RAW, L4_TCP, L4_UDP } from '../state/model.js';
import type { FdList, FdRecord, MachineInfo, NetInterface, ProcRecord, UserList } from '../scap/types.js';
import type { SectionContents } from '../scap/writer.js';

const EMPTY = Buffer.alloc(0);
const MAX_LIST = 4096;

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'latin1');
  } catch {
    return null;
  }
}

function readBytes(p: string, max: number): Buffer {
  try {
    const b = fs.readFileSync(p);
    return b.length > max ? b.subarray(0, max) : b;
  } catch {
    return EMPTY;
  }
}

/** An argument or environment list of /proc: at most MAX_LIST bytes, the last one made a NUL, as libscap
 * reads them (userspace/libscap/linux/scap_procs.c, read_procfs_proc_pid_cmdline and _environ): a list cut
 * short still ends its last string. */
function readList(p: string): Buffer {
  const b = readBytes(p, MAX_LIST);
  if (b.length > 0) b[b.length - 1] = 0;
  return b;
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p, 'latin1');
  } catch {
    return null;
  }
}

// ---- machine, interfaces, users ----

export function scanMachine(bootTsNs: bigint): MachineInfo {
  const pidMax = Number((readText('/proc/sys/kernel/pid_max') ?? '32768').trim()) || 32768;
  return {
    numCpus: os.cpus().length,
    memorySizeBytes: BigInt(os.totalmem()),
    maxPid: BigInt(pidMax),
    hostname: os.hostname().slice(0, 127),
    bootTs: bootTsNs,
    flags: 0n,
    reserved3: 0n,
    reserved4: 0n,
  };
}

function ipv4Bytes(s: string): Buffer {
  return Buffer.from(s.split('.').map((x) => Number(x) & 255));
}

function ipv6Bytes(s: string): Buffer {
  const out = Buffer.alloc(16);
  const noZone = s.split('%')[0]!;
  let [head, tail] = noZone.includes('::') ? noZone.split('::') : [noZone, ''];
  const h = head ? head!.split(':') : [];
  const t = tail ? tail!.split(':') : [];
  // an embedded IPv4 tail
  const fix = (parts: string[]): string[] => {
    const last = parts[parts.length - 1];
    if (last && last.includes('.')) {
      const b = ipv4Bytes(last);
      parts.splice(parts.length - 1, 1, ((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16));
    }
    return parts;
  };
  const hh = fix(h);
  const tt = fix(t);
  const words = [...hh, ...new Array<string>(8 - hh.length - tt.length).fill('0'), ...tt];
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w || '0', 16) & 0xffff, i * 2));
  return out;
}

export function scanInterfaces(): NetInterface[] {
  const v4: NetInterface[] = [];
  const v6: NetInterface[] = [];
  const all = os.networkInterfaces();
  for (const [name, list] of Object.entries(all)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4') {
        const addr = ipv4Bytes(a.address);
        const mask = ipv4Bytes(a.netmask);
        const bcast = Buffer.from(addr.map((b, i) => (b | ~mask[i]!) & 255));
        v4.push({ type: 1, name, addr, netmask: mask, bcast, linkspeed: 0n });
      } else if (a.family === 'IPv6') {
        v6.push({ type: 2, name, addr: ipv6Bytes(a.address), netmask: ipv6Bytes(a.netmask), bcast: Buffer.alloc(16), linkspeed: 0n });
      }
    }
  }
  return [...v4, ...v6];
}

export function scanUsers(): UserList {
  const users: UserList['users'] = [];
  const groups: UserList['groups'] = [];
  for (const line of (readText('/etc/passwd') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) continue;
    users.push({ uid: Number(f[2]) >>> 0, gid: Number(f[3]) >>> 0, name: f[0]!, homedir: f[5]!, shell: f[6]! });
  }
  for (const line of (readText('/etc/group') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    groups.push({ gid: Number(f[2]) >>> 0, name: f[0]! });
  }
  return { users, groups };
}

// ---- sockets from /proc/net ----
// As libscap reads them (userspace/libscap/scap_fds.c, 2022: scap_fd_read_sockets and its readers), once per
// network namespace, from the net/ directory of the first process found in it.

/** A socket of the tables, as the fd list will carry it (its fd number set per process). */
type SockInfo = Omit<FdRecord, 'fd'>;

/** Socket inode (decimal text) -> the socket, for one network namespace. */
type SocketTable = Map<string, SockInfo>;

function hexAddr(h: string): Buffer {
  // the kernel prints each 32-bit word of the address in host (little-endian) order
  const out = Buffer.alloc(h.length / 2);
  for (let i = 0; i < h.length; i += 8) out.writeUInt32LE(parseInt(h.slice(i, i + 8), 16) >>> 0, i / 2);
  return out;
}

/**
 * tcp, udp and raw (and their v6 tables): a socket whose remote address is all zero is a server socket
 * (local address and port), whatever its state or port; any other, a connection (both ends). IPv6
 * sockets stay IPv6, v4-mapped addresses included: readers turn a socket with both ends mapped into IPv4.
 */
function parseInet(path: string, v6: boolean, proto: number, into: SocketTable): void {
  const text = readText(path);
  if (!text) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1]!.split(':');
    const [ra, rp] = f[2]!.split(':');
    const rip = hexAddr(ra!);
    const r = blankFd(0, 0, '', BigInt(f[9]!));
    r.l4proto = proto;
    r.sip = hexAddr(la!);
    r.sport = parseInt(lp!, 16);
    if (rip.every((b) => b === 0)) {
      r.type = v6 ? FdKind.Ipv6ServSock : FdKind.Ipv4ServSock;
      r.dip = Buffer.alloc(v6 ? 16 : 4);
    } else {
      r.type = v6 ? FdKind.Ipv6Sock : FdKind.Ipv4Sock;
      r.dip = rip;
      r.dport = parseInt(rp!, 16);
    }
    if (!into.has(f[9]!)) into.set(f[9]!, r);
  }
}

/** The sockets of one network namespace: the tables of `netDir` (/proc/PID/net, or /proc/net). */
function scanSockets(netDir: string): SocketTable {
  const table: SocketTable = new Map();
  parseInet(`${netDir}/tcp`, false, L4_TCP, table);
  parseInet(`${netDir}/udp`, false, L4_UDP, table);
  parseInet(`${netDir}/raw`, false, L4_RAW, table);
  // unix: the kernel's address of the socket is its source; the path is the line's last field as libscap
  // splits it (on blanks only), so it keeps the line's newline
  const ul = (readText(`${netDir}/unix`) ?? '').split('\n');
  for (let i = 1; i < ul.length - 1; i++) {
    const f = ul[i]!.split(/[ \t]+/).filter((x) => x !== '');
    if (f.length < 7) continue;
    const ino = /^\d+/.exec(f[6]!)?.[0] ?? '0';
    // (the path's first word: a path with a blank in it is cut there, and its newline lost)
    const r = blankFd(0, FdKind.UnixSock, f.length > 7 ? (f.length === 8 ? `${f[7]}\n` : f[7]!) : '', BigInt(ino));
    r.source = BigInt.asUintN(64, BigInt('0x' + (/^[0-9a-f]+/i.exec(f[0]!)?.[0] ?? '0')));
    if (!table.has(ino)) table.set(ino, r);
  }
  // netlink: libscap lists these as unix sockets without addresses or a name
  const nl = (readText(`${netDir}/netlink`) ?? '').split('\n');
  for (let i = 1; i < nl.length; i++) {
    const f = nl[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (!table.has(f[9]!)) table.set(f[9]!, blankFd(0, FdKind.UnixSock, '', BigInt(f[9]!)));
  }
  if (fs.existsSync(`${netDir}/tcp6`)) {
    parseInet(`${netDir}/tcp6`, true, L4_TCP, table);
    parseInet(`${netDir}/udp6`, true, L4_UDP, table);
    parseInet(`${netDir}/raw6`, true, L4_RAW, table);
  }
  return table;
}

/** The socket tables of each network namespace seen so far (the key: the inode of /proc/PID/ns/net). */
class NamespaceSockets {
  private readonly byNs = new Map<string, SocketTable>();

  of(pid: number): SocketTable {
    const ns = /^net:\[(\d+)\]$/.exec(readLink(`/proc/${pid}/ns/net`) ?? '')?.[1] ?? '0';
    let t = this.byNs.get(ns);
    if (t === undefined) {
      t = scanSockets(ns === '0' ? '/proc/net' : `/proc/${pid}/net`);
      this.byNs.set(ns, t);
    }
    return t;
  }
}

// ---- threads ----

/**
 * An fd's open flags (/proc/PID/fdinfo, octal) as libscap's scan converts them (open_flags_to_scap,
 * userspace/libscap/scap_fds.c, 2022), quirks included: an access mode of 3 is O_RDONLY, any bit of O_SYNC
 * (whose bits include O_DSYNC's) is O_SYNC, and any bit of O_TMPFILE (which include O_DIRECTORY's) is O_TMPFILE.
 */
const OPEN_FLAGS: readonly (readonly [linux: number, ppm: number])[] = [
  [0o100, 1 << 2], // O_CREAT
  [0o20200000, 1 << 13], // O_TMPFILE
  [0o2000, 1 << 3], // O_APPEND
  [0o10000, 1 << 4], // O_DSYNC
  [0o200, 1 << 5], // O_EXCL
  [0o4000, 1 << 6], // O_NONBLOCK
  [0o4010000, 1 << 7], // O_SYNC
  [0o1000, 1 << 8], // O_TRUNC
  [0o40000, 1 << 9], // O_DIRECT
  [0o200000, 1 << 10], // O_DIRECTORY
  [0o100000, 1 << 11], // O_LARGEFILE
  [0o2000000, 1 << 12], // O_CLOEXEC
];

function toPpmOpenFlags(f: number): number {
  let r = [1, 2, 3, 1][f & 3]!;
  for (const [linux, ppm] of OPEN_FLAGS) if (f & linux) r |= ppm;
  return r >>> 0;
}

function encodeDev(dev: number): number {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 0x100000) & 0xfff00);
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

function statusField(status: string, key: string): string | undefined {
  const m = status.match(new RegExp(`^${key}:\\s*(.*)$`, 'm'));
  return m ? m[1] : undefined;
}

/** The subsystems libscap names the cgroup v2 hierarchy's path for (scap_proc_fill_cgroups). */
const V2_SUBSYSTEMS = ['cpu', 'memory', 'cpuset'];

/**
 * A thread's cgroups as libscap's scap_proc_fill_cgroups writes them: "subsystem=path" for each subsystem of
 * each line of /proc/PID/cgroup, in its order; the unified hierarchy's line ("0::/path") with `controllers`.
 */
function cgroupsOf(tdir: string, controllers: string[]): Buffer {
  const text = readText(`${tdir}/cgroup`);
  if (!text) return EMPTY;
  const parts: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    // "hierarchy-id:controller-list:path"; cgroup v2 has an empty controller list (and id 0); a named v1
    // hierarchy keeps its "name=" prefix ("name=systemd=/...")
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const ctrl = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (ctrl === '' && line.slice(0, first) !== '0') continue;
    const names = ctrl ? ctrl.split(',') : controllers;
    for (const c of names) parts.push(`${c}=${path}`);
  }
  const b = Buffer.from(parts.join('\0') + (parts.length ? '\0' : ''), 'latin1');
  return b.length > MAX_LIST ? b.subarray(0, MAX_LIST) : b;
}

function cut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

/**
 * Whether the process's user may write its executable, as libscap's /proc scan finds it
 * (scap_proc_fill_exe_writable, userspace/libscap/scap_procs.c, 2022): false when /proc/PID/root + the exe path
 * cannot be stat'ed; true for the file's owner; otherwise libscap sets its thread's effective uid, then gid, to
 * the process's and asks faccessat(W_OK, AT_EACCESS). Once the effective uid is not 0 the thread has no
 * capabilities left, so the gid change fails unless the gid is 0 (the scanner's own), and then the answer is
 * false: for uid 0, the access of root; for another uid with gid 0, the mode's group bit (the group 0 or one of
 * the scanner's supplementary groups) or others' bit.
 */
function exeWritable(tdir: string, exepath: string, uid: number, gid: number): boolean {
  if (exepath === '') return false;
  const file = `${tdir}/root${exepath}`;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return false;
  }
  if (st.uid === uid) return true;
  if (uid === 0) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
  if (gid !== 0) return false;
  const groups = process.getgroups?.() ?? [0];
  if (st.gid === 0 || groups.includes(st.gid)) return (st.mode & 0o020) !== 0;
  return (st.mode & 0o002) !== 0;
}

/** A capability set of /proc/PID/task/TID/status (hexadecimal), as libscap reads it; 0 when missing. */
function capSet(status: string, key: string): bigint {
  const v = statusField(status, key)?.trim();
  return v && /^[0-9a-f]+$/i.test(v) ? BigInt(`0x${v}`) : 0n;
}

function scanThread(pid: number, tid: number, controllers: string[]): ProcRecord | null {
  const tdir = `/proc/${pid}/task/${tid}`;
  const status = readText(`${tdir}/status`);
  const stat = readText(`${tdir}/stat`);
  if (!status || !stat) return null;
  // Every file is the thread's own (/proc/PID/task/TID), as libscap's scan reads them (scap_proc_add_from_proc,
  // userspace/libscap/scap_procs.c, 2022). A task without an executable and with an empty command line is a
  // kernel thread (or a zombie): not in the table.
  const exepath = readLink(`${tdir}/exe`) ?? '';
  const cmdline = readList(`${tdir}/cmdline`);
  if (exepath === '' && cmdline.length === 0) return null;
  // the name as libscap scans it ("Name:%1024s"): status's Name up to its first blank, so a name with a space
  // in it keeps its first word (the events' comm, from the kernel, is whole)
  const comm = /^Name:[ \t\v\f\r]*([^ \t\n\v\f\r]*)/m.exec(status)?.[1] ?? '';
  // stat: "pid (comm) state ppid pgrp session tty_nr ..." ; fields after the closing paren
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(rest[2]);
  const session = Number(rest[3]);
  const ttyNr = Number(rest[4]);
  const minflt = BigInt(rest[7] ?? '0');
  const majflt = BigInt(rest[9] ?? '0');
  const nul = cmdline.indexOf(0);
  const exe = nul >= 0 ? cmdline.subarray(0, nul).toString('latin1') : cmdline.toString('latin1');
  const args = nul >= 0 ? cmdline.subarray(nul + 1) : EMPTY;
  let cwd = readLink(`${tdir}/cwd`) ?? '/';
  if (!cwd.endsWith('/')) cwd += '/';
  const limits = readText(`${tdir}/limits`) ?? '';
  // (libscap asks prlimit for the soft limit: unlimited is RLIM_INFINITY, -1 as a signed count)
  const lm = limits.match(/^Max open files\s+(\d+|unlimited)/m);
  const uid = Number((statusField(status, 'Uid') ?? '0 0').split(/\s+/)[1]);
  const gid = Number((statusField(status, 'Gid') ?? '0 0').split(/\s+/)[1]);
  const kb = (k: string): number => Number((statusField(status, k) ?? '0').split(/\s+/)[0]) || 0;
  // the ids in the process's pid namespace: the second number of NSpid, NStgid and NSpgid when there is one
  // (libscap scans "NSpid: %*u %u": the first nested level), else the host's
  const nested = (key: string, host: number): number => {
    const ids = (statusField(status, key) ?? '').trim().split(/\s+/);
    return ids.length >= 2 ? Number(ids[1]) : host;
  };
  const loginuid = Number((readText(`${tdir}/loginuid`) ?? '4294967295').trim());
  return {
    tid,
    pid,
    ptid: Number(statusField(status, 'PPid') ?? 0),
    sid: session,
    // (libscap takes a nested process group of 0, one outside the namespace, as none: the host's)
    vpgid: nested('NSpgid', pgrp) || pgrp,
    comm: cut(comm, 1024),
    exe: cut(exe, 1023),
    exepath: cut(exepath, 1023),
    args,
    cwd: cut(cwd, 1024),
    fdlimit: lm ? (lm[1] === 'unlimited' ? -1n : BigInt(lm[1]!)) : 1024n,
    // a thread other than the group's leader shares its process's fds (libscap's scan assumes so, 2022
    // scap_procs.c: PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES); only the leader's fds are listed
    flags: tid === pid ? 0 : CL_CLONE_THREAD | CL_CLONE_FILES,
    uid: uid >>> 0,
    gid: gid >>> 0,
    vmsizeKb: kb('VmSize'),
    vmrssKb: kb('VmRSS'),
    vmswapKb: kb('VmSwap'),
    pfmajor: majflt,
    pfminor: minflt,
    env: readList(`${tdir}/environ`),
    vtid: nested('NSpid', tid),
    vpid: nested('NStgid', pid),
    cgroups: cgroupsOf(tdir, controllers),
    root: cut(readLink(`${tdir}/root`) ?? '/', 1023),
    loginuid: loginuid >>> 0,
    exeWritable: exeWritable(tdir, exepath, uid >>> 0, gid >>> 0),
    capInheritable: capSet(status, 'CapInh'),
    capPermitted: capSet(status, 'CapPrm'),
    capEffective: capSet(status, 'CapEff'),
    tty: ttyNr,
    pidnsInitStartTs: 0n,
  };
}

function blankFd(fd: number, type: number, name: string, ino: bigint): FdRecord {
  return {
    fd,
    ino,
    type,
    name,
    openFlags: 0,
    dev: 0,
    sip: Buffer.alloc(4),
    dip: Buffer.alloc(4),
    sport: 0,
    dport: 0,
    l4proto: 0,
    source: 0n,
    dest: 0n,
  };
}

/** The anon inode kinds libscap knows by name (exactly); any other anon inode is unsupported. */
const ANON_KINDS = new Map<string, number>([
  ['anon_inode:[eventfd]', FdKind.Event],
  ['anon_inode:[signalfd]', FdKind.SignalFd],
  ['anon_inode:[eventpoll]', FdKind.EventPoll],
  ['anon_inode:inotify', FdKind.Inotify],
  ['anon_inode:[timerfd]', FdKind.TimerFd],
]);
// bpf, io_uring, pidfd, userfaultfd and memfd have types of their own only in newer readers (17..21);
// sysdig 0.29.3 refuses a file that uses them, so they are written as unsupported / plain files.

const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFBLK = 0o060000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFSOCK = 0o140000;

/**
 * A process's fds as libscap's scan lists them (scap_fd_scan_fd_dir, userspace/libscap/scap_fds.c, 2022), by
 * the file type of what each fd opens: a fifo (a pipe, or a named one that can be stat'ed), a file, device or
 * link (FILE_V2, with the open flags of its fdinfo), a directory, a socket found in the tables of the process's
 * network namespace (one that is not is left out; a socket fd without a socket:[N] link is unsupported), and
 * anything else (anon inodes) typed by its exact name, eventfd, signalfd, eventpoll, inotify and timerfd, else
 * unsupported, and nameless either way.
 */
function scanFds(pid: number, sockets: NamespaceSockets): FdRecord[] {
  const dir = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: FdRecord[] = [];
  let socks: SocketTable | undefined;
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const fd = Number(n);
    let st: fs.Stats;
    try {
      st = fs.statSync(`${dir}/${n}`);
    } catch {
      continue;
    }
    const link = readLink(`${dir}/${n}`);
    if (link === null) continue;
    const name = cut(link, 1023);
    switch (st.mode & S_IFMT) {
      case S_IFIFO: {
        const m = /^pipe:\[(\d+)\]/.exec(link);
        let ino: bigint;
        if (m) ino = BigInt(m[1]!);
        else {
          try {
            ino = BigInt(fs.statSync(link).ino);
          } catch {
            continue;
          }
        }
        out.push(blankFd(fd, FdKind.Fifo, name, ino));
        break;
      }
      case S_IFREG:
      case S_IFBLK:
      case S_IFCHR:
      case S_IFLNK: {
        const r = blankFd(fd, FdKind.FileV2, name, BigInt(st.ino));
        const info = readText(`/proc/${pid}/fdinfo/${n}`) ?? '';
        const fm = info.match(/^flags:\t([0-7]+)/m);
        r.openFlags = fm ? toPpmOpenFlags(parseInt(fm[1]!, 8)) : 0;
        r.dev = encodeDev(st.dev);
        out.push(r);
        break;
      }
      case S_IFDIR:
        out.push(blankFd(fd, FdKind.Directory, name, BigInt(st.ino)));
        break;
      case S_IFSOCK: {
        const m = /^socket:\[(\d+)\]/.exec(link);
        if (!m) {
          out.push(blankFd(fd, FdKind.Unsupported, name, 0n));
          break;
        }
        socks ??= sockets.of(pid);
        const s = socks.get(m[1]!);
        if (s) out.push({ ...s, fd });
        break;
      }
      default:
        out.push(blankFd(fd, ANON_KINDS.get(link) ?? FdKind.Unsupported, '', BigInt(st.ino)));
        break;
    }
  }
  return out;
}

export interface ScanOptions {
  bootTsNs: bigint;
  /** Only these thread groups (process-tree capture); all when absent. */
  pids?: ReadonlySet<number>;
  /** -U: whether a thread (its comm, its tid) is suppressed, and so left out with its fds */
  suppressed?: (comm: string, tid: number) => boolean;
}

/** The whole initial state, ready for sectionBlocks(). */
export function scanSystem(opts: ScanOptions): SectionContents {
  // libscap's cgroup version: 2 when the kernel knows cgroup2 at all (/proc/filesystems), hybrid hosts too;
  // its unified hierarchy ("0::/path") is then written for the subsystems its container engines read
  const controllers = /cgroup2/.test(readText('/proc/filesystems') ?? '') ? V2_SUBSYSTEMS : [];
  const sockets = new NamespaceSockets();
  const procs: ProcRecord[] = [];
  const fds: FdList[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    entries = [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (opts.pids && !opts.pids.has(pid)) continue;
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    // the main thread first: readers attach the other threads' shared state to it
    tids.sort((a, b) => (Number(a) === pid ? -1 : Number(b) === pid ? 1 : Number(a) - Number(b)));
    let main = false;
    for (const t of tids) {
      const rec = scanThread(pid, Number(t), controllers);
      if (!rec) continue;
      if (opts.suppressed?.(rec.comm, rec.tid) === true) continue;
      procs.push(rec);
      if (rec.tid === pid) main = true;
    }
    if (main) {
      const list = scanFds(pid, sockets);
      if (list.length > 0) fds.push({ tid: pid, fds: list });
    }
  }
  return {
    machine: scanMachine(opts.bootTsNs),
    interfaces: scanInterfaces(),
    users: scanUsers(),
    procs,
    fds,
  };
}
