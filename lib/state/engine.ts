// The state engine: seeds the thread and fd tables from a section's header blocks, then updates them
// from every event the way libsinsp 0.29.3 does (userspace/libsinsp/parsers.cpp: reset, process_event
// and the parse_* functions; threadinfo.cpp; fdinfo.cpp). It also resolves, per event, the thread and
// fd that fields read (the Ctx of lib/fields/types.ts).

import type { HeaderBlock } from '../scap/reader.js';
import { DataError } from '../cli/errors.js';
import { BlockKind, DF_STATE_ONLY, DF_TRACER } from '../scap/blocks.js';
import { EventView, MAX_PARAMS, readI64, u32 as u32le, viewOf } from '../scap/event.js';
import { ContainerManager, containerFromJson } from './containers.js';
import { tracerEventBytes, TracerParser, TracerResult, TracerState } from './tracer.js';
import {
  decodeFdList,
  decodeInterfaces,
  decodeMachineInfo,
  decodeProcList,
  decodeSectionHeader,
  decodeUsers,
} from '../scap/records.js';
import type { FdRecord, ProcRecord } from '../scap/types.js';
import { EF, eventInfo, firstParamName, paramIndexIn, PT, type ParamIndex } from '../events/table.js';
import type { EventInfo } from '../events/table.js';
import { BufferFormat } from '../fields/types.js';
import type { Ctx, ParamText } from '../fields/types.js';
import {
  concatenatePaths,
  concatenatePathBytes,
  cString,
  isIpv4MappedIpv6,
  renderParam,
  renderSockaddr,
  renderSocktuple,
  sanitize,
  servsockName,
  sockinfoToString,
  tupleName,
  AT_FDCWD,
} from '../events/render.js';
import type { RenderScope } from '../events/render.js';
import {
  CL_ACTIVE,
  CL_CHILD_IN_PIDNS,
  CL_CLONE_INVERTED,
  CL_CLONE_THREAD,
  CL_CLOSED,
  CL_IS_MAIN_THREAD,
  CL_NAME_CHANGED,
  CL_PIPE_DST,
  CL_PIPE_SRC,
  Fd,
  FD_DIRECTORY,
  FD_EVENT,
  FD_FIFO,
  FD_FILE_V2,
  FD_INOTIFY,
  FD_IPV4_SERVSOCK,
  FD_IPV4_SOCK,
  FD_IPV6_SERVSOCK,
  FD_IPV6_SOCK,
  FD_NETLINK,
  FD_SIGNALFD,
  FD_TIMERFD,
  FD_UNIX_SOCK,
  FD_UNKNOWN,
  FDF_CLOSE_CANCELED,
  FDF_CLOSE_IN_PROGRESS,
  FDF_FROM_PROC,
  FDF_IS_CLONED,
  FDF_NOT_TRACER,
  FDF_TRACER_FD,
  FDF_TRACER_FILE,
  FDF_SOCKET_CONNECTED,
  L4_ICMP,
  L4_RAW,
  L4_TCP,
  L4_UDP,
  L4_UNKNOWN,
  splitNul,
  StateTables,
  Thread,
  type ContainerInfo,
} from './model.js';

/** Event ids (driver/ppm_events_public.h) the parsers dispatch on. */
export const enum E {
  OPEN_E = 2, OPEN_X = 3, CLOSE_E = 4, CLOSE_X = 5, READ_X = 7, WRITE_E = 8, WRITE_X = 9,
  EXECVE_8_X = 13, CLONE_11_X = 15, PROCEXIT_E = 16,
  SOCKET_E = 18, SOCKET_X = 19, BIND_X = 21, CONNECT_E = 22, CONNECT_X = 23, ACCEPT_X = 27,
  SEND_X = 29, SENDTO_E = 30, SENDTO_X = 31, RECV_X = 33, RECVFROM_X = 35, SHUTDOWN_E = 36, SHUTDOWN_X = 37,
  SOCKETPAIR_X = 43, SENDMSG_E = 48, SENDMSG_X = 49, RECVMSG_X = 53, ACCEPT4_X = 57,
  CREAT_E = 58, CREAT_X = 59, PIPE_X = 61, EVENTFD_E = 62, EVENTFD_X = 63,
  CHDIR_E = 94, CHDIR_X = 95, FCHDIR_E = 96, FCHDIR_X = 97, GETCWD_X = 93,
  OPENAT_E = 102, OPENAT_X = 103,
  PREAD_X = 113, PWRITE_X = 115, READV_X = 117, WRITEV_X = 119, PREADV_X = 121, PWRITEV_X = 123,
  DUP_X = 125, SIGNALFD_X = 127, TIMERFD_CREATE_X = 137, INOTIFY_INIT_X = 139,
  GETRLIMIT_E = 140, GETRLIMIT_X = 141, SETRLIMIT_E = 142, SETRLIMIT_X = 143, PRLIMIT_E = 144, PRLIMIT_X = 145,
  GETSOCKOPT_X = 47,
  SCHEDSWITCH_1_E = 146, FCNTL_E = 150, FCNTL_X = 151, SCHEDSWITCH_6_E = 152,
  EXECVE_13_X = 155, CLONE_16_X = 157, EXECVE_14_X = 173,
  FORK_X = 183, VFORK_X = 185, PROCEXIT_1_E = 186, SENDFILE_E = 188,
  SETRESUID_E = 192, SETRESUID_X = 193, SETRESGID_E = 194, SETRESGID_X = 195,
  SETUID_E = 198, SETUID_X = 199, SETGID_E = 200, SETGID_X = 201,
  EXECVE_15_X = 215, CLONE_17_X = 217, FORK_17_X = 219, VFORK_17_X = 221,
  CLONE_20_X = 223, FORK_20_X = 225, VFORK_20_X = 227, EXECVE_16_X = 231,
  PROCINFO_E = 234, ACCEPT_5_X = 247, ACCEPT4_5_X = 249, CHROOT_X = 267, TRACER_E = 268, TRACER_X = 269,
  SETSID_X = 275, EXECVE_17_X = 283, EXECVE_18_E = 288, EXECVE_18_X = 289,
  EXECVE_19_E = 292, EXECVE_19_X = 293, SETPGID_E = 294,
  OPENAT_2_E = 306, OPENAT_2_X = 307, OPENAT2_E = 326, OPENAT2_X = 327,
  EXECVEAT_E = 330, EXECVEAT_X = 331, COPY_FILE_RANGE_X = 333, CLONE3_X = 335,
  CONTAINER_JSON_E = 272, CONTAINER_JSON_2_E = 324,
  // ids of current libs (after 0.29.3)
  BRK_4_X = 159, MMAP_X = 161, MMAP2_X = 163, MUNMAP_X = 165,
  ACCEPT4_6_X = 389, DUP_1_X = 367, DUP2_X = 363, DUP3_X = 365, PIPE2_X = 393,
}

/**
 * The most threads the table holds (libsinsp threadinfo.h, m_thread_table_absolute_max_size). Past it,
 * sysdig 0.29.3 adds no thread, from the process list, a clone or an unknown tid (sinsp_thread_manager
 * add_thread and get_thread_ref), and an event of an unknown tid then has none; this also bounds the
 * memory a capture of endless new thread ids can take.
 */
export const MAX_THREADS = 131072;

/** rlimit_resources: RLIMIT_NOFILE */
const PPM_RLIMIT_NOFILE = 7;

const CLONE_EXITS = new Set<number>([
  E.CLONE_11_X, E.CLONE_16_X, E.CLONE_17_X, E.CLONE_20_X, E.FORK_X, E.FORK_17_X, E.FORK_20_X,
  E.VFORK_X, E.VFORK_17_X, E.VFORK_20_X, E.CLONE3_X,
]);

const STORED_ENTERS = new Set<number>([
  E.SENDTO_E, E.OPEN_E, E.CREAT_E, E.OPENAT_E, E.OPENAT_2_E, E.OPENAT2_E, E.SOCKET_E, E.EVENTFD_E,
  E.CHDIR_E, E.FCHDIR_E, E.SHUTDOWN_E, E.GETRLIMIT_E, E.SETRLIMIT_E, E.PRLIMIT_E, E.SENDMSG_E,
  E.SENDFILE_E, E.SETRESUID_E, E.SETRESGID_E, E.SETUID_E, E.SETGID_E, E.EXECVE_18_E, E.EXECVE_19_E,
  E.EXECVEAT_E, E.SETPGID_E,
]);

const RW_EXITS = new Set<number>([
  E.READ_X, E.WRITE_X, E.RECV_X, E.SEND_X, E.RECVFROM_X, E.RECVMSG_X, E.SENDTO_X, E.SENDMSG_X,
  E.READV_X, E.WRITEV_X, E.PREAD_X, E.PWRITE_X, E.PREADV_X, E.PWRITEV_X,
]);

/** Per event type: 1 = enter event the exit parser needs, 2 = read/write exit, 4 = clone exit. */
const KIND = new Uint8Array(1024);
for (const t of STORED_ENTERS) KIND[t]! |= 1;
for (const t of RW_EXITS) KIND[t]! |= 2;
for (const t of CLONE_EXITS) KIND[t]! |= 4;

/** Per event type: 1 when its first parameter is the result ("res" or "fd"), the errno source of reset. */
const RES_FIRST = new Uint8Array(1024);
for (let t = 0; t < 1024; t++) {
  const p0 = firstParamName(t);
  if (p0 === 'res' || p0 === 'fd') RES_FIRST[t] = 1;
}

/** Event types with a parser in dispatch's switch. */
const HAS_PARSER = new Uint8Array(1024);
for (const t of [
  E.OPEN_X, E.CREAT_X, E.OPENAT_X, E.OPENAT_2_X, E.OPENAT2_X, E.EXECVE_8_X, E.EXECVE_13_X, E.EXECVE_14_X, E.EXECVE_15_X, E.EXECVE_16_X, E.EXECVE_17_X, E.EXECVE_18_X, E.EXECVE_19_X, E.EXECVEAT_X, E.PROCEXIT_E, E.PROCEXIT_1_E, E.PIPE_X, E.PIPE2_X, E.SOCKET_X, E.BIND_X, E.CONNECT_E, E.CONNECT_X, E.ACCEPT_X, E.ACCEPT_5_X, E.ACCEPT4_X, E.ACCEPT4_5_X, E.ACCEPT4_6_X, E.CLOSE_E, E.CLOSE_X, E.FCNTL_E, E.FCNTL_X, E.EVENTFD_X, E.CHDIR_X, E.FCHDIR_X, E.GETCWD_X, E.DUP_X, E.DUP_1_X, E.DUP2_X, E.DUP3_X, E.SIGNALFD_X, E.TIMERFD_CREATE_X, E.INOTIFY_INIT_X, E.SOCKETPAIR_X, E.SETRESUID_X, E.SETRESGID_X, E.SETUID_X, E.SETGID_X, E.CHROOT_X, E.SETSID_X, E.SCHEDSWITCH_6_E, E.BRK_4_X, E.MMAP_X, E.MMAP2_X, E.MUNMAP_X,
  E.GETRLIMIT_X, E.SETRLIMIT_X, E.PRLIMIT_X, E.GETSOCKOPT_X, E.CONTAINER_JSON_E, E.CONTAINER_JSON_2_E,
]) HAS_PARSER[t] = 1;

