// A worked user chisel for tdig-agg: network bytes per process and remote port, read and written.
//   tdig-agg ./examples/bytes_by_port.js CAPTURE
//   tdig-agg ./examples/bytes_by_port.js 5 'proc.name=curl' CAPTURE     (top 5 rows, with a filter)
//   tdig-agg --json ./examples/bytes_by_port.js CAPTURE                 (NDJSON rows)
// The API is documented in man/tdig-chisels.7; the types are in tdig/chisel (lib/chisels/api.ts).
// @ts-check

/** @type {import('tdig/chisel').ChiselInfo} */
export const info = {
  name: 'bytes_by_port',
  category: 'Net',
  shortDesc: 'Network bytes per process and remote port',
  desc: 'Sums the bytes each process read from and wrote to TCP and UDP sockets, per remote port, and prints the processes and ports that moved the most bytes, largest first.',
  args: [{ name: 'top', type: 'int', desc: 'how many rows to print (default 20, 0 for all)', optional: true }],
  kind: 'agg',
};

/** @type {import('tdig/chisel').ChiselApi} */
let api;
/** @type {import('tdig/chisel').Field<string>} */
let proc;
/** @type {import('tdig/chisel').Field<number>} */
let rport;
/** @type {import('tdig/chisel').Field<number>} */
let bytes;
/** @type {import('tdig/chisel').Field<boolean>} */
let isRead;
let top = 20;
/** @type {Map<string, { proc: string, port: number, read: number, written: number }>} */
const rows = new Map();

/** @param {import('tdig/chisel').ChiselApi} a */
export function init(a) {
  api = a;
  const t = a.args['top'];
  if (t !== undefined) {
    if (!/^\d+$/.test(t)) throw new Error(`top must be a number, not "${t}"`);
    top = Number(t);
  }
  proc = a.string('proc.name');
  rport = a.number('fd.rport');
  bytes = a.number('evt.rawarg.res');
  isRead = a.boolean('evt.is_io_read');
  a.setFilter('(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true and evt.dir=<');
}

/** @param {import('tdig/chisel').ChiselEvent} evt */
export function event(evt) {
  const n = evt.get(bytes);
  const port = evt.get(rport);
  const p = evt.get(proc);
  if (n === undefined || n <= 0 || port === undefined || p === undefined) return;
  const key = `${p}\0${port}`;
  let r = rows.get(key);
  if (!r) rows.set(key, (r = { proc: p, port, read: 0, written: 0 }));
  if (evt.get(isRead)) r.read += n;
  else r.written += n;
}

export function end() {
  const sorted = [...rows.values()].sort(
    (a, b) => b.read + b.written - (a.read + a.written) || (a.proc < b.proc ? -1 : a.proc > b.proc ? 1 : a.port - b.port),
  );
  const shown = top > 0 ? sorted.slice(0, top) : sorted;
  if (api.json) {
    for (const r of shown) api.print(JSON.stringify(r));
    return;
  }
  const f = api.format;
  api.print(f.pad('Process', 20) + f.pad('Port', 8) + f.pad('Read', 12) + f.pad('Written', 12) + 'Total');
  api.print('-'.repeat(64));
  for (const r of shown) {
    api.print(f.pad(r.proc, 20) + f.pad(String(r.port), 8) + f.pad(f.bytes(r.read), 12) + f.pad(f.bytes(r.written), 12) + f.bytes(r.read + r.written));
  }
}
