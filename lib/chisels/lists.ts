// The list chisels of tdig-agg: list_login_shells, proc_exec_time, fileslower, netlower, scallslower, with
// sysdig 0.29.3's texts, column layouts (Lua string.format) and quirks, matched by default:
// - list_login_shells prints the last login shell id once per non-nil entry of its {id, container name,
//   container id} record: three times on a host capture, and nothing but the heading when no execve matched.
//   Its command and arguments are Lua patterns (string.find).
// - fileslower leaves out files under /dev/ (its skip_dev flag is never set); fileslower, netlower and
//   scallslower turn colours off only for the argument "disable_color" (their help says 'disable_colors'),
//   proc_exec_time only for "disable_colors".
// - fileslower/netlower print the latency in ms truncated to an integer (%12d); scallslower prints the
//   fraction as Lua's tostring does.
// - -pc (host.printContainer), as the Lua does it: scallslower's heading has two spaces between container.id
//   and container.name; fileslower/netlower cut their 30 dashes to 20; spy_users indents execs 4 spaces a
//   level instead of 3; spy_syslog off a terminal formats facility, id and name in that order, so the name
//   lands before ".SEVERITY".
// Deliberate difference: a min_ms that is not a number is an error naming the chisel with exit status 2
// (sysdig prints "Input min_ms must be a number." on stdout and exits 0).

import { BufferFormat, type Ctx } from '../fields/types.js';
import { DESCS } from './descs.js';
import { extend, formatTimeInterval, luaConcat, luaField, luaNum, luaToNumber } from './lua.js';
import type { StateEngine } from '../state/engine.js';
import type { LuaValue } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef, ChiselHost } from './types.js';
import { optionalDump } from './around.js';

interface Term {
  red: string;
  green: string;
  yellow: string;
  blue: string;
  reset: string;
}

