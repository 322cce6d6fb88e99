// The table chisels: each is the shared table engine (table.ts) with its keys, value, filter, top-N and
// units, as the Lua chisels of sysdig 0.29.3 hand them to table_generator. Plus topprocs_cpu (the same
// table fed from procinfo events) and fdcount_by (distinct fds per key).

import { DESCS } from './descs.js';
import { tableChisel } from './table-chisel.js';
import type { TableSpec, Units } from './table.js';
import { ChiselError } from './types.js';
import type { ChiselDef } from './types.js';
import { luaField, luaText } from './lua.js';
import type { StateEngine } from '../state/engine.js';

const NET = '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true';
const FILE_IO = 'fd.type=file and evt.is_io=true';

function fixed(name: string, keys: string, keyDescs: string, value: string, valueDesc: string, filter: string, top: number, units: Units, pc?: [string, string]): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create: (_args, host) => {
      // -pc: the keys and headers sysdig's chisel hands table_generator when print_container is on
      const [k, d] = host.printContainer && pc !== undefined ? pc : [keys, keyDescs];
      return tableChisel(name, { keys: k.split(','), keyDescs: d.split(','), value, valueDesc, filter, top, units }, host);
    },
  };
}

/** the -pc keys of the per-process tables */
const PROC_PC: [string, string] = ['proc.name,proc.pid,thread.vtid,container.name', 'Process,Host_pid,Container_pid,container.name'];

/** fdbytes_by / fdtime_by: the key field is also the header. */
function byKey(name: string, value: string, valueDesc: string, filter: string, top: number, units: Units): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create: (args, host) => {
      const key = args[0] ?? '';
      return tableChisel(name, { keys: key.split(','), keyDescs: key.split(','), value, valueDesc, filter, top, units }, host);
    },
  };
}

/**
 * topprocs_cpu / topcontainers_cpu: thread.cpu of procinfo events, times 1e7, summed per process (per
 * container); CPU% over the capture.
 */
function cpuTable(name: string, keys: string[], keyDescs: string[], pc?: [string[], string[]]): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create(_args, host) {
      const [k, d] = host.printContainer && pc !== undefined ? pc : [keys, keyDescs];
      const spec: TableSpec = { keys: k, keyDescs: d, value: 'thread.exectime', valueDesc: 'CPU%', filter: 'evt.type=procinfo', top: 10, units: 'timepct' };
      const cpu = luaField('thread.cpu', name);
      return tableChisel(name, spec, host, (gen, ctx) => {
        const key = gen.keyOf(ctx);
        if (key === undefined) return;
        const v = cpu(ctx);
        if (typeof v !== 'number') throw new ChiselError(`${name}: attempt to perform arithmetic on local 'cpu' (a ${v === undefined ? 'nil' : typeof v} value)`);
        gen.addRaw(key, v * 10000000);
        return true;
      });
    },
  };
}

const topprocsCpu = cpuTable('topprocs_cpu', ['proc.name', 'proc.pid'], ['Process', 'PID'], [
  ['proc.name', 'proc.pid', 'proc.vpid', 'container.name'],
  ['Process', 'Host_pid', 'Container_pid', 'container.name'],
]);

