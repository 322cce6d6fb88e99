// The byte sink under the scap writer: a file (created 0600) or stdout, plain, gzip or LZ4-framed,
// with backpressure. A closed stdout surfaces as BrokenPipe so the command can exit 0 quietly.

import * as fs from 'node:fs';
import type * as zlib from 'node:zlib';
import { zlibModule } from '../cli/lazy.js';
import { stdout, type OutStream } from '../cli/stdio.js';
import { Lz4FrameEncoder, type Lz4EncoderOptions } from './lz4.js';

export type OutputCompression = 'plain' | 'gzip' | 'lz4';

export interface OutputOptions {
  /** Write this file (created or truncated, mode 0600). Without it, write `stdout`. */
  path?: string;
  compression: OutputCompression;
  /** The stream to write when there is no path (default: standard output, lib/cli/stdio.ts). It is never ended. */
  stdout?: OutStream;
  /** gzip level 0..9 (default 6). */
  level?: number;
  /** LZ4 block size (default 4 MiB). */
  lz4BlockSize?: Lz4EncoderOptions['blockSize'];
  /**
   * The writer starts a new file when this one reaches a size (-C): size() must follow what is written
   * closely. gzip is then compressed in this thread, as independent members of SIZED_MEMBER input bytes each
   * (one gzip file, as gzip and zlib's gzread read it), so that the sizes, and where a writer cuts, do not
   * depend on a compressing thread's progress; lz4 is written in 64 KiB blocks.
   */
  sized?: boolean;
}

/** Input bytes per gzip member of a `sized` output (see OutputOptions.sized). */
export const SIZED_MEMBER = 1 << 18;

/**
 * A backpressure-aware byte sink. Usage on a hot path:
 *
 *   if (!sink.write(buf)) await sink.drain();
 *
 * write() always accepts the bytes; false means "buffers are full, wait for drain() before more".
 * The sink takes ownership of buf: do not modify it after write() (for 'lz4' it is consumed at once,
 * but for 'plain' and 'gzip' it is referenced until written).
 * A failed write (EPIPE, ENOSPC, ...) is thrown by the next write(), drain(), flush() or close();
 * a reader that went away is a BrokenPipe.
 */
export interface ScapSink {
  write(buf: Uint8Array): boolean;
  /** Resolves when the sink can take more (at once if it already can); rejects on a write error. */
  drain(): Promise<void>;
  /** write() then drain() if needed. */
  writeAsync(buf: Uint8Array): Promise<void>;
  /** Pushes buffered compressed data out (a short LZ4 block, a gzip sync flush) so readers see it. */
  flush(): void;
  /**
   * flush(), then resolves once everything written so far has left the process (to the pipe, the terminal
   * or the file): what a command does before it waits for more input.
   */
  settle(): Promise<void>;
  /** Ends the compressed stream, writes everything, closes a file (never stdout). */
  close(): Promise<void>;
  /** Uncompressed bytes written so far. */
  readonly bytesIn: number;
  /** Bytes handed to the destination so far (compressed, when the output is). */
  readonly bytesOut: number;
  /**
   * The size the output would have if what was written so far, and `more` uncompressed bytes, were all
   * compressed now: what has gone out, plus what is still held at the ratio reached so far (1 before any
   * compressed bytes went out). sysdig's -C compares the gzip file's offset (scap_dump_get_offset, zlib's
   * gzoffset: the compressed bytes written), not the bytes given to it.
   */
  size(more?: number): number;
  /**
   * Whether size(more) is over `limit`. When the estimate says so, what is held is compressed first (a short
   * gzip member or lz4 block), so that the answer is exact for what was written (a part's process list,
   * written before any of it was compressed, would otherwise count at a ratio of 1).
   */
  over(limit: number, more?: number): boolean;
}

/** The reader of our output went away (EPIPE). Commands treat it as a quiet, successful end. */
export class BrokenPipe extends Error {
  override name = 'BrokenPipe';
  readonly code = 'EPIPE';
  constructor(cause?: unknown) {
    super('broken pipe', cause === undefined ? undefined : { cause });
  }
}

/** True for a BrokenPipe or a raw EPIPE / destroyed-stream error from a write. */
export function isBrokenPipe(err: unknown): boolean {
  if (err instanceof BrokenPipe) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE';
}

