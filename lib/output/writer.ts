// Buffered output to a stream: text is written into a large preallocated buffer (latin1: one byte per
// char, so raw capture bytes pass through) and handed to the stream in chunks, with backpressure.

import type { OutStream } from '../cli/stdio.js';

/**
 * Chunk handed to the stream. A pipe takes 64 KiB at a time, and only while the event loop runs: small
 * chunks keep the reader at the other end of a pipeline busy instead of waiting for 1 MiB bursts.
 */
const CHUNK = 1 << 16;

/** Buffer's unchecked latin1 writer (public at run time, not in the typings). */
interface Latin1Writable {
  latin1Write(s: string, offset: number): number;
}

export class TextOut {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private drainP: Promise<void> | null = null;

  constructor(private readonly stream: OutStream) {}

  line(s: string): void {
    if (s.length > this.buf.length - this.pos) {
      this.flush();
      if (s.length > this.buf.length) {
        this.push(Buffer.from(s, 'latin1'));
        return;
      }
    }
    this.pos += (this.buf as unknown as Latin1Writable).latin1Write(s, this.pos);
  }

  /**
   * line(s + '\n') without the concatenation: V8 would make a cons string of the two and flatten it into a
   * new string again before writing it.
   */
  lineNl(s: string): void {
    if (s.length + 1 > this.buf.length - this.pos) {
      this.line(s);
      this.line('\n');
      return;
    }
    this.pos += (this.buf as unknown as Latin1Writable).latin1Write(s, this.pos);
    this.buf[this.pos++] = 10;
  }

  flush(): void {
    if (this.pos === 0) return;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
    this.push(out);
  }

  private push(b: Buffer): void {
    if (!this.stream.write(b) && !this.drainP) {
      this.drainP = new Promise((res) =>
        this.stream.once('drain', () => {
          this.drainP = null;
          res();
        }),
      );
    }
  }

  /** Resolves when the stream can take more; null when it already can. */
  drained(): Promise<void> | null {
    return this.drainP;
  }

  async end(): Promise<void> {
    this.flush();
    if (this.drainP) await this.drainP;
  }
}
