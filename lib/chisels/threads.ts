// The thread-table chisels of sysdig 0.29.3: ps, lsof, netstat. Each looks at the process and fd state once,
// after the first event that passes the filters (sysdig ends the capture there), and prints it at the end:
// "empty capture or no event matching the filter" when no event passed.
// The optional filter argument is sysdig's get_thread_table filter: it runs once per fd on a synthetic read
// exit event (no parameters) of the fd's thread; a thread is listed when one of its fds matches, and lsof and
// netstat list only the matching fds. netstat always filters on fd.type=ipv4 or fd.type=ipv6.
// Order: ps and lsof list threads by tid; lsof lists a thread's fds by number; netstat lists threads by tid
// and fds by number (sysdig's order there is the Lua table's, i.e. unspecified).
// The numbers are sysdig's uint32 casts: an unknown fd limit (-1) is 4294967295; USER is <NA> when the
// user is unknown.

import { compileFilter } from '../filter/index.js';
import { eventInfo } from '../events/table.js';
import { EventView } from '../scap/event.js';
import type { Ctx } from '../fields/types.js';
import type { StateEngine } from '../state/engine.js';
import { FD_IPV4_SERVSOCK, FD_IPV4_SOCK, FD_IPV6_SERVSOCK, FD_IPV6_SOCK, L4_ICMP, L4_RAW, L4_TCP, L4_UDP } from '../state/model.js';
import type { Fd, Thread } from '../state/model.js';
import { ipv4ToString, ipv6ToString } from '../events/render.js';
import { DESCS } from './descs.js';
import { extend, formatBytes, luaNum } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef, ChiselHost } from './types.js';

const READ_X = 7;

interface FdRow {
  num: number;
  type: string;
  name: string;
  /** IP sockets: the server end, the client end (undefined for a listening socket), the l4 protocol */
  sip?: string;
  sport?: number;
  cip?: string;
  cport?: number;
  l4?: string;
}

/** A thread as it was when the table was taken (the state keeps changing after it). */
interface ThreadRow {
  t: { tid: number; pid: number; comm: string; vmsizeKb: number; vmrssKb: number; fdlimit: number };
  username: string;
  fds: FdRow[];
}

const L4: Record<number, string> = { [L4_TCP]: 'tcp', [L4_UDP]: 'udp', [L4_ICMP]: 'icmp', [L4_RAW]: 'raw' };

function ipText(b: Buffer): string {
  return b.length === 4 ? ipv4ToString(b, 0) : ipv6ToString(b, 0);
}

/** get_thread_table's view of an fd: name, type string, and for IP sockets both ends. */
function fdRow(num: number, fd: Fd): FdRow {
  // tostring_clean: the name without its non-printable characters
  const r: FdRow = { num, type: fd.typeString(), name: fd.name.replace(/[^\x20-\x7e]/g, '') };
  switch (fd.type) {
    case FD_IPV4_SOCK:
    case FD_IPV6_SOCK:
      r.cip = ipText(fd.sip);
      r.sip = ipText(fd.dip);
      r.cport = fd.sport;
      r.sport = fd.dport;
      break;
    case FD_IPV4_SERVSOCK:
    case FD_IPV6_SERVSOCK:
      r.sip = ipText(fd.sip);
      r.sport = fd.sport;
      break;
    default:
      return r;
  }
  r.l4 = L4[fd.l4proto] ?? '<NA>';
  return r;
}