const ANSI_TERM: Term = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', blue: '\x1b[34m', reset: '\x1b[0m' };
const PLAIN: Term = { red: '', green: '', yellow: '', blue: '', reset: '' };

/** ansiterminal.lua: on unless the chisel turned it off, or tdig's terminal test did (--no-color, NO_COLOR, a pipe). */
export function termColors(host: ChiselHost, chiselOn: boolean): Term {
  return chiselOn && (host as { colors?: boolean }).colors !== false ? ANSI_TERM : PLAIN;
}

/** Lua string.format("%-W.Ps") (left) or ("%W.Ps") of a value; LuaJIT 2.1 (sysdig's Lua) prints nil as "nil". */
export function fmtS(_chisel: string, v: LuaValue, width: number, prec?: number, right = false): string {
  let s = v === undefined ? 'nil' : typeof v === 'string' ? v : typeof v === 'number' ? luaNum(v) : v ? 'true' : 'false';
  if (prec !== undefined && s.length > prec) s = s.slice(0, prec);
  if (s.length >= width) return s;
  return right ? ' '.repeat(width - s.length) + s : s + ' '.repeat(width - s.length);
}

/** Lua string.format("%Wd") of a number: truncated toward zero, right-aligned. */
function fmtD(v: number, width: number): string {
  const s = String(Math.trunc(v) === 0 ? 0 : Math.trunc(v));
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

function minMs(chisel: string, v: string | undefined): number {
  const n = luaToNumber(v);
  if (n === undefined) throw new ChiselError(`${chisel}: Input min_ms must be a number.`);
  return n;
}

const CLASSES: Record<string, string> = {
  a: 'A-Za-z', d: '0-9', l: 'a-z', s: '\\t\\n\\v\\f\\r ', u: 'A-Z', w: 'A-Za-z0-9', x: '0-9A-Fa-f',
  p: '!-\\/:-@\\[-`{-~', c: '\\x00-\\x1f\\x7f',
};

/** A Lua pattern as a RegExp (classes, sets, quantifiers *, +, -, ?, anchors); enough for string.find. */
export function luaPattern(p: string): RegExp {
  let out = '';
  const esc = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  const cls = (c: string, inSet: boolean): string => {
    const k = CLASSES[c.toLowerCase()];
    if (!k) return esc(c);
    if (c === c.toLowerCase()) return inSet ? k : `[${k}]`;
    return inSet ? '' : `[^${k}]`;
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '^' && i === 0) out += '^';
    else if (c === '$' && i === p.length - 1) out += '$';
    else if (c === '%' && i + 1 < p.length) out += cls(p[++i]!, false);
    else if (c === '.') out += '[\\s\\S]';
    else if (c === '[') {
      let j = i + 1;
      let set = '[';
      if (p[j] === '^') {
        set += '^';
        j++;
      }
      for (let first = true; j < p.length && (p[j] !== ']' || first); j++, first = false) {
        if (p[j] === '%' && j + 1 < p.length) set += cls(p[++j]!, true);
        else if (p[j] === '-' && set.length > 1) set += '-';
        else set += esc(p[j]!);
      }
      out += set + ']';
      i = j;
    } else if (c === '-') out += '*?';
    else if (c === '*' || c === '+' || c === '?') out += c;
    else out += esc(c);
  }
  try {
    return new RegExp(out);
  } catch {
    return new RegExp(esc(p));
  }
}

const listLoginShells: ChiselDef = {
  ...DESCS['list_login_shells']!,
  kind: 'agg',
  create(args, host) {
    const comm = args[0] !== undefined && args[0] !== '*' ? args[0] : undefined;
    const argStr = args[1];
    const commRe = comm !== undefined ? luaPattern(comm) : undefined;
    const argRe = argStr !== undefined ? luaPattern(argStr) : undefined;
    const f = (n: string) => luaField(n, 'list_login_shells');
    const sidF = f('proc.loginshellid');
    const exeF = f('evt.arg.exe');
    const argsF = f('evt.arg.args');
    const cnF = f('container.name');
    const ciF = f('container.id');
    let sid: LuaValue;
    let cn: LuaValue;
    let ci: LuaValue;
    return {
      filter: 'evt.type=execve',
      event(ctx) {
        const s = sidF(ctx);
        const exe = exeF(ctx);
        if (s === undefined || s === false || exe === undefined || exe === false) return true;
        if (commRe && !commRe.test(String(exe))) return true;
        const a = argsF(ctx);
        if (argRe && a !== undefined && a !== false && !argRe.test(String(a))) return true;
        sid = s;
        cn = cnF(ctx);
        ci = ciF(ctx);
        return true;
      },
      end() {
        if (host.json) {
          // (the text repeats its one line, a quirk of the chisel; a row says it once)
          if (sid !== undefined) host.print(JSON.stringify(host.printContainer ? { 'proc.loginshellid': sid, 'container.name': cn ?? null, 'container.id': ci ?? null } : { 'proc.loginshellid': sid }));
          return;
        }
        host.print(comm !== undefined ? `Shells containing ${comm}:` : 'All shells:');
        const n = [sid, cn, ci].filter((v) => v !== undefined).length;
        // -pc: "ID NAME CONTAINERID", concatenated (a missing one fails as Lua's .. does)
        const line = host.printContainer ? [sid, cn, ci].map((v) => luaConcat('list_login_shells', v)).join(' ') : fmtS('list_login_shells', sid, 0);
        for (let i = 0; i < n; i++) host.print(line);
      },
    };
  },
};

const procExecTime: ChiselDef = {
  ...DESCS['proc_exec_time']!,
  kind: 'agg',
  create(args, host) {
    const t = termColors(host, args[0] !== 'disable_colors');
    const f = (n: string) => luaField(n, 'proc_exec_time');
    const exe = f('proc.name');
    const pargs = f('proc.args');
    const duration = f('proc.duration');
    const cname = f('container.name');
    const cid = f('container.id');
    const pc = host.printContainer;
    const S = (v: LuaValue, w: number, p?: number) => fmtS('proc_exec_time', v, w, p);
    // -pc: container id and name columns (20 wide) after the duration
    const cols = (id: LuaValue, name: LuaValue) => (pc ? `${S(id, 20, 20)} ${S(name, 20, 20)} ` : '');
    if (!host.json) {
      host.print(`${S('proc.duration', 13, 13)} ${cols('container.id', 'container.name')}${S('proc.name', 12, 12)} proc.args`);
      host.print(`${S('-------------', 13, 13)} ${cols('--------------------', '--------------------')}${S('------------', 12, 12)} --------------------`);
    }
    return {
      filter: 'evt.type=procexit',
      event(ctx) {
        const d = duration(ctx);
        if (d === undefined) return true;
        if (typeof d !== 'number') throw new ChiselError(`proc_exec_time: attempt to compare number with ${typeof d}`);
        let color = t.green;
        if (d > 10_000_000_000) color = t.red;
        else if (d > 3_000_000_000) color = t.yellow;
        else if (cname(ctx) !== 'host') color = t.blue;
        if (host.json) {
          host.print(JSON.stringify(jsonRow(pc, ctx, { 'proc.duration': d, 'proc.name': exe(ctx), 'proc.args': pargs(ctx) }, cid, cname)));
          return true;
        }
        host.print(`${color}${S(formatTimeInterval(d), 13, 13)} ${pc ? cols(cid(ctx), cname(ctx)) : ''}${S(exe(ctx), 12, 12)} ${S(pargs(ctx), 0)}`);
        return true;
      },
      end() {
        if (!host.json) host.print(t.reset);
      },
    };
  },
};

/**
 * --json: a row of the list chisels, with -pc the container's id and name. A field without a value is null,
 * so that every row has the same keys.
 */
function jsonRow(pc: boolean, ctx: Ctx, row: Record<string, LuaValue>, cid: (c: Ctx) => LuaValue, cname: (c: Ctx) => LuaValue): Record<string, LuaValue | null> {
  const all: Record<string, LuaValue> = pc ? { ...row, 'container.id': cid(ctx), 'container.name': cname(ctx) } : row;
  const out: Record<string, LuaValue | null> = {};
  for (const k of Object.keys(all)) out[k] = all[k] ?? null;
  return out;
}

/** fileslower and netlower: file or network I/O slower than min_ms, at the exit event. */
function ioSlower(name: 'fileslower' | 'netlower', filter: string, skipDev: boolean): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create(args, host) {
      const min = minMs(name, args[0]);
      const t = termColors(host, args[1] !== 'disable_color');
      const f = (n: string) => luaField(n, name);
      const etype = f('evt.type');
      const dir = f('evt.dir');
      const datetime = f('evt.datetime');
      const fname = f('fd.name');
      const pname = f('proc.name');
      const latency = f('evt.latency');
      const cname = f('container.name');
      const cid = f('container.id');
      const pc = host.printContainer;
      const S = (v: LuaValue, w: number, p?: number) => fmtS(name, v, w, p);
      // -pc: container id and name columns (20 wide, cut at 20) after the time
      const cols = (id: LuaValue, n: LuaValue) => (pc ? `${S(id, 20, 20)} ${S(n, 20, 20)} ` : '');
      const dashes = '-'.repeat(30);
      if (!host.json) {
        host.print(`${S('evt.datetime', 23, 23)} ${cols('container.id', 'container.name')}${S('proc.name', 12, 12)} ${S('evt.type', 8)} ${S('LATENCY(ms)', 12)} fd.name`);
        host.print(`${S('-----------------------', 23, 23)} ${cols(dashes, dashes)}${S('------------', 12, 12)} ${S('--------', 8)} ${S('------------', 12)} -----------------------------------------`);
      }
      return {
        filter,
        event(ctx) {
          const l = latency(ctx);
          if (typeof l !== 'number') throw new ChiselError(`${name}: attempt to perform arithmetic on a ${l === undefined ? 'nil' : typeof l} value`);
          const lat = l / 1_000_000;
          const fn = fname(ctx);
          if (dir(ctx) !== '<' || !(lat > min)) return true;
          if (skipDev) {
            if (typeof fn !== 'string') throw new ChiselError(`${name}: bad argument #1 to 'sub' (string expected, got ${fn === undefined ? 'nil' : typeof fn})`);
            if (fn.slice(0, 5) === '/dev/') return true;
          }
          const cn = cname(ctx);
          const color = cn !== 'host' ? t.blue : t.green;
          if (host.json) {
            host.print(JSON.stringify(jsonRow(pc, ctx, { 'evt.datetime': datetime(ctx), 'proc.name': pname(ctx), 'evt.type': etype(ctx), 'evt.latency': l, 'fd.name': fn }, cid, cname)));
            return true;
          }
          host.print(`${color}${S(datetime(ctx), 23, 23)} ${pc ? cols(cid(ctx), cn) : ''}${S(pname(ctx), 12, 12)} ${S(etype(ctx), 8)} ${fmtD(lat, 12)} ${S(fn, 0)}`);
          return true;
        },
      };
    },
  };
}

