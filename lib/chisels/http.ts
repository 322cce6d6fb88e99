// The HTTP chisels: httplog (tdig-echo) and httptop (tdig-agg), on sysdig 0.29.3's http.lua parser:
// - the I/O buffers of IP and unix sockets, as evt.buffer shows them (non-printable bytes as '.');
// - per (pid, fd), a buffer starting "METHOD url" opens a transaction (Host: prefixes the url when it is
//   followed by two non-printable bytes, i.e. "\r\n"); the next buffer on that fd holding "HTTP/x CODE"
//   closes it, with Content-Length (0 when absent) as its size. Other buffers are ignored.
// - direction: "<" when the request was read (a server), ">" when written (a client).
// httptop groups the transactions by method and url and prints sysdig's table of calls, bytes or
// average time (argument by = ncalls, bytes, time).

import { closeSync, mkdirSync, writeSync } from 'node:fs';
import { openPrivate } from '../scap/output.js';
import { DESCS } from './descs.js';
import { luaConcat, luaField, luaToNumber } from './lua.js';
import { TableGenerator } from './table.js';
import type { Units } from './table.js';
import type { LuaValue } from './lua.js';
import { ChiselError } from './types.js';
import type { Chisel, ChiselDef } from './types.js';
import type { StateEngine } from '../state/engine.js';

interface Transaction {
  /** container.name at the request (nil: undefined) */
  container: LuaValue;
  method: string;
  url: string;
  dir: string;
  reqTs: number;
  code: number;
  length: number;
  respTs: number;
}

const HTTP_FILTER = 'evt.is_io = true and evt.buflen > 0 and (fd.sockfamily = ip or fd.sockfamily = unix)';

/** run_http_parser: calls done(transaction, ctx) when a response completes a request on the same pid and fd. */
function httpParser(chisel: string, done: (t: Transaction, ctx: StateEngine) => void): (ctx: StateEngine) => void {
  const f = (n: string) => luaField(n, chisel);
  const buffer = f('evt.buffer');
  const fdNum = f('fd.num');
  const pid = f('proc.pid');
  const rawtime = f('evt.rawtime');
  const ioDir = f('evt.io_dir');
  const container = f('container.name');
  const partial = new Map<string, Omit<Transaction, 'code' | 'length' | 'respTs'>>();
  return (ctx) => {
    const buf = buffer(ctx);
    const fd = fdNum(ctx);
    const p = pid(ctx);
    if (typeof buf !== 'string') throw new ChiselError(`${chisel}: bad argument #1 to 'match' (string expected, got ${buf === undefined ? 'nil' : typeof buf})`);
    if (typeof p !== 'number' || typeof fd !== 'number') throw new ChiselError(`${chisel}: bad argument to 'format' (number expected, got nil)`);
    const key = `${p}\x01\x01${fd}`;
    const ts = rawtime(ctx) as number;
    const open = partial.get(key);
    if (!open) {
      const m = /^([A-Z]+) ([!-~]+)/.exec(buf);
      if (!m) return;
      const host = /Host: ([!-~]+)\.\./.exec(buf);
      const d = ioDir(ctx);
      partial.set(key, { container: container(ctx), method: m[1]!, url: host ? host[1]! + m[2]! : m[2]!, dir: d === 'read' ? '<' : d === 'write' ? '>' : '<NA>', reqTs: ts });
    } else {
      const r = /HTTP\/[!-~]+ (\d+)/.exec(buf);
      if (!r) return;
      const cl = /Content-Length: (\d+)\.\./.exec(buf);
      partial.delete(key);
      // (built field by field: a spread with added fields takes V8's slow path, ~1 us a transaction)
      done({ container: open.container, method: open.method, url: open.url, dir: open.dir, reqTs: open.reqTs, code: Number(r[1]), length: cl ? Number(cl[1]) : 0, respTs: ts }, ctx);
    }
  };
}

/** a transaction's container name as Lua's `..` takes it: nil or a boolean fails */
function containerText(chisel: string, t: Transaction): string {
  return luaConcat(chisel, t.container, "field 'container'");
}

const httplog: ChiselDef = {
  ...DESCS['httplog']!,
  kind: 'echo',
  create(_args, host) {
    const datetime = luaField('evt.datetime', 'httplog');
    const parse = httpParser('httplog', (t, ctx) => {
      // -pc: the request's container name between the time and the direction
      const container = host.printContainer ? ` ${containerText('httplog', t)} ` : ' ';
      host.print(`${String(datetime(ctx))}${container}${t.dir} method=${t.method} url=${t.url} response_code=${t.code} latency=${Math.trunc((t.respTs - t.reqTs) / 1e6)}ms size=${t.length}B`);
    });
    return {
      filter: HTTP_FILTER,
      event(ctx) {
        parse(ctx);
        return true;
      },
    };
  },
};

const BY: Record<string, Units> = { ncalls: 'none', bytes: 'bytes', time: 'time' };

