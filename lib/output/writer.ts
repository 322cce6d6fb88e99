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

/**
 * The first buffer's size; each flush doubles it, up to CHUNK. The first flushes then come within the first
 * lines, before V8 optimizes the writers: a flush first met in optimized code deoptimized it (V8 had no
 * feedback for the call), and its next optimization came much later.
 */
const FIRST = 256;

export class TextOut {
  private buf = Buffer.allocUnsafe(FIRST);
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

  /**
   * The bytes b[off, off + len) in the normal buffer format (`map`: each byte as printed, DOT_BYTES) and a
   * newline, straight into the buffer: no string is made, decoded and encoded again.
   */
  mappedNl(b: Buffer, off: number, len: number, map: Uint8Array): void {
    let i = off;
    const end = off + len;
    for (;;) {
      let room = this.buf.length - this.pos;
      if (room === 0) {
        this.flush();
        room = this.buf.length;
      }
      const n = Math.min(room, end - i);
      const d = this.buf;
      const p = this.pos;
      for (let k = 0; k < n; k++) d[p + k] = map[b[i + k]!]!;
      this.pos = p + n;
      i += n;
      // done, with room for the newline (else round again: one flush, in one place)
      if (i === end && this.pos < this.buf.length) break;
    }
    this.buf[this.pos++] = 10;
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.pos < this.buf.length >>> 2) {
      // a flush before the buffer filled (the input waits, --unbuffered): a copy goes, the buffer stays
      const out = Buffer.from(this.buf.subarray(0, this.pos));
      this.pos = 0;
      this.push(out);
      return;
    }
    // a full buffer goes as it is (Node's subarray() takes another path for an end at the length, which
    // deoptimized it when first met after V8 had optimized it)
    const out = this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.min(CHUNK, 2 * this.buf.length));
    this.pos = 0;
    this.push(out);
  }

  /** Called once, right before the first bytes go to the stream (a progress bar leaves the terminal's line). */
  beforeFirstWrite: (() => void) | undefined = undefined;

  private push(b: Buffer): void {
    if (this.beforeFirstWrite !== undefined) {
      const f = this.beforeFirstWrite;
      this.beforeFirstWrite = undefined;
      f();
    }
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