/** sysdig.get_thread_table(filter) on the current state: threads by tid, each with its (matching) fds by number. */
function threadTable(engine: StateEngine, filter: ((ctx: Ctx) => boolean) | undefined): ThreadRow[] {
  const ev = new EventView();
  ev.type = READ_X;
  ev.nparams = 0;
  ev.tsLo = engine.ev.tsLo;
  ev.tsHi = engine.ev.tsHi;
  const info = eventInfo(READ_X)!;
  const ctxFor = (t: Thread, fd: Fd, num: number): Ctx => ({
    ev, info, thread: t, fd, fdNum: num, tables: engine.tables, firstTs: engine.firstTs, bufferFormat: engine.bufferFormat, maxBufLen: engine.maxBufLen,
    paramText: () => ({ text: '', resolved: '' }), paramIndex: () => -1,
  });
  const rows: ThreadRow[] = [];
  const threads = [...engine.tables.threads.values()].sort((a, b) => (a.tid >>> 0) - (b.tid >>> 0));
  for (const t of threads) {
    ev.tid = t.tid;
    const fds = engine.tables.fdTable(t) ?? new Map<number, Fd>();
    const entries = [...fds].sort((a, b) => a[0] - b[0]);
    const kept: FdRow[] = [];
    for (const [num, fd] of entries) {
      const ctx = ctxFor(t, fd, num);
      if (filter && !filter(ctx)) continue;
      kept.push(fdRow(num, fd));
    }
    if (filter && kept.length === 0) continue;
    const uid = t.uid >>> 0;
    const user = uid === 0xffffffff ? undefined : engine.tables.users.get(uid);
    const snap = { tid: t.tid, pid: t.pid, comm: t.comm, vmsizeKb: t.vmsizeKb, vmrssKb: t.vmrssKb, fdlimit: t.fdlimit };
    rows.push({ t: snap, username: user ? user.name : '<NA>', fds: kept });
  }
  return rows;
}

function u32(n: number): string {
  return luaNum(n >>> 0);
}

function snapshotChisel(name: 'ps' | 'lsof' | 'netstat', filterOf: (arg: string | undefined) => string | undefined, render: (rows: ThreadRow[], host: ChiselHost) => void): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create(args, host) {
      const expr = filterOf(args[0]);
      let test: ((ctx: Ctx) => boolean) | undefined;
      if (expr !== undefined && expr !== '') {
        const bad = (why: string) => new ChiselError(`${name}: invalid filter argument for get_thread_table in chisel ${name}: ${why}`);
        let f;
        try {
          f = compileFilter(expr);
        } catch (e) {
          throw bad((e as Error).message.split('\n')[0]!);
        }
        // the state of a thread and its fds is all there is: event fields are refused, as sysdig refuses them
        const ev = f.fields.find((r) => !/^(fd|proc|thread|user|group|container)\./.test(r.def.name));
        if (ev) throw bad(`the given filter is not supported for thread table filtering (${ev.text})`);
        test = f.test;
      }
      let rows: ThreadRow[] | undefined;
      return {
        event(ctx) {
          if (rows === undefined) rows = threadTable(ctx, test);
          host.endCapture?.();
          return false;
        },
        end() {
          // (--json: no rows, and no message among them)
          if (rows === undefined) {
            if (!host.json) host.print('empty capture or no event matching the filter');
          } else render(rows, host);
        },
      };
    },
  };
}

const ps = snapshotChisel('ps', (a) => a, (rows, host) => {
  if (host.json) {
    for (const { t, username } of rows) {
      host.print(JSON.stringify({ tid: t.tid >>> 0, pid: t.pid >>> 0, user: username, virt: (t.vmsizeKb >>> 0) * 1024, res: (t.vmrssKb >>> 0) * 1024, fdlimit: t.fdlimit >>> 0, cmd: t.comm }));
    }
    return;
  }
  host.print(extend('TID', 8) + extend('PID', 8) + extend('USER', 12) + extend('VIRT', 11) + extend('RES', 11) + extend('FDLIMIT', 10) + extend('CMD', 20));
  for (const { t, username } of rows) {
    host.print(
      extend(u32(t.tid), 8) + extend(u32(t.pid), 8) + extend(username, 12) + extend(formatBytes((t.vmsizeKb >>> 0) * 1024), 11) +
        extend(formatBytes((t.vmrssKb >>> 0) * 1024), 11) + extend(u32(t.fdlimit), 10) + t.comm,
    );
  }
});

const lsof = snapshotChisel('lsof', (a) => a, (rows, host) => {
  if (host.json) {
    for (const { t, username, fds } of rows) {
      for (const f of fds) host.print(JSON.stringify({ command: t.comm, pid: t.pid >>> 0, tid: t.tid >>> 0, user: username, fd: f.num >>> 0, type: f.type, name: f.name }));
    }
    return;
  }
  host.print(extend('COMMAND', 20) + extend('PID', 8) + extend('TID', 8) + extend('USER', 8) + extend('FD', 8) + extend('TYPE', 12) + 'NAME');
  for (const { t, username, fds } of rows) {
    for (const f of fds) {
      host.print(extend(t.comm, 20) + extend(u32(t.pid), 8) + extend(u32(t.tid), 8) + extend(username, 8) + extend(u32(f.num), 8) + extend(f.type, 12) + f.name);
    }
  }
});

