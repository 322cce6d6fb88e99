// -P: a progress bar on stderr while a file is read (only when stderr is a terminal).

import { createReadStream, statSync } from 'node:fs';
import { writeErr } from '../cli/stdio.js';

export class Progress {
  private read = 0;
  private last = 0;
  private readonly total: number;

  constructor(
    private readonly label: string,
    path: string,
  ) {
    this.total = statSync(path).size;
  }

  /** A read stream of the file that advances the bar as bytes arrive. */
  stream(path: string): NodeJS.ReadableStream {
    const s = createReadStream(path, { highWaterMark: 1 << 20 });
    s.on('data', (d) => {
      this.read += (d as Buffer).length;
      this.draw(false);
    });
    return s;
  }

  draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const frac = this.total === 0 ? 1 : Math.min(1, this.read / this.total);
    const width = 40;
    const full = Math.round(frac * width);
    writeErr(`\r${this.label} [${'#'.repeat(full)}${' '.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%`);
  }

  done(): void {
    this.draw(true);
    writeErr('\n');
  }
}
