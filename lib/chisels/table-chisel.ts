// A chisel around one table of the shared engine: printed at the end, or every interval with --interval
// (sysdig live: table_generator prints each second's table and clears it).

import { TableGenerator } from './table.js';
import type { TableSpec } from './table.js';
import type { Chisel, ChiselHost } from './types.js';

export /** A chisel around one table: printed at the end, or every interval with --interval. */
function tableChisel(name: string, spec: TableSpec, host: ChiselHost): Chisel {
  const gen = new TableGenerator(spec, name);
  const c: Chisel = {
    filter: spec.filter || undefined,
    event(ctx) {
      gen.add(ctx);
      return true;
    },
    end(_ctx, tsS, delta) {
      gen.print(host, tsS, delta);
    },
  };
  if (host.live) {
    c.intervalS = 1;
    c.interval = (_ctx, tsS, delta) => {
      gen.print(host, tsS, delta);
      gen.clear();
    };
  }
  return c;
}
