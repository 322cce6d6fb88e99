// Opens a capture input (a path or a stream), detects its compression by magic bytes (never by
// name), and yields the decompressed bytes in large chunks. Streams only: never seeks, never holds
// the whole input.

import * as fs from 'node:fs';
import type * as zlib from 'node:zlib';
import { streamModule, zlibModule } from '../cli/lazy.js';
import { DataError } from '../cli/errors.js';
import { interrupted, onInterrupt } from '../cli/interrupt.js';
import { Lz4FrameDecoder, LZ4_FRAME_MAGIC, LZ4_LEGACY_MAGIC, LZ4_SKIPPABLE_MAGIC, LZ4_SKIPPABLE_MASK } from './lz4.js';

export type Compression = 'gzip' | 'lz4' | 'plain';

/** Input chunk: large enough to make reads cheap, small enough that a pipeline's writer gets to run between chunks. */
const CHUNK = 1 << 18;
/** chunk buffers in the ring of fdChunks */
const POOL = 4;

/** What the first bytes of an input say it is (4 bytes are enough; fewer give 'plain' unless gzip). */
export function detectCompression(firstBytes: Uint8Array): Compression {
  if (firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b) return 'gzip';
  if (firstBytes.length >= 4) {
    const m = (firstBytes[0]! | (firstBytes[1]! << 8) | (firstBytes[2]! << 16) | (firstBytes[3]! << 24)) >>> 0;
    if (m === LZ4_FRAME_MAGIC || (m & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) return 'lz4';
  }
  return 'plain';
}

/**
 * What to say of an input in a compression format that tdig does not read, told by its magic number (the
 * formats' own specifications: lz4's legacy frame, xz, zstd, bzip2), or undefined.
 */
export function foreignCompression(first: Uint8Array): string | undefined {
  if (first.length < 4) return undefined;
  const m = (first[0]! | (first[1]! << 8) | (first[2]! << 16) | (first[3]! << 24)) >>> 0;
  let what: string | undefined;
  if (m === LZ4_LEGACY_MAGIC) what = 'lz4 legacy-format (lz4 -l) input';
  else if (m === 0xfd2fb528) what = 'zstd-compressed input';
  else if (first[0] === 0xfd && first[1] === 0x37 && first[2] === 0x7a && first[3] === 0x58) what = 'xz-compressed input';
  else if (first[0] === 0x42 && first[1] === 0x5a && first[2] === 0x68 && first[3]! >= 0x31 && first[3]! <= 0x39) {
    what = 'bzip2-compressed input';
  }
  return what === undefined ? undefined : `${what} is not supported (plain, gzip and lz4 frames are; decompress it first)`;
}

function toBuffer(c: unknown): Buffer {
  if (Buffer.isBuffer(c)) return c;
  if (typeof c === 'string') return Buffer.from(c, 'latin1');
  if (c instanceof Uint8Array) return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  throw new TypeError('input stream yielded a non-byte chunk');
}

/** Reads `fd` with blocking reads until its end, in chunks of up to CHUNK bytes. */
async function* fdChunks(fd: number, reuse: boolean): AsyncGenerator<Buffer> {
  // With `reuse`, a small ring of chunk buffers: reading into memory the process already touched saves a
  // page fault per 4 KiB of input. A chunk is then overwritten POOL reads later.
  const pool: Buffer[] = [];
  let next = 0;
  for (;;) {
    let buf = reuse ? pool[next] : undefined;
    if (buf === undefined) pool[next] = buf = Buffer.allocUnsafe(CHUNK);
    next = (next + 1) % POOL;
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) return;
    yield n === CHUNK ? buf : buf.subarray(0, n);
  }
}

/**
 * A regular file read with blocking reads: from the page cache this is much faster than a stream,
 * whose reads wait in the thread pool while the reader could already work.
 */
async function* regularFileChunks(path: string, reuse: boolean): AsyncGenerator<Buffer> {
  const fd = fs.openSync(path, 'r');
  try {
    yield* fdChunks(fd, reuse);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Standard input as an input source. A regular file is read with blocking reads, a pipe or a socket by
 * pipeChunks; process.stdin's stream is used as it is only for anything else (a terminal).
 */
export class StdinSource {
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return stdinChunks(false);
  }
}

/** The inputs of the reading commands: a path, standard input, or any byte stream. */
export type InputSource = string | StdinSource | NodeJS.ReadableStream;

let beforeWait: (() => Promise<void> | void) | undefined;

/**
 * Sets what runs when the input has no more bytes yet and the command is about to wait for its writer:
 * a command hands over the output it holds back, so that a live pipeline (`tdig-capture | tdig-fmt`)
 * shows each event as it comes, not when a buffer fills or the input ends.
 */
export function setBeforeWait(fn: (() => Promise<void> | void) | undefined): void {
  beforeWait = fn;
}

async function runBeforeWait(): Promise<void> {
  if (beforeWait !== undefined) {
    const p = beforeWait();
    if (p !== undefined) await p;
  }
}

/** The chunks of an input read through a stream (a named pipe, a terminal), with beforeWait before each next one. */
async function* waiting(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const b of src) {
    yield b;
    await runBeforeWait();
  }
}