function wrap(err: unknown): Error {
  if (isBrokenPipe(err) && !(err instanceof BrokenPipe)) return new BrokenPipe(err);
  return err instanceof Error ? err : new Error(String(err));
}

type Dest = NodeJS.WritableStream & {
  writableNeedDrain?: boolean;
  destroyed?: boolean;
};

class Sink implements ScapSink {
  private err: Error | null = null;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closed = false;
  bytesIn = 0;
  bytesOut = 0;
  /** gzip members (OutputOptions.sized): the input of the member being filled */
  private member: Buffer | null = null;
  private memberLen = 0;

  constructor(
    private readonly dest: Dest,
    private readonly ownsDest: boolean,
    private readonly gz: zlib.Gzip | null,
    private readonly lz: Lz4FrameEncoder | null,
    private readonly level = 6,
    members = false,
    /** the output's name in messages: its path, or standard output */
    private readonly where = 'standard output',
  ) {
    const onError = (e: unknown): void => this.fail(e);
    dest.on('error', onError);
    const entry = this.entry();
    entry.on('drain', () => this.wake());
    if (gz) {
      gz.on('error', onError);
      gz.on('data', (c: Buffer) => (this.bytesOut += c.length));
      gz.pipe(dest, { end: false });
    }
    if (members) this.member = Buffer.allocUnsafe(SIZED_MEMBER);
  }

  size(more = 0): number {
    let held: number;
    let done: number;
    if (this.lz) {
      held = this.lz.buffered;
      done = this.bytesIn - held;
    } else if (this.gz) {
      done = this.gz.bytesWritten;
      held = this.bytesIn - done;
    } else if (this.member) {
      held = this.memberLen;
      done = this.bytesIn - held;
    } else {
      return this.bytesIn + more;
    }
    const ratio = done > 0 && this.bytesOut > 0 ? this.bytesOut / done : 1;
    return this.bytesOut + (held + more) * ratio;
  }

  over(limit: number, more = 0): boolean {
    if (this.size(more) <= limit) return false;
    if (this.member) this.memberOut();
    else if (this.lz) this.flush();
    return this.size(more) > limit;
  }

  /** Writes the gzip member of what the member buffer holds (OutputOptions.sized). */
  private memberOut(): boolean {
    if (this.memberLen === 0) return !this.dest.writableNeedDrain;
    const z = zlibModule().gzipSync(this.member!.subarray(0, this.memberLen), { level: this.level });
    this.memberLen = 0;
    this.bytesOut += z.length;
    return this.dest.write(z);
  }

  /** Puts `buf` into gzip members (OutputOptions.sized). */
  private toMembers(buf: Uint8Array): boolean {
    const m = this.member!;
    let ok = true;
    for (let p = 0; p < buf.length; ) {
      const n = Math.min(m.length - this.memberLen, buf.length - p);
      m.set(buf.subarray(p, p + n), this.memberLen);
      this.memberLen += n;
      p += n;
      if (this.memberLen === m.length) ok = this.memberOut();
    }
    return ok && !this.dest.writableNeedDrain;
  }

  /** The stream write() feeds, whose 'drain' we wait for. */
  private entry(): Dest {
    return this.gz ?? this.dest;
  }