/**
 * Whether parsing an exit of this type can change the tables differently when it pairs with its enter:
 * any exit the engine parses, except reads and writes that carry no address (their parse only marks a
 * socket as connected once a transfer succeeds).
 */
export function pairingMatters(type: number): boolean {
  if ((KIND[type]! & 2) !== 0) return type === E.RECVFROM_X || type === E.RECVMSG_X || type === E.SENDTO_X || type === E.SENDMSG_X;
  return KIND[type] !== 0 || HAS_PARSER[type] !== 0;
}

const PPM_O_DIRECTORY = 1 << 10;
/** settings.h USER_EVT_DEVICE_NAME: an fd of this name may carry tracers */
const TRACER_DEVICE = '/dev/null';
const PPM_AF_UNIX = 1;
const PPM_AF_INET = 2;
const PPM_AF_INET6 = 10;
const PPM_AF_NETLINK = 16;
const SE_EINPROGRESS = 115;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const IPPROTO_IP = 0;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_RAW = 255;
/** fcntl's cmd parameter (PPM_FCNTL_*, driver/ppm_events_public.h; formats/flags-table.json): the two that duplicate an fd */
export const PPM_FCNTL_F_DUPFD = 1;
export const PPM_FCNTL_F_DUPFD_CLOEXEC = 26;
/** the fd number libsinsp parks a cancelled close under */
const CANCELED_FD_NUMBER = Number.MAX_SAFE_INTEGER;
const CLONE_STALE_TIME_NS = 2_000_000_000n;

/** A stored enter event: a private copy of its bytes, viewed through its own EventView. */
class StoredEnter {
  constructor(
    readonly bytes: Buffer,
    readonly type: number,
  ) {}
}

export class StateEngine implements Ctx {
  tables = new StateTables();
  /** the containers' lookups and the engines that find a thread's container in its cgroups */
  containers = new ContainerManager(this.tables);
  // Ctx
  ev!: EventView;
  info!: EventInfo;
  thread: Thread | undefined;
  fd: Fd | undefined;
  fdNum = -1;
  fdNameChanged = false;
  threadLate = false;
  /**
   * The event is hidden from commands that show events (libsinsp's m_filtered_out): a write enter on a
   * tracer fd, a tracer cut by the snaplen. (sysdig -w writes them; tdig-filter writes what its filter
   * keeps, and its reader hides them as sysdig reading the capture does.)
   */
  hidden = false;
  /** a container event that starts the capture: consumed as sinsp opens it (filtered, but never shown or counted) */
  openContainer = false;
  /** the event became a tracer event: `ev` and `info` are the tracer's (the write's bytes are the reader's) */
  tracer = false;
  /** a filter parsed this write before testing it, as a state change: it may be a tracer (filterEvent) */
  tracerCandidate = false;
  /** the event is a tracer cut by the snaplen (kept for the thread's next tracer write) */
  cutTracer = false;
  /** one of hidden, tracer, tracerCandidate, cutTracer was set for this event (begin resets them) */
  tracerTouched = false;
  readonly tracers = new TracerState();
  private readonly tracerView = new EventView();
  /** the header blocks of a section are in; the section's init runs before its first event */
  private sectionInitPending = false;
  firstTs = 0n;
  bufferFormat: BufferFormat = BufferFormat.Normal;
  /** BYTEBUF cut in the normal format (sysdig: 80; 0 with -v or chisels) */
  maxBufLen = 80;
  /** false: the user blocks of a capture are read but not used (sysdig -E): user.* and group.* have no value */
  importUsers = true;

  /** firstTs is set (from the stream's first event) */
  private sawFirst = false;
  private tidToRemove = -1;
  /**
   * fds the next event removes: the first fdsToRemoveCount entries. (Emptied with a count: setting an
   * array's length to 0 drops its backing store, and the next close grew a new one.)
   */
  private fdsToRemove: number[] = [];
  private fdsToRemoveCount = 0;
  private readonly enterScratch = new EnterEvent();
  private tidOfFdToRemove = -1;
  private readonly scope: RenderScope;
  private lastErrorCode = 0;

  constructor() {
    this.scope = {
      ev: undefined as unknown as EventView,
      info: undefined as unknown as EventInfo,
      thread: undefined,
      fd: undefined,
      tables: this.tables,
      bufferFormat: BufferFormat.Normal,
      maxBufLen: 80,
    };
  }

  // ---------------------------------------------------------------------------
  // header blocks

  header(block: HeaderBlock): void {
    const body = block.buf.subarray(block.start + 8, block.end - 4);
    const base = block.offset + 8;
    switch (block.kind) {
      case BlockKind.Section:
        decodeSectionHeader(body, block.offset);
        this.newSection();
        break;
      case BlockKind.MachineInfo:
        this.tables.machine = decodeMachineInfo(body, base);
        break;
      case BlockKind.Interfaces:
        this.tables.interfaces = decodeInterfaces(body, block.version, base);
        break;
      case BlockKind.Users: {
        const ul = decodeUsers(body, block.version, base);
        if (!this.importUsers) break;
        this.tables.users = new Map(ul.users.map((u) => [u.uid, u]));
        this.tables.groups = new Map(ul.groups.map((g) => [g.gid, g]));
        break;
      }
      case BlockKind.ProcList:
        for (const p of decodeProcList(body, block.version, base)) this.addProc(p);
        break;
      case BlockKind.FdList: {
        const fdl = decodeFdList(body, block.version, base);
        const t = this.tables.threads.get(fdl.tid);
        if (t) for (const r of fdl.fds) this.addFdFromRecord(t, r);
        break;
      }
      default:
        break;
    }
  }

  private newSection(): void {
    this.sectionInitPending = true;
    this.tables.reset();
    this.containers = new ContainerManager(this.tables);
    this.tidToRemove = -1;
    this.fdsToRemove = [];
    this.fdsToRemoveCount = 0;
  }

  /**
   * sinsp::init after the header lists: child counts of the imported threads
   * (create_child_dependencies), then the direction of IPv4 sockets from the /proc scan
   * (fix_sockets_coming_from_proc): local port a known server port -> swapped, role server; else client.
   */
  private initSection(): void {
    this.sectionInitPending = false;
    for (const t of [...this.tables.threads.values()]) {
      if (t.flags & CL_CLONE_THREAD) {
        const m = this.getThread(t.pid, true);
        if (m) m.nchilds++;
      }
    }
    for (const t of this.tables.threads.values()) {
      for (const f of t.fds.values()) {
        if (f.type !== FD_IPV4_SOCK) continue;
        if (this.tables.serverPorts.has(f.sock.readUInt16LE(8))) {
          swapAddresses(f);
          f.name = tupleName(f);
          f.setRoleServer();
        } else {
          f.setRoleClient();
        }
      }
    }
  }

  private addProc(p: ProcRecord): void {
    if (this.tables.threads.size >= MAX_THREADS) return;
    const t = new Thread(p.tid, p.pid);
    t.ptid = p.ptid;
    t.sid = p.sid;
    t.vpgid = p.vpgid;
    t.comm = p.comm;
    t.exe = p.exe;
    t.exepath = p.exepath;
    t.args = splitNul(p.args);
    t.flags = p.flags | CL_ACTIVE;
    t.fdlimit = Number(p.fdlimit);
    t.uid = p.uid;
    t.gid = p.gid;
    t.vmsizeKb = p.vmsizeKb;
    t.vmrssKb = p.vmrssKb;
    t.vmswapKb = p.vmswapKb;
    t.pfmajor = Number(p.pfmajor);
    t.pfminor = Number(p.pfminor);
    t.vtid = p.vtid;
    t.vpid = p.vpid;
    t.tty = p.tty;
    t.loginuid = p.loginuid;
    t.exeWritable = p.exeWritable === true;
    if (t.isMainThread() || (t.flags & CL_IS_MAIN_THREAD) !== 0) {
      t.setEnvBytes(p.env);
      this.setCwd(t, p.cwd);
    }
    t.setCgroupBytes(p.cgroups);
    t.root = p.root;
    t.fromProc = true;
    // threadinfo.cpp init: the container is resolved before the thread joins the table
    this.containers.resolve(t);
    this.tables.threads.set(t.tid, t);
  }

  /** threadinfo.cpp add_fd_from_scap */
  private addFdFromRecord(t: Thread, r: FdRecord): void {
    const f = new Fd();
    f.type = r.type;
    f.flags = FDF_FROM_PROC;
    f.ino = r.ino;
    switch (r.type) {
      case FD_IPV4_SOCK:
        setProcIpv4(f, r, 0);
        break;
      case FD_IPV4_SERVSOCK: {
        const s = f.sock;
        r.sip.copy(s, 0, 0, 4);
        s.writeUInt16LE(r.sport, 4);
        s[6] = r.l4proto;
        f.name = servsockName(f);
        this.tables.serverPorts.add(r.sport);
        break;
      }
      case FD_IPV6_SOCK:
        if (isIpv4MappedIpv6(r.sip, 0) && isIpv4MappedIpv6(r.dip, 0)) {
          f.type = FD_IPV4_SOCK;
          setProcIpv4(f, r, 12);
        } else {
          const s = f.sock;
          r.sip.copy(s, 0, 0, 16);
          r.dip.copy(s, 16, 0, 16);
          s.writeUInt16LE(r.sport, 32);
          s.writeUInt16LE(r.dport, 34);
          s[36] = r.l4proto;
          if (r.l4proto === L4_TCP) f.flags |= FDF_SOCKET_CONNECTED;
          f.name = tupleName(f);
        }
        break;
      case FD_IPV6_SERVSOCK: {
        const s = f.sock;
        r.sip.copy(s, 0, 0, 16);
        s.writeUInt16LE(r.sport, 16);
        s[18] = r.l4proto;
        f.name = servsockName(f);
        this.tables.serverPorts.add(r.sport);
        break;
      }
      case FD_UNIX_SOCK:
        f.sock.writeBigUInt64LE(r.source, 0);
        f.sock.writeBigUInt64LE(r.dest, 8);
        f.name = r.name;
        if (f.name === '') f.setRoleClient();
        else f.setRoleServer();
        break;
      case FD_FILE_V2:
        f.openFlags = r.openFlags;
        f.name = r.name;
        f.dev = r.dev;
        break;
      case 1:
      case FD_DIRECTORY:
      case FD_FIFO:
      case 10:
      case FD_SIGNALFD:
      case 12:
      case FD_EVENT:
      case FD_INOTIFY:
      case FD_TIMERFD:
      case FD_NETLINK:
        f.name = r.name;
        break;
      default:
        return;
    }
    if (f.name === TRACER_DEVICE && r.type !== FD_UNIX_SOCK) f.flags |= FDF_TRACER_FILE;
    t.fds.set(r.fd, f);
  }

  // ---------------------------------------------------------------------------
  // Ctx

