// Writing a capture in parts (-C MB, -G SECONDS, -e N, -W N) while reading one: tdig-fmt --to scap.
//
// Each part must open on its own, in tdig and in sysdig, with the names the whole capture gives its events.
// As libsinsp's dumper does when it opens a file (sinsp_dumper::open writes the inspector's thread table,
// sinsp_threadinfo → scap_threadinfo), a part starts with the state the events before it built: the
// process list of every known thread and each fd table, with the machine, interface and user blocks of
// the input's section. Two things go further than that dumper, so that a part prints as its slice of the
// whole: an IPv4 connection is written local end first, as libscap's /proc scan writes one (a reader turns
// it round when its local port is a listening port: sinsp::fix_sockets_coming_from_proc), so its server or
// client role survives; and each thread's enter event still waiting for its exit is written ahead of the
// part's events as a state-only event (dump flag 1), so that an exit in the part pairs with its enter.
// (sysdig 0.29.3 itself cannot do this from a file: `sysdig -r cap -w out` writes files it cannot read.)

import { eventBlock, sectionBlocks } from './writer.js';
import { containerEvent } from '../state/containers.js';
import { DF_STATE_ONLY, EVF_V2, MAX_EVENT_BLOCK_BODY, roundup4 } from './blocks.js';
import type { EventView } from './event.js';
import { EF, eventInfo } from '../events/table.js';
import { FdKind, type FdList, type FdRecord, type ProcRecord } from './types.js';
import { E, type StateEngine } from '../state/engine.js';
import {
  CL_CLONE_FILES,
  CL_CLONE_THREAD,
  FDF_ROLE_SERVER,
  FD_UNKNOWN,
  type Fd,
  type Thread,
} from '../state/model.js';

/** -C, -G, -e and -W, as tdig-capture and sysdig take them. */
export interface RotateOptions {
  /** -C: a new file every MB megabytes (10^6 bytes) */
  mb?: number;
  /** -G: a new file every SECONDS */
  seconds?: number;
  /** -W: that many files kept, their names (or, with -G and a strftime name, their slots) used again in turn */
  files?: number;
  /** -e: a new file every N events */
  events?: number;
}

export function rotating(o: RotateOptions): boolean {
  return o.mb !== undefined || o.seconds !== undefined || o.events !== undefined;
}

/**
 * The name of part `index` (from 0), as sysdig's cycle writer names its files (cycle_writer::next_file, the
 * index counting from 0 and, with -W, wrapping at it):
 * - with -G, `base` through strftime of the part's `start` when it has a % code, or else `base` and the index;
 * - with -C, the index appended, zero-padded to as many digits as -W has (out.scap00 with -W 10);
 * - with -e, `base` and the index, whatever else is given.
 */
export function partName(base: string, o: RotateOptions, index: number, start: Date): string {
  const slot = o.files !== undefined && o.files > 0 ? index % o.files : index;
  let name = base;
  if (o.seconds !== undefined) name = base.includes('%') ? strftime(base, start) : base + String(slot);
  if (o.mb !== undefined) name += String(slot).padStart(o.files !== undefined ? String(o.files).length : 0, '0');
  if (o.events !== undefined) name = base + String(slot);
  return name;
}

/**
 * With -G and -W N, the files kept: as sysdig's cycle writer does, a part whose name comes from strftime takes the
 * slot (index modulo N) of the part N before it, and that part's file is removed; other names are simply
 * written again. Returns the name to remove, if any, when part `index` is named `name`.
 */
export class PartSlots {
  private readonly names: string[] = [];
  constructor(private readonly o: RotateOptions) {}

  replaced(index: number, name: string): string | undefined {
    const n = this.o.files;
    if (this.o.seconds === undefined || n === undefined || n <= 0) return undefined;
    const slot = index % n;
    const old = this.names[slot];
    this.names[slot] = name;
    return old !== undefined && old !== name ? old : undefined;
  }
}

