// The terminal charts of tdig-agg, drawn with 256-colour ANSI escapes as sysdig 0.29.3 draws them:
// - spectrogram: how long system calls take. Each exit event with a latency adds one to the column
//   floor(log10(latency) * width / 11) + 1 (latencies from 1 ns to 100 s; longer ones count in the last column,
//   a latency of 0 is skipped). Labels |1ns |10ns ... |10.00s.
// - subsecoffset: where in each refresh period system calls start. Each enter event adds one to the column
//   floor(((rawtime * 1000 / refresh_ns) % 1000) / 1000 * width), with Lua's %. Labels |0ms |100ms ... in tenths
//   of the period, each only where it still fits.
// Every refresh interval of event time (chisel.set_interval_ns: 500 ms and 1000 ms by default, the argument in
// ms) draws one row: ESC[1F (cursor up a line), one cell per column 1..width, ESC[0m, a newline, the labels and a
// newline. A cell's colour goes from green to red with log base 1.6 of (calls per second + 1) in 20 steps, each
// step split in quarters by the shade characters (above 3/4 the light shade with the colours swapped).
// Both hide the cursor at start and end with ESC[0m, a newline and ESC[?25h.
// Kept as sysdig does it: the width is the terminal's, read once; subsecoffset counts column 0 but never draws it,
// writes the background colour twice for an empty cell, and does not draw its last, unfinished period, where
// spectrogram does. A refresh time that gives NaN colours stops the drawing at the first such cell, silently at the
// end; one that makes subsecoffset's column NaN (0) fails at the first event, and the cursor is still shown again.
// Deliberate difference: a refresh time that is not a number is a usage error (exit 2); sysdig prints
// "Input refresh_time must be a number." and exits 0.

import { Buffer } from 'node:buffer';
import { RuntimeError } from '../cli/errors.js';
import { DESCS } from './descs.js';
import { cUint64, formatTimeInterval, luaField, luaMod, luaNum, luaToNumber } from './lua.js';
import type { LuaValue } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef, ChiselHost } from './types.js';

const fg = (c: number): string => `\x1b[38;5;${c}m`;
const bg = (c: number): string => `\x1b[48;5;${c}m`;
const UP = '\x1b[1F';
const RESET = '\x1b[0m';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** the 20 steps, green (tens of calls/s) to red (thousands) */
const PALETTE = [22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1];
/** the UTF-8 bytes, one latin1 char each (TextOut writes one byte per char) */
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
/** none, light, medium, and light again for the last quarter (drawn with the colours swapped) */
const SHADES = [' ', utf8('░'), utf8('▒'), utf8('░')];
const LOG_1_6 = Math.log10(1.6);

/** The escapes and character of a cell with n calls; undefined where the colour is NaN (sysdig's Lua fails there). */
function cell(n: number, perSec: number): string | undefined {
  let col = Math.log10(n * perSec + 1) / LOG_1_6;
  if (col < 1) col = 1;
  else if (col > PALETTE.length) col = PALETTE.length;
  const low = Math.floor(col);
  const high = Math.ceil(col);
  const delta = col - low;
  const ch = SHADES[Math.floor(1 + delta * SHADES.length) - 1];
  const [f, b] = delta > 0.75 ? [PALETTE[high - 1], PALETTE[low - 1]] : [PALETTE[low - 1], PALETTE[high - 1]];
  if (f === undefined || b === undefined || ch === undefined) return undefined;
  return fg(f) + bg(b) + ch;
}

/** Lua's failure on a NaN colour (ansiterminal.setfgcol concatenates nil) */
class NanColour extends ChiselError {}

/**
 * One row: ESC[1F, the cells of columns 1..width, the reset, the labels. Written cell by cell as sysdig does, so
 * a row cut by a NaN colour keeps the cells before it.
 */
function drawRow(host: ChiselHost, name: string, counts: Map<number, number>, width: number, perSec: number, empty: string, labels: string): void {
  let row = UP;
  for (let x = 1; x <= width; x++) {
    const n = counts.get(x);
    if (!n) {
      row += empty;
      continue;
    }
    const c = cell(n, perSec);
    if (c === undefined) {
      host.write(row);
      throw new NanColour(`${name}: chisel error: calling on_interval() failed: attempt to concatenate local 'color' (a nil value)`);
    }
    row += c;
  }
  host.write(row + RESET + '\n' + labels + '\n');
  counts.clear();
}

/** spectrogram's label line: |1ns at column 0, then each power of ten where its column starts, if free. */
function latencyLabels(width: number): string {
  let s = '';
  let x = 0;
  while (x < width) {
    const cur = Math.floor((x * 11) / width);
    if (cur !== Math.floor(((x - 1) * 11) / width)) {
      const t = formatTimeInterval(10 ** cur);
      s += '|' + t;
      x += t.length + 1;
    } else {
      s += ' ';
      x++;
    }
  }
  return s;
}