const scallslower: ChiselDef = {
  ...DESCS['scallslower']!,
  kind: 'agg',
  create(args, host) {
    const min = minMs('scallslower', args[0]);
    const t = termColors(host, args[1] !== 'disable_color');
    const f = (n: string) => luaField(n, 'scallslower');
    const etype = f('evt.type');
    const datetime = f('evt.datetime');
    const pname = f('proc.name');
    const latency = f('evt.latency');
    const cname = f('container.name');
    const cid = f('container.id');
    const pc = host.printContainer;
    const S = (v: LuaValue, w: number, p?: number) => fmtS('scallslower', v, w, p);
    // -pc: container id and name columns (20 wide) after the time; the heading has two spaces between them
    const cols = (id: LuaValue, n: LuaValue, sep = ' ') => (pc ? `${S(id, 20, 20)}${sep}${S(n, 20, 20)} ` : '');
    if (!host.json) {
      host.print(`${S('evt.datetime', 23, 23)} ${cols('container.id', 'container.name', '  ')}${S('proc.name', 23, 23)} ${S('LATENCY(ms)', 20)} evt.type`);
      host.print(`${S('-----------------------', 23, 23)} ${cols('--------------------', '--------------------')}${S('-----------------------', 23, 23)} ${S('--------------------', 20)} --------------------`);
    }
    return {
      event(ctx) {
        const l = latency(ctx);
        if (l === undefined) return true;
        if (typeof l !== 'number') throw new ChiselError(`scallslower: attempt to perform arithmetic on a ${typeof l} value`);
        const lat = l / 1_000_000;
        if (!(lat > min)) return true;
        const cn = cname(ctx);
        const color = cn !== 'host' ? t.blue : t.green;
        if (host.json) {
          host.print(JSON.stringify(jsonRow(pc, ctx, { 'evt.datetime': datetime(ctx), 'proc.name': pname(ctx), 'evt.latency': l, 'evt.type': etype(ctx) }, cid, cname)));
          return true;
        }
        host.print(`${color}${S(datetime(ctx), 23, 23)} ${pc ? cols(cid(ctx), cn) : ''}${S(pname(ctx), 23, 23)} ${S(lat, 20)} ${S(etype(ctx), 0)}`);
        return true;
      },
    };
  },
};

