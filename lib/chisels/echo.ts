// The payload chisels: echo_fds, spy_ip, spy_port, spy_file, stdin, stdout, stderr, with sysdig 0.29.3's
// texts and its quirks, matched by default (each is listed in man/tdig-echo.1):
// - echo_fds and stderr turn colours off only for the argument "disable_color" (their help says "disable_colors");
//   spy_ip and spy_port only for "disable_colors".
// - spy_ip labels writes "Read" (in blue); spy_port says "Write".
// - spy_ip/spy_port compute the "------ Read N" header only when the direction changes, but print it before
//   every chunk, so consecutive chunks repeat the first chunk's size.
// - echo_fds prints two spaces after "from"/"to" (the empty container column) and <NA> for a missing fd name.
// - stderr rejects any argument but "disable_color" (its on_set_arg returns false).

import { BufferFormat } from '../fields/types.js';
import { DESCS } from './descs.js';
import { extend, formatBytes, luaField, luaNum, luaText } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef, ChiselHost } from './types.js';
import type { LuaValue } from './lua.js';

/** ansiterminal.lua colours, or '' when disabled. */
export interface Colors {
  red: string;
  blue: string;
  green: string;
  cyan: string;
  reset: string;
}

export const ANSI: Colors = { red: '\x1b[31m', blue: '\x1b[34m', green: '\x1b[32m', cyan: '\x1b[36m', reset: '\x1b[0m' };
export const NO_COLORS: Colors = { red: '', blue: '', green: '', cyan: '', reset: '' };

/** The chisel host of tdig-echo also says whether the terminal takes colours. */
export interface EchoHost extends ChiselHost {
  colors: boolean;
}

function colorsFor(host: ChiselHost, chiselOn: boolean): Colors {
  const h = host as Partial<EchoHost>;
  return chiselOn && h.colors !== false ? ANSI : NO_COLORS;
}

function num(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new ChiselError(`${name}: attempt to compare ${v === undefined ? 'nil' : typeof v} with number`);
  return v;
}

const echoFds: ChiselDef = {
  ...DESCS['echo_fds']!,
  kind: 'echo',
  create(args, host) {
    const t = colorsFor(host, args[0] !== 'disable_color');
    const isRead = luaField('evt.is_io_read', 'echo_fds');
    const res = luaField('evt.rawarg.res', 'echo_fds');
    const fdName = luaField('fd.name', 'echo_fds');
    const pName = luaField('proc.name', 'echo_fds');
    const cName = luaField('container.name', 'echo_fds');
    const cId = luaField('container.id', 'echo_fds');
    const pc = host.printContainer;
    return {
      filter: 'evt.is_io=true and evt.dir=< and evt.rawres>0',
      formatter: '%evt.arg.data',
      event(ctx) {
        const r = num('echo_fds', res(ctx));
        const name = fdName(ctx) ?? '<NA>';
        if (r <= 0) return true;
        const pn = luaText(pName(ctx));
        // -pc: " [name] [id]" after "from"/"to", green for the host, cyan for a container (empty otherwise)
        let container = '';
        if (pc) {
          const cn = cName(ctx);
          container = `${cn === 'host' ? t.green : t.cyan} [${luaText(cn)}] [${luaText(cId(ctx))}]`;
        }
        if (isRead(ctx)) host.print(`${t.red}------ Read ${formatBytes(r)} from ${container} ${t.red} ${luaText(name)} (${pn})`);
        else host.print(`${t.blue}------ Write ${formatBytes(r)} to ${container} ${t.blue} ${luaText(name)} (${pn})`);
        return true;
      },
      end() {
        host.print(t.reset);
      },
    };
  },
};

function spy(name: 'spy_ip' | 'spy_port', writeLabel: string): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'echo',
    create(args, host) {
      const target = args[0] ?? '';
      const t = colorsFor(host, args[1] !== 'disable_colors');
      const data = luaField('evt.arg.data', name);
      const isRead = luaField('evt.is_io_read', name);
      const res = luaField('evt.rawarg.res', name);
      const READ = 1;
      const WRITE = 2;
      let direction = 0;
      let info = 'nil';
      const field = name === 'spy_ip' ? 'fd.ip' : 'fd.port';
      return {
        filter: `evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and ${field}=${target}`,
        event(ctx) {
          const r = res(ctx);
          if (r === undefined || num(name, r) <= 0) return true;
          const d = data(ctx);
          if (d === undefined) return true;
          const rd = isRead(ctx);
          if (rd && direction !== READ) {
            info = `${t.red}------ Read ${formatBytes(r as number)}`;
            direction = READ;
          } else if (!rd && direction !== WRITE) {
            info = `${t.blue}------ ${writeLabel} ${formatBytes(r as number)}`;
            direction = WRITE;
          }
          host.print(info);
          host.print(luaText(d));
          return true;
        },
        end() {
          host.print(t.reset);
        },
      };
    },
  };
}

