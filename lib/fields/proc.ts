// Field class "process": proc.* and thread.* (libsinsp sinsp_filter_check_thread, 0.29.3).
//
// Most fields read the event's thread. Process-wide values (ppid, nthreads, fd counts, cwd, ancestors) come
// from the main thread. When the main thread is not in the table, libsinsp makes a placeholder for it
// (comm "<NA>", ptid -1, no fds); the fields here answer as they would for that placeholder, without adding it.

import { CL_IS_MAIN_THREAD, parentOf, Thread, traverseParents, type StateTables } from '../state/model.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldValue } from './types.js';
import { fieldDef } from './types.js';
import './fd.js'; // FieldDef.anyOf

const SCHEDSWITCH_1_E = 146;
const SCHEDSWITCH_6_E = 152;
const PROCINFO_E = 234;

function isMain(t: Thread): boolean {
  return t.tid === t.pid || (t.flags & CL_IS_MAIN_THREAD) !== 0;
}

/** libsinsp get_main_thread, with its placeholder when the main thread is unknown. */
function mainOf(tables: StateTables, t: Thread): Thread {
  const m = tables.mainThread(t);
  if (m !== undefined) return m;
  const p = new Thread(t.pid, t.pid);
  p.comm = '<NA>';
  p.exe = '<NA>';
  p.cwd = '';
  p.loginuid = -1;
  p.invalid = true;
  p.nchilds = tables.threads.withPid(t.pid);
  return p;
}

function joinArgs(args: readonly string[]): string {
  return args.join(' ');
}

/** libsinsp populate_cmdline: comm, then " arg" for each argument. */
function cmdline(t: Thread): string {
  return t.args.length === 0 ? t.comm : t.comm + ' ' + t.args.join(' ');
}

/** proc.aname[N] / proc.apid[N]: the main thread, then N parents up. */
function ancestor(ctx: Ctx, arg: FieldArg | undefined): Thread | undefined {
  const t = ctx.thread;
  if (t === undefined) return undefined;
  let mt: Thread | undefined = mainOf(ctx.tables, t);
  const n = arg?.index ?? 0;
  for (let j = 0; j < n; j++) {
    mt = parentOf(ctx.tables, mt);
    if (mt === undefined) return undefined;
  }
  return mt;
}

function ancestorsOf(ctx: Ctx, arg: FieldArg | undefined, pick: (t: Thread) => FieldValue): FieldValue[] | undefined {
  if (arg !== undefined && arg.index !== undefined) return undefined;
  const t = ctx.thread;
  if (t === undefined) return [];
  const out: FieldValue[] = [];
  traverseParents(ctx.tables, mainOf(ctx.tables, t), (p) => {
    out.push(pick(p));
    return true;
  });
  return out;
}

function loginShellId(ctx: Ctx): FieldValue {
  const t = ctx.thread;
  if (t === undefined) return undefined;
  const mt = mainOf(ctx.tables, t);
  let res: number | undefined;
  const check = (p: Thread): boolean => {
    const c = p.comm;
    if (c.length >= 2 && c.charCodeAt(c.length - 2) === 0x73 && c.charCodeAt(c.length - 1) === 0x68) res = p.pid;
    return true;
  };
  check(mt);
  traverseParents(ctx.tables, mt, check);
  return res;
}

function sessionName(ctx: Ctx): FieldValue {
  const t = ctx.thread;
  if (t === undefined) return undefined;
  const leader = ctx.tables.threads.get(t.sid);
  if (leader !== undefined) return leader.comm;
  let mt = mainOf(ctx.tables, t);
  const sid = mt.sid;
  traverseParents(ctx.tables, mt, (p) => {
    if (p.sid !== sid) return false;
    mt = p;
    return true;
  });
  return mt.comm;
}

function duration(ctx: Ctx): FieldValue {
  const t = ctx.thread;
  if (t === undefined || t.cloneTs === 0n) return undefined;
  return Number(ctx.ev.ts - t.cloneTs);
}

function fdUsage(t: Thread, tables: StateTables): number {
  const m = mainOf(tables, t);
  const limit = m.fdlimit;
  if (limit <= 0) return 0;
  const open = m.fds.size;
  return open <= limit ? (open * 100) / limit : 100;
}

// thread.exectime / thread.totexectime / thread.cpu keep state across events, as libsinsp's filterchecks do:
// one store per use of the field (each filtercheck has its own m_last_proc_switch_times, and reserves its
// own slot of thread memory), so each use gets its own extractor (FieldDef.instance).