export const LIST_CHISELS: ChiselDef[] = [
  listLoginShells,
  procExecTime,
  ioSlower('fileslower', 'evt.is_io=true and fd.type=file', true),
  ioSlower('netlower', 'evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)', false),
  scallslower,
];

/** Lua string.format("%d") of a number (truncated) */
function d(v: LuaValue, chisel: string): string {
  if (typeof v !== 'number') throw new ChiselError(`${chisel}: bad argument to 'format' (number expected, got ${v === undefined ? 'nil' : typeof v})`);
  const t = Math.trunc(v);
  return String(t === 0 ? 0 : t);
}

/**
 * bottlenecks: the 10 slowest system calls, each after the last enter line of its thread (or "nil"). Equal
 * latencies keep their order of arrival; a switch is ignored; an event with latency 0 is an "enter" line.
 */
const bottlenecks: ChiselDef = {
  ...DESCS['bottlenecks']!,
  kind: 'agg',
  create(_args, host) {
    const HOW_MANY = 10;
    const f = (n: string) => luaField(n, 'bottlenecks');
    const num = f('evt.num');
    const etype = f('evt.type');
    const eargs = f('evt.args');
    const latency = f('evt.latency');
    const pname = f('proc.name');
    const tidF = f('thread.tid');
    const slow: [number, string | undefined, string][] = [];
    const lastLines = new Map<string, string>();
    const S = (v: LuaValue) => fmtS('bottlenecks', v, 0);
    return {
      event(ctx) {
        const lat = latency(ctx);
        const tid = tidF(ctx);
        const type = etype(ctx);
        if (type === 'switch') return true;
        if (lat === 0) {
          const line = `${d(num(ctx), 'bottlenecks')}) 0.000000000 ${S(pname(ctx) ?? '')} (${d(tidF(ctx), 'bottlenecks')}) > ${S(type)} ${S(eargs(ctx))}`;
          if (tid !== undefined) lastLines.set(String(tid), line);
        } else if (lat !== undefined) {
          if (typeof lat !== 'number') throw new ChiselError('bottlenecks: attempt to compare number with string');
          for (let j = 0; j < HOW_MANY; j++) {
            if (slow[j] === undefined || lat > slow[j]![0]) {
              const frac = String(lat % 1_000_000_000).padStart(9, '0');
              const line = `${d(num(ctx), 'bottlenecks')}) ${d(lat / 1_000_000_000, 'bottlenecks')}.${frac} ${S(pname(ctx) ?? '')} (${d(tidF(ctx), 'bottlenecks')}) < ${S(type)} ${S(eargs(ctx))}`;
              slow.splice(j, 0, [lat, tid === undefined ? undefined : lastLines.get(String(tid)), line]);
              break;
            }
          }
          if (slow.length > HOW_MANY) slow.pop();
        }
        return true;
      },
      end() {
        for (const [, before, line] of slow) {
          host.print(before ?? 'nil');
          host.print(line);
        }
      },
    };
  },
};