const spyFile: ChiselDef = {
  ...DESCS['spy_file']!,
  kind: 'echo',
  create(args, host) {
    const rw = args[0];
    const file = args[1];
    let filter = file !== undefined && file !== '' ? `(fd.name=${file}) and ` : '(not fd.name contains /dev/pt and not fd.name contains /dev/tty) and ';
    if (rw === 'R' || rw === 'r') filter += 'evt.is_io_read=true and ';
    else if (rw === 'W' || rw === 'w') filter += 'evt.is_io_write=true and ';
    else filter += 'evt.is_io=true and ';
    filter += 'fd.type=file and evt.dir=< and evt.failed=false';
    const f = (n: string) => luaField(n, 'spy_file');
    const data = f('evt.arg.data');
    const fdName = f('fd.name');
    const isW = f('evt.is_io_write');
    const pid = f('proc.pid');
    const pName = f('proc.name');
    const res = f('evt.rawarg.res');
    const ts = f('evt.time');
    return {
      filter,
      bufferFormat: BufferFormat.Ascii,
      event(ctx) {
        const r = num('spy_file', res(ctx));
        host.print(`${luaText(ts(ctx))} ${luaText(pName(ctx))}(${luaText(pid(ctx))}) ${isW(ctx) === true ? 'W' : 'R'} ${formatBytes(r)} ${luaText(fdName(ctx))} ${luaText(data(ctx))}`);
        return true;
      },
    };
  },
};

function stdio(name: 'stdin' | 'stdout' | 'stderr', fd: number): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'echo',
    // only stderr has sysdig's -pc variant
    create(args, host) {
      if (name === 'stderr' && args[0] !== undefined && args[0] !== 'disable_color') throw new ChiselError(`set_arg() for chisel stderr failed.`);
      const buf = luaField('evt.rawarg.data', name);
      // -pc (stderr): the container id and name (20 wide, cut at 20) before the data, green for the host,
      // blue for a container
      const pc = name === 'stderr' && host.printContainer;
      const t = colorsFor(host, args[0] !== 'disable_color');
      const cName = luaField('container.name', name);
      const cId = luaField('container.id', name);
      const col = (v: LuaValue) => {
        const s = luaText(v).slice(0, 20);
        return s + ' '.repeat(20 - s.length);
      };
      return {
        filter: `fd.num=${fd} and evt.is_io=true`,
        event(ctx) {
          const b = buf(ctx);
          if (b === undefined) return true;
          if (pc) {
            const cn = cName(ctx);
            host.print(`${cn !== 'host' ? t.blue : t.green}${col(cId(ctx))} ${col(cn)} ${luaText(b)}`);
          } else host.print(luaText(b));
          return true;
        },
      };
    },
  };
}

/**
 * shellshock_detect: a bash (or sh execve) whose environment holds a function definition "() {...", as the
 * shellshock exploit (CVE-2014-6271) passes one: the time, the parent's name and pid, and the definition.
 * Its filter, "proc.name=bash or proc.name=sh and evt.type=execve", mixes and and or without brackets:
 * sysdig 0.29.3's parser refuses it, so sysdig's chisel stops in its init; tdig's grammar (current libs')
 * reads it as "proc.name=bash or (proc.name=sh and evt.type=execve)", and the chisel runs.
 * Kept from the Lua: the environment is read as evt.arg.environment (the execve's env parameter, by the
 * longest parameter name it starts with); the function is looked for with the Lua pattern "%(%) ?{.+" and
 * printed from its "()" on; the PID column holds the parent's pid.
 */
const SHELLSHOCK = /\(\) ?\{./s;
const shellshockDetect: ChiselDef = {
  ...DESCS['shellshock_detect']!,
  kind: 'echo',
  create(_args, host) {
    const f = (n: string) => luaField(n, 'shellshock_detect');
    const pname = f('proc.pname');
    const ppid = f('proc.ppid');
    const pid = f('proc.pid');
    const env = f('evt.arg.env');
    const time = f('evt.time');
    host.print(extend('TIME', 22) + extend('PROCNAME', 22) + extend('PID', 8) + 'FUNCTION');
    return {
      filter: 'proc.name=bash or proc.name=sh and evt.type=execve',
      event(ctx) {
        const e = env(ctx);
        if (typeof e !== 'string' || !SHELLSHOCK.test(e)) return true;
        const p = pid(ctx);
        const t = typeof p === 'number' ? ctx.tables.threads.get(p) : undefined;
        if (t === undefined) throw new ChiselError("shellshock_detect: attempt to index a nil value");
        for (const v of t.env) {
          if (!SHELLSHOCK.test(v)) continue;
          const pp = ppid(ctx);
          const command = v.slice(v.indexOf('()'));
          host.print(extend(String(time(ctx) ?? 'nil'), 22) + extend(String(pname(ctx) ?? 'nil'), 22) + extend(typeof pp === 'number' ? luaNum(pp) : 'nil', 8) + command);
          break;
        }
        return true;
      },
    };
  },
};

export const ECHO_CHISELS: ChiselDef[] = [
  shellshockDetect,
  echoFds,
  spy('spy_ip', 'Read'),
  spy('spy_port', 'Write'),
  spyFile,
  stdio('stdin', 0),
  stdio('stdout', 1),
  stdio('stderr', 2),
];