const netstat = snapshotChisel('netstat', (a) => (a === undefined ? '(fd.type=ipv4 or fd.type=ipv6)' : `(fd.type=ipv4 or fd.type=ipv6)and (${a})`), (rows, host) => {
  if (!host.json) host.print(extend('Proto', 6) + extend('Server Address', 25) + extend('Client Address', 25) + extend('State', 15) + 'TID/PID/Program Name');
  for (const { t, fds } of rows) {
    for (const f of fds) {
      if (f.l4 === undefined) throw new ChiselError(`netstat: attempt to concatenate field 'sip' (a nil value)`);
      const listen = f.cip === undefined;
      const server = `${f.sip}:${luaNum(f.sport!)}`;
      const client = listen ? '0.0.0.0:*' : `${f.cip}:${luaNum(f.cport!)}`;
      const state = listen ? 'LISTEN' : 'ESTABLISHED';
      if (host.json) host.print(JSON.stringify({ proto: f.l4, server, client, state, tid: t.tid >>> 0, pid: t.pid >>> 0, program: t.comm }));
      else host.print(extend(f.l4, 6) + extend(server, 25) + extend(client, 25) + extend(state, 15) + `${u32(t.tid)}/${u32(t.pid)}/${t.comm}`);
    }
  }
});

/** chisel_api get_container_table: the type names */
const CONTAINER_TYPES: Record<number, string> = { 0: 'docker', 1: 'lxc', 2: 'libvirt_lxc', 3: 'mesos', 4: 'rkt', 6: 'cri', 7: 'containerd', 8: 'cri-o', 9: 'bpm' };

/** Lua's %q (LuaJIT): quotes, backslashes and control characters escaped */
function luaQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + s[i];
    else if (c === 0x0a) out += '\\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0) out += /[0-9]/.test(s[i + 1] ?? '') ? '\\000' : '\\0';
    else if (c < 0x20 || c === 0x7f) out += '\\' + (/[0-9]/.test(s[i + 1] ?? '') ? String(c).padStart(3, '0') : String(c));
    else out += s[i];
  }
  return out + '"';
}

/**
 * lscontainers: the container table after the first event that passes the filter (sysdig ends the capture
 * there), or at the end when none does. As a table (type, image, name, id, in the container table's order),
 * or with the argument "desc" as common.lua's st() prints the Lua table. Both orders are arbitrary in sysdig:
 * its containers in its hash map's order, and each one's keys in the order of LuaJIT's string hashes, which
 * are seeded anew in every run. tdig lists the containers in the order it found them, keys as id, type, name, image.
 */
const lscontainers: ChiselDef = {
  ...DESCS['lscontainers']!,
  kind: 'agg',
  create(args, host) {
    const desc = args[0] === 'desc';
    let rows: { id: string; name: string; image: string; type: string }[] | undefined;
    const take = (ctx: StateEngine) =>
      [...ctx.tables.containers.values()].map((c) => ({ id: c.id, name: c.name, image: c.image, type: CONTAINER_TYPES[c.type] ?? 'unknown' }));
    return {
      event(ctx) {
        if (rows === undefined) rows = take(ctx);
        host.endCapture?.();
        return false;
      },
      end(ctx) {
        const list = rows ?? (ctx !== undefined ? take(ctx) : []);
        if (host.json) {
          for (const r of list) host.print(JSON.stringify({ 'container.type': r.type, 'container.image': r.image, 'container.name': r.name, 'container.id': r.id }));
          return;
        }
        if (desc) {
          let out = '{\n';
          list.forEach((r, i) => {
            out += ` ${i + 1} = {\n`;
            for (const k of ['id', 'type', 'name', 'image'] as const) out += `  ${k} = ${luaQuote(r[k])},\n`;
            out += ' },\n';
          });
          host.print(out + '}');
          return;
        }
        host.print(extend('container.type', 15) + extend('container.image', 16) + extend('container.name', 20) + extend('container.id', 13));
        host.print(extend('---------------', 15) + extend('----------------', 16) + extend('--------------------', 20) + extend('-------------', 13));
        for (const r of list) host.print(extend(r.type, 15) + extend(r.image, 16) + extend(r.name, 20) + extend(r.id, 13));
      },
    };
  },
};

export const THREAD_CHISELS: ChiselDef[] = [ps, lsof, netstat, lscontainers];