function stdinStat(): fs.Stats | undefined {
  try {
    return fs.fstatSync(0);
  } catch {
    return undefined;
  }
}

async function* stdinChunks(reuse: boolean): AsyncGenerator<Buffer> {
  const st = stdinStat();
  if (st !== undefined && st.isFile()) {
    yield* fdChunks(0, reuse);
    return;
  }
  if (st !== undefined && (st.isFIFO() || st.isSocket())) {
    yield* pipeChunks(reuse);
    return;
  }
  for await (const c of process.stdin) yield toBuffer(c);
  // (a stream's wait for its next chunk lets the event loop run: signals are heard)
}

/**
 * Standard input that is a pipe or a socket, read without ever blocking the process. Node's stream on
 * descriptor 0 (made, and left paused) makes the descriptor non-blocking; readSync then takes what the
 * pipe holds, as cheaply as a blocking read. When it holds nothing (EAGAIN), the command hands over the
 * output it holds back (beforeWait) and waits on the event loop for the stream's next chunk, so that a
 * gzip input's inflating (in the thread pool) goes on, and Ctrl-C is heard (lib/cli/interrupt.ts) even
 * when the writer is silent. Bytes the stream took go first: it only reads while it is waited on, and
 * what it read ahead is in its buffer, before anything still in the pipe.
 */
async function* pipeChunks(reuse: boolean): AsyncGenerator<Buffer> {
  const stdin = process.stdin;
  stdin.pause();
  const pool: Buffer[] = [];
  let next = 0;
  for (;;) {
    if (stdin.readableLength > 0) {
      const b = stdin.read() as Buffer | null;
      if (b !== null) {
        yield toBuffer(b);
        continue;
      }
    }
    if (stdin.readableEnded) return;
    let buf = reuse ? pool[next] : undefined;
    if (buf === undefined) pool[next] = buf = Buffer.allocUnsafe(CHUNK);
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, CHUNK, null);
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code !== 'EAGAIN') throw e;
      await runBeforeWait();
      const b = await nextData(stdin);
      if (b === null) return;
      yield b;
      continue;
    }
    if (n === 0) return;
    next = (next + 1) % POOL;
    yield n === CHUNK ? buf : buf.subarray(0, n);
  }
}

/** The stream's next chunk, or null at its end or when a signal ends the input. */
function nextData(stream: NodeJS.ReadStream): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolve, reject) => {
    const done = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      cancel();
      stream.pause();
    };
    const onData = (b: unknown): void => {
      done();
      resolve(toBuffer(b));
    };
    const onEnd = (): void => {
      done();
      resolve(null);
    };
    const onError = (e: Error): void => {
      done();
      reject(e);
    };
    const cancel = onInterrupt(onEnd);
    if (interrupted()) return;
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

/** Whether `path` is a regular file; a directory throws (reading one fails without naming it). */
function isRegularFile(path: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    return false;
  }
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR', path });
  return st.isFile();
}

export interface InputOptions {
  /**
   * Reuse chunk buffers of a regular file or standard input (a chunk is overwritten a few chunks later). Only for
   * consumers that copy whatever they keep of a chunk before pulling the next ones, such as readBlocks
   * with handlers that copy what they retain of an event.
   */
  reuseChunks?: boolean;
  /** called with the length of each chunk read from the source, before decompression (a progress bar) */
  onRaw?: (n: number) => void;
}

/**
 * Opens `source` (a file path, standard input, or a readable byte stream) and yields its
 * decompressed contents. gzip (single or multi-member) and LZ4 frames are recognised by their magic;
 * anything else passes through unchanged. Corrupt or truncated compressed data throws DataError with
 * the compressed byte offset. Breaking out of the iteration closes the file. Terminals and other
 * devices (/dev/fd/N) go through streams.
 */
