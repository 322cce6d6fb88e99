// Node modules that only some runs need, loaded on first use. Loaded eagerly, node:tty (with node:net
// behind it) and node:zlib cost each command ~2-4 ms of its start, node:stream ~2 ms.

import { createRequire } from 'node:module';
import type * as Dgram from 'node:dgram';
import type * as Stream from 'node:stream';
import type * as Tty from 'node:tty';
import type * as Zlib from 'node:zlib';

const load = createRequire(import.meta.url);

export function ttyModule(): typeof Tty {
  return load('node:tty') as typeof Tty;
}

export function zlibModule(): typeof Zlib {
  return load('node:zlib') as typeof Zlib;
}

/** node:stream: gzip input and NDJSON's line splitting only (standard output does without it, lib/cli/stdio.ts) */
export function streamModule(): typeof Stream {
  return load('node:stream') as typeof Stream;
}

/** node:dgram: tracers_2_statsd's UDP socket only (loaded eagerly, with diagnostics_channel, ~1 ms of every start) */
export function dgramModule(): typeof Dgram {
  return load('node:dgram') as typeof Dgram;
}