  paramText(i: number): ParamText {
    const sc = this.scope;
    // (stored when they change: a thread or fd made since the last scavenge, stored into the old scope,
    // goes through V8's write barrier, and this runs for every parameter printed)
    if (sc.ev !== this.ev) sc.ev = this.ev;
    if (sc.info !== this.info) sc.info = this.info;
    if (sc.thread !== this.thread) sc.thread = this.thread;
    if (sc.fd !== this.fd) sc.fd = this.fd;
    sc.bufferFormat = this.bufferFormat;
    sc.maxBufLen = this.maxBufLen;
    return renderParam(sc, i);
  }

  paramIndex(p: ParamIndex): number {
    // the first of that name in the entry, if the event has it (the first within min(table, event) params)
    const i = paramIndexIn(this.info, p);
    return i < this.ev.nparams ? i : -1;
  }

  /** Number of params libsinsp uses: min(table, event). */
  nparams(): number {
    return Math.min(this.info.params.length, this.ev.nparams);
  }

  // ---------------------------------------------------------------------------
  // events

  /**
   * Run one event through the engine. Returns the event's info, or undefined for a type the table
   * does not know (the event is skipped, as libscap skips types it does not know).
   * After this call, thread/fd/fdNum describe the event for the fields.
   */
  process(ev: EventView): EventInfo | undefined {
    const info = this.begin(ev);
    if (info === undefined) return undefined;
    this.finish(ev, info);
    return this.info;
  }

  /**
   * First half of process(): deferred removals and the per-event reset. Fields may be read after it
   * (libsinsp filters events without EF_MODIFIES_STATE before parsing them); finish() parses.
   * `filtered`: a filter is about to test the event; libsinsp then gives a write exit the fd of its thread's
   * last enter even when the two do not pair (its check for a tracer's writes, before filtering).
   */
  begin(ev: EventView, filtered = false): EventInfo | undefined {
    const info = eventInfo(ev.type);
    if (info === undefined) return undefined;
    this.ev = ev;
    this.info = info;
    // (the tracer flags are reset only after an event that set one: one load on every other event)
    if (this.tracerTouched === true) {
      this.hidden = false;
      this.tracer = false;
      this.tracerCandidate = false;
      this.cutTracer = false;
      this.openContainer = false;
      this.tracerTouched = false;
    }
    // (boolean fields compared explicitly: V8 compiles a bare truth test of a field to its generic one)
    if (this.sectionInitPending === true) this.initSection();
    // (the container events that start a capture do not count as its first event: sinsp's m_firstevent_ts)
    if (this.sawFirst === false && ev.type !== E.CONTAINER_JSON_E && ev.type !== E.CONTAINER_JSON_2_E) {
      this.firstTs = ev.ts;
      this.sawFirst = true;
    }
    // deferred removals from the previous event (sinsp::next)
    if (this.tidToRemove !== -1) {
      this.removeThread(this.tidToRemove, false);
      this.tidToRemove = -1;
    }
    if (this.fdsToRemoveCount !== 0) {
      const t = this.lookupThread(this.tidOfFdToRemove, true);
      if (t) {
        const table = this.tables.fdTable(t);
        if (table) for (let i = 0; i < this.fdsToRemoveCount; i++) table.delete(this.fdsToRemove[i]!);
      }
      this.fdsToRemoveCount = 0;
    }
    this.reset(ev, info, filtered);
    const t = this.thread;
    this.fdNum = t !== undefined ? t.lastEventFd : -1;
    this.threadLate = false;
    return info;
  }

  /**
   * Second half of process(): the event's parser, then (unless `cleanup` is false) the exit cleanup.
   * libsinsp skips the cleanup for events it filters out, state-only events included
   * (sinsp::next returns before event_cleanup), and a later exit can then pair with the stale enter.
   */
  finish(ev: EventView, info: EventInfo, cleanup = (ev.flags & DF_STATE_ONLY) === 0): void {
    try {
      this.dispatch(ev, info);
    } catch (e) {
      throw shortParam(e, ev, info);
    }
    // fd.name_changed: the event's fd against its name when last looked up (getFd)
    const f = this.fd;
    this.fdNameChanged = f !== undefined && f.name !== f.oldName;
    const t = this.thread === undefined ? this.threadLater(ev) : this.thread;
    this.fdNum = t !== undefined ? t.lastEventFd : -1;
    if (cleanup) this.cleanup(ev);
  }

  /**
   * sinsp_evt::get_thread_info looks the thread up again when the event has none (an inverted clone, an
   * event that skips the reset, such as page_fault): after the parse, and for a filter that runs before
   * it, there (filterEvent).
   */
  threadLater(ev: EventView): Thread | undefined {
    const t = this.tables.threads.get(ev.tid);
    this.thread = t;
    this.threadLate = t !== undefined;
    return t;
  }

  /** event_cleanup: an exit event releases the stored enter event. */
  cleanup(ev: EventView): void {
    // (a hidden event returns before the cleanup; a tracer event has no thread there: init() cleared it)
    if (this.tracerTouched === true && (this.hidden === true || this.tracer === true)) return;
    const t = this.thread;
    if ((ev.type & 1) === 1 && t !== undefined && t.lastEnter !== null) {
      t.lastEnter = null;
      t.lastEnterValid = false;
    }
  }

  /** Whether the event is hidden from output: state-only events. */
  isStateOnly(ev: EventView): boolean {
    return (ev.flags & DF_STATE_ONLY) !== 0;
  }

  /** sinsp_parser::reset */
  private reset(ev: EventView, info: EventInfo, filtered: boolean): void {
    // stored only when it changes: an enter and its exit, and runs of reads, share their fd, and storing an
    // fd made since the last scavenge into the (old) engine calls V8's write barrier
    const f = this.resetThread(ev, info, filtered);
    if (f !== this.fd) this.fd = f;
  }

  /** reset() but the event's fd, which it returns. */
  private resetThread(ev: EventView, info: EventInfo, filtered: boolean): Fd | undefined {
    const etype = ev.type;
    this.lastErrorCode = 0;
    const eflags = info.flags;
    if (eflags & EF.SKIPPARSERESET) {
      this.thread = etype === E.PROCINFO_E ? this.tables.threads.get(ev.tid) : undefined;
      return undefined;
    }
    const queryOs = !((KIND[etype]! & 4) !== 0 || etype === E.SCHEDSWITCH_6_E);
    // a container event has no thread until its parser gives it the container's
    if (etype === E.CONTAINER_JSON_E || etype === E.CONTAINER_JSON_2_E) {
      this.thread = undefined;
      return undefined;
    }
    const t = this.getThread(ev.tid, queryOs);
    if (t !== this.thread) this.thread = t;
    if (etype === E.SCHEDSWITCH_6_E || t === undefined) return undefined;
    if (queryOs) t.flags |= CL_ACTIVE;
    let f: Fd | undefined;
    if ((etype & 1) === 0) {
      t.lastEventFd = -1;
      t.lastEventType = etype;
      if (eflags & EF.USES_FD && ev.nparams > 0 && info.params.length > 0) {
        t.lastEventFd = readI64(ev.buf, ev.lensOff + ev.nparams * ev.lenSize);
        f = this.tables.getFd(t, t.lastEventFd);
        // a write to a tracer fd shows only as its tracer (libsinsp's parser hides the enter; set here, before
        // a filter runs, since only a kept event can be shown)
        if (f !== undefined && (f.flags & FDF_TRACER_FD) !== 0 && etype === E.WRITE_E) this.hidden = this.tracerTouched = true;
      }
      t.latency = 0;
      t.enterTsHi = ev.tsHi;
      t.enterTsLo = ev.tsLo;
      t.enterSet = true;
    } else {
      if (t.enterSet === true) t.latency = (ev.tsHi - t.enterTsHi) * 4294967296 + (ev.tsLo - t.enterTsLo);
      if (etype === t.lastEventType + 1) {
        t.lastEnterValid = true;
      } else {
        t.lastEnterValid = false;
        // (the unpaired write exit of a filtered event: here, on a path every unpaired exit takes, rather than
        // in filterEvent, where its first use after V8 had optimized the reader deoptimized it)
        if (t.lastEventType !== E.TRACER_E) return filtered && etype === E.WRITE_X ? this.tables.getFd(t, t.lastEventFd) : undefined;
      }
      if (ev.nparams !== 0 && RES_FIRST[etype] === 1) {
        const res = readI64(ev.buf, ev.lensOff + ev.nparams * ev.lenSize);
        if (res < 0) this.lastErrorCode = -res;
      }
      if (eflags & EF.USES_FD) {
        if (etype === E.COPY_FILE_RANGE_X && this.nparams() > 1) t.lastEventFd = readI64(ev.buf, ev.paramOff(1));
        f = this.tables.getFd(t, t.lastEventFd);
        if (f !== undefined && (f.flags & FDF_CLOSE_CANCELED) !== 0) {
          f.flags &= ~FDF_CLOSE_CANCELED;
          if (this.tables.getFd(t, CANCELED_FD_NUMBER)) this.scheduleFdRemoval(t, CANCELED_FD_NUMBER);
        }
      }
    }
    return f;
  }