LIST_CHISELS.push(bottlenecks);

/**
 * spy_users (tdig-echo): commands and directory changes of interactive shells, indented by their depth
 * under the outermost shell ancestor (whose pid starts each line). As sysdig 0.29.3's Lua does, each chdir
 * shifts the table of ancestor fields by one slot (table.insert at index 0), so after a chdir the ancestor
 * search starts one generation closer; after more chdirs than that, the first slots hold the number 0,
 * for which evt.field() gives nil (libs chisel_api.cpp: a handle that is not a pointer reads as no value),
 * so a new parent's search stops there and its commands are hidden. Execs are indented 3 spaces a level,
 * chdirs 4.
 */
const spyUsers: ChiselDef = {
  ...DESCS['spy_users']!,
  kind: 'echo',
  create(args, host) {
    const N = 'spy_users';
    const maxDepth = args[0] !== undefined ? (luaToNumber(args[0]) ?? badNumber(N, 'max_depth')) : -1;
    const t = termColors(host, args[1] !== 'disable_color');
    const f = (n: string) => luaField(n, N);
    const etype = f('evt.type');
    const exe = f('proc.exe');
    const pargs = f('proc.args');
    const dir = f('evt.arg.path');
    const user = f('user.name');
    const dtime = f('evt.time.s');
    const pidF = f('proc.pid');
    const ppidF = f('proc.ppid');
    const cnameF = f('container.name');
    const pc = host.printContainer;
    const MAX = 16;
    // slot -> field getter, or 0 once shifted in by a chdir
    const names = new Map<number, ((ctx: StateEngine) => LuaValue) | 0>();
    const pids = new Map<number, ((ctx: StateEngine) => LuaValue) | 0>();
    for (let j = 0; j <= MAX; j++) {
      names.set(j, f(`proc.aname[${j}]`));
      pids.set(j, f(`proc.apid[${j}]`));
    }
    const shift = (m: Map<number, ((ctx: StateEngine) => LuaValue) | 0>) => {
      const n = m.size;
      for (let i = n; i >= 1; i--) m.set(i, m.get(i - 1)!);
      m.set(0, 0);
    };
    const read = (g: ((ctx: StateEngine) => LuaValue) | 0 | undefined, ctx: StateEngine): LuaValue => (typeof g === 'function' ? g(ctx) : undefined);
    const cat = (v: LuaValue): string => luaConcat(N, v);
    const tree = new Map<string, [number, LuaValue?]>();
    const key = (v: LuaValue): string => {
      if (v === undefined) throw new ChiselError(`${N}: table index is nil`);
      return typeof v === 'number' ? luaNum(v) : String(v);
    };
    return {
      filter: '((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and proc.name contains sh and not proc.name contains sshd)) and evt.failed=false',
      event(ctx) {
        const u = user(ctx) ?? '<NA>';
        const dt = dtime(ctx);
        const pid = pidF(ctx);
        let ppid = ppidF(ctx);
        const isChdir = etype(ctx) === 'chdir';
        let icorr = 1;
        if (isChdir) {
          ppid = pid;
          shift(names);
          shift(pids);
          icorr = 0;
        }
        const pk = key(ppid);
        if (!tree.has(pk)) {
          tree.set(pk, [-1]);
          for (let j = 1; j <= MAX; j++) {
            const an = read(names.get(j), ctx);
            if (an === undefined) {
              if (read(pids.get(j), ctx) === undefined) break;
            } else if (typeof an === 'string' && an.length >= 2 && an.endsWith('sh')) {
              const apid = read(pids.get(j), ctx);
              tree.set(pk, [tree.has(key(apid)) ? j - 1 : 0, apid]);
            }
          }
        }
        const parent = tree.get(pk)!;
        if (parent[0] === -1) return true;
        const ck = key(pid);
        if (!tree.has(ck)) tree.set(ck, [1 + parent[0], parent[1]]);
        const [depth, root] = tree.get(ck)!;
        // -pc: each line in green (blue in a container), "USER@CONTAINER)", and execs indented 4 spaces a level
        let color = '';
        let who = cat(u);
        if (pc) {
          const cn = cnameF(ctx);
          color = cn !== 'host' ? t.blue : t.green;
          who += '@' + cat(cn);
        }
        if (isChdir) {
          if (maxDepth !== -1 && depth - icorr > maxDepth) return true;
          host.print(color + extend('', 4 * (depth - icorr)) + cat(root) + ' ' + cat(dt) + ' ' + who + ') cd ' + cat(dir(ctx)));
        } else {
          if (maxDepth !== -1 && depth - 1 > maxDepth) return true;
          host.print(color + extend('', (pc ? 4 : 3) * (depth - 1)) + cat(root) + ' ' + cat(dt) + ' ' + who + ') ' + cat(exe(ctx)) + ' ' + cat(pargs(ctx)));
        }
        return true;
      },
      end() {
        host.print(t.reset);
      },
    };
  },
};

