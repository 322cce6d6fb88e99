// Standard output and error written with write(2) on fds 1 and 2, without Node's stream objects.
//
// process.stdout is made on first use: for a pipe a net.Socket, for a file an fs stream, and with them
// node:stream and node:net; ~2-3 ms of each command's start, paid twice by a pipeline (measured with
// `node -e` writing one byte to a pipe). A file, /dev/null and a blocking pipe or socket take the bytes at
// once (a full pipe blocks the command until its reader catches up, which is the backpressure a pipeline
// wants). Node's own stream is still used for a terminal, and from the first write that would block
// (EAGAIN: a non-blocking pipe that is full): the rest goes through process.stdout in order.
// Errors (EPIPE: the reader went away) are emitted as 'error' on the next tick, as a stream does.

import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { ttyModule } from './lazy.js';

/** major number of Linux's memory devices (/dev/null 1:3, /dev/zero 1:5, /dev/full 1:7): never a terminal */
const MEM_MAJOR = 1;

const terminal: (boolean | undefined)[] = [];

/** Whether fd is a terminal (node:tty only for a character device that is not /dev/null and its kin). */
export function isTerminal(fd: number): boolean {
  let t = terminal[fd];
  if (t === undefined) {
    t = false;
    try {
      const st = fs.fstatSync(fd);
      // (glibc's major(): bits 8-19 of a Linux dev_t)
      if (st.isCharacterDevice() && Math.floor(st.rdev / 256) % 4096 !== MEM_MAJOR) t = ttyModule().isatty(fd);
    } catch {
      t = false;
    }
    terminal[fd] = t;
  }
  return t;
}

type Callback = (err?: Error | null) => void;

/** What the writers need of an output stream: FdOut, or one of Node's writable streams. */
export interface OutStream {
  write(chunk: Uint8Array | string, cb?: Callback): boolean;
  on(event: 'error', fn: (e: Error) => void): unknown;
  once(event: 'drain', fn: () => void): unknown;
}

/** A write-only stream on a file descriptor: write(2) until it would block, then Node's stream. */
export class FdOut extends EventEmitter {
  private stream: NodeJS.WriteStream | undefined;
  private error: Error | null = null;
  destroyed = false;
  writable = true;

  constructor(
    private readonly fd: number,
    private readonly nodeStream: () => NodeJS.WriteStream,
  ) {
    super();
    if (isTerminal(fd)) this.takeStream();
  }

  /** Node's stream, once the output went over to it (a terminal, or a write that would have blocked). */
  get delegate(): NodeJS.WriteStream | undefined {
    return this.stream;
  }

  get writableNeedDrain(): boolean {
    return this.stream !== undefined && this.stream.writableNeedDrain;
  }

  private takeStream(): NodeJS.WriteStream {
    const s = this.nodeStream();
    this.stream = s;
    s.on('error', (e) => this.emit('error', named(e)));
    s.on('drain', () => this.emit('drain'));
    return s;
  }

  write(chunk: Uint8Array | string, cb?: Callback): boolean {
    if (this.stream !== undefined) return this.stream.write(chunk, cb);
    if (this.error !== null) {
      if (cb) process.nextTick(cb, this.error);
      return false;
    }
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let off = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(this.fd, buf, off, buf.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return this.takeStream().write(buf.subarray(off), cb);
        const err = named(e as Error);
        this.error = err;
        this.destroyed = true;
        this.writable = false;
        process.nextTick(() => {
          this.emit('error', err);
          if (cb) cb(err);
        });
        return false;
      }
    }
    if (cb) process.nextTick(cb);
    return true;
  }
}

/** A write error names what failed to take the bytes ("standard output: no space left on device"). */
function named(e: Error): Error {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code === 'string' && err.path === undefined) err.path = 'standard output';
  return e;
}

let out: FdOut | undefined;

/** The command's standard output. */
export function stdout(): FdOut {
  return (out ??= new FdOut(1, () => process.stdout));
}

let errStream: NodeJS.WriteStream | undefined;

/** Write to standard error (errors on it, a closed one included, are dropped: there is nowhere to report them). */
export function writeErr(s: string): void {
  if (errStream === undefined && !isTerminal(2)) {
    const buf = Buffer.from(s, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(2, buf, off, buf.length - off);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      s = buf.subarray(off).toString('utf8');
    }
  }
  errStream ??= process.stderr;
  errStream.write(s);
}

let nodeStdio = false;

/** Code that may write to process.stdout or process.stderr itself runs (a user's chisel: console.log). */
export function usesNodeStdio(): void {
  nodeStdio = true;
}

/** Calls `then` once everything written to stdout and stderr so far has left the process. */
export function whenWritten(then: () => void): void {
  const s = out?.delegate ?? (nodeStdio ? process.stdout : undefined);
  flushed(s, () => flushed(errStream ?? (nodeStdio ? process.stderr : undefined), then));
}

function flushed(s: NodeJS.WriteStream | undefined, then: () => void): void {
  if (s === undefined || s.destroyed || s.writableEnded || !s.writable) then();
  else s.write('', () => then());
}