/** strftime for -G file names: the common conversions. */
export function strftime(fmt: string, d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return fmt.replace(/%([a-zA-Z%])/g, (_m, c: string) => {
    switch (c) {
      case 'Y': return String(d.getFullYear());
      case 'y': return p(d.getFullYear() % 100);
      case 'm': return p(d.getMonth() + 1);
      case 'd': return p(d.getDate());
      case 'H': return p(d.getHours());
      case 'M': return p(d.getMinutes());
      case 'S': return p(d.getSeconds());
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'j': {
        const start = new Date(d.getFullYear(), 0, 1);
        return p(Math.floor((d.getTime() - start.getTime()) / 86400000) + 1, 3);
      }
      case '%': return '%';
      default: return '%' + c;
    }
  });
}

/**
 * The header blocks of a part: the section header, `kept` (the input's machine, interface and user blocks, as
 * read), the process list of the engine's threads and one fd list per fd table.
 */
export function stateSection(engine: StateEngine, kept: readonly Buffer[], records: StateRecords = stateRecords(engine)): Buffer[] {
  const { procs, fds } = records;
  // each entry with the pre-0.10 tail (formats/scap.md, PL): loginuid and exe_writable, which sysdig 0.29.3's
  // dumper writes and reads (the capability sets after them, which tdig's state does not keep, as 0)
  const blocks = sectionBlocks({ procs, fds }, { tail: 'pre010' });
  // the section header first, then the input's machine, interfaces and users, then processes and fds, then
  // one container event per known container (as sysdig's dumper starts each file)
  const ts = engine.ev?.ts ?? 0n;
  const containers = [...engine.tables.containers.values()].map((ci) => eventBlock(0, 0, containerEvent(ci, ts), true));
  return [blocks[0]!, ...kept, ...blocks.slice(1), ...containers];
}

/** The process list and fd lists of a part's header: every thread of the engine's table, and each fd table. */
export interface StateRecords {
  procs: ProcRecord[];
  fds: FdList[];
}

export function stateRecords(engine: StateEngine): StateRecords {
  const procs: ProcRecord[] = [];
  const fds: FdList[] = [];
  for (const t of engine.tables.threads.values()) {
    // (a thread first met in an event is in the table too, with what its events told: libsinsp's dumper
    // writes every thread of its table)
    procs.push(procRecord(t));
    // threads that share their process's fd table have none of their own
    if ((t.flags & CL_CLONE_FILES) !== 0 && (t.flags & CL_CLONE_THREAD) !== 0 && t.tid !== t.pid) continue;
    const list: FdRecord[] = [];
    for (const [num, f] of t.fds) {
      const r = fdRecord(num, f);
      if (r !== undefined) list.push(r);
    }
    if (list.length > 0) fds.push({ tid: t.tid, fds: list });
  }
  return { procs, fds };
}

function nulJoined(list: readonly string[]): Buffer {
  return Buffer.from(list.map((s) => s + '\0').join(''), 'latin1');
}

function procRecord(t: Thread): ProcRecord {
  return {
    tid: t.tid,
    pid: t.pid,
    ptid: t.ptid,
    sid: t.sid,
    vpgid: t.vpgid,
    comm: t.comm,
    exe: t.exe,
    exepath: t.exepath,
    args: nulJoined(t.args),
    cwd: t.cwd,
    fdlimit: BigInt(t.fdlimit),
    flags: t.flags,
    uid: t.uid,
    gid: t.gid,
    vmsizeKb: t.vmsizeKb,
    vmrssKb: t.vmrssKb,
    vmswapKb: t.vmswapKb,
    pfmajor: BigInt(t.pfmajor),
    pfminor: BigInt(t.pfminor),
    env: nulJoined(t.env),
    vtid: t.vtid,
    vpid: t.vpid,
    cgroups: nulJoined(t.cgroups.map(([c, p]) => `${c}=${p}`)),
    root: t.root,
    loginuid: t.loginuid > 0x7fffffff ? t.loginuid - 0x100000000 : t.loginuid,
    exeWritable: t.exeWritable,
    tty: t.tty,
    pidnsInitStartTs: 0n,
  };
}

const NONE = Buffer.alloc(0);

