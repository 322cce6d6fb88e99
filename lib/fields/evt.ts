// The evt class: event number, times, type, arguments, results and I/O flags
// (libsinsp 0.29.3 filterchecks.cpp, sinsp_filter_check_gen_event and sinsp_filter_check_event).

import { EC, EF, eventName, longestParamPrefix, OLD_EVENT_MAX, paramIndexFor, PT, syscallCategory, syscallName } from '../events/table.js';
import type { ParamIndex } from '../events/table.js';
import { readI64, WIDE } from '../scap/event.js';
import { concatenatePathBytes, lastBytebuf, renderBuffer } from '../events/render.js';
import { FD_DIRECTORY, FD_EVENT, FD_FIFO, FD_FILE, FD_FILE_V2, FD_INOTIFY, FD_IPV4_SERVSOCK, FD_IPV4_SOCK, FD_IPV6_SERVSOCK, FD_IPV6_SOCK, FD_SIGNALFD, FD_UNIX_SOCK } from '../state/model.js';
import { BufferFormat } from './types.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldType, FieldValue } from './types.js';
import { EVT_DESC } from './evt-desc.js';
import { syslogInfoLine, syslogOf } from './syslog.js';

const NS = 1_000_000_000n;

/** Seconds east of UTC for the current moment (libsinsp computes it once, for now, not per event). */
export const TZ_OFFSET_S = -new Date().getTimezoneOffset() * 60;

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** HH:MM:SS[.nnnnnnnnn] in local time, optionally with the date (utils.cpp ts_to_string). */
export function tsToString(ts: bigint, date: boolean, ns: boolean): string {
  const sec = Number(ts / NS);
  const nsec = Number(ts % NS);
  const local = sec + TZ_OFFSET_S;
  const s = ((local % 86400) + 86400) % 86400;
  let out = '';
  if (date) {
    const d = new Date((local - s) * 1000);
    out = `${d.getUTCFullYear().toString().padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
  }
  out += `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  if (ns) out += '.' + String(nsec).padStart(9, '0');
  return out;
}

/**
 * splitTs's results, and the last HH:MM:SS rendering (consecutive events mostly share their second). Fields
 * of an object, not module variables: V8 keeps a number beyond 30 bits (a second since the epoch) in a
 * variable as an object of its own, which was an allocation for every event printed; a field that starts
 * wide (WIDE) holds it in place.
 */
class TsSplit {
  sec = WIDE;
  ns = 0;
  lastSec = WIDE;
  lastSecText = '';
  constructor() {
    this.sec = 0;
    this.lastSec = -1;
  }
}
const split = new TsSplit();

/**
 * Seconds and nanoseconds of a timestamp given as its two 32-bit halves, by long division in 16-bit digits:
 * every step stays below 2^53, so it is exact without a BigInt (an event line made ~6 of them).
 */
function splitTs(hi: number, lo: number): void {
  let cur = hi >>> 16;
  let d = Math.floor(cur / 1e9);
  let r = cur - d * 1e9;
  let q = d;
  cur = r * 65536 + (hi & 0xffff);
  d = Math.floor(cur / 1e9);
  r = cur - d * 1e9;
  q = q * 65536 + d;
  cur = r * 65536 + (lo >>> 16);
  d = Math.floor(cur / 1e9);
  r = cur - d * 1e9;
  q = q * 65536 + d;
  cur = r * 65536 + (lo & 0xffff);
  d = Math.floor(cur / 1e9);
  // (below 1e9: an int32, which prints through V8's fast path for small integers)
  split.ns = (cur - d * 1e9) | 0;
  split.sec = q * 65536 + d;
}

/** HH:MM:SS.nnnnnnnnn of a timestamp given as its two 32-bit halves (EventView tsHi, tsLo). */
export function timeOfDay(hi: number, lo: number): string {
  splitTs(hi, lo);
  if (split.sec !== split.lastSec) {
    split.lastSec = split.sec;
    split.lastSecText = tsToString(BigInt(split.sec) * NS, false, false);
  }
  return split.lastSecText + '.' + String(split.ns).padStart(9, '0');
}

function iso8601(ts: bigint): string {
  const sec = Number(ts / NS);
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(ts % NS).padStart(9, '0')}+0000`;
}

/** sysdig's -t option: how evt.outputtime renders. */
export type OutputTimeMode = 'h' | 'a' | 'r' | 'd' | 'D';
export const outputTime = { mode: 'h' as OutputTimeMode, lastPrintedTs: 0n };

function isInternal(ctx: Ctx): boolean {
  return (ctx.info.category & EC.INTERNAL) !== 0;
}

/**
 * The evt.latency fields read libsinsp's evt->m_tinfo (filterchecks.cpp): without one (threadLate) they
 * are 0, even on an internal event; with one, an internal event has none.
 */
function latency(ctx: Ctx): number | undefined {
  const t = ctx.threadLate === true ? undefined : ctx.thread;
  if (t === undefined) return 0;
  if (isInternal(ctx)) return undefined;
  return t.latency;
}

/**
 * evt.latency.human without a thread (threadLate) repeats the last text it gave: libsinsp's check keeps
 * its string and leaves it unchanged then (sysdig 0.29.3 prints a clone child's exit with the latency of
 * the event printed before it). Each use of the field keeps its own (FieldDef.instance).
 */
function humanLatency(): (c: Ctx) => FieldValue {
  let last = '';
  return (c) => {
    if (c.threadLate === true || c.thread === undefined) return last;
    const l = latency(c);
    if (l === undefined) return undefined;
    return (last = humanTime(l));
  };
}

/**
 * evt.deltatime and its parts: the time since the last event this use of the field was extracted for
 * (libsinsp keeps the previous timestamp in each filtercheck), 0 the first time.
 */
function deltaTime(part: (d: bigint) => bigint): (c: Ctx) => FieldValue {
  let prev = 0n;
  return (c) => {
    const ts = c.ev.ts;
    // (unsigned, as libsinsp's: an event earlier than the one before it, from another CPU, is 2^64 - its lead)
    const d = prev === 0n ? 0n : part(BigInt.asUintN(64, ts - prev));
    prev = ts;
    return d;
  };
}

/**
 * evt.abspath (argid 0), evt.abspath.src (1), evt.abspath.dst (2): the path a *at call names, joined with
 * its directory (libsinsp extract_abspath, filterchecks.cpp). Per event type, the dirfd and path
 * parameters it reads by name; the first of each name counts. An absolute path ignores the dirfd; AT_FDCWD
 * is the thread's cwd; another dirfd is its fd's name and a '/' (libsinsp checks the name's NUL for a
 * slash, so it always adds one), or "<UNKNOWN>/" when the fd is not in the table. Like libsinsp, looking
 * the dirfd up makes that fd the event's fd (m_fdinfo) for the fields read after it.
 * Per event type: the [dirfd, path] parameters for argid 0 and 1, then those for argid 2.
 */
const ABSPATH_ARGS = new Map<number, readonly [ParamIndex, ParamIndex, ParamIndex, ParamIndex]>(
  ([
    [177, 'olddirfd', 'oldpath', 'newdirfd', 'newpath'], // renameat <
    [319, 'olddirfd', 'oldpath', 'newdirfd', 'newpath'], // renameat2 <
    [181, 'linkdirfd', 'linkpath', 'linkdirfd', 'linkpath'], // symlinkat <
    [102, 'dirfd', 'name', 'dirfd', 'name'], // openat > (the first version)
    [307, 'dirfd', 'name', 'dirfd', 'name'], // openat <
    [327, 'dirfd', 'name', 'dirfd', 'name'], // openat2 <
    [106, 'olddir', 'oldpath', 'newdir', 'newpath'], // linkat > (the first version)
    [311, 'olddir', 'oldpath', 'newdir', 'newpath'], // linkat <
    [110, 'dirfd', 'name', 'dirfd', 'name'], // unlinkat > (the first version)
    [303, 'dirfd', 'name', 'dirfd', 'name'], // unlinkat <
    [305, 'dirfd', 'path', 'dirfd', 'path'], // mkdirat <
    [313, 'dirfd', 'filename', 'dirfd', 'filename'], // fchmodat <
  ] as const).map(([type, ...names]) => [type, [paramIndexFor(names[0]), paramIndexFor(names[1]), paramIndexFor(names[2]), paramIndexFor(names[3])]] as const),
);
const PPM_AT_FDCWD = -100;

function absPath(c: Ctx, argid: number): string | undefined {
  const t = c.threadLate === true ? undefined : c.thread;
  if (t === undefined || argid < 0) return undefined;
  const names = ABSPATH_ARGS.get(c.ev.type);
  if (names === undefined) return undefined;
  const di = c.paramIndex(argid === 2 ? names[2] : names[0]);
  const pi = c.paramIndex(argid === 2 ? names[3] : names[1]);
  if (di < 0 || pi < 0) return undefined;
  const ev = c.ev;
  const dirfd = ev.paramLen(di) >= 8 ? readI64(ev.buf, ev.paramOff(di)) : ev.paramInt(di);
  const po = ev.paramOff(pi);
  const pl = ev.paramLen(pi);
  let sdir: string;
  if (pl > 0 && ev.buf[po] === 0x2f) sdir = '.';
  else if (dirfd === PPM_AT_FDCWD) sdir = c.tables.cwd(t);
  else {
    const f = c.tables.getFd(t, dirfd);
    c.fd = f;
    sdir = f === undefined ? '<UNKNOWN>/' : f.name + '/';
  }
  return concatenatePathBytes(sdir, ev.buf, po, pl, ev.dv);
}

/** the parameters the evt fields read by name */
const RES = paramIndexFor('res');
const FD = paramIndexFor('fd');
const DATA = paramIndexFor('data');

function paramRaw(ctx: Ctx, p: ParamIndex): number | undefined {
  const i = ctx.paramIndex(p);
  if (i < 0) return undefined;
  const ev = ctx.ev;
  if (ev.paramLen(i) < 8) return ev.paramInt(i);
  return readI64(ev.buf, ev.paramOff(i));
}

/** evt.rawres: the res param, or the fd param of an fd-creating exit. */
function rawRes(ctx: Ctx): number | undefined {
  const r = paramRaw(ctx, RES);
  if (r !== undefined) return r;
  if (ctx.info.flags & EF.CREATES_FD && (ctx.ev.type & 1) === 1) return paramRaw(ctx, FD);
  return undefined;
}

function errorCount(ctx: Ctx): number | undefined {
  const r = rawRes(ctx);
  return r !== undefined && r < 0 ? 1 : undefined;
}

function category(ctx: Ctx): string {
  let full = ctx.info.category;
  const t = ctx.ev.type;
  if ((t === 0 || t === 1) && ctx.ev.nparams > 0) full = syscallCategory(ctx.ev.buf.readUInt16LE(ctx.ev.paramOff(0)));
  const cat = full & ~(EC.INTERNAL | EC.SCHEDULER | EC.WAIT | 0x1e00);
  switch (full & 0xff) {
    case EC.UNKNOWN:
      return 'unknown';
    case EC.OTHER:
      return 'other';
    case EC.FILE:
      return 'file';
    case EC.NET:
      return 'net';
    case EC.IPC:
      return 'IPC';
    case EC.MEMORY:
      return 'memory';
    case EC.PROCESS:
      return 'process';
    case EC.SLEEP:
      return 'sleep';
    case EC.SYSTEM:
      return 'system';
    case EC.SIGNAL:
      return 'signal';
    case EC.USER:
      return 'user';
    case EC.TIME:
      return 'time';
    case EC.PROCESSING:
      return 'processing';
    case EC.IO_READ:
    case EC.IO_WRITE:
    case EC.IO_OTHER: {
      const f = ctx.fd;
      if (!f) return 'unknown';
      switch (f.type) {
        case FD_FILE:
        case FD_FILE_V2:
        case FD_DIRECTORY:
          return 'file';
        case FD_IPV4_SOCK:
        case FD_IPV6_SOCK:
        case FD_IPV4_SERVSOCK:
        case FD_IPV6_SERVSOCK:
          return 'net';
        // (sinsp_evt::get_category: fifos, unix sockets, eventfds, signalfds and inotify are IPC; epoll,
        // timerfd, netlink and the rest are "other" or unknown, which evt.category prints as unknown)
        case FD_FIFO:
        case FD_UNIX_SOCK:
        case FD_EVENT:
        case FD_SIGNALFD:
        case FD_INOTIFY:
          return 'ipc';
        default:
          return 'unknown';
      }
    }
    default:
      void cat;
      return full & EC.WAIT ? 'wait' : full & EC.SCHEDULER ? 'scheduler' : 'unknown';
  }
}

/** evt.arg.NAME, evt.rawarg.NAME: NAME is a parameter of some event (libsinsp refuses the field otherwise) */
function isParamName(raw: string): boolean {
  return longestParamPrefix(raw) === raw;
}

const typeIsCache = new Map<string, readonly [number, number] | undefined>();

/**
 * The event type ids evt.type.is.NAME matches, as libsinsp's extract_type finds them: the first event of
 * the 0.29.3 table named NAME and the id after it (its exit), so evt.type.is.openat is the old openat
 * (102, 103), not openat v2; or a number alone (with PPM_EVENT_MAX, which no event has). Undefined for
 * any other name.
 */
export function typeIsIds(raw: string): readonly [number, number] | undefined {
  if (typeIsCache.has(raw)) return typeIsCache.get(raw);
  let ids: readonly [number, number] | undefined;
  if (/^\d+$/.test(raw) && Number(raw) <= 0xffffffff) ids = [Number(raw), OLD_EVENT_MAX];
  else {
    for (let j = 0; j < OLD_EVENT_MAX; j++) {
      if (eventName(j) === raw) {
        ids = [j, j + 1];
        break;
      }
    }
  }
  typeIsCache.set(raw, ids);
  return ids;
}

/** evt.type: the syscall name of a generic event, else the event name. */
export function evtType(ctx: Ctx): string {
  const t = ctx.ev.type;
  if ((t === 0 || t === 1) && ctx.ev.nparams > 0) {
    return syscallName(ctx.ev.buf.readUInt16LE(ctx.ev.paramOff(0))) ?? '';
  }
  return ctx.info.name;
}

const U64 = 1n << 64n;

/**
 * evt.around[T]=D: the event's timestamp is within D milliseconds of T (ns), both ends included, in
 * unsigned 64-bit arithmetic; '=' only (libsinsp's event check for evt.around).
 */
function aroundCheck(op: string, value: string | undefined, arg: FieldArg | undefined): ((ctx: Ctx) => boolean) | { error: string; at: 'field' | 'op' | 'value' } {
  if (op !== '=') return { error: "evt.around supports only the '=' operator", at: 'op' };
  if (arg === undefined || !/^[0-9]+$/.test(arg.raw)) return { error: 'evt.around needs a timestamp in nanoseconds: evt.around[T]=MS', at: 'field' };
  if (value === undefined || !/^[0-9]+$/.test(value)) return { error: 'evt.around compares with a number of milliseconds: evt.around[T]=MS', at: 'value' };
  const t = BigInt(arg.raw) % U64;
  const d = (BigInt(value) * 1_000_000n) % U64;
  return (ctx) => {
    const ts = ctx.ev.ts;
    return t >= (ts - d + U64) % U64 && t <= (ts + d) % U64;
  };
}

/** evt.info / evt.args: every param as name=value(resolved), each followed by a space. */
export function evtArgs(ctx: Ctx): string {
  const t = ctx.ev.type;
  if (t === 0 || t === 1) return '';
  const n = Math.min(ctx.info.params.length, ctx.ev.nparams);
  let s = '';
  for (let i = 0; i < n; i++) {
    const p = ctx.paramText(i);
    s += ctx.info.params[i]!.name + '=' + p.text;
    s += p.resolved === '' ? ' ' : '(' + p.resolved + ') ';
  }
  return s;
}

function argIndex(ctx: Ctx, arg: FieldArg | undefined): number {
  if (!arg) return -1;
  if (arg.index !== undefined) return arg.index < Math.min(ctx.info.params.length, ctx.ev.nparams) ? arg.index : -1;
  return ctx.paramIndex(arg.param ?? paramIndexFor(arg.name ?? arg.raw));
}

function buflen(ctx: Ctx): number | undefined {
  if (!ctx.fd || (ctx.info.category & 0xff) < EC.IO_BASE) return undefined;
  if ((ctx.ev.type & 1) === 0) return undefined;
  const r = paramRaw(ctx, RES);
  return r !== undefined && r >= 0 ? r : undefined;
}

function dataIndex(ctx: Ctx): number {
  return ctx.paramIndex(DATA);
}

/** open's PPM flags: O_RDONLY, O_WRONLY, O_CREAT, O_TMPFILE (driver/ppm_events_public.h) */
const PPM_O_CREAT = 1 << 2;
const PPM_O_TMPFILE = 1 << 13;
/** the execute bits of a mode, PPM_S_IXUSR | PPM_S_IXGRP | PPM_S_IXOTH */
const PPM_S_IX = (1 << 6) | (1 << 3) | 1;
const enum OpenTest {
  Read,
  Write,
  Exec,
}

/**
 * evt.is_open_read/write/exec, as libsinsp's event check reads them (TYPE_ISOPEN_*): the flags of open's
 * exit, openat's enter (the old one, whose exit has no flags), and the exits of openat (v2) and openat2, by
 * position; exec is a create (O_CREAT or O_TMPFILE) with an execute bit in its mode, or creat with one.
 * Every other event, openat's own exit included, is false.
 */
function isOpen(ctx: Ctx, test: OpenTest): boolean {
  const ev = ctx.ev;
  const t = ev.type;
  if (t === 3 || t === 102 || t === 307 || t === 327) {
    const at = t === 307 || t === 327 ? 3 : 2;
    if (ev.nparams <= at || ev.paramLen(at) < 4) return false;
    const flags = ev.buf.readUInt32LE(ev.paramOff(at));
    if (test === OpenTest.Read) return (flags & 1) !== 0;
    if (test === OpenTest.Write) return (flags & 2) !== 0;
    if ((flags & (PPM_O_TMPFILE | PPM_O_CREAT)) === 0 || ev.nparams <= at + 1 || ev.paramLen(at + 1) < 4) return false;
    return (ev.buf.readUInt32LE(ev.paramOff(at + 1)) & PPM_S_IX) !== 0;
  }
  if (test === OpenTest.Exec && t === 59 && ev.nparams > 2 && ev.paramLen(2) >= 4) return (ev.buf.readUInt32LE(ev.paramOff(2)) & PPM_S_IX) !== 0;
  return false;
}

function def(name: string, type: FieldType, extract: (ctx: Ctx, arg: FieldArg | undefined) => FieldValue, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, type, desc: EVT_DESC[name] ?? '', extract, ...extra };
}

const NO_ARG: FieldDef['arg'] = 'none';
void NO_ARG;

export const evtGeneralClass: FieldClass = {
  name: 'evt',
  shortDesc: 'All event types',
  desc: 'These fields can be used for all event types',
  fields: [
    def('evt.num', 'UINT64', (c) => c.ev.num),
    def('evt.time', 'CHARBUF', (c) => timeOfDay(c.ev.tsHi, c.ev.tsLo)),
    def('evt.time.s', 'CHARBUF', (c) => tsToString(c.ev.ts, false, false)),
    def('evt.time.iso8601', 'CHARBUF', (c) => iso8601(c.ev.ts)),
    def('evt.datetime', 'CHARBUF', (c) => tsToString(c.ev.ts, true, true)),
    def('evt.datetime.s', 'CHARBUF', (c) => tsToString(c.ev.ts, true, false)),
    def('evt.rawtime', 'ABSTIME', (c) => c.ev.ts),
    def('evt.rawtime.s', 'ABSTIME', (c) => c.ev.ts / NS),
    def('evt.rawtime.ns', 'ABSTIME', (c) => c.ev.ts % NS, { fmt: '10_PADDED_DEC' }),
    def('evt.reltime', 'RELTIME', (c) => relTime(c), { fmt: '10_PADDED_DEC' }),
    def('evt.reltime.s', 'RELTIME', (c) => relTime(c) / NS),
    def('evt.reltime.ns', 'RELTIME', (c) => relTime(c) % NS, { fmt: '10_PADDED_DEC' }),
    def('evt.pluginname', 'CHARBUF', () => undefined),
    def('evt.plugininfo', 'CHARBUF', () => undefined),
  ],
};

export const evtSyscallClass: FieldClass = {
  name: 'evt',
  shortDesc: 'Syscall events only',
  desc: 'Event fields applicable to syscall events. Note that for most events you can access the individual arguments/parameters of each syscall via evt.arg, e.g. evt.arg.filename.',
  fields: [
    def('evt.latency', 'RELTIME', (c) => latency(c)),
    def('evt.latency.s', 'RELTIME', (c) => {
      const l = latency(c);
      return l === undefined ? undefined : Math.floor(l / 1e9);
    }),
    def('evt.latency.ns', 'RELTIME', (c) => {
      const l = latency(c);
      return l === undefined ? undefined : l % 1e9;
    }, { fmt: '10_PADDED_DEC' }),
    def('evt.latency.quantized', 'UINT64', (c) => {
      const l = latency(c);
      return l ? quantize(l) : undefined;
    }, { hidden: true }),
    def('evt.latency.human', 'CHARBUF', humanLatency(), { sideEffects: true, instance: humanLatency }),
    def('evt.deltatime', 'RELTIME', deltaTime((d) => d), { sideEffects: true, instance: () => deltaTime((d) => d) }),
    def('evt.deltatime.s', 'RELTIME', deltaTime((d) => d / NS), { sideEffects: true, instance: () => deltaTime((d) => d / NS) }),
    def('evt.deltatime.ns', 'RELTIME', deltaTime((d) => d % NS), { fmt: '10_PADDED_DEC', sideEffects: true, instance: () => deltaTime((d) => d % NS) }),
    def('evt.outputtime', 'CHARBUF', (c) => renderOutputTime(c), { hidden: true }),
    def('evt.dir', 'CHARBUF', (c) => ((c.ev.type & 1) === 0 ? '>' : '<')),
    def('evt.type', 'CHARBUF', (c) => evtType(c)),
    def('evt.type.is', 'UINT32', (c, a) => {
      const ids = a?.typeIs;
      const t = c.ev.type;
      return ids !== undefined && (t === ids[0] || t === ids[1]) ? 1 : 0;
    }, { arg: 'required', dotArg: true, dotArgValid: (raw) => typeIsIds(raw) !== undefined }),
    def('syscall.type', 'CHARBUF', (c) => {
      const t = c.ev.type;
      if (t === 152 || c.info.flags & EF.SKIPPARSERESET || c.info.category & EC.INTERNAL) return undefined;
      return evtType(c);
    }),
    def('evt.category', 'CHARBUF', (c) => category(c)),
    def('evt.cpu', 'INT16', (c) => c.ev.cpu),
    def('evt.args', 'CHARBUF', (c) => evtArgs(c)),
    def('evt.arg', 'CHARBUF', (c, a) => {
      const i = argIndex(c, a);
      if (i < 0) return undefined;
      const p = c.paramText(i);
      return p.resolved !== '' ? p.resolved : p.text;
    }, { arg: 'required', dotArg: true, dotArgValid: isParamName }),
    def('evt.rawarg', 'CHARBUF', (c, a) => {
      const i = argIndex(c, a);
      if (i < 0) return undefined;
      return rawArg(c, i, a?.paramType);
    }, { arg: 'required', dotArg: true, listType: 'DYNAMIC', dotArgValid: isParamName }),
    def('evt.info', 'CHARBUF', (c) => {
      const m = syslogOf(c);
      return m !== undefined ? syslogInfoLine(m) : evtArgs(c);
    }),
    def('evt.buffer', 'BYTEBUF', (c) => {
      const i = dataIndex(c);
      if (i < 0) return undefined;
      const text = c.paramText(i).text;
      // (a data param that is no buffer, ptrace's: its text cut to the last buffer's length, as libsinsp
      // prints it; sysdig's formatter extracts every field of a line, so this one keeps its place: sideEffects)
      return c.info.params[i]!.type === PT.BYTEBUF ? text : text.slice(0, lastBytebuf.len);
    }, { sideEffects: true }),
    def('evt.buflen', 'UINT64', (c) => buflen(c)),
    def('evt.res', 'CHARBUF', (c) => {
      let i = c.paramIndex(RES);
      if (i < 0 && c.info.flags & EF.CREATES_FD && (c.ev.type & 1) === 1) i = c.paramIndex(FD);
      if (i < 0) return undefined;
      const v = readI64(c.ev.buf, c.ev.paramOff(i));
      if (v >= 0) return 'SUCCESS';
      const p = c.paramText(i);
      return p.resolved !== '' ? p.resolved : p.text;
    }),
    def('evt.rawres', 'INT64', (c) => rawRes(c)),
    def('evt.failed', 'BOOL', (c) => {
      const r = rawRes(c);
      return r !== undefined && r < 0;
    }),
    def('evt.is_io', 'BOOL', (c) => (c.info.flags & (EF.READS_FROM_FD | EF.WRITES_TO_FD)) !== 0),
    def('evt.is_io_read', 'BOOL', (c) => (c.info.flags & EF.READS_FROM_FD) !== 0),
    def('evt.is_io_write', 'BOOL', (c) => (c.info.flags & EF.WRITES_TO_FD) !== 0),
    def('evt.io_dir', 'CHARBUF', (c) => (c.info.flags & EF.WRITES_TO_FD ? 'write' : c.info.flags & EF.READS_FROM_FD ? 'read' : undefined)),
    def('evt.is_wait', 'BOOL', (c) => (c.info.flags & EF.WAITS) !== 0),
    def('evt.wait_latency', 'RELTIME', (c) => (c.info.flags & EF.WAITS && (c.ev.type & 1) === 1 ? (c.thread !== undefined && c.threadLate !== true ? c.thread.latency : 0) : undefined)),
    def('evt.is_syslog', 'BOOL', (c) => (c.info.flags & EF.WRITES_TO_FD ? c.fd !== undefined && c.fd.name.includes('/dev/log') : false)),
    def('evt.count', 'UINT32', () => 1),
    def('evt.count.error', 'UINT32', (c) => errorCount(c)),
    def('evt.count.error.file', 'UINT32', (c) => {
      const f = c.fd;
      if (f) return f.type === FD_FILE || f.type === FD_FILE_V2 || f.type === FD_DIRECTORY ? errorCount(c) : undefined;
      const t = c.ev.type;
      return t === 3 || t === 59 || t === 103 || t === 307 || t === 327 ? errorCount(c) : undefined;
    }),
    def('evt.count.error.net', 'UINT32', (c) => {
      const f = c.fd;
      if (f) return f.isIp() || f.type === FD_UNIX_SOCK ? errorCount(c) : undefined;
      const t = c.ev.type;
      return t === 27 || t === 247 || t === 57 || t === 249 || t === 23 ? errorCount(c) : undefined;
    }),
    def('evt.count.error.memory', 'UINT32', (c) => ((c.info.category & 0xff) === EC.MEMORY ? errorCount(c) : undefined)),
    def('evt.count.error.other', 'UINT32', (c) => {
      const f = c.fd;
      if (f) {
        const known = f.type === FD_FILE || f.type === FD_FILE_V2 || f.type === FD_DIRECTORY || f.isIp() || f.type === FD_UNIX_SOCK;
        return known ? undefined : errorCount(c);
      }
      const t = c.ev.type;
      const known = [3, 59, 103, 307, 327, 27, 247, 57, 249, 23].includes(t) || (c.info.category & 0xff) === EC.MEMORY;
      return known ? undefined : errorCount(c);
    }),
    def('evt.count.exit', 'UINT32', (c) => ((c.ev.type & 1) === 1 ? 1 : undefined)),
    def('evt.count.procinfo', 'UINT32', (c) => (c.ev.type === 234 && c.thread && c.thread.tid === c.thread.pid ? 1 : undefined), { hidden: true }),
    def('evt.count.threadinfo', 'UINT32', (c) => (c.ev.type === 234 ? 1 : undefined), { hidden: true }),
    def('evt.around', 'UINT64', () => undefined, { arg: 'required', filterOnly: true, check: aroundCheck }),
    def('evt.abspath', 'CHARBUF', (c, a) => absPath(c, a === undefined ? 0 : a.raw === 'src' ? 1 : a.raw === 'dst' ? 2 : -1), { arg: 'optional', dotArg: true, dotArgNames: ['src', 'dst'], sideEffects: true }),
    def('evt.buflen.in', 'UINT64', (c) => ((c.info.category & 0xff) === EC.IO_READ ? buflen(c) : undefined), { hidden: true }),
    def('evt.buflen.out', 'UINT64', (c) => ((c.info.category & 0xff) === EC.IO_WRITE ? buflen(c) : undefined), { hidden: true }),
    def('evt.is_open_read', 'BOOL', (c) => isOpen(c, OpenTest.Read)),
    def('evt.is_open_write', 'BOOL', (c) => isOpen(c, OpenTest.Write)),
    def('evt.is_open_exec', 'BOOL', (c) => isOpen(c, OpenTest.Exec)),
  ],
};

/** evt.rawarg: the typed raw value of a param. */
function rawArg(c: Ctx, i: number, named: number | undefined): FieldValue {
  const p = c.info.params[i]!;
  const ev = c.ev;
  const off = ev.paramOff(i);
  const len = ev.paramLen(i);
  // (by name, the bytes are read as the table's first parameter of that name: ptrace's data, a number, as a
  // buffer, like read's)
  const asText = named === PT.CHARBUF || named === PT.FSPATH || named === PT.FSRELPATH || named === PT.BYTEBUF;
  switch (asText ? named : p.type) {
    case PT.CHARBUF:
    case PT.FSPATH:
    case PT.FSRELPATH: {
      const z = ev.buf.indexOf(0, off);
      return ev.buf.toString('latin1', off, z < 0 || z > off + len ? off + len : z);
    }
    case PT.BYTEBUF:
      return ev.buf.subarray(off, off + len);
    case PT.INT8:
    case PT.INT16:
    case PT.INT32:
    case PT.INT64:
    case PT.ERRNO:
    case PT.FD:
    case PT.PID:
      return ev.paramInt(i, true);
    default:
      if (len === 1 || len === 2 || len === 4 || len === 8) return ev.paramInt(i, false);
      return ev.buf.subarray(off, off + len);
  }
}

/** A duration as libsinsp's format_time prints it (truncating, not rounding). */
/**
 * The quantized latency of csysdig's spectrogram: (uint64)(min(log10(ns), 11) * g_screen_w / 11) + 1. Outside
 * csysdig g_screen_w is -1 (filterchecks.cpp), so it is 1, and 0 from 10^11 ns on (-1.0 converted to
 * uint64 is all ones, and the + 1 wraps).
 */
export function quantize(ns: number): number {
  return Math.min(Math.log10(ns), 11) >= 11 ? 0 : 1;
}

export function humanTime(ns: number): string {
  const S = 1e9;
  const t = Math.trunc;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (ns >= 3600 * S) return `${p2(t(ns / (3600 * S)))}:${p2(t(ns / (60 * S)) % 60)}:${p2(t(ns / S) % 60)}`;
  if (ns >= 60 * S) return `${t(ns / (60 * S))}:${t(ns / S) % 60}`;
  if (ns >= S) return `${t(ns / S)}.${p2(t((ns % S) / 1e7))}s`;
  if (ns >= S / 100) return `${t(ns / 1e6)}ms`;
  if (ns >= S / 1000) return `${t(ns / 1e6)}.${p2(t((ns % 1e6) / 1e4))}ms`;
  if (ns >= S / 100000) return `${t(ns / 1e3)}us`;
  if (ns >= S / 1000000) return `${t(ns / 1e3)}.${p2(t((ns % 1e3) / 10))}us`;
  return `${ns}ns`;
}

/** The time since the capture's first event, unsigned as libsinsp's (an earlier event wraps). */
function relTime(c: Ctx): bigint {
  return BigInt.asUintN(64, c.ev.ts - c.firstTs);
}

/** evt.outputtime under sysdig's -t modes. */
export function renderOutputTime(c: Ctx): string {
  switch (outputTime.mode) {
    case 'a': {
      const ts = c.ev.ts;
      return `${ts / NS}.${ts % NS}`;
    }
    case 'r': {
      const d = relTime(c);
      return `${d / NS}.${String(d % NS).padStart(9, '0')}`;
    }
    case 'd': {
      const l = c.thread !== undefined && c.threadLate !== true ? BigInt(c.thread.latency) : 0n;
      return `${l / NS}.${String(l % NS).padStart(9, '0')}`;
    }
    case 'D': {
      const ts = c.ev.ts;
      if (outputTime.lastPrintedTs === 0n) outputTime.lastPrintedTs = ts;
      const d = BigInt.asUintN(64, ts - outputTime.lastPrintedTs);
      outputTime.lastPrintedTs = ts;
      return `${d / NS}.${String(d % NS).padStart(9, '0')}`;
    }
    default:
      // 'h': from the timestamp's halves, without a BigInt
      return timeOfDay(c.ev.tsHi, c.ev.tsLo);
  }
}

export { BufferFormat, renderBuffer };