function badNumber(chisel: string, arg: string): never {
  throw new ChiselError(`${chisel}: Input ${arg} must be a number.`);
}

LIST_CHISELS.push(spyUsers);

/**
 * What spy_logs and spy_syslog share: the optional dump of the events around each line (dump_file_name,
 * dump_range_ms), the colours (on a terminal, unless the third argument is disable_color), and the end:
 * the colour reset on a terminal, then "Writing events for N log entries" when dumping.
 */
function logChisel(name: string, args: (string | undefined)[], host: ChiselHost) {
  const dump = optionalDump(name, args, host);
  const t = termColors(host, args[2] !== 'disable_color');
  const tty = (host as { colors?: boolean }).colors === true;
  return {
    dump,
    t,
    tty,
    field: (n: string) => luaField(n, name),
    end(): void {
      if (tty) host.print(t.reset);
      if (dump) host.print(`Writing events for ${dump.count} log entries`);
    },
  };
}

/**
 * spy_logs (tdig-echo): every line written to a log file (a name with .log, _log or /var/log, not .gz/.tgz),
 * as "PROC FDNAME LINE", the buffer in ASCII. On a terminal (tdig: when colours are on) each line starts with
 * a colour and a space: yellow when it contains "warn" in any case, red when it contains "err" in its own
 * case, green otherwise; the colour reset ends the output. With dump_file_name, the events around each write
 * (dump_range_ms, default 1000, on the writing thread) go to that file as around's do (lib/chisels/around.ts),
 * and the output ends with "Writing events for N log entries".
 */