/** An fd as a process-list fd record; undefined for what a reader would not take back. */
function fdRecord(num: number, f: Fd): FdRecord | undefined {
  const r: FdRecord = { fd: num, ino: f.ino, type: f.type, name: f.name, openFlags: f.openFlags, dev: f.dev, sip: NONE, dip: NONE, sport: 0, dport: 0, l4proto: 0, source: 0n, dest: 0n };
  switch (f.type) {
    case FD_UNKNOWN:
      return undefined;
    case FdKind.Ipv4Sock: {
      const s = f.sock;
      // local end first (see the top of this file): the server end of a connection the process serves
      const server = (f.flags & FDF_ROLE_SERVER) !== 0;
      const [a, b] = server ? [4, 0] : [0, 4];
      r.sip = Buffer.from(s.subarray(a, a + 4));
      r.dip = Buffer.from(s.subarray(b, b + 4));
      r.sport = s.readUInt16LE(server ? 10 : 8);
      r.dport = s.readUInt16LE(server ? 8 : 10);
      r.l4proto = s[12]!;
      return r;
    }
    case FdKind.Ipv6Sock: {
      const s = f.sock;
      r.sip = Buffer.from(s.subarray(0, 16));
      r.dip = Buffer.from(s.subarray(16, 32));
      r.sport = s.readUInt16LE(32);
      r.dport = s.readUInt16LE(34);
      r.l4proto = s[36]!;
      return r;
    }
    case FdKind.Ipv4ServSock:
    case FdKind.Ipv6ServSock: {
      // the server member of the union: the address (4 or 16 bytes), then the port and the protocol
      const s = f.sock;
      const n = f.type === FdKind.Ipv4ServSock ? 4 : 16;
      r.sip = Buffer.from(s.subarray(0, n));
      r.sport = s.readUInt16LE(n);
      r.l4proto = s[n + 2]!;
      return r;
    }
    case FdKind.UnixSock: {
      const s = f.sock;
      r.source = s.readBigUInt64LE(0);
      r.dest = s.readBigUInt64LE(8);
      return r;
    }
    default:
      return r;
  }
}

/**
 * Each thread's latest enter event that no exit followed yet (not those that do not touch the thread's event
 * state: sched_switch, procinfo...), copied as it passes: ahead of a part's events, written again as
 * state-only events, oldest first, they leave each thread as the whole capture has it there (the fd and type
 * of its last event, its stored enter, the start of its latency), so that the part's first exits read as
 * their slice of the whole capture prints them.
 */
export class PendingEnters {
  private readonly enters = new Map<number, { ts: bigint; bytes: Buffer }>();

  /** Follows `ev`, an event written to a part. */
  seen(ev: EventView): void {
    if ((ev.type & 1) === 1) {
      this.enters.delete(ev.tid);
      return;
    }
    // (what the engine's reset takes as the thread's last event: not sched_switch, procinfo and their kind)
    const info = eventInfo(ev.type);
    // (nor a tracer, which a reader would show: sysdig's tracers are events of their own, made from writes)
    if (info === undefined || (info.flags & EF.SKIPPARSERESET) !== 0 || ev.type === E.SCHEDSWITCH_6_E || ev.type === E.TRACER_E) return;
    // (an event with 4-byte parameter lengths, from a large block, cannot be written again in a plain one)
    if (ev.lenSize !== 2) this.enters.delete(ev.tid);
    else this.enters.set(ev.tid, { ts: ev.ts, bytes: ev.copyBytes() });
  }

  /** The state-only event blocks (cpu 0) to write ahead of a part's events, for the threads `engine` still has. */
  blocks(engine: StateEngine): Buffer[] {
    const threads = engine.tables.threads;
    for (const tid of this.enters.keys()) if (!threads.has(tid)) this.enters.delete(tid);
    const list = [...this.enters.values()].sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
    const out: Buffer[] = [];
    for (const { bytes } of list) {
      const body = 2 + 4 + bytes.length;
      if (body > MAX_EVENT_BLOCK_BODY) continue;
      const total = roundup4(8 + body + 4);
      const b = Buffer.alloc(total);
      b.writeUInt32LE(EVF_V2, 0);
      b.writeUInt32LE(total, 4);
      b.writeUInt16LE(0, 8);
      b.writeUInt32LE(DF_STATE_ONLY, 10);
      bytes.copy(b, 14);
      b.writeUInt32LE(total, total - 4);
      out.push(b);
    }
    return out;
  }
}
