// A chisel around one table of the shared engine: printed at the end, or every interval with --interval
// (sysdig live: table_generator prints each second's table and clears it).

import { TableGenerator } from './table.js';
import type { TableSpec } from './table.js';
import type { Chisel, ChiselHost } from './types.js';
import type { StateEngine } from '../state/engine.js';

/**
 * A chisel around one table: printed at the end, or every interval with --interval. `event` replaces the
 * default per-event step (gen.add) for chisels that compute their value themselves.
 */
export function tableChisel(name: string, spec: TableSpec, host: ChiselHost, event?: (gen: TableGenerator, ctx: StateEngine) => boolean | void): Chisel {
  const gen = new TableGenerator(spec, name);
  const c: Chisel = {
    filter: spec.filter || undefined,
    fields: event ? undefined : [...spec.keys, spec.value],
    event: event
      ? (ctx) => event(gen, ctx)
      : (ctx) => {
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
