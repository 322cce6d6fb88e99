// tracers_2_statsd (sysdig 0.29.3, category Tracers): every exit tracer with a duration becomes a statsd
// timer, "TAGS:MS|ms" (span.tags with ':', '|' and '@' made '_'; the span's duration in ms as Lua prints a
// number), one UDP datagram each. sysdig's chisel takes server_addr and server_port but never uses them (it
// builds its statsd client with the host alone): it always sends to 127.0.0.1:8125. Matched by default.

import type { Socket } from 'node:dgram';
import { dgramModule } from '../cli/lazy.js';
import { DESCS } from './descs.js';
import { luaField, luaNum, luaToNumber } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef } from './types.js';

const HOST = '127.0.0.1';
const PORT = 8125;

const tracers2statsd: ChiselDef = {
  ...DESCS['tracers_2_statsd']!,
  kind: 'agg',
  create() {
    const tagsF = luaField('span.tags', 'tracers_2_statsd');
    const durF = luaField('span.duration', 'tracers_2_statsd');
    let sock: Socket | undefined;
    let pending = 0;
    let ending = false;
    let failed: Error | undefined;
    const close = (): void => {
      if (pending === 0 && ending) sock?.close();
    };
    return {
      filter: 'evt.type=tracer and evt.dir=<',
      fields: ['span.tags', 'span.duration'],
      event(ctx) {
        if (failed !== undefined) throw new ChiselError(`tracers_2_statsd: udp_send error: cannot send the buffer: ${failed.message}`);
        const d = durF(ctx);
        if (d === undefined) return true;
        const tags = String(tagsF(ctx) ?? '');
        const ms = (typeof d === 'number' ? d : (luaToNumber(String(d)) ?? NaN)) / 1000000;
        const msg = `${tags.replace(/[:|@]/g, '_')}:${luaNum(ms)}|ms`;
        if (sock === undefined) {
          sock = dgramModule().createSocket('udp4');
          sock.on('error', (e) => (failed = e));
        }
        pending++;
        sock.send(msg, PORT, HOST, (e) => {
          if (e) failed = e;
          pending--;
          close();
        });
        return true;
      },
      end() {
        ending = true;
        close();
      },
    };
  },
};

export const STATSD_CHISELS: ChiselDef[] = [tracers2statsd];