interface TsPair {
  hi: number;
  lo: number;
}

function execTime(ctx: Ctx, lastByCpu: Map<number, TsPair>): number {
  const ev = ctx.ev;
  const last = lastByCpu.get(ev.cpu);
  let res = 0;
  if (last !== undefined) {
    if (last.hi !== 0 || last.lo !== 0) res = (ev.tsHi - last.hi) * 4294967296 + (ev.tsLo - last.lo);
    last.hi = ev.tsHi;
    last.lo = ev.tsLo;
  } else {
    lastByCpu.set(ev.cpu, { hi: ev.tsHi, lo: ev.tsLo });
  }
  return res;
}

function isSwitch(type: number): boolean {
  return type === SCHEDSWITCH_1_E || type === SCHEDSWITCH_6_E;
}

function makeThreadExectime(): (ctx: Ctx) => FieldValue {
  const lastByCpu = new Map<number, TsPair>();
  return (ctx) => (isSwitch(ctx.ev.type) ? execTime(ctx, lastByCpu) : 0);
}

function makeThreadTotExectime(): (ctx: Ctx) => FieldValue {
  const lastByCpu = new Map<number, TsPair>();
  const totByThread = new WeakMap<Thread, number>();
  return (ctx) => {
    const delta = isSwitch(ctx.ev.type) ? execTime(ctx, lastByCpu) : 0;
    const t = ctx.thread;
    if (t === undefined) return undefined;
    const tot = (totByThread.get(t) ?? 0) + delta;
    totByThread.set(t, tot);
    return tot;
  };
}

function makeThreadCpu(user: boolean, system: boolean): (ctx: Ctx) => FieldValue {
  const last = new WeakMap<Thread, number>();
  return (ctx) => {
    const t = ctx.thread;
    if (t === undefined || ctx.ev.type !== PROCINFO_E) return undefined;
    const ev = ctx.ev;
    let tcpu = 0;
    if (user && ev.nparams > 0) tcpu += ev.paramInt(0, false);
    if (system && ev.nparams > 1) tcpu += ev.paramInt(1, false);
    const prev = last.get(t) ?? 0;
    let v = 0;
    if (prev !== 0) {
      // unsigned 64-bit difference: a smaller total wraps to a huge value, capped like any other
      v = tcpu >= prev ? tcpu - prev : 100;
      if (v > 100) v = 100;
    }
    last.set(t, tcpu);
    return v;
  };
}

function cgroup(ctx: Ctx, arg: FieldArg | undefined): FieldValue {
  const t = ctx.thread;
  if (t === undefined || t.cgroups.length === 0) return undefined;
  const want = arg?.name ?? arg?.raw ?? '';
  for (const [subsys, path] of t.cgroups) if (subsys === want) return path;
  return undefined;
}