const spyLogs: ChiselDef = {
  ...DESCS['spy_logs']!,
  kind: 'echo',
  create(args, host) {
    const N = 'spy_logs';
    const log = logChisel(N, args, host);
    const { dump, t, tty } = log;
    const f = log.field;
    const buffer = f('evt.buffer');
    const pname = f('proc.name');
    const fdname = f('fd.name');
    const cname = f('container.name');
    const pc = host.printContainer;
    const cat = (v: LuaValue): string => luaConcat(N, v);
    return {
      filter: '((fd.name contains .log or fd.name contains _log or fd.name contains /var/log) and not (fd.name contains .gz or fd.name contains .tgz)) and evt.is_io_write=true and evt.dir=< and evt.failed=false',
      bufferFormat: BufferFormat.Ascii,
      event(ctx) {
        const b = buffer(ctx);
        if (b === undefined) throw new ChiselError(`${N}: attempt to concatenate local 's' (a nil value)`);
        const cn = cname(ctx);
        const info = cat(pname(ctx)) + ' ' + cat(fdname(ctx)) + ' ';
        for (const msg of cat(b).split('\n')) {
          if (msg.length === 0) continue;
          if (tty) {
            const color = msg.toLowerCase().includes('warn') ? t.yellow : msg.includes('err') ? t.red : t.green;
            // -pc: "COLOR C NAME COLOR LINE", C blue for a container, the line's colour for the host
            if (pc) host.print(`${color} ${cn !== 'host' ? t.blue : color} ${fmtS(N, cn, 0)} ${color} ${info}${msg}`);
            else host.print(`${color} ${info}${msg}`);
          } else if (pc) host.print(`${fmtS(N, cn, 0)} ${info}${msg}`);
          else host.print(info + msg);
        }
        dump?.match(ctx.ev);
        return true;
      },
      end: log.end,
      tap: dump,
    };
  },
};

LIST_CHISELS.push(spyLogs);

/**
 * spy_syslog (tdig-echo): every message written to /dev/log (any fd name containing it), as
 * "FACILITY.SEVERITY PROC[TID] MESSAGE" (a write that is not a syslog message prints "nil.nil PROC[TID] nil").
 * On a terminal (tdig: colours on) each line starts with a colour: yellow for warning, red for more severe,
 * green otherwise, and the colour reset ends the output. With dump_file_name, the events around each message
 * go to that file as around's do, and the output ends with "Writing events for N log entries".
 */
const spySyslog: ChiselDef = {
  ...DESCS['spy_syslog']!,
  kind: 'echo',
  create(args, host) {
    const N = 'spy_syslog';
    const log = logChisel(N, args, host);
    const { dump, t, tty } = log;
    const f = log.field;
    const fac = f('syslog.facility.str');
    const sev = f('syslog.severity.str');
    const sevcode = f('syslog.severity');
    const msg = f('syslog.message');
    const tid = f('thread.tid');
    const pname = f('proc.name');
    const cname = f('container.name');
    const cid = f('container.id');
    const pc = host.printContainer;
    const S = (v: LuaValue, w = 0) => fmtS(N, v, w);
    return {
      filter: 'fd.name contains /dev/log and evt.is_io_write=true and evt.dir=< and evt.failed=false',
      // a message without a severity fails on a terminal; the colour reset and the dump still follow, as in sysdig
      event(ctx) {
        let color = '';
        if (tty) {
          const code = sevcode(ctx);
          if (code === 4) color = t.yellow;
          else if (typeof code !== 'number') throw new ChiselError(`${N}: attempt to compare ${code === undefined ? 'nil' : typeof code} with number`);
          else if (code < 4) color = t.red;
          else if (cname(ctx) !== 'host') color = t.blue;
          else color = t.green;
        }
        const rest = `${S(pname(ctx))}[${d(tid(ctx), N)}] ${S(msg(ctx))}`;
        // -pc on a terminal: container id and name (20 wide) before the message; off a terminal the chisel
        // hands its format the facility, the id and the name in that order, so the name precedes ".SEVERITY"
        if (!pc) host.print(`${color}${S(fac(ctx))}.${S(sev(ctx))} ${rest}`);
        else if (tty) host.print(`${color}${S(cid(ctx), 20)} ${S(cname(ctx), 20)} ${S(fac(ctx))}.${S(sev(ctx))} ${rest}`);
        else host.print(`${S(fac(ctx), 20)} ${S(cid(ctx), 20)} ${S(cname(ctx))}.${S(sev(ctx))} ${rest}`);
        dump?.match(ctx.ev);
        return true;
      },
      end: log.end,
      tap: dump,
    };
  },
};

LIST_CHISELS.push(spySyslog);
