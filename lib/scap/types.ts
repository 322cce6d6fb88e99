// The section records of a scap stream: what header blocks hold, decoded. Byte layouts in formats/scap.md.
// 64-bit values that can exceed 2^53 are bigint; ids (tid, pid, fd) are plain numbers.

export interface SectionHeader {
  major: number;
  minor: number;
  sectionLength: bigint;
  /** pcapng options after the 16-byte body, raw; empty when none */
  options: Buffer;
}

export interface MachineInfo {
  numCpus: number;
  memorySizeBytes: bigint;
  maxPid: bigint;
  hostname: string;
  bootTs: bigint;
  flags: bigint;
  reserved3: bigint;
  reserved4: bigint;
}

export interface NetInterface {
  /** 1 IPv4, 2 IPv6, 3 IPv4 without linkspeed, 4 IPv6 without linkspeed */
  type: number;
  name: string;
  /** IPv4: 4 bytes, IPv6: 16 bytes, network order */
  addr: Buffer;
  netmask: Buffer;
  bcast: Buffer;
  linkspeed: bigint;
}

export interface UserRecord {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupRecord {
  gid: number;
  name: string;
}

export interface UserList {
  users: UserRecord[];
  groups: GroupRecord[];
}

export interface ProcRecord {
  tid: number;
  pid: number;
  ptid: number;
  sid: number;
  vpgid: number;
  comm: string;
  exe: string;
  exepath: string;
  /** NUL-separated list as stored */
  args: Buffer;
  cwd: string;
  fdlimit: bigint;
  flags: number;
  uid: number;
  gid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pfmajor: bigint;
  pfminor: bigint;
  env: Buffer;
  vtid: number;
  vpid: number;
  cgroups: Buffer;
  root: string;
  /** signed int32 as 0.29.3 reads it; -1 when absent */
  loginuid: number;
  tty: number;
  pidnsInitStartTs: bigint;
  // Optional PL v9 tail fields (current libs); present only when the entry carried them.
  exeWritable?: boolean;
  capInheritable?: bigint;
  capPermitted?: bigint;
  capEffective?: bigint;
  exeUpperLayer?: boolean;
  exeIno?: bigint;
  exeInoCtime?: bigint;
  exeInoMtime?: bigint;
  exeFromMemfd?: boolean;
  exeLowerLayer?: boolean;
  pgid?: number;
}

export const enum FdKind {
  File = 1,
  Directory = 2,
  Ipv4Sock = 3,
  Ipv6Sock = 4,
  Ipv4ServSock = 5,
  Ipv6ServSock = 6,
  Fifo = 7,
  UnixSock = 8,
  Event = 9,
  Unsupported = 10,
  SignalFd = 11,
  EventPoll = 12,
  Inotify = 13,
  TimerFd = 14,
  Netlink = 15,
  FileV2 = 16,
  Bpf = 17,
  UserFaultFd = 18,
  IoUring = 19,
  MemFd = 20,
  PidFd = 21,
}

export interface FdRecord {
  fd: number;
  ino: bigint;
  type: number;
  /** files, dirs and the name-only types; unix sockets */
  name: string;
  /** FILE_V2: PPM_O_* open flags */
  openFlags: number;
  dev: number;
  /** IP sockets: 4 or 16 bytes each, network order. Servsocks use sip/sport only. */
  sip: Buffer;
  dip: Buffer;
  sport: number;
  dport: number;
  l4proto: number;
  /** unix sockets: kernel pointers */
  source: bigint;
  dest: bigint;
}

export interface FdList {
  tid: number;
  fds: FdRecord[];
}