  private fail(e: unknown): void {
    // a write error names the file (or standard output) that did not take the bytes
    const err0 = e as NodeJS.ErrnoException;
    if (e instanceof Error && typeof err0.code === 'string' && err0.path === undefined) err0.path = this.where;
    if (this.err === null) this.err = wrap(e);
    const err = this.err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private check(): void {
    if (this.err) throw this.err;
    if (this.closed) throw new Error('write after close');
  }

  write(buf: Uint8Array): boolean {
    this.check();
    this.bytesIn += buf.length;
    if (this.lz) {
      const blocks = this.lz.push(buf);
      let ok = true;
      for (const b of blocks) {
        this.bytesOut += b.length;
        ok = this.dest.write(b);
      }
      return ok && !this.dest.writableNeedDrain;
    }
    if (this.member) return this.toMembers(buf);
    if (!this.gz) this.bytesOut += buf.length;
    return this.entry().write(buf);
  }

  drain(): Promise<void> {
    if (this.err) return Promise.reject(this.err);
    if (!this.entry().writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async writeAsync(buf: Uint8Array): Promise<void> {
    if (!this.write(buf)) await this.drain();
  }

  flush(): void {
    this.check();
    if (this.lz) {
      for (const b of this.lz.flush()) {
        this.bytesOut += b.length;
        this.dest.write(b);
      }
    } else if (this.gz) {
      this.gz.flush(zlibModule().constants.Z_SYNC_FLUSH);
    } else if (this.member) {
      this.memberOut();
    }
  }

  async settle(): Promise<void> {
    this.check();
    if (this.gz) {
      const gz = this.gz;
      await this.until((done) => gz.flush(zlibModule().constants.Z_SYNC_FLUSH, done));
      // (the flushed bytes reach the piped destination from the event loop)
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      this.flush();
    }
    await this.handedOver();
  }

  /** Resolves once everything written to the destination so far has been handed to the OS (an empty write's callback). */
  private handedOver(): Promise<void> {
    return this.until((done) => {
      this.dest.write(Buffer.alloc(0), (e?: Error | null) => (e ? this.fail(e) : done()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      if (this.err) throw this.err;
      return;
    }
    this.closed = true;
    try {
      if (this.err) throw this.err;
      if (this.lz) {
        for (const b of this.lz.end()) {
          this.bytesOut += b.length;
          this.dest.write(b);
        }
      } else if (this.member) {
        this.memberOut();
        // (an output given nothing is still one gzip file, as a gzip stream's end writes)
        if (this.bytesOut === 0) {
          const z = zlibModule().gzipSync(Buffer.alloc(0), { level: this.level });
          this.bytesOut += z.length;
          this.dest.write(z);
        }
      } else if (this.gz) {
        const gz = this.gz;
        await this.until((done) => {
          gz.once('end', done);
          gz.end();
        });
      }
      if (this.ownsDest) {
        const d = this.dest as fs.WriteStream;
        await this.until((done) => {
          d.once('close', done);
          d.end();
        });
      } else {
        await this.handedOver();
      }
      if (this.err) throw this.err;
    } catch (e) {
      if (this.ownsDest) (this.dest as fs.WriteStream).destroy();
      throw wrap(e);
    }
  }

  /** Runs start(done) and waits for done, or rejects on the first error. */
  private until(start: (done: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.err) return reject(this.err);
      const w = { resolve: () => {}, reject };
      this.waiters.push(w);
      start(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      });
    });
  }
}

/**
 * Opens `path` for writing, as a capture's secrets need: a new file is made with mode 0600, and an existing
 * regular file with a wider mode is narrowed to 0600. Anything else (/dev/null, a terminal, a named pipe) is
 * written as it is: its mode is not the writer's to change (a chmod of /dev/null as root would lock every
 * other user out of it). Returns the descriptor.
 */
export function openPrivate(path: string): number {
  const fd = fs.openSync(path, 'w', 0o600);
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && (st.mode & 0o777) !== 0o600) fs.fchmodSync(fd, 0o600);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/** Opens the output: a 0600 file at opts.path, or opts.stdout / standard output. */
export function openOutput(opts: OutputOptions): ScapSink {
  let dest: Dest;
  let owns = false;
  if (opts.path !== undefined) {
    const fd = openPrivate(opts.path);
    dest = fs.createWriteStream(opts.path, { fd, highWaterMark: 1 << 20 });
    owns = true;
  } else {
    dest = (opts.stdout ?? stdout()) as unknown as Dest;
  }
  let gz: zlib.Gzip | null = null;
  let lz: Lz4FrameEncoder | null = null;
  const sized = opts.sized === true;
  if (opts.compression === 'gzip' && !sized) {
    gz = zlibModule().createGzip({ level: opts.level ?? 6, chunkSize: 1 << 20 });
  } else if (opts.compression === 'lz4') {
    const blockSize = sized ? 65536 : opts.lz4BlockSize;
    lz = new Lz4FrameEncoder(blockSize ? { blockSize } : {});
  }
  return new Sink(dest, owns, gz, lz, opts.level ?? 6, sized && opts.compression === 'gzip', opts.path ?? 'standard output');
}