  private dispatch(ev: EventView, info: EventInfo): void {
    const etype = ev.type;
    const kind = KIND[etype]!;
    if (kind === 0 && !HAS_PARSER[etype]) return;
    if (kind & 1) {
      if (etype === E.SENDTO_E && !this.fd && this.thread) this.inferSendtoFd();
      this.storeEvent();
      return;
    }
    if (kind & 2) return this.parseRwExit(info);
    if (kind & 4) return this.parseCloneExit();
    switch (etype) {
      case E.OPEN_X:
      case E.CREAT_X:
      case E.OPENAT_X:
      case E.OPENAT_2_X:
      case E.OPENAT2_X:
        return this.parseOpenExit();
      case E.EXECVE_8_X:
      case E.EXECVE_13_X:
      case E.EXECVE_14_X:
      case E.EXECVE_15_X:
      case E.EXECVE_16_X:
      case E.EXECVE_17_X:
      case E.EXECVE_18_X:
      case E.EXECVE_19_X:
      case E.EXECVEAT_X:
        return this.parseExecveExit();
      case E.PROCEXIT_E:
      case E.PROCEXIT_1_E:
        if (this.thread) {
          this.thread.flags |= CL_CLOSED;
          this.tidToRemove = ev.tid;
        }
        return;
      case E.PIPE_X:
      case E.PIPE2_X:
        return this.parsePipeExit();
      case E.CONTAINER_JSON_E:
      case E.CONTAINER_JSON_2_E:
        return this.parseContainerJson();
      case E.SOCKET_X:
        return this.parseSocketExit();
      case E.BIND_X:
        return this.parseBindExit();
      case E.CONNECT_E:
        return this.parseConnectEnter();
      case E.CONNECT_X:
        return this.parseConnectExit();
      case E.ACCEPT_X:
      case E.ACCEPT_5_X:
      case E.ACCEPT4_X:
      case E.ACCEPT4_5_X:
      case E.ACCEPT4_6_X:
        return this.parseAcceptExit();
      case E.CLOSE_E:
        return this.parseCloseEnter();
      case E.CLOSE_X:
        return this.parseCloseExit();
      case E.FCNTL_E:
        return this.parseFcntlEnter();
      case E.FCNTL_X:
        return this.parseFcntlExit();
      case E.EVENTFD_X:
        return this.addSimpleFd(FD_EVENT);
      case E.CHDIR_X:
        return this.parseChdirExit();
      case E.FCHDIR_X:
        return this.parseFchdirExit();
      case E.GETCWD_X:
        return this.parseChdirExit();
      case E.DUP_X:
      case E.DUP_1_X:
      case E.DUP2_X:
      case E.DUP3_X:
        return this.parseDupExit();
      case E.SIGNALFD_X:
        return this.addSimpleFd(FD_SIGNALFD);
      case E.TIMERFD_CREATE_X:
        return this.addSimpleFd(FD_TIMERFD);
      case E.INOTIFY_INIT_X:
        return this.addSimpleFd(FD_INOTIFY);
      case E.SOCKETPAIR_X:
        return this.parseSocketpairExit();
      case E.SETRESUID_X:
        return this.parseSetId(true, 1);
      case E.SETRESGID_X:
        return this.parseSetId(false, 1);
      case E.SETUID_X:
        return this.parseSetId(true, 0);
      case E.SETGID_X:
        return this.parseSetId(false, 0);
      case E.CHROOT_X:
        return this.parseChrootExit();
      case E.SETSID_X:
        return this.parseSetsidExit();
      case E.SCHEDSWITCH_6_E:
        if (this.thread && this.nparams() > 5) {
          const t = this.thread;
          t.pfmajor = this.p64(1);
          t.pfminor = this.p64(2);
          const m = this.tables.mainThread(t);
          if (m) this.setVmSizes(m, 3);
        }
        return;
      case E.GETRLIMIT_X:
      case E.SETRLIMIT_X:
        return this.parseRlimitExit(0);
      case E.PRLIMIT_X:
        return this.parseRlimitExit(1);
      case E.GETSOCKOPT_X:
        return this.parseGetsockoptExit();
      case E.BRK_4_X:
      case E.MMAP_X:
      case E.MMAP2_X:
      case E.MUNMAP_X:
        if (this.thread && this.nparams() > 3) this.setVmSizes(this.thread, 1);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------
  // thread table

  /** get_thread_ref: lookup, and a placeholder for an unknown tid when `create`. */
  getThread(tid: number, create: boolean): Thread | undefined {
    const t = this.tables.threads.get(tid);
    if (t !== undefined || !create || this.tables.threads.size >= MAX_THREADS) return t;
    const n = new Thread(tid, tid);
    n.ptid = -1;
    n.comm = '<NA>';
    n.exe = '<NA>';
    n.uid = 0xffffffff;
    n.gid = 0xffffffff;
    n.loginuid = 0xffffffff | 0;
    n.invalid = true;
    n.cwd = '';
    n.nchilds = this.tables.threads.withPid(tid);
    this.addThread(n);
    return n;
  }

  private lookupThread(tid: number, create: boolean): Thread | undefined {
    return this.getThread(tid, create);
  }

  private addThread(t: Thread): void {
    // a full table takes no more threads (the event that brought this one goes on without it)
    if (this.tables.threads.size >= MAX_THREADS) return;
    // increment_mainthread_childcount
    if (t.flags & CL_CLONE_THREAD) {
      const m = this.tables.threads.get(t.pid);
      if (m) m.nchilds++;
    }
    this.tables.threads.set(t.tid, t);
  }

  private removeThread(tid: number, force: boolean): void {
    const t = this.tables.threads.get(tid);
    if (t === undefined) return;
    if (t.nchilds !== 0 && !force) return;
    if (t.flags & CL_CLONE_THREAD) {
      const m = this.tables.threads.get(t.pid);
      if (m && m.nchilds > 0) m.nchilds--;
    }
    this.tables.threads.delete(tid);
  }

  // ---------------------------------------------------------------------------
  // enter events

  private storeEvent(): void {
    const t = this.thread;
    if (t === undefined) return;
    const n = this.ev.copiedSize();
    let b = t.enterBuf;
    if (b === null || b.length < n) {
      t.enterBuf = b = Buffer.allocUnsafe(Math.max(n, 128));
      t.enterDv = viewOf(b);
    }
    this.ev.copyInto(b, t.enterDv!);
    t.lastEnter = b;
    t.lastEnterValid = true;
  }

  /**
   * retrieve_enter_event: the stored enter event of this exit, as a standalone view, or undefined.
   */
  private retrieveEnter(): EnterEvent | undefined {
    const t = this.thread;
    if (t === undefined || t.lastEnterValid === false || t.lastEnter === null) return undefined;
    if (t.lastEnter[20]! + (t.lastEnter[21]! << 8) !== this.ev.type - 1) {
      t.lastEnterValid = false;
      return undefined;
    }
    return this.enterScratch.set(t.lastEnter);
  }

  private p64(i: number): number {
    return i < this.ev.nparams ? readI64(this.ev.buf, this.ev.paramOff(i)) : 0;
  }
  private pU32(i: number): number {
    return this.ev.paramU32(i);
  }
  /**
   * vm_size, vm_rss and vm_swap from parameters i, i + 1 and i + 2 of an event that has them (each as pU32
   * reads it: 0 when shorter than 4 bytes, a length that runs past the event cut at its end), read in one
   * pass over the lengths. Through pU32 (which finds every parameter's offset first, and which V8 inlined
   * with that search three times) an mmap exit took ~580 instructions here, and mmap exits are ~7% of the
   * events of a process start.
   */
  private setVmSizes(t: Thread, i: number): void {
    const ev = this.ev;
    if (ev.lenSize !== 2) {
      t.vmsizeKb = this.pU32(i);
      t.vmrssKb = this.pU32(i + 1);
      t.vmswapKb = this.pU32(i + 2);
      return;
    }
    const dv = ev.dv;
    const end = ev.off + ev.len;
    let lp = ev.lensOff;
    let vp = lp + ev.nparams * 2;
    for (let k = 0; k < i; k++, lp += 2) {
      const l = dv.getUint16(lp, true);
      vp = vp + l > end ? Math.max(vp, end) : vp + l;
    }
    let l = dv.getUint16(lp, true);
    if (vp + l > end) l = end > vp ? end - vp : 0;
    t.vmsizeKb = l >= 4 ? dv.getUint32(vp, true) : 0;
    vp += l;
    l = dv.getUint16(lp + 2, true);
    if (vp + l > end) l = end > vp ? end - vp : 0;
    t.vmrssKb = l >= 4 ? dv.getUint32(vp, true) : 0;
    vp += l;
    l = dv.getUint16(lp + 4, true);
    if (vp + l > end) l = end > vp ? end - vp : 0;
    t.vmswapKb = l >= 4 ? dv.getUint32(vp, true) : 0;
  }
  private pBytes(i: number): Buffer {
    return i < this.ev.nparams ? this.ev.paramBytes(i) : EMPTY;
  }
  /** A string parameter, up to its first NUL (read in place: no Buffer view) */
  private pStr(i: number): string {
    return i < this.ev.nparams ? cString(this.ev.buf, this.ev.paramOff(i), this.ev.paramLen(i)) : '';
  }

  private addFd(t: Thread, num: number, f: Fd): Fd | undefined {
    const table = this.tables.fdTable(t);
    if (table === undefined) return undefined;
    const old = table.get(num);
    let res: Fd;
    if (old) {
      if (old.flags & FDF_CLOSE_IN_PROGRESS) {
        f.flags &= ~FDF_CLOSE_IN_PROGRESS;
        f.flags |= FDF_CLOSE_CANCELED;
        table.set(CANCELED_FD_NUMBER, old.clone());
      }
      old.copyFrom(f);
      res = old;
    } else {
      res = f;
      table.set(num, f);
    }
    t.lastEventFd = num;
    return res;
  }

  private scheduleFdRemoval(t: Thread, fd: number): void {
    this.tidOfFdToRemove = t.tid;
    this.fdsToRemove[this.fdsToRemoveCount++] = fd;
  }

  // ---------------------------------------------------------------------------
  // parsers

  private parseCloneExit(): void {
    const ev = this.ev;
    const etype = ev.type;
    let tid = ev.tid;
    let childtid = this.p64(0);
    let flagsIdx: number;
    if (etype === E.CLONE_11_X) flagsIdx = 8;
    else if (etype === E.CLONE_16_X || etype === E.FORK_X || etype === E.VFORK_X) flagsIdx = 13;
    else if (etype === E.CLONE_17_X || etype === E.FORK_17_X || etype === E.VFORK_17_X) flagsIdx = 14;
    else flagsIdx = 15;
    const v20 = flagsIdx === 15;
    const flags = this.pU32(flagsIdx);
    if (childtid < 0) return;
    let vtid = tid;
    let vpid = -1;
    if (v20) {
      vtid = this.p64(18);
      vpid = this.p64(19);
    }
    const inContainer = (flags & CL_CHILD_IN_PIDNS) !== 0 || tid !== vtid;
    let inverted = false;
    if (childtid === 0) {
      let cur = this.thread;
      if (cur && cur.cloneTs !== 0n && ev.ts - cur.cloneTs > CLONE_STALE_TIME_NS) {
        this.removeThread(tid, true);
        cur = undefined;
        this.thread = undefined;
      }
      const parenttid = flags & CL_CLONE_THREAD ? this.p64(4) : this.p64(5);
      if (!cur) {
        inverted = true;
        childtid = tid;
        tid = parenttid;
      } else {
        if (inContainer) {
          cur.vtid = vtid;
          cur.vpid = vpid;
        }
        return;
      }
    } else if (inContainer) {
      return;
    }
    let ptinfo = this.getThread(tid, true);
    if (!ptinfo) return;
    let validParent = !(ptinfo.comm === '<NA>' && ptinfo.uid === 0xffffffff);
    const child = this.tables.threads.get(childtid);
    let collision = false;
    if (child) {
      if (child.flags & CL_CLONE_INVERTED) return;
      this.removeThread(childtid, true);
      collision = true;
    }
    const t = new Thread(childtid, 0);
    t.ptid = tid;
    const exeParam = this.pStr(1);
    const commParam = etype === E.CLONE_11_X || etype === E.CLONE_16_X || etype === E.FORK_X || etype === E.VFORK_X ? exeParam : this.pStr(13);
    if (validParent) {
      t.comm = ptinfo.comm;
      t.exe = ptinfo.exe;
      t.exepath = ptinfo.exepath;
      t.exeWritable = ptinfo.exeWritable;
      t.args = ptinfo.args;
      t.root = ptinfo.root;
      t.sid = ptinfo.sid;
      t.vpgid = ptinfo.vpgid;
      t.tty = ptinfo.tty;
      t.loginuid = ptinfo.loginuid;
      if (!(flags & CL_CLONE_THREAD)) t.inheritEnv(ptinfo);
    } else {
      // an invalid parent: 0.29.3 looks it up again (offline this yields the same placeholder)
      this.removeThread(tid, true);
      collision = true;
      ptinfo = this.getThread(tid, true)!;
      t.exe = exeParam;
      t.comm = commParam;
      t.args = splitNul(this.pBytes(2));
      ptinfo.comm = t.comm;
      ptinfo.exe = t.exe;
      ptinfo.exepath = t.exepath;
      ptinfo.args = t.args;
      validParent = false;
    }
    t.pid = this.p64(4);
    t.flags = flags;
    if (!(t.flags & CL_CLONE_THREAD)) {
      t.pid = childtid;
      const ptable = this.tables.fdTable(ptinfo);
      t.fds = new Map();
      if (ptable) {
        for (const [k, v] of ptable) {
          const c = v.clone();
          c.flags |= FDF_IS_CLONED;
          t.fds.set(k, c);
        }
      }
      t.cwd = this.tables.cwd(ptinfo);
    }
    if (inverted) t.flags |= CL_CLONE_INVERTED;
    t.exe = exeParam;
    t.comm = commParam;
    t.args = splitNul(this.pBytes(2));
    t.fdlimit = this.p64(7);
    if (etype !== E.CLONE_11_X) {
      t.pfmajor = this.p64(8);
      t.pfminor = this.p64(9);
      t.vmsizeKb = this.pU32(10);
      t.vmrssKb = this.pU32(11);
      t.vmswapKb = this.pU32(12);
    }
    const uidIdx = etype === E.CLONE_11_X ? 9 : flagsIdx + 1;
    t.uid = this.pU32(uidIdx);
    t.gid = this.pU32(uidIdx + 1);
    if (inContainer) {
      t.vtid = vtid;
      t.vpid = vpid;
    } else {
      t.vtid = t.tid;
      t.vpid = t.pid;
    }
    if (v20) {
      t.setCgroupBytes(this.pBytes(14));
      this.containers.resolve(t);
    }
    t.cloneTs = ev.ts;
    this.addThread(t);
    if (collision) this.reset(ev, this.info, false);
  }

  private parseExecveExit(): void {
    const ev = this.ev;
    const etype = ev.type;
    if (this.p64(0) < 0) return;
    const t = this.thread;
    if (t === undefined) return;
    t.exe = this.pStr(1);
    if (etype === E.EXECVE_8_X || etype === E.EXECVE_13_X || etype === E.EXECVE_14_X) t.comm = t.exe;
    else t.comm = this.pStr(13);
    t.args = splitNul(this.pBytes(2));
    this.tables.threads.setPid(t, this.p64(4));
    if (t.ptid === -1) t.ptid = this.p64(5);
    t.fdlimit = this.p64(7);
    if (etype !== E.EXECVE_8_X) {
      t.pfmajor = this.p64(8);
      t.pfminor = this.p64(9);
      t.vmsizeKb = this.pU32(10);
      t.vmrssKb = this.pU32(11);
      t.vmswapKb = this.pU32(12);
    }
    if (etype === E.EXECVE_14_X) t.setEnvBytes(this.pBytes(13));
    else if (etype === E.EXECVE_15_X) t.setEnvBytes(this.pBytes(14));
    else if (etype !== E.EXECVE_8_X && etype !== E.EXECVE_13_X) {
      t.setEnvBytes(this.pBytes(15));
      t.setCgroupBytes(this.pBytes(14));
      // again after an exec: a container's first process gets its cgroups just before it
      this.containers.resolve(t);
    }
    if (etype === E.EXECVE_17_X || etype === E.EXECVE_18_X || etype === E.EXECVE_19_X || etype === E.EXECVEAT_X) {
      t.tty = this.pU32(16) | 0;
    }
    if (etype === E.EXECVE_18_X || etype === E.EXECVE_19_X) {
      const enter = this.retrieveEnter();
      if (enter) {
        const name = enter.paramBytes(0);
        if (name.toString('latin1', 0, Math.min(4, name.length)) === '<NA>') t.exepath = '<NA>';
        else t.exepath = concatenatePaths(t.cwd, name);
      }
    } else if (etype === E.EXECVEAT_X) {
      const enter = this.retrieveEnter();
      if (enter) {
        const dirfd = enter.int64(0);
        const pathname = enter.paramBytes(1);
        if (pathname.toString('latin1', 0, Math.min(4, pathname.length)) === '<NA>') t.exepath = '<NA>';
        else {
          const flags = enter.u32(2);
          const sdir = this.parseDirfd(pathname, 0, pathname.length, dirfd);
          // AT_EMPTY_PATH (flags bit 0) with an empty name: the directory itself
          t.exepath = concatenatePaths(sdir, flags & 1 && cString(pathname, 0, pathname.length).length === 0 ? sdir : pathname);
        }
      }
    }
    if (etype === E.EXECVE_19_X || etype === E.EXECVEAT_X) t.vpgid = this.p64(17);
    if (this.nparams() > 18) t.loginuid = this.pU32(18) | 0;
    // the execve flags: PPM_EXE_WRITABLE (driver/ppm_events_public.h)
    if (this.nparams() > 19) t.exeWritable = (this.pU32(19) & 1) !== 0;
    const keep = t.flags & (CL_PIPE_SRC | CL_PIPE_DST | CL_IS_MAIN_THREAD);
    const inverted = (t.flags & CL_CLONE_INVERTED) !== 0;
    t.flags = CL_ACTIVE | keep | (inverted ? CL_CLONE_INVERTED : 0) | CL_NAME_CHANGED;
  }

  /** parse_dirfd: the directory a relative name (bytes b[off, off + len)) resolves against. Sets the event's fd as 0.29.3 does. */
  private parseDirfd(b: Buffer, off: number, len: number, dirfd: number): string {
    const t = this.thread!;
    if (len !== 0 && b[off] === 0x2f) return '.';
    if (dirfd === AT_FDCWD) return this.tables.cwd(t);
    this.fd = this.tables.getFd(t, dirfd);
    if (this.fd === undefined) return '<UNKNOWN>';
    return this.fd.name + '/';
  }

  /**
   * The open family's exit. The path is kept as bytes nb[no, no + nl) of the event or of its stored enter,
   * not as a Buffer view: making a view costs more than the rest of this parser, which runs for every open.
   */
  private parseOpenExit(): void {
    const ev = this.ev;
    const etype = ev.type;
    const t = this.thread;
    if (t === undefined) return;
    const enter = this.retrieveEnter();
    const fd = this.p64(0);
    let nb = ev.buf;
    let no = 0;
    let nl = 0;
    let flags: number;
    let dev = 0;
    let sdir: string;
    if (etype === E.OPEN_X || etype === E.CREAT_X) {
      if (ev.nparams > 1) {
        no = ev.paramOff(1);
        nl = ev.paramLen(1);
      }
      const open = etype === E.OPEN_X;
      flags = open ? this.pU32(2) : 0;
      if (this.nparams() > (open ? 4 : 3)) dev = this.pU32(open ? 4 : 3);
      if (enter && enter.nparams >= (open ? 2 : 1) && enter.hasText(0)) {
        nb = enter.bytes;
        no = enter.off(0);
        nl = enter.len(0);
        if (open) flags = enter.u32(1);
      }
      sdir = this.tables.cwd(t);
    } else if (etype === E.OPENAT_X) {
      if (enter === undefined) return;
      nb = enter.bytes;
      no = enter.off(1);
      nl = enter.len(1);
      flags = enter.u32(2);
      sdir = this.parseDirfd(nb, no, nl, enter.int64(0));
    } else {
      if (ev.nparams > 2) {
        no = ev.paramOff(2);
        nl = ev.paramLen(2);
      }
      flags = this.pU32(3);
      let dirfd = this.p64(1);
      if (etype === E.OPENAT_2_X && this.nparams() > 5) dev = this.pU32(5);
      if (enter && enter.nparams >= 3 && enter.hasText(1)) {
        nb = enter.bytes;
        no = enter.off(1);
        nl = enter.len(1);
        flags = enter.u32(2);
        dirfd = enter.int64(0);
      }
      sdir = this.parseDirfd(nb, no, nl, dirfd);
    }
    // (libsinsp resolves the path of a failed open too, and drops it: nothing keeps it)
    if (fd >= 0) {
      // (the path's bytes are the event's or, stored by storeEvent, its thread's enter buffer's)
      const ndv = nb === ev.buf ? ev.dv : nb === t.enterBuf && t.enterDv !== null ? t.enterDv : viewOf(nb);
      const full = concatenatePathBytes(sdir, nb, no, nl, ndv);
      const f = new Fd();
      f.type = flags & PPM_O_DIRECTORY ? FD_DIRECTORY : FD_FILE_V2;
      f.openFlags = flags;
      f.dev = dev;
      f.name = full;
      if (full === TRACER_DEVICE) f.flags |= FDF_TRACER_FILE;
      this.fd = this.addFd(t, fd, f);
    }
  }

  private addSocket(fdnum: number, domain: number, type: number, protocol: number): void {
    const t = this.thread!;
    const f = new Fd();
    f.type = FD_UNKNOWN;
    if (domain === PPM_AF_UNIX) f.type = FD_UNIX_SOCK;
    else if (domain === PPM_AF_INET || domain === PPM_AF_INET6) {
      f.type = domain === PPM_AF_INET ? FD_IPV4_SOCK : FD_IPV6_SOCK;
      let l4 = L4_UNKNOWN;
      if (protocol === IPPROTO_TCP) l4 = type === SOCK_RAW ? L4_RAW : L4_TCP;
      else if (protocol === IPPROTO_UDP) l4 = type === SOCK_RAW ? L4_RAW : L4_UDP;
      else if (protocol === IPPROTO_IP) {
        if ((type & 0xff) === SOCK_STREAM) l4 = L4_TCP;
        else if ((type & 0xff) === SOCK_DGRAM) l4 = L4_UDP;
      } else if (protocol === IPPROTO_ICMP) l4 = type === SOCK_RAW ? L4_RAW : L4_ICMP;
      else if (protocol === IPPROTO_RAW) l4 = L4_RAW;
      f.sock[domain === PPM_AF_INET ? 12 : 36] = l4;
    } else if (domain === PPM_AF_NETLINK) f.type = FD_NETLINK;
    if (f.type === FD_UNKNOWN) return;
    this.fd = this.addFd(t, fdnum, f);
  }

  private inferSendtoFd(): void {
    const fd = this.p64(0);
    if (fd < 0 || this.ev.nparams < 3) return;
    const tuple = this.pBytes(2);
    if (tuple.length === 0) return;
    const fam = tuple[0];
    // 0.29.3 compares with the host's AF_INET (2) and AF_INET6 (10)
    if (fam === 2 || fam === 10) this.addSocket(fd, fam === 2 ? PPM_AF_INET : PPM_AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  }

  private parseSocketExit(): void {
    const fd = this.p64(0);
    if (fd < 0 || !this.thread) return;
    const enter = this.retrieveEnter();
    if (enter === undefined) return;
    this.addSocket(fd, enter.u32(0), enter.u32(1), enter.u32(2));
  }

  private parseBindExit(): void {
    const f = this.fd;
    if (f === undefined) return;
    if (this.p64(0) < 0) return;
    const addr = this.pBytes(1);
    if (addr.length === 0) return;
    const fam = addr[0];
    const s = f.sock;
    if (fam === PPM_AF_INET && addr.length >= 7) {
      const port = addr.readUInt16LE(5);
      if (port > 0) {
        const l4 = s[12]!;
        f.type = FD_IPV4_SERVSOCK;
        addr.copy(s, 0, 1, 5);
        s.writeUInt16LE(port, 4);
        s[6] = l4;
        f.setRoleServer();
      }
    } else if (fam === PPM_AF_INET6 && addr.length >= 19) {
      const port = addr.readUInt16LE(17);
      if (port > 0) {
        const l4 = s[36]!;
        if (isIpv4MappedIpv6(addr, 1)) {
          f.type = FD_IPV4_SERVSOCK;
          s[6] = l4;
          addr.copy(s, 0, 13, 17);
          s.writeUInt16LE(port, 4);
        } else {
          f.type = FD_IPV6_SERVSOCK;
          s.writeUInt16LE(port, 16);
          addr.copy(s, 0, 1, 17);
          s[18] = l4;
        }
        f.setRoleServer();
      }
    }
    // (rendered as sysdig renders the parameter: with the fd's l4 protocol, as it is now, for -R)
    f.name = renderSockaddr(addr, 0, addr.length, f.l4());
  }

  private parseConnectEnter(): void {
    const f = this.fd;
    if (f === undefined) return;
    if (this.nparams() < 2) return;
    const addr = this.pBytes(1);
    if (addr.length === 0) return;
    const fam = addr[0];
    const s = f.sock;
    if (fam === PPM_AF_INET) {
      f.type = FD_IPV4_SOCK;
      addr.copy(s, 4, 1, 5);
      s.writeUInt16LE(addr.readUInt16LE(5), 10);
    } else if (fam === PPM_AF_INET6) {
      const port = addr.readUInt16LE(17);
      if (isIpv4MappedIpv6(addr, 1)) {
        f.type = FD_IPV4_SOCK;
        addr.copy(s, 4, 13, 17);
        s.writeUInt16LE(port, 10);
      } else {
        f.type = FD_IPV6_SOCK;
        s.writeUInt16LE(port, 34);
        addr.copy(s, 16, 1, 17);
      }
    } else {
      f.name = renderSockaddr(addr, 0, addr.length);
      if (addr.length >= 17) {
        addr.copy(s, 0, 1, 17);
      }
    }
  }

  private parseConnectExit(): void {
    const f = this.fd;
    if (f === undefined) return;
    const res = this.p64(0);
    if (res < 0 && res !== -SE_EINPROGRESS) return;
    f.flags |= FDF_SOCKET_CONNECTED;
    const tuple = this.pBytes(1);
    if (tuple.length === 0) return;
    this.fillClientSocketInfo(f, tuple);
  }

  private fillClientSocketInfo(f: Fd, tuple: Buffer): void {
    const fam = tuple[0];
    if (fam === PPM_AF_INET || fam === PPM_AF_INET6) {
      let changed: boolean;
      if (fam === PPM_AF_INET6) {
        if (!(isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(tuple, 19))) {
          f.type = FD_IPV6_SOCK;
          changed = setIpv6Tuple(f, tuple);
        } else {
          f.type = FD_IPV4_SOCK;
          changed = setIpv4Tuple(f, tuple, 13, 17, 31, 35);
        }
      } else {
        f.type = FD_IPV4_SOCK;
        changed = setIpv4Tuple(f, tuple, 1, 5, 7, 11);
      }
      if (changed && f.isRoleServer() && f.isUdpSocket()) swapAddresses(f);
      f.name = sockinfoToString(f);
    } else {
      f.name = renderSocktupleSimple(tuple);
      if (tuple.length >= 17) tuple.copy(f.sock, 0, 1, 17);
    }
    if (f.isRoleNone()) f.setRoleClient();
  }

  private parseAcceptExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    const fd = this.p64(0);
    if (fd < 0) return;
    t.lastEventFd = fd;
    const tuple = this.pBytes(1);
    if (tuple.length === 0) return;
    const f = new Fd();
    const fam = tuple[0];
    if (fam === PPM_AF_INET) {
      setIpv4Tuple(f, tuple, 1, 5, 7, 11);
      f.type = FD_IPV4_SOCK;
      f.sock[12] = L4_TCP;
    } else if (fam === PPM_AF_INET6) {
      if (isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(tuple, 19)) {
        setIpv4Tuple(f, tuple, 13, 17, 31, 35);
        f.type = FD_IPV4_SOCK;
        f.sock[12] = L4_TCP;
      } else {
        setIpv6Tuple(f, tuple);
        f.type = FD_IPV6_SOCK;
        f.sock[36] = L4_TCP;
      }
    } else if (fam === PPM_AF_UNIX) {
      f.type = FD_UNIX_SOCK;
      if (tuple.length >= 17) tuple.copy(f.sock, 0, 1, 17);
    } else return;
    f.name = renderSocktupleSimple(tuple);
    f.flags = 0;
    f.setRoleServer();
    f.flags |= FDF_SOCKET_CONNECTED;
    this.fd = this.addFd(t, fd, f);
  }

  private parseCloseEnter(): void {
    const t = this.thread;
    if (t === undefined) return;
    this.fd = this.tables.getFd(t, t.lastEventFd);
    if (this.fd === undefined) return;
    this.fd.flags |= FDF_CLOSE_IN_PROGRESS;
  }

  private parseCloseExit(): void {
    const res = this.p64(0);
    const t = this.thread;
    if (res >= 0) {
      if (this.fd === undefined || t === undefined) return;
      if (this.fd.flags & FDF_CLOSE_CANCELED) {
        this.fd.flags &= ~FDF_CLOSE_CANCELED;
        if (this.tables.getFd(t, CANCELED_FD_NUMBER)) this.scheduleFdRemoval(t, CANCELED_FD_NUMBER);
      } else {
        this.scheduleFdRemoval(t, t.lastEventFd);
      }
    } else if (this.fd !== undefined) {
      this.fd.flags &= ~FDF_CLOSE_IN_PROGRESS;
    }
  }

  private parsePipeExit(): void {
    if (this.p64(0) < 0) return;
    const t = this.thread;
    if (t === undefined) return;
    const fd1 = this.p64(1);
    const fd2 = this.p64(2);
    const ino = this.nparams() > 3 ? this.ev.buf.readBigUInt64LE(this.ev.paramOff(3)) : 0n;
    for (const n of [fd1, fd2]) {
      const f = new Fd();
      f.type = FD_FIFO;
      f.ino = ino;
      this.fd = this.addFd(t, n, f);
    }
  }

  private parseSocketpairExit(): void {
    if (this.p64(0) < 0) return;
    const t = this.thread;
    if (t === undefined) return;
    const fd1 = this.p64(1);
    const fd2 = this.p64(2);
    const f = new Fd();
    f.type = FD_UNIX_SOCK;
    if (this.nparams() > 4) {
      f.sock.writeBigUInt64LE(this.ev.buf.readBigUInt64LE(this.ev.paramOff(3)), 0);
      f.sock.writeBigUInt64LE(this.ev.buf.readBigUInt64LE(this.ev.paramOff(4)), 8);
    }
    this.fd = this.addFd(t, fd1, f);
    this.addFd(t, fd2, f.clone());
  }

  private addSimpleFd(type: number): void {
    const t = this.thread;
    if (t === undefined) return;
    const fd = this.p64(0);
    if (fd < 0) return;
    const f = new Fd();
    f.type = type;
    this.fd = this.addFd(t, fd, f);
  }

  private parseChdirExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    if (this.p64(0) >= 0 && this.nparams() > 1) this.setCwd(t, this.pStr(1));
  }

  private parseFchdirExit(): void {
    if (this.p64(0) < 0) return;
    if (!this.fd || !this.thread) return;
    this.setCwd(this.thread, this.fd.name);
  }

  /** threadinfo set_cwd: resolved against the main thread's cwd, always ending in '/'. */
  private setCwd(t: Thread, cwd: string): void {
    const m = this.tables.mainThread(t);
    if (!m) return;
    let c = concatenatePaths(m.cwd, cwd);
    if (c.length === 0 || c[c.length - 1] !== '/') c += '/';
    m.cwd = c;
  }

  private parseDupExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    const res = this.p64(0);
    if (res < 0) return;
    if (res === 0) t.flags |= CL_PIPE_DST;
    if (res === 1) t.flags |= CL_PIPE_SRC;
    if (this.fd === undefined) return;
    this.fd = this.addFd(t, res, this.fd.clone());
  }

