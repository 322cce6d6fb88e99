// A progress bar on stderr while a file is read (only when stderr is a terminal): with -P, from the start
// to the end of the file; by itself (tdig-agg on a terminal), once a read has taken a second, and only
// until the command's output starts, when it leaves the line it drew.

import { statSync } from 'node:fs';
import { isTerminal, writeErr } from '../cli/stdio.js';
import type { InputSource } from '../scap/input.js';
import type { TextOut } from './writer.js';

/** how long a read goes on before a bar that was not asked for shows (TDIG_PROGRESS_DELAY, ms) */
function autoDelayMs(): number {
  const v = process.env['TDIG_PROGRESS_DELAY'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 1000;
}

/**
 * The bar for reading `src`, when it is a file and stderr a terminal: asked for (-P), or, when `auto`, one
 * that shows by itself (see above): until `out` first writes when given (output on the same terminal), else
 * to the end of the read. Undefined when neither.
 */
export function progressFor(src: InputSource, asked: boolean, auto: boolean, out?: TextOut): Progress | undefined {
  if ((!asked && !auto) || typeof src !== 'string' || !isTerminal(2)) return undefined;
  const bar = new Progress(src, !asked);
  if (!asked && out !== undefined) out.beforeFirstWrite = () => bar.stop();
  return bar;
}

export class Progress {
  private read = 0;
  private last = 0;
  private readonly total: number;
  private readonly start = Date.now();
  private readonly delay: number;
  /** a bar is on the terminal's line */
  private drawn = false;
  private off = false;

  /** `auto`: not asked for (see above) */
  constructor(
    private readonly path: string,
    private readonly auto = false,
  ) {
    this.total = statSync(path).size;
    this.delay = auto ? autoDelayMs() : 0;
  }

  /** `n` more bytes of the file were read (compressed bytes of a compressed file). */
  advance(n: number): void {
    this.read += n;
    this.draw(false);
  }

  private draw(force: boolean): void {
    if (this.off) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    if (now - this.start < this.delay) return;
    this.last = now;
    const frac = this.total === 0 ? 1 : Math.min(1, this.read / this.total);
    const width = 40;
    const full = Math.round(frac * width);
    writeErr(`\r${this.path} [${'#'.repeat(full)}${' '.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%`);
    this.drawn = true;
  }

  /** The command's output starts (on the same terminal): a bar not asked for leaves its line, for good. */
  stop(): void {
    if (!this.auto) return;
    if (this.drawn) writeErr('\r\x1b[K');
    this.drawn = false;
    this.off = true;
  }

  /** The file was read. */
  done(): void {
    if (this.auto) {
      this.stop();
      return;
    }
    this.draw(true);
    writeErr('\n');
  }
}