export async function* openInput(source: InputSource, opts: InputOptions = {}): AsyncGenerator<Buffer> {
  // (a ReadStream of our own is remembered here: asking `instanceof fs.ReadStream` would load fs's
  // stream classes, ~1 ms of every start)
  let own: fs.ReadStream | undefined;
  const st = source instanceof StdinSource ? stdinStat() : undefined;
  const regular = typeof source === 'string' && isRegularFile(source);
  // a regular file never waits, standard input that is a pipe waits in pipeChunks; any other stream waits
  // for its writer between its chunks
  const waitsHere = typeof source === 'string' ? !regular : st === undefined || !(st.isFile() || st.isFIFO() || st.isSocket());
  const mayWait = typeof source === 'string' ? !regular : st === undefined || !st.isFile();
  const stream: NodeJS.ReadableStream | AsyncIterable<Buffer> =
    typeof source === 'string'
      ? regular
        ? regularFileChunks(source, opts.reuseChunks === true)
        : (own = fs.createReadStream(source, { highWaterMark: CHUNK }))
      : source instanceof StdinSource
        ? stdinChunks(opts.reuseChunks === true)
        : source;
  const it = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  try {
    // Sniff: gather at least 4 bytes (or everything, if the input is shorter).
    const head: Buffer[] = [];
    let headLen = 0;
    while (headLen < 4) {
      const r = await it.next();
      if (r.done) break;
      const b = toBuffer(r.value);
      if (b.length === 0) continue;
      head.push(b);
      headLen += b.length;
    }
    if (headLen === 0) return;
    const first = head.length === 1 ? head[0]! : Buffer.concat(head);
    const onRaw = opts.onRaw;
    onRaw?.(headLen);
    const foreign = foreignCompression(first);
    if (foreign !== undefined) throw new DataError(foreign, typeof source === 'string' ? `${source} byte 0` : 'byte 0');
    const kind = detectCompression(first);

    // The rest of the input, starting with what was sniffed.
    async function* rest(): AsyncGenerator<Buffer> {
      yield first;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        const b = toBuffer(r.value);
        if (b.length === 0) continue;
        if (onRaw !== undefined) onRaw(b.length);
        yield b;
      }
    }

    let out: AsyncIterable<Buffer>;
    if (kind === 'plain') {
      out = rest();
    } else if (kind === 'lz4') {
      out = unlz4(rest());
    } else {
      // zlib holds on to the chunks it was given for a while (a pipe's reads of 64 KiB, more than the ring
      // has buffers): with reused buffers it gets copies of the (compressed, so smaller) input
      out = gunzip(opts.reuseChunks === true ? copies(rest()) : rest(), typeof source === 'string' ? source : undefined, mayWait);
    }
    yield* waitsHere ? waiting(out) : out;
  } finally {
    // Stop the source (closes a file we opened; a no-op if it already ended).
    await it.return?.();
    own?.destroy();
  }
}

async function* unlz4(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const dec = new Lz4FrameDecoder();
  const out: Buffer[] = [];
  for await (const chunk of src) {
    dec.push(chunk, out);
    for (let i = 0; i < out.length; i++) yield out[i]!;
    out.length = 0;
  }
  dec.end(out);
  for (let i = 0; i < out.length; i++) yield out[i]!;
}

/** The chunks of `src`, each copied (for a consumer that holds chunks longer than a ring of reused buffers lasts). */
export async function* copies(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const b of src) yield Buffer.from(b);
}

/** Counts the compressed bytes handed to zlib, for error offsets. */
interface Counter {
  n: number;
}

async function* counted(src: AsyncIterable<Buffer>, c: Counter): AsyncGenerator<Buffer> {
  for await (const b of src) {
    c.n += b.length;
    yield b;
  }
}

/**
 * Inflates `src`. With `live` (a pipe), whenever the inflated bytes run dry the command hands over what it
 * holds back (beforeWait): the reads of the compressed input run ahead of the inflating, so their own
 * waits come too early for that.
 */
async function* gunzip(src: AsyncIterable<Buffer>, name: string | undefined, live: boolean): AsyncGenerator<Buffer> {
  const fed: Counter = { n: 0 };
  const feed = streamModule().Readable.from(counted(src, fed), { objectMode: false, highWaterMark: CHUNK });
  const gz = zlibModule().createGunzip({ chunkSize: CHUNK });
  let feedError: unknown = null;
  feed.on('error', (e) => {
    feedError = e;
    gz.destroy(e as Error);
  });
  feed.pipe(gz);
  try {
    for await (const chunk of gz) {
      yield chunk as Buffer;
      if (live && gz.readableLength === 0) await runBeforeWait();
    }
  } catch (e) {
    if (feedError !== null) throw feedError;
    throw zlibError(e, gz, fed.n, name);
  } finally {
    feed.unpipe(gz);
    feed.destroy();
    gz.destroy();
  }
}

function zlibError(e: unknown, gz: zlib.Gunzip, fed: number, name: string | undefined): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return e;
  const msg = (e as Error).message;
  const file = name !== undefined ? `${name} ` : '';
  // A truncated stream fails at its end. Otherwise zlib says only that the fault lies in the input it was
  // last given: past what it had consumed before (bytesWritten), within what it was handed (fed).
  const from = Math.min(gz.bytesWritten, fed);
  if (code === 'Z_BUF_ERROR' || from >= fed - 1) return new DataError(`gzip: ${msg}`, `${file}byte ${code === 'Z_BUF_ERROR' ? fed : from}`);
  return new DataError(`gzip: ${msg}`, `${file}compressed bytes ${from}-${fed - 1}`);
}
