// Node modules that only some runs need, loaded on first use. Loaded eagerly, node:tty (with node:net
// behind it) and node:zlib cost each command ~2-4 ms of its start.

import { createRequire } from 'node:module';
import type * as Tty from 'node:tty';
import type * as Zlib from 'node:zlib';

const load = createRequire(import.meta.url);

export function ttyModule(): typeof Tty {
  return load('node:tty') as typeof Tty;
}

export function zlibModule(): typeof Zlib {
  return load('node:zlib') as typeof Zlib;
}