  private parseFcntlEnter(): void {
    if (!this.thread || this.ev.nparams < 2) return;
    const cmd = this.ev.buf[this.ev.paramOff(1)]!;
    if (cmd === PPM_FCNTL_F_DUPFD || cmd === PPM_FCNTL_F_DUPFD_CLOEXEC) this.storeEvent();
  }

  private parseFcntlExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    const res = this.p64(0);
    if (res < 0 || !this.fd) return;
    const enter = this.retrieveEnter();
    if (enter === undefined) return;
    this.fd = this.addFd(t, res, this.fd.clone());
  }

  /**
   * setuid/setgid and setresuid/setresgid exits: the id their enter gave (setres*: the effective one, the
   * enter's second parameter), unless -1, becomes the thread's (libsinsp parse_setuid_exit and
   * parse_setresuid_exit set the event's thread's m_uid, not its process's).
   */
  private parseSetId(uid: boolean, idx: number): void {
    const t = this.thread;
    if (t === undefined) return;
    if (this.p64(0) < 0) return;
    const enter = this.retrieveEnter();
    if (enter === undefined || enter.nparams <= idx) return;
    const v = enter.u32(idx);
    if (v === 0xffffffff) return;
    if (uid) t.uid = v;
    else t.gid = v;
  }

  /**
   * getrlimit, setrlimit and prlimit exits that succeeded on RLIMIT_NOFILE: the limit they carry (cur; prlimit's
   * newcur), unless -1, becomes the process's fd limit (libsinsp parse_getrlimit_setrlimit_exit and
   * parse_prlimit_exit). `resourceAt` is the enter's index of the resource (prlimit: 1, after the pid, whose
   * process it is: 0 is the event's own; one not in the table is left alone).
   */
  private parseRlimitExit(resourceAt: number): void {
    let t = this.thread;
    if (t === undefined || this.p64(0) < 0) return;
    const enter = this.retrieveEnter();
    if (enter === undefined || enter.nparams <= resourceAt || (enter.u32(resourceAt) & 0xff) !== PPM_RLIMIT_NOFILE) return;
    const cur = this.p64(1);
    if (cur === -1) return;
    if (resourceAt === 1) {
      const pid = enter.int64(0);
      if (pid !== 0) t = this.tables.threads.get(pid);
      if (t === undefined) return;
    }
    const m = this.tables.mainThread(t);
    if (m !== undefined) m.fdlimit = cur;
  }

  /** getsockopt exit: the fd of its second parameter, from the process's table, is the event's (parse_getsockopt_exit). */
  private parseGetsockoptExit(): void {
    const t = this.thread;
    if (t === undefined || this.nparams() < 2) return;
    const fd = this.p64(1);
    this.fd = this.tables.getFd(t, fd);
    t.lastEventFd = fd;
  }

  /**
   * parse_container_json_evt: the container's metadata replaces what the table has. The event's thread is then
   * the container's own (sinsp_container_info::get_tinfo: tid and pid -1, comm "container:<id>"). The container
   * events that start a capture are consumed as it opens (sinsp::open reads them through next() itself): they
   * take event numbers and go through the filter, but no command or count ever sees them (openContainer). A
   * later one is an event like others, hidden when its lookup did not succeed (m_filtered_out).
   */
  private parseContainerJson(): void {
    if (this.nparams() < 1) return;
    const json = this.pBytes(0);
    const text = cString(json, 0, json.length);
    let ci: ContainerInfo;
    try {
      ci = containerFromJson(text);
    } catch {
      const ev = this.ev;
      throw new DataError(`event ${ev.num} (container): its JSON does not parse`, `byte ${ev.streamOffset}`);
    }
    this.containers.add(ci);
    const t = new Thread(-1, -1);
    t.vtid = -2;
    t.vpid = -2;
    t.comm = 'container:' + ci.id;
    t.containerId = ci.id;
    this.thread = t;
    if (this.sawFirst === false) this.openContainer = this.hidden = this.tracerTouched = true;
    else if (!ci.successful) this.hidden = this.tracerTouched = true;
  }

  private parseChrootExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    if (this.p64(0) === 0 && this.nparams() > 1) {
      const p = this.pStr(1);
      t.root = concatenatePaths(t.root, p);
      this.containers.resolve(t);
    }
  }

  private parseSetsidExit(): void {
    const t = this.thread;
    if (t === undefined) return;
    const res = this.p64(0);
    if (res >= 0) t.sid = res;
  }

  /**
   * detect_and_process_tracer_write: an fd opened as /dev/null may carry tracers. Its first write that
   * parses makes it a tracer fd (every later read or write on it is a tracer, an invalid one if it does
   * not parse); one that fails to parse makes it an ordinary fd. True when the event became a tracer.
   */
  private tracerWrite(f: Fd, info: EventInfo): boolean {
    const fl = f.flags;
    if ((fl & FDF_NOT_TRACER) !== 0) return false;
    if ((fl & FDF_TRACER_FD) !== 0) {
      this.parseTracer();
      return true;
    }
    if ((fl & FDF_TRACER_FILE) !== 0 && (info.flags & EF.WRITES_TO_FD) !== 0) {
      const r = this.parseTracer();
      if (r === TracerResult.OK) {
        f.flags |= FDF_TRACER_FD;
        return true;
      }
      if (r === TracerResult.FAILED) f.flags |= FDF_NOT_TRACER;
    }
    return false;
  }

  /** sinsp_parser::parse_tracer: parse the write's data; a tracer replaces the event (ev, info). */
  private parseTracer(): TracerResult {
    const t = this.thread;
    const ev = this.ev;
    if (t === undefined) return TracerResult.FAILED;
    const data = this.pBytes(1);
    const p = (t.tracer ??= new TracerParser());
    p.process(data, ev.ts, t, this.tracers);
    if (p.res === TracerResult.TRUNCATED) {
      // (hidden unless a filter kept it upstream: libsinsp shows a cut tracer that its filter passes)
      this.cutTracer = this.tracerTouched = true;
      if (ev.shown === false) this.hidden = true;
      return p.res;
    }
    let type = E.TRACER_E;
    let id = p.id;
    if (p.res === TracerResult.OK) {
      if (p.typeChar !== 0x3e) type = E.TRACER_X;
    } else {
      const f = this.fd;
      if (f === undefined || (f.flags & FDF_TRACER_FD) === 0) return p.res;
      // an invalid tracer on a tracer fd: an enter event that says so
      p.argnames = [];
      p.argvals = [];
      const text = 'invalid tracer ' + data.toString('latin1') + ', len' + data.length;
      const nul = text.indexOf('\0');
      p.tags = [nul === -1 ? text : text.slice(0, nul)];
      id = 0;
    }
    this.replaceWithTracer(type, id, p);
    t.lastEventFd = -1;
    t.lastEventType = E.TRACER_E;
    t.latency = 0;
    t.enterSet = false;
    return p.res;
  }

  /**
   * The tracer event that replaces a write (libsinsp's fake user event): id, tags (rendered joined with
   * '.') and args ("name:value,..."), with the write's timestamp, thread, cpu and number. libsinsp's init()
   * of the new event drops its thread and fd: fields find the thread again (threadLate), the fd is gone.
   */
  private replaceWithTracer(type: number, id: number, p: TracerParser): void {
    const orig = this.ev;
    const tags = Buffer.from(p.tags.join('.'), 'latin1');
    const pairs: string[] = [];
    for (let i = 0; i < p.argnames.length; i++) pairs.push(p.argnames[i] + ':' + (p.argvals[i] ?? ''));
    const args = Buffer.from(pairs.join(','), 'latin1');
    const b = tracerEventBytes(type, id, tags, args, orig.buf.subarray(orig.off, orig.off + 16));
    const v = this.tracerView;
    v.set(b, 0, false, false, 3);
    v.cpu = orig.cpu;
    v.flags = orig.flags;
    v.blockType = orig.blockType;
    v.streamOffset = orig.streamOffset;
    v.num = orig.num;
    this.ev = v;
    this.info = eventInfo(type)!;
    this.tracer = this.tracerTouched = true;
    this.fd = undefined;
    this.threadLate = true;
  }

  private parseRwExit(info: EventInfo): void {
    const f = this.fd;
    if (f === undefined) {
      // a tracer written by sysdig -w keeps its dump flag, and is read as one without its fd
      if ((this.ev.flags & DF_TRACER) !== 0) this.parseTracer();
      return;
    }
    const res = this.p64(0);
    if (this.tracerWrite(f, info)) return;
    if (res < 0) return;
    const etype = this.ev.type;
    if (f.type === FD_IPV4_SOCK || f.type === FD_IPV6_SOCK) f.flags |= FDF_SOCKET_CONNECTED;
    if (info.flags & EF.READS_FROM_FD) {
      let tp = -1;
      if (etype === E.RECVFROM_X) tp = 2;
      else if (etype === E.RECVMSG_X) tp = 3;
      if (tp !== -1 && tp < this.ev.nparams && (f.name.length === 0 || !f.isTcpSocket())) {
        const tuple = this.pBytes(tp);
        if (this.updateFd(f, tuple)) this.renameAfterTuple(f, true, tuple);
      }
    } else {
      if ((etype === E.SENDTO_X || etype === E.SENDMSG_X) && (f.name.length === 0 || !f.isTcpSocket())) {
        const enter = this.retrieveEnter();
        if (enter === undefined) return;
        if (enter.nparams <= 2) return;
        const tuple = enter.paramBytes(2);
        if (this.updateFd(f, tuple)) this.renameAfterTuple(f, false, tuple);
      }
    }
  }

  private renameAfterTuple(f: Fd, incoming: boolean, tuple: Buffer): void {
    if (f.type === FD_IPV4_SOCK || f.type === FD_IPV6_SOCK) {
      if (f.isRoleNone()) this.guessRole(f, incoming);
      if (incoming ? f.isRoleClient() : f.isRoleServer()) swapAddresses(f);
      f.name = sockinfoToString(f);
    } else {
      f.name = renderSocktupleSimple(tuple);
    }
  }

  /** set_net_role_by_guessing (fdinfo.cpp), which reads the IPv4 member of the union. */
  private guessRole(f: Fd, incoming: boolean): void {
    const t = this.thread!;
    const dport = f.sock.readUInt16LE(10);
    const sport = f.sock.readUInt16LE(8);
    if (this.isBoundToPort(t, dport)) {
      if (this.usesClientPort(t, sport)) {
        if (f.isRoleNone()) {
          if (incoming) f.setRoleServer();
          else f.setRoleClient();
        }
        return;
      }
      f.setRoleServer();
    } else {
      f.setRoleClient();
    }
  }

  private isBoundToPort(t: Thread, port: number): boolean {
    const table = this.tables.fdTable(t);
    if (table === undefined) return false;
    for (const f of table.values()) {
      if (f.type === FD_IPV4_SOCK && f.sock.readUInt16LE(10) === port) return true;
      if (f.type === FD_IPV4_SERVSOCK && f.sock.readUInt16LE(4) === port) return true;
    }
    return false;
  }

  private usesClientPort(t: Thread, port: number): boolean {
    const table = this.tables.fdTable(t);
    if (table === undefined) return false;
    for (const f of table.values()) if (f.type === FD_IPV4_SOCK && f.sock.readUInt16LE(8) === port) return true;
    return false;
  }

  /** update_fd: merge a tuple parameter into the fd. */
  private updateFd(f: Fd, tuple: Buffer): boolean {
    if (tuple.length === 0) return false;
    const fam = tuple[0];
    if (fam === PPM_AF_INET) {
      if (f.type === FD_IPV4_SERVSOCK) f.sock[12] = f.sock[6]!;
      f.type = FD_IPV4_SOCK;
      if (!setIpv4Tuple(f, tuple, 1, 5, 7, 11)) return false;
    } else if (fam === PPM_AF_INET6) {
      if (isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(tuple, 19)) {
        f.type = FD_IPV4_SOCK;
        if (!setIpv4Tuple(f, tuple, 13, 17, 31, 35)) return false;
      } else if (!setIpv6Tuple(f, tuple)) return false;
    } else if (fam === PPM_AF_UNIX) {
      f.type = FD_UNIX_SOCK;
      if (tuple.length >= 17) tuple.copy(f.sock, 0, 1, 17);
      f.name = cString(tuple, 17, tuple.length - 17);
      return true;
    }
    if (f.type === FD_IPV4_SOCK) {
      if (f.sock[12] === L4_UNKNOWN) f.sock[12] = L4_UDP;
    } else if (f.type === FD_IPV6_SOCK) {
      if (f.sock[36] === L4_UNKNOWN) f.sock[36] = L4_UDP;
    }
    this.patchFromInterfaces(f);
    return true;
  }

  /** ifinfo.cpp update_fd: fill the zero address of an incomplete tuple from the interface list. */
  private patchFromInterfaces(f: Fd): void {
    const s = f.sock;
    if (f.type === FD_IPV4_SOCK) {
      const sip = s.readUInt32LE(0);
      const dip = s.readUInt32LE(4);
      if (sip !== 0 && dip !== 0) return;
      const sport = s.readUInt16LE(8);
      const dport = s.readUInt16LE(10);
      if (sip === 0) {
        const a = this.inferIpv4(dip);
        if (a === dip && sport === dport) return;
        s.writeUInt32LE(a >>> 0, 0);
      } else {
        const a = this.inferIpv4(sip);
        if (a === sip && sport === dport) return;
        s.writeUInt32LE(a >>> 0, 4);
      }
    } else if (f.type === FD_IPV6_SOCK) {
      const sipZero = isZero(s, 0, 16);
      const dipZero = isZero(s, 16, 32);
      if (!sipZero && !dipZero) return;
      const sport = s.readUInt16LE(32);
      const dport = s.readUInt16LE(34);
      if (sipZero) {
        const a = this.inferIpv6(s.subarray(16, 32));
        if (a.equals(s.subarray(16, 32)) && sport === dport) return;
        a.copy(s, 0);
      } else {
        const a = this.inferIpv6(s.subarray(0, 16));
        if (a.equals(s.subarray(0, 16)) && sport === dport) return;
        a.copy(s, 16);
      }
    }
  }

  /** infer_ipv4_address; addresses as raw little-endian reads of network-order bytes. */
  private inferIpv4(addr: number): number {
    const v4 = this.tables.interfaces.filter((i) => i.addr.length === 4);
    for (const i of v4) if (i.addr.readUInt32LE(0) === addr) return addr;
    for (const i of v4) {
      const m = i.netmask.readUInt32LE(0);
      if (((i.addr.readUInt32LE(0) & m) >>> 0) === ((addr & m) >>> 0)) return i.addr.readUInt32LE(0);
    }
    for (const i of v4) if (i.addr.readUInt32BE(0) !== 0x7f000001) return i.addr.readUInt32LE(0);
    return 0;
  }

  private inferIpv6(addr: Buffer): Buffer {
    const v6 = this.tables.interfaces.filter((i) => i.addr.length === 16);
    for (const i of v6) if (i.addr.equals(addr)) return i.addr;
    for (const i of v6) if (i.addr.subarray(0, 8).equals(addr.subarray(0, 8))) return i.addr;
    for (const i of v6) if (!i.addr.equals(LOOPBACK6)) return i.addr;
    return Buffer.alloc(16);
  }
}