/** subsecoffset's label line: tenths of the period in ms, each where its column starts if a label still fits. */
function offsetLabels(width: number, refreshNs: number): string {
  const maxLen = ('|' + luaNum((0.9 * refreshNs) / 10000000) + 'ms').length;
  let s = '';
  let x = 0;
  while (x < width) {
    if (Math.floor((x * 10) / width) !== Math.floor(((x - 1) * 10) / width) && x <= width - maxLen) {
      const t = '|' + luaNum((Math.floor((10 * x) / width) * refreshNs) / 10000000) + 'ms';
      s += t;
      x += t.length;
    } else {
      s += ' ';
      x++;
    }
  }
  return s;
}

/** on_set_arg then on_init: the refresh time in ms (a default when absent), then the terminal. */
function setup(name: 'spectrogram' | 'subsecoffset', arg: string | undefined, host: ChiselHost): { ms: number | undefined; width: number } {
  let ms: number | undefined;
  if (arg !== undefined) {
    ms = luaToNumber(arg);
    if (ms === undefined) throw new ChiselError(`${name}: Input refresh_time must be a number.`);
  }
  if (host.terminal === undefined) {
    host.print('This chisel only works on ANSI terminals. Aborting.');
    throw new RuntimeError(`${name}: init() for chisel ${name} failed.`);
  }
  return { ms, width: host.terminal.width };
}

function nilArith(name: string, what: string, v: LuaValue): ChiselError {
  return new ChiselError(`${name}: chisel error: ${what} (a ${v === undefined ? 'nil' : typeof v} value)`);
}

const spectrogram: ChiselDef = {
  ...DESCS['spectrogram']!,
  kind: 'agg',
  create(args, host) {
    const N = 'spectrogram';
    const { ms, width } = setup(N, args[0], host);
    const refreshNs = ms === undefined ? 500000000 : ms * 1000000;
    const perSec = 1000000000 / refreshNs;
    const latency = luaField('evt.latency', N);
    const counts = new Map<number, number>();
    const labels = latencyLabels(width);
    const empty = fg(0) + bg(0) + ' ';
    const draw = () => drawRow(host, N, counts, width, perSec, empty, labels);
    host.write(HIDE_CURSOR);
    return {
      filter: 'evt.dir=<',
      intervalNs: cUint64(refreshNs),
      event(ctx) {
        const l = latency(ctx);
        if (l === 0) return true;
        if (typeof l !== 'number') throw nilArith(N, "bad argument #1 to 'log10' (number expected)", l);
        const lg = Math.min(Math.log10(l), 11);
        const x = Math.floor((lg * width) / 11) + 1;
        counts.set(x, (counts.get(x) ?? 0) + 1);
        return true;
      },
      interval() {
        draw();
      },
      end() {
        // the unfinished interval is drawn too; sysdig ignores a failure here, and then draws nothing more
        try {
          draw();
        } catch (e) {
          if (e instanceof NanColour) return;
          throw e;
        }
        host.print(RESET);
        host.write(SHOW_CURSOR);
      },
    };
  },
};

const subsecoffset: ChiselDef = {
  ...DESCS['subsecoffset']!,
  kind: 'agg',
  create(args, host) {
    const N = 'subsecoffset';
    const { ms, width } = setup(N, args[0], host);
    const refreshNs = ms === undefined ? 1000000000 : ms * 1 * 1000 * 1000;
    const perSec = 1000000000 / refreshNs;
    const rawtime = luaField('evt.rawtime', N);
    const counts = new Map<number, number>();
    const labels = offsetLabels(width, refreshNs);
    const empty = bg(0) + bg(0) + ' ';
    host.write(HIDE_CURSOR);
    host.print('Tracing syscalls... red (hot) == high frequency <-> green == low frequency.\n');
    return {
      filter: 'evt.dir=>',
      intervalNs: cUint64(refreshNs),
      event(ctx) {
        const t = rawtime(ctx);
        if (typeof t !== 'number') throw nilArith(N, "attempt to perform arithmetic on local 'subsec'", t);
        const x = Math.floor((luaMod((t * 1000) / refreshNs, 1000) / 1000) * width);
        if (Number.isNaN(x)) throw new ChiselError(`${N}: chisel error: table index is NaN (refresh_time ${luaNum(ms ?? 1000)})`);
        counts.set(x, (counts.get(x) ?? 0) + 1);
        return true;
      },
      interval() {
        drawRow(host, N, counts, width, perSec, empty, labels);
      },
      end() {
        host.print(RESET);
        host.write(SHOW_CURSOR);
      },
    };
  },
};

export const SPECTRO_CHISELS: ChiselDef[] = [spectrogram, subsecoffset];