/** fdcount_by: distinct (fd.num, fd.name) pairs per key, tab-separated, descending, no header. */
const fdcountBy: ChiselDef = {
  ...DESCS['fdcount_by']!,
  kind: 'agg',
  create(args, host) {
    const key = luaField(args[0] ?? '', 'fdcount_by');
    const num = luaField('fd.num', 'fdcount_by');
    const fname = luaField('fd.name', 'fdcount_by');
    const groups = new Map<string, Set<string>>();
    return {
      event(ctx: StateEngine) {
        const k = key(ctx);
        if (k === undefined) return true;
        const n = num(ctx);
        if (n === undefined) return true;
        if (typeof n !== 'number') throw new ChiselError('fdcount_by: attempt to compare number with string');
        if (!(n > 0)) return true;
        const nm = fname(ctx);
        if (nm === undefined || nm === '') return true;
        const kt = luaText(k);
        let g = groups.get(kt);
        if (!g) groups.set(kt, (g = new Set()));
        g.add(luaText(n) + luaText(nm));
        return true;
      },
      end() {
        const rows = [...groups].map(([k, s]) => [k, s.size] as const);
        rows.sort((a, b) => (b[1] !== a[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        if (host.json) for (const [k, c] of rows) host.print(JSON.stringify({ key: k, count: c }));
        else for (const [k, c] of rows) host.print(`${k}\t${c}`);
      },
    };
  },
};

/** table_generator itself (hidden in sysdig): keys keydescs value valuedesc filter top_number units. */
const tableGenerator: ChiselDef = {
  name: 'table_generator',
  category: 'Filter',
  shortDesc: 'Filter on a key and value',
  desc: 'Given two filter fields, a key and a value, this chisel creates and renders a table to the screen.',
  args: [
    ['keys', 'comma-separated list of filter fields to use for grouping'],
    ['keydescs', 'comma separated list of human readable descriptions for the key'],
    ['value', 'the value to count for every key'],
    ['valuedesc', 'human readable description for the value'],
    ['filter', 'the filter to apply'],
    ['top_number', 'maximum number of elements to display'],
    ['value_units', "how to render the values in the result. Can be 'bytes', 'time', 'timepct', or 'none'."],
  ].map(([name, desc]) => ({ name: name!, desc: desc!, type: 'string', optional: false })),
  kind: 'agg',
  hidden: true,
  create(args, host) {
    const a = args.map((x) => x ?? '');
    // Lua tonumber: a non-number leaves top_number nil, and the table then prints every row
    const top = /^\s*\d+\s*$/.test(a[5]!) ? Number(a[5]) : 0;
    const units = (['bytes', 'none', 'time', 'timepct'].includes(a[6]!) ? a[6] : 'unknown') as Units;
    return tableChisel('table_generator', { keys: a[0]!.split(','), keyDescs: a[1]!.split(','), value: a[2]!, valueDesc: a[3]!, filter: a[4]!, top, units }, host);
  },
};

export const TABLE_CHISELS: ChiselDef[] = [
  tableGenerator,
  fixed('topconns', 'fd.l4proto,fd.name', 'Proto,Conn', 'evt.rawarg.res', 'Bytes', NET, 30, 'bytes', ['container.name,fd.l4proto,fd.name', 'container.name,Proto,Conn']),
  fixed('topprocs_net', 'proc.name,proc.pid', 'Process,PID', 'evt.rawarg.res', 'Bytes', NET, 100, 'bytes', PROC_PC),
  fixed('topports_server', 'fd.sport', 'Srv Port', 'evt.rawarg.res', 'Bytes', NET, 100, 'bytes', ['fd.sport,container.name', 'Srv Port,container.name']),
  fixed('topscalls', 'evt.type', 'Syscall', 'evt.count', '# Calls', 'evt.type!=switch', 30, 'none', ['evt.type,container.name', 'Syscall,container.name']),
  fixed('topfiles_bytes', 'fd.name', 'Filename', 'evt.rawarg.res', 'Bytes', FILE_IO, 10, 'bytes', ['container.name,fd.name', 'container.name,Filename']),
  fixed('topprocs_file', 'proc.name,proc.pid', 'Process,PID', 'evt.rawarg.res', 'Bytes', FILE_IO, 10, 'bytes', PROC_PC),
  byKey('fdbytes_by', 'evt.rawarg.res', 'Bytes', 'evt.is_io=true and evt.failed=false', 30, 'bytes'),
  fdcountBy,
  fixed('topfiles_time', 'fd.name', 'Filename', 'evt.latency', 'Time', FILE_IO, 10, 'time', ['fd.name,container.name', 'Filename,container.name']),
  fixed('topfiles_errors', 'fd.name', 'Filename', 'evt.count', '#Errors', 'fd.type=file and evt.failed=true', 100, 'none', ['fd.name,container.name', 'Filename,container.name']),
  fixed('topprocs_errors', 'proc.name,proc.pid', 'Process,PID', 'evt.count', '#Errors', 'evt.failed=true', 100, 'none', PROC_PC),
  topprocsCpu,
  fixed('topscalls_time', 'evt.type', 'Syscall', 'evt.latency', 'Time', '', 30, 'time', ['evt.type,container.name', 'Syscall,container.name']),
  byKey('fdtime_by', 'evt.latency', 'Time', 'evt.is_io=true', 10, 'time'),
  // per container (container.name; "host" for a thread outside any): all but the CPU table leave the host out
  cpuTable('topcontainers_cpu', ['container.name'], ['container.name']),
  fixed('topcontainers_error', 'container.name', 'container.name', 'evt.count', '#Errors', 'evt.failed=true and container.name!=host', 100, 'none'),
  fixed('topcontainers_file', 'container.name', 'container.name', 'evt.rawarg.res', 'Bytes', FILE_IO + ' and container.name!=host', 10, 'bytes'),
  fixed('topcontainers_net', 'container.name', 'container.name', 'evt.rawarg.res', 'Bytes', NET + ' and container.name!=host', 100, 'bytes'),
];