const EMPTY = Buffer.alloc(0);

/** An IPv4 socket from the fd list (addresses at `off` in the record's 4- or 16-byte fields). */
function setProcIpv4(f: Fd, r: FdRecord, off: number): void {
  const s = f.sock;
  r.sip.copy(s, 0, off, off + 4);
  r.dip.copy(s, 4, off, off + 4);
  s.writeUInt16LE(r.sport, 8);
  s.writeUInt16LE(r.dport, 10);
  s[12] = r.l4proto;
  if (r.l4proto === L4_TCP) f.flags |= FDF_SOCKET_CONNECTED;
  f.name = tupleName(f);
}
const LOOPBACK6 = Buffer.from('00000000000000000000000000000001', 'hex');

function isZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/** A stored enter event's parameters (one reusable instance: valid until the next retrieval). */
class EnterEvent {
  type = 0;
  nparams = 0;
  bytes: Buffer = EMPTY;
  private readonly offs = new Int32Array(MAX_PARAMS);
  private readonly lens = new Int32Array(MAX_PARAMS);
  set(bytes: Buffer): this {
    this.bytes = bytes;
    const type = bytes[20]! | (bytes[21]! << 8);
    this.type = type;
    const info = eventInfo(type);
    const total = u32le(bytes, 22);
    const n = Math.min(total, info ? info.params.length : 0, MAX_PARAMS);
    this.nparams = n;
    const large = info !== undefined && (info.flags & EF.LARGE_PAYLOAD) !== 0;
    const ls = large ? 4 : 2;
    const end = Math.min(u32le(bytes, 16), bytes.length);
    let lp = 26;
    let vp = 26 + total * ls;
    for (let i = 0; i < n; i++) {
      const l = large ? u32le(bytes, lp) : bytes[lp]! | (bytes[lp + 1]! << 8);
      lp += ls;
      this.offs[i] = vp;
      this.lens[i] = Math.min(l, Math.max(0, end - vp));
      vp += l;
    }
    return this;
  }
  paramBytes(i: number): Buffer {
    if (i >= this.nparams) return EMPTY;
    return this.bytes.subarray(this.offs[i]!, this.offs[i]! + this.lens[i]!);
  }
  /** where parameter i's bytes start in `bytes` (0 past nparams, with len 0) */
  off(i: number): number {
    return i < this.nparams ? this.offs[i]! : 0;
  }
  len(i: number): number {
    return i < this.nparams ? this.lens[i]! : 0;
  }
  /** parameter i holds a string: not empty, and not the driver's "(NULL)" */
  hasText(i: number): boolean {
    const l = this.len(i);
    return l !== 0 && !isNullText(this.bytes, this.offs[i]!, l);
  }
  int64(i: number): number {
    if (i >= this.nparams) return 0;
    return this.lens[i]! >= 8 ? readI64(this.bytes, this.offs[i]!) : 0;
  }
  u32(i: number): number {
    if (i >= this.nparams) return 0;
    const l = this.lens[i]!;
    const o = this.offs[i]!;
    return l >= 4 ? u32le(this.bytes, o) : l >= 1 ? this.bytes[o]! : 0;
  }
}