function cgroups(t: Thread): FieldValue {
  if (t.cgroups.length === 0) return undefined;
  let s = '';
  for (let i = 0; i < t.cgroups.length; i++) {
    const [k, v] = t.cgroups[i]!;
    if (i > 0) s += ' ';
    s += k + '=' + v;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------

/** A field that needs the event's thread (missing without one). */
function th(
  name: string,
  type: FieldDef['type'],
  desc: string,
  get: (t: Thread, ctx: Ctx, arg: FieldArg | undefined) => FieldValue,
  extra?: Partial<FieldDef>,
): FieldDef {
  return {
    name,
    type,
    desc,
    extract: (ctx, arg) => (ctx.thread === undefined ? undefined : get(ctx.thread, ctx, arg)),
    ...extra,
  };
}

const raw = fieldDef;

const ID = { fmt: 'ID' } as const;

export const processClass: FieldClass = {
  name: 'process',
  desc: 'Additional information about the process and thread executing the syscall event.',
  fields: [
    th('proc.pid', 'INT64', 'the id of the process generating the event.', (t) => t.pid, ID),
    th(
      'proc.exe',
      'CHARBUF',
      'the first command line argument (usually the executable name or a custom one).',
      (t) => t.exe,
    ),
    th('proc.name', 'CHARBUF', 'the name (excluding the path) of the executable generating the event.', (t) => t.comm),
    th(
      'proc.args',
      'CHARBUF',
      'the arguments passed on the command line when starting the process generating the event.',
      (t) => joinArgs(t.args),
    ),
    th('proc.env', 'CHARBUF', 'the environment variables of the process generating the event.', (t, c) => joinArgs((c.tables.mainThread(t) ?? t).env)),
    th('proc.cmdline', 'CHARBUF', 'full process command line, i.e. proc.name + proc.args.', (t) => cmdline(t)),
    th(
      'proc.exeline',
      'CHARBUF',
      'full process command line, with exe as first argument, i.e. proc.exe + proc.args.',
      (t) => t.exe + ' ' + joinArgs(t.args),
    ),
    th('proc.cwd', 'CHARBUF', 'the current working directory of the event.', (t, c) => mainOf(c.tables, t).cwd),
    th(
      'proc.nthreads',
      'UINT32',
      'the number of threads that the process generating the event currently has, including the main process thread.',
      (t, c) => (mainOf(c.tables, t).nchilds + 1) >>> 0,
    ),
    th(
      'proc.nchilds',
      'UINT32',
      'the number of child threads that the process generating the event currently has. This excludes the main process thread.',
      (t) => t.nchilds >>> 0,
    ),
    th(
      'proc.ppid',
      'INT64',
      'the pid of the parent of the process generating the event.',
      (t, c) => mainOf(c.tables, t).ptid,
      ID,
    ),
    th(
      'proc.pname',
      'CHARBUF',
      'the name (excluding the path) of the parent of the process generating the event.',
      (t, c) => c.tables.threads.get(t.ptid)?.comm,
    ),
    th(
      'proc.pcmdline',
      'CHARBUF',
      'the full command line (proc.name + proc.args) of the parent of the process generating the event.',
      (t, c) => {
        const p = c.tables.threads.get(t.ptid);
        return p === undefined ? undefined : cmdline(p);
      },
    ),
    raw(
      'proc.apid',
      'INT64',
      'the pid of one of the process ancestors. E.g. proc.apid[1] returns the parent pid, proc.apid[2] returns the grandparent pid, and so on. proc.apid[0] is the pid of the current process. proc.apid without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.apid=1234.',
      (c, a) => ancestor(c, a)?.pid,
      { fmt: 'ID', arg: 'optional', anyOf: (c, a) => ancestorsOf(c, a, (p) => p.pid), anyOfNe: 'any' },
    ),
    raw(
      'proc.aname',
      'CHARBUF',
      'the name (excluding the path) of one of the process ancestors. E.g. proc.aname[1] returns the parent name, proc.aname[2] returns the grandparent name, and so on. proc.aname[0] is the name of the current process. proc.aname without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.aname=bash.',
      (c, a) => ancestor(c, a)?.comm,
      { arg: 'optional', anyOf: (c, a) => ancestorsOf(c, a, (p) => p.comm), anyOfNe: 'any' },
    ),
    raw(
      'proc.loginshellid',
      'INT64',
      'the pid of the oldest shell among the ancestors of the current process, if there is one. This field can be used to separate different user sessions, and is useful in conjunction with chisels like spy_user.',
      loginShellId,
      ID,
    ),
    raw('proc.duration', 'RELTIME', 'number of nanoseconds since the process started.', duration),
    th('proc.fdopencount', 'UINT64', 'number of open FDs for the process', (t, c) => mainOf(c.tables, t).fds.size),
    th('proc.fdlimit', 'INT64', 'maximum number of FDs the process can open.', (t, c) => mainOf(c.tables, t).fdlimit),
    th(
      'proc.fdusage',
      'DOUBLE',
      'the ratio between open FDs and maximum available FDs for the process.',
      (t, c) => fdUsage(t, c.tables),
    ),
    th('proc.vmsize', 'UINT64', 'total virtual memory for the process (as kb).', (t) => t.vmsizeKb),
    th('proc.vmrss', 'UINT64', 'resident non-swapped memory for the process (as kb).', (t) => t.vmrssKb),
    th('proc.vmswap', 'UINT64', 'swapped memory for the process (as kb).', (t) => t.vmswapKb),
    th('thread.pfmajor', 'UINT64', 'number of major page faults since thread start.', (t) => t.pfmajor),
    th('thread.pfminor', 'UINT64', 'number of minor page faults since thread start.', (t) => t.pfminor),
    raw('thread.tid', 'INT64', 'the id of the thread generating the event.', (c) => c.ev.tid, ID),
    th(
      'thread.ismain',
      'BOOL',
      "'true' if the thread generating the event is the main one in the process.",
      (t) => isMain(t),
    ),
    raw(
      'thread.exectime',
      'RELTIME',
      'CPU time spent by the last scheduled thread, in nanoseconds. Exported by switch events only.',
      makeThreadExectime(),
      { instance: makeThreadExectime, sideEffects: true },
    ),
    raw(
      'thread.totexectime',
      'RELTIME',
      'Total CPU time, in nanoseconds since the beginning of the capture, for the current thread. Exported by switch events only.',
      makeThreadTotExectime(),
      { instance: makeThreadTotExectime, sideEffects: true },
    ),
    th(
      'thread.cgroups',
      'CHARBUF',
      'all the cgroups the thread belongs to, aggregated into a single string.',
      (t) => cgroups(t),
    ),
    raw(
      'thread.cgroup',
      'CHARBUF',
      'the cgroup the thread belongs to, for a specific subsystem. E.g. thread.cgroup.cpuacct.',
      cgroup,
      { arg: 'required', dotArg: true },
    ),
    th(
      'thread.vtid',
      'INT64',
      'the id of the thread generating the event as seen from its current PID namespace.',
      (t) => (t.vtid === -1 ? undefined : t.vtid),
      ID,
    ),
    th(
      'proc.vpid',
      'INT64',
      'the id of the process generating the event as seen from its current PID namespace.',
      (t) => (t.vpid === -1 ? undefined : t.vpid),
      ID,
    ),
    raw('thread.cpu', 'DOUBLE', 'the CPU consumed by the thread in the last second.', makeThreadCpu(true, true), {
      instance: () => makeThreadCpu(true, true),
      sideEffects: true,
    }),
    raw('thread.cpu.user', 'DOUBLE', 'the user CPU consumed by the thread in the last second.', makeThreadCpu(true, false), {
      instance: () => makeThreadCpu(true, false),
      sideEffects: true,
    }),
    raw(
      'thread.cpu.system',
      'DOUBLE',
      'the system CPU consumed by the thread in the last second.',
      makeThreadCpu(false, true),
      { instance: () => makeThreadCpu(false, true), sideEffects: true },
    ),
    th(
      'thread.vmsize',
      'UINT64',
      'For the process main thread, this is the total virtual memory for the process (as kb). For the other threads, this field is zero.',
      (t) => (isMain(t) ? t.vmsizeKb : 0),
    ),
    th(
      'thread.vmrss',
      'UINT64',
      'For the process main thread, this is the resident non-swapped memory for the process (as kb). For the other threads, this field is zero.',
      (t) => (isMain(t) ? t.vmrssKb : 0),
    ),
    th(
      'thread.vmsize.b',
      'UINT64',
      'For the process main thread, this is the total virtual memory for the process (in bytes). For the other threads, this field is zero.',
      (t) => (isMain(t) ? t.vmsizeKb * 1024 : 0),
      { hidden: true },
    ),
    th(
      'thread.vmrss.b',
      'UINT64',
      'For the process main thread, this is the resident non-swapped memory for the process (in bytes). For the other threads, this field is zero.',
      (t) => (isMain(t) ? t.vmrssKb * 1024 : 0),
      { hidden: true },
    ),
    th('proc.sid', 'INT64', 'the session id of the process generating the event.', (t) => t.sid, ID),
    raw(
      'proc.sname',
      'CHARBUF',
      "the name of the current process's session leader. This is either the process with pid=proc.sid or the eldest ancestor that has the same sid as the current process.",
      sessionName,
    ),
    th(
      'proc.tty',
      'INT32',
      'The controlling terminal of the process. 0 for processes without a terminal.',
      (t) => t.tty | 0,
      ID,
    ),
    th('proc.exepath', 'CHARBUF', 'The full executable path of the process.', (t) => t.exepath),
    th(
      'thread.nametid',
      'CHARBUF',
      'this field chains the process name and tid of a thread and can be used as a specific identifier of a thread for a specific execve.',
      (t, c) => t.comm + String(c.ev.tid),
      { hidden: true },
    ),
    th(
      'proc.vpgid',
      'INT64',
      'the process group id of the process generating the event, as seen from its current PID namespace.',
      (t) => t.vpgid,
      ID,
    ),
    th(
      'proc.is_container_healthcheck',
      'BOOL',
      "true if this process is running as a part of the container's health check.",
      (t) => t.category === 2,
    ),
    th(
      'proc.is_container_liveness_probe',
      'BOOL',
      "true if this process is running as a part of the container's liveness probe.",
      (t) => t.category === 3,
    ),
    th(
      'proc.is_container_readiness_probe',
      'BOOL',
      "true if this process is running as a part of the container's readiness probe.",
      (t) => t.category === 4,
    ),
    th(
      'proc.is_exe_writable',
      'BOOL',
      "true if this process' executable file is writable by the same user that spawned the process.",
      (t) => t.exeWritable,
    ),
  ],
};