const httptop: ChiselDef = {
  ...DESCS['httptop']!,
  kind: 'agg',
  create(args, host) {
    const by = args[0] ?? 'ncalls';
    const units = BY[by];
    if (!units) throw new ChiselError('httptop: Invalid argument! Valid options: ncalls, bytes, time');
    // -pc: the request's container name is the first key
    const pc = host.printContainer;
    const keys = pc ? ['container', 'method', 'url'] : ['method', 'url'];
    const spec = { keys, keyDescs: keys, value: by, valueDesc: by, filter: HTTP_FILTER, top: 30, units };
    // per key, the calls, their bytes and their latencies, summed as they complete (in the order the chisel
    // sums its list of transactions: the same floating-point result)
    let groups = new Map<string, { calls: number; bytes: number; time: number }>();
    const parse = httpParser('httptop', (t) => {
      const k = (pc ? `${containerText('httptop', t)}\x01\x01` : '') + `${t.method}\x01\x01${t.url}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { calls: 0, bytes: 0, time: 0 }));
      g.calls++;
      g.bytes = g.bytes + t.length;
      g.time = g.time + t.respTs - t.reqTs;
    });
    const print = (tsS: number, delta: number) => {
      const gen = new TableGenerator(spec, 'httptop', true);
      for (const [k, g] of groups) gen.addRaw(k, by === 'ncalls' ? g.calls : by === 'bytes' ? g.bytes : g.time / g.calls);
      gen.print(host, tsS, delta);
    };
    const c: Chisel = {
      filter: HTTP_FILTER,
      event(ctx) {
        parse(ctx);
        return true;
      },
      end(_ctx, tsS, delta) {
        print(tsS, delta);
      },
    };
    if (host.live) {
      c.intervalS = 1;
      c.interval = (_ctx, tsS, delta) => {
        print(tsS, delta);
        groups = new Map();
      };
    }
    return c;
  },
};

export const HTTP_CHISELS: ChiselDef[] = [httplog, httptop];

/**
 * udp_extract (tdig-echo): the payload of every UDP read and write (exit events, res >= 0) appended to a
 * file per connection in ./udp_dump_files (created in the current directory), named after fd.name with
 * ':' as '_' and '>' as '-'. Prints nothing. sysdig also runs the Windows `md` command through the shell,
 * which leaves a file called "nul" holding the shell's error in the current directory; tdig does not.
 * The payloads may hold secrets: tdig creates the directory with mode 0700 and the files with 0600
 * (sysdig: 0755 and 0644).
 */
const udpExtract: ChiselDef = {
  ...DESCS['udp_extract']!,
  kind: 'echo',
  create() {
    const DIR = './udp_dump_files';
    mkdirSync(DIR, { recursive: true, mode: 0o700 });
    const buf = luaField('evt.rawarg.data', 'udp_extract');
    const fdName = luaField('fd.name', 'udp_extract');
    const files = new Map<string, number>();
    return {
      filter: 'evt.dir=< and evt.rawres>=0 and fd.l4proto=udp and evt.is_io=true',
      event(ctx) {
        const name = fdName(ctx);
        if (name === undefined) throw new ChiselError('udp_extract: table index is nil');
        const key = String(name);
        let fd = files.get(key);
        if (fd === undefined) {
          fd = openPrivate(`${DIR}/${key}`.replace(/:/g, '_').replace(/>/g, '-'));
          files.set(key, fd);
        }
        const b = buf(ctx);
        if (b === undefined) throw new ChiselError("udp_extract: bad argument #1 to 'write' (string expected, got nil)");
        writeSync(fd, typeof b === 'string' ? Buffer.from(b, 'latin1') : Buffer.from(String(b)));
        return true;
      },
      end() {
        for (const fd of files.values()) closeSync(fd);
        files.clear();
      },
    };
  },
};

HTTP_CHISELS.push(udpExtract);

/**
 * memcachelog (tdig-echo): memcached get/set commands seen on port 11211 or by a process named memcached, as
 * "DATETIME method=M size=NB key=K", from the rendered evt.arg[1] split at single spaces (so "get k\r\n"
 * shows key "k.." and a set's size is 0 when its line runs into the value). Both ends of a connection print.
 * As in sysdig: the chisel sets the capture filter itself, so a user filter is refused; "set" without a
 * size fails at the first set ("attempt to compare number with nil").
 */
const memcachelog: ChiselDef = {
  ...DESCS['memcachelog']!,
  kind: 'echo',
  create(args, host) {
    const N = 'memcachelog';
    const optMethod = args[0];
    const optSize = args[1] !== undefined ? luaToNumber(args[1]) : undefined;
    const data = luaField('evt.arg[1]', N);
    const datetime = luaField('evt.datetime', N);
    return {
      filter: '(fd.sport=11211 or proc.name=memcached) and evt.is_io=true',
      event(ctx) {
        const d = data(ctx);
        if (d === undefined) throw new ChiselError(`${N}: attempt to concatenate local 's' (a nil value)`);
        const line = String(d).split(' ');
        const method = line[0]!;
        if (!/^[gs]et/.test(method)) return true;
        const key = line[1];
        if (key === undefined) return true;
        const size = (line[4] !== undefined ? luaToNumber(line[4]) : undefined) ?? 0;
        if (optMethod !== undefined && optMethod !== method) return true;
        if (optMethod === 'set') {
          if (optSize === undefined) throw new ChiselError(`${N}: attempt to compare number with nil`);
          if (size < optSize) return true;
        }
        const dt = datetime(ctx);
        if (dt === undefined) throw new ChiselError(`${N}: bad argument #2 to 'format' (string expected, got nil)`);
        host.print(`${String(dt)} method=${method} size=${Math.trunc(size)}B key=${key}`);
        return true;
      },
    };
  },
};

HTTP_CHISELS.push(memcachelog);