/** A parameter too short for what a parser that reads it byte by byte needs: shortParam turns it into a DataError. */
class ShortParamError extends RangeError {}

/** Little-endian u16 at b[o] (unchecked: the caller checks the bounds). */
function u16le(b: Buffer, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/**
 * update_ipv4_addresses_and_ports over the union; tuple fields at the given offsets. Read and written byte
 * by byte: Buffer's methods called here went through V8's generic property lookup in the optimized code
 * (~9 lookups a call, ~1% of a web server capture's time), and checked their arguments on every call.
 */
function setIpv4Tuple(f: Fd, t: Buffer, sipOff: number, sportOff: number, dipOff: number, dportOff: number): boolean {
  // a short tuple fails before anything changes
  if (t.length < dipOff + 4 || t.length < dportOff + 2 || t.length < sipOff + 4 || t.length < sportOff + 2) throw new ShortParamError('parameter too short');
  const s = f.sock;
  const tsip = u32le(t, sipOff);
  const tsport = u16le(t, sportOff);
  const tdip = u32le(t, dipOff);
  const tdport = u16le(t, dportOff);
  const sip = u32le(s, 0);
  const dip = u32le(s, 4);
  const sport = u16le(s, 8);
  const dport = u16le(s, 10);
  if (f.type === FD_IPV4_SOCK) {
    if ((tsip === sip && tsport === sport && tdip === dip && tdport === dport) || (tdip === sip && tdport === sport && tsip === dip && tsport === dport)) {
      return false;
    }
  }
  let changed = false;
  if (sip !== tsip) {
    for (let k = 0; k < 4; k++) s[k] = t[sipOff + k]!;
    changed = true;
  }
  if (sport !== tsport) {
    s[8] = t[sportOff]!;
    s[9] = t[sportOff + 1]!;
    changed = true;
  }
  if (dip === 0) {
    for (let k = 0; k < 4; k++) s[4 + k] = t[dipOff + k]!;
    changed = true;
  }
  if (dport === 0) {
    s[10] = t[dportOff]!;
    s[11] = t[dportOff + 1]!;
    changed = true;
  }
  return changed;
}

function setIpv6Tuple(f: Fd, t: Buffer): boolean {
  const s = f.sock;
  // the bounds-checked reads first: a short tuple fails here, before anything changes
  const tsport = t.readUInt16LE(17);
  const tdport = t.readUInt16LE(35);
  const sport = s.readUInt16LE(32);
  const dport = s.readUInt16LE(34);
  if (f.type === FD_IPV6_SOCK) {
    if ((same16(t, 1, s, 0) && tsport === sport && same16(t, 19, s, 16) && tdport === dport) || (same16(t, 19, s, 0) && tdport === sport && same16(t, 1, s, 16) && tsport === dport)) {
      return false;
    }
  }
  let changed = false;
  if (!same16(t, 1, s, 0)) {
    copy16(t, 1, s, 0);
    changed = true;
  }
  if (sport !== tsport) {
    s.writeUInt16LE(tsport, 32);
    changed = true;
  }
  if (zero16(s, 16)) {
    copy16(t, 19, s, 16);
    changed = true;
  }
  if (dport === 0) {
    s.writeUInt16LE(tdport, 34);
    changed = true;
  }
  return changed;
}

/** 16 bytes (an IPv6 address) of a at ao equal those of b at bo. */
function same16(a: Buffer, ao: number, b: Buffer, bo: number): boolean {
  for (let i = 0; i < 16; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

function zero16(a: Buffer, ao: number): boolean {
  for (let i = 0; i < 16; i++) if (a[ao + i] !== 0) return false;
  return true;
}

function copy16(from: Buffer, fo: number, to: Buffer, tof: number): void {
  for (let i = 0; i < 16; i++) to[tof + i] = from[fo + i]!;
}

function swapAddresses(f: Fd): void {
  const s = f.sock;
  if (f.type === FD_IPV4_SOCK) {
    const ip = s.readUInt32LE(0);
    const port = s.readUInt16LE(8);
    s.writeUInt32LE(s.readUInt32LE(4), 0);
    s.writeUInt16LE(s.readUInt16LE(10), 8);
    s.writeUInt32LE(ip, 4);
    s.writeUInt16LE(port, 10);
  } else {
    const ip = Buffer.from(s.subarray(0, 16));
    const port = s.readUInt16LE(32);
    s.copy(s, 0, 16, 32);
    s.writeUInt16LE(s.readUInt16LE(34), 32);
    ip.copy(s, 16);
    s.writeUInt16LE(port, 34);
  }
}

/** get_param_as_str(PF_SIMPLE) of a tuple (the l4 protocol only matters for -R). */
function renderSocktupleSimple(t: Buffer): string {
  return renderSocktuple(t, 0, t.length);
}

/** Whether a string parameter, the bytes b[o, o + len), reads "(NULL)" (the driver's text for a NULL pointer), alone or NUL-terminated. */
function isNullText(b: Buffer, o: number, len: number): boolean {
  return (
    len >= 6 && b[o] === 0x28 && b[o + 1] === 0x4e && b[o + 2] === 0x55 && b[o + 3] === 0x4c && b[o + 4] === 0x4c && b[o + 5] === 0x29 &&
    (len === 6 || b[o + 6] === 0)
  );
}

/**
 * A parser read past the end of a parameter (a tuple or sockaddr shorter than its family's, say): Buffer's
 * reads throw a RangeError there. libsinsp reads on into whatever bytes follow; tdig stops with where the
 * event is. Other errors pass unchanged.
 */
function shortParam(e: unknown, ev: EventView, info: EventInfo): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof ShortParamError) && (!(e instanceof RangeError) || (code !== 'ERR_OUT_OF_RANGE' && code !== 'ERR_BUFFER_OUT_OF_BOUNDS'))) return e;
  return new DataError(`event ${ev.num} (${info.name} ${(ev.type & 1) === 0 ? '>' : '<'}): a parameter is shorter than its type needs`, `byte ${ev.streamOffset}`);
}

export { sanitize };
