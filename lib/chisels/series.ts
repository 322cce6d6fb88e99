// The per-second byte counters: iobytes, iobytes_file, iobytes_net. Every interval prints the bytes
// summed since the previous one, labelled with evt.time.s of the event that opened the new second
// (so a line shows the previous second's bytes); the last partial second is never printed.

import { DESCS } from './descs.js';
import { luaField, luaNum, luaText } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef } from './types.js';

function counter(name: string, filter: string): ChiselDef {
  return {
    ...DESCS[name]!,
    kind: 'agg',
    create(_args, host) {
      const bytes = luaField('evt.rawarg.res', name);
      const time = luaField('evt.time.s', name);
      const isRead = luaField('evt.is_io_read', name);
      let tot = 0;
      let totIn = 0;
      let totOut = 0;
      return {
        filter,
        intervalS: 1,
        event(ctx) {
          const b = bytes(ctx);
          if (b === undefined) return true;
          if (typeof b !== 'number') throw new ChiselError(`${name}: attempt to compare number with string`);
          if (b > 0) {
            tot += b;
            const r = isRead(ctx);
            if (r !== undefined && r !== false) totIn += b;
            else totOut += b;
          }
          return true;
        },
        interval(ctx) {
          if (!ctx) throw new ChiselError(`${name}: chisel error: calling on_interval() failed: invalid call to evt.field() (sysdig 0.29.3 fails the same way when a second begins on an event the filter drops before any event passed it)`);
          const t = time(ctx);
          if (host.json) host.print(JSON.stringify({ time: luaText(t), in: totIn, out: totOut, tot }));
          else host.print(`${luaText(t)} in:${luaNum(totIn)} out:${luaNum(totOut)} tot:${luaNum(tot)}`);
          tot = totIn = totOut = 0;
        },
      };
    },
  };
}

export const SERIES_CHISELS: ChiselDef[] = [
  counter('iobytes_net', 'evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)'),
  counter('iobytes', 'evt.is_io=true'),
  counter('iobytes_file', 'evt.is_io=true and fd.type=file'),
];
